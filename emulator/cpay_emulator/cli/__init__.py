"""The ``cpay-emulator`` command: ``serve``, the control verbs, ``proxy`` and ``replay``."""
