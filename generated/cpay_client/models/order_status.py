from enum import StrEnum


class OrderStatus(StrEnum):
    CLOSED = "15"
    COMPLETED = "14"
    PENDING = "0"
    PROCESSING = "11"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> "OrderStatus | None":
        """Accept a value that a newer version of the API may send, instead of raising ``ValueError``.

        The result is a pseudo-member named ``UNKNOWN`` that equals the raw value (``== "99"``) and
        serializes back to it; it is not listed by iteration and its ``is_known`` is false. Values of another
        type are still refused.
        """
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """Whether the API document lists this value (false for the ``UNKNOWN`` pseudo-member of a newer one)."""
        return type(self).__members__.get(self._name_) is self
