"""Whether a changed ``pattern`` accepts more, fewer or other strings than before: proven, or shown by an example.

A request field's pattern decides which values the server accepts. Widening it (``\\d{1,2}`` -> ``\\d{1,8}``)
breaks no caller; narrowing it does. Deciding inclusion of two arbitrary regular expressions is not worth the
machinery here, so :func:`compare` answers only what it can back up:

* **wider**, when a structural proof holds: every part of the old pattern is matched by a part of the new one
  at the same place (the same literal or a larger character class; a quantifier whose range holds the old
  count and whose body covers the old body; one branch of an alternation for each old branch; an anchor
  dropped). The proof is sound (it never calls a narrower pattern wider) and incomplete;
* **narrower**, when an example shows it: a string built from the old pattern (its boundary counts, each
  branch, the ends of each character class) that the old pattern matches and the new one does not. The
  example is checked with Python's ``re`` on both patterns, so it is a fact, not an inference;
* **same**, when each covers the other; otherwise **unknown**: "pattern changed, check it".

Patterns are ECMA-262 (JSON Schema): ``\\d`` is ``[0-9]`` and ``.`` is anything but a line terminator. Only the
subset used by API descriptions is parsed (literals, escapes, classes, groups, alternation, quantifiers, ``^``
and ``$``); anything else (backreferences, lookaround, ``\\b``, ``\\p{...}``) leaves the answer unknown.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

__all__ = ["PatternChange", "Relation", "compare"]

MAX_CODE_POINT = 0x10FFFF
MAX_EXAMPLES = 400  # strings tried per pattern when looking for an example
SURROUNDINGS = ("~", "0", "a")  # added around sample values to look for a dropped or added anchor
MAX_UNROLL = 8  # a fixed or small quantifier of the old pattern may be unrolled to match single new items

Ranges = tuple[tuple[int, int], ...]


class Relation(enum.Enum):
    SAME = "same"  # the same strings (or the same text)
    WIDER = "wider"  # every string the old pattern accepted, and maybe more
    NARROWER = "narrower"  # at least one string the old pattern accepted is refused (``example``)
    UNKNOWN = "unknown"  # neither proven nor shown


@dataclass(frozen=True)
class PatternChange:
    relation: Relation
    example: str | None = None  # NARROWER: a string now refused; WIDER: one now accepted (when one is found)


class UnsupportedPatternError(ValueError):
    """The pattern uses syntax this module does not model."""


# ---- the syntax tree ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chars:
    """One character out of a set of code point ranges (a literal, a class, ``.``, ``\\d``)."""

    ranges: Ranges


@dataclass(frozen=True)
class Sequence:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Alternation:
    options: tuple[Node, ...]


@dataclass(frozen=True)
class Repeat:
    body: Node
    minimum: int
    maximum: int | None  # None: unbounded


@dataclass(frozen=True)
class Anchor:
    kind: str  # "^" or "$"


Node = Chars | Sequence | Alternation | Repeat | Anchor


def _normalized(ranges: list[tuple[int, int]]) -> Ranges:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return tuple(merged)


def _complement(ranges: Ranges) -> Ranges:
    result, start = [], 0
    for low, high in ranges:
        if low > start:
            result.append((start, low - 1))
        start = high + 1
    if start <= MAX_CODE_POINT:
        result.append((start, MAX_CODE_POINT))
    return tuple(result)


def _single(character: str) -> Ranges:
    return ((ord(character), ord(character)),)


DIGIT: Ranges = ((0x30, 0x39),)
WORD: Ranges = _normalized([(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)])
SPACE: Ranges = _normalized(
    [
        (0x09, 0x0D),
        (0x20, 0x20),
        (0xA0, 0xA0),
        (0x1680, 0x1680),
        (0x2000, 0x200A),
        (0x2028, 0x2029),
        (0x202F, 0x202F),
        (0x205F, 0x205F),
        (0x3000, 0x3000),
        (0xFEFF, 0xFEFF),
    ]
)
LINE_TERMINATORS: Ranges = _normalized([(0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029)])
CLASS_ESCAPES = {"d": DIGIT, "D": _complement(DIGIT), "w": WORD, "W": _complement(WORD)}
CLASS_ESCAPES |= {"s": SPACE, "S": _complement(SPACE)}
CONTROL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "0": "\0"}
SYNTAX_CHARACTERS = set("^$\\.*+?()[]{}|/-")


class _Parser:
    """A recursive-descent parser of the ECMA-262 subset described in the module docstring."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.position = 0

    def parse(self) -> Node:
        node = self._alternation()
        if self.position != len(self.pattern):
            raise UnsupportedPatternError(f"unexpected {self.pattern[self.position]!r} at {self.position}")
        return node

    def _peek(self) -> str | None:
        return self.pattern[self.position] if self.position < len(self.pattern) else None

    def _take(self) -> str:
        character = self._peek()
        if character is None:
            raise UnsupportedPatternError("the pattern ends early")
        self.position += 1
        return character

    def _alternation(self) -> Node:
        options = [self._sequence()]
        while self._peek() == "|":
            self.position += 1
            options.append(self._sequence())
        return options[0] if len(options) == 1 else Alternation(tuple(options))

    def _sequence(self) -> Node:
        items: list[Node] = []
        while self._peek() not in (None, "|", ")"):
            items.append(self._quantified(self._atom()))
        return items[0] if len(items) == 1 else Sequence(tuple(items))

    def _atom(self) -> Node:
        character = self._take()
        if character == "(":
            if self.pattern.startswith("?:", self.position):
                self.position += 2
            elif self._peek() == "?":
                raise UnsupportedPatternError("lookaround and named groups are not modeled")
            inner = self._alternation()
            if self._take() != ")":
                raise UnsupportedPatternError("unbalanced parenthesis")
            return inner
        if character == "[":
            return Chars(self._class())
        if character == ".":
            return Chars(_complement(LINE_TERMINATORS))
        if character in "^$":
            return Anchor(character)
        if character == "\\":
            return Chars(self._escape(in_class=False))
        if character in "*+?{}":
            raise UnsupportedPatternError(f"a quantifier {character!r} without an atom")
        if character in ")]":
            raise UnsupportedPatternError(f"unbalanced {character!r}")
        return Chars(_single(character))

    def _escape(self, *, in_class: bool) -> Ranges:
        character = self._take()
        if character in CLASS_ESCAPES:
            return CLASS_ESCAPES[character]
        if character in CONTROL_ESCAPES:
            return _single(CONTROL_ESCAPES[character])
        if character in "xu":
            digits = 2 if character == "x" else 4
            code = self.pattern[self.position : self.position + digits]
            if len(code) != digits or not all(c in "0123456789abcdefABCDEF" for c in code):
                raise UnsupportedPatternError(f"\\{character} without {digits} hex digits")
            self.position += digits
            return ((int(code, 16), int(code, 16)),)
        if character == "b" and in_class:
            return _single("\b")
        if character in SYNTAX_CHARACTERS:
            return _single(character)
        raise UnsupportedPatternError(f"the escape \\{character} is not modeled")

    def _class(self) -> Ranges:
        negated = self._peek() == "^"
        if negated:
            self.position += 1
        if self._peek() == "]":
            raise UnsupportedPatternError("an empty class is not modeled")
        ranges: list[tuple[int, int]] = []
        while self._peek() != "]":
            low = self._class_atom()
            if self._peek() == "-" and self.pattern[self.position + 1 : self.position + 2] not in ("]", ""):
                self.position += 1
                high = self._class_atom()
                if len(low) != 1 or len(high) != 1 or low[0][0] != low[0][1] or high[0][0] != high[0][1]:
                    raise UnsupportedPatternError("a range between classes")
                if high[0][0] < low[0][0]:
                    raise UnsupportedPatternError("a range out of order")
                ranges.append((low[0][0], high[0][0]))
            else:
                ranges.extend(low)
        self.position += 1
        result = _normalized(ranges)
        return _complement(result) if negated else result

    def _class_atom(self) -> Ranges:
        character = self._take()
        if character == "\\":
            return self._escape(in_class=True)
        return _single(character)

    def _quantified(self, atom: Node) -> Node:
        character = self._peek()
        bounds: tuple[int, int | None] | None = None
        if character == "*":
            bounds = (0, None)
        elif character == "+":
            bounds = (1, None)
        elif character == "?":
            bounds = (0, 1)
        elif character == "{":
            match = re.compile(r"\{(\d+)(,(\d*))?\}").match(self.pattern, self.position)
            if match is None:
                raise UnsupportedPatternError("a brace that is not a quantifier")
            minimum = int(match[1])
            maximum = minimum if match[2] is None else (int(match[3]) if match[3] else None)
            if maximum is not None and maximum < minimum:
                raise UnsupportedPatternError("a quantifier out of order")
            self.position = match.end() - 1
            bounds = (minimum, maximum)
        if bounds is None:
            return atom
        if isinstance(atom, Anchor):
            raise UnsupportedPatternError("a quantified anchor")
        self.position += 1
        if self._peek() == "?":  # lazy: the same strings
            self.position += 1
        return Repeat(atom, bounds[0], bounds[1])


@lru_cache(maxsize=256)
def parse(pattern: str) -> Node:
    """The syntax tree of ``pattern``; raises :class:`UnsupportedPatternError` outside the modeled subset."""
    return _Parser(pattern).parse()


# ---- the proof: does ``new`` match every string ``old`` matches? -----------------------------------------------

Items = tuple[Node, ...]


def _items(node: Node) -> Items:
    return node.items if isinstance(node, Sequence) else (node,)


def _contains(outer: Ranges, inner: Ranges) -> bool:
    return all(any(low >= o_low and high <= o_high for o_low, o_high in outer) for low, high in inner)


def _nullable(node: Node) -> bool:
    if isinstance(node, Repeat):
        return node.minimum == 0 or _nullable(node.body)
    if isinstance(node, Sequence):
        return all(_nullable(item) for item in node.items)
    if isinstance(node, Alternation):
        return any(_nullable(option) for option in node.options)
    return False  # a character; an anchor is empty but restricts where it matches


def _unrolled(repeat: Repeat) -> Node | None:
    """A small quantifier as the alternation of its counts (``a{1,2}`` -> ``a|aa``), or None when too large."""
    if repeat.maximum is None or repeat.maximum > MAX_UNROLL:
        return None
    body = _items(repeat.body)
    return Alternation(tuple(Sequence(body * count) for count in range(repeat.minimum, repeat.maximum + 1)))


@lru_cache(maxsize=65536)
def _covers(new: Items, old: Items) -> bool:
    """Whether the sequence ``new`` matches every string the sequence ``old`` matches, at the same place."""
    if not old:
        return all(_nullable(item) for item in new)
    first_old = old[0]
    # Old structure is split first: each old branch must be covered, by a choice of new branches.
    if isinstance(first_old, Sequence):
        return _covers(new, first_old.items + old[1:])
    if isinstance(first_old, Alternation):
        return all(_covers(new, _items(option) + old[1:]) for option in first_old.options)
    if not new:
        return all(isinstance(item, Anchor) for item in old)  # an old anchor only restricted it
    first_new = new[0]
    if isinstance(first_new, Sequence):
        return _covers(first_new.items + new[1:], old)
    if isinstance(first_new, Alternation):
        return any(_covers(_items(option) + new[1:], old) for option in first_new.options)
    if isinstance(first_old, Anchor):
        if first_new == first_old and _covers(new[1:], old[1:]):
            return True
        return _covers(new, old[1:])  # the new pattern dropped this anchor
    if isinstance(first_new, Anchor):
        return False  # a new restriction the old pattern did not have
    if isinstance(first_new, Repeat):
        if first_new.minimum == 0 and _covers(new[1:], old):
            return True
        return _absorbs(first_new, new[1:], old)
    # first_new is one character
    if isinstance(first_old, Chars):
        return _contains(first_new.ranges, first_old.ranges) and _covers(new[1:], old[1:])
    assert isinstance(first_old, Repeat)
    unrolled = _unrolled(first_old)
    return unrolled is not None and _covers(new, (unrolled, *old[1:]))


def _absorbs(repeat: Repeat, rest: Items, old: Items) -> bool:
    """Whether ``repeat`` can match a run of ``old``'s items (each one body, or an old repeat of one body)."""
    body = _items(repeat.body)
    maximum = repeat.maximum
    pending: list[tuple[int, int, int | None]] = [(0, 0, 0)]  # (old position, fewest bodies, most bodies)
    seen: set[tuple[int, int, int | None]] = set()
    while pending:
        state = pending.pop()
        if state in seen:
            continue
        seen.add(state)
        position, fewest, most = state
        in_range = repeat.minimum <= fewest and (maximum is None or (most is not None and most <= maximum))
        if position and in_range and _covers(rest, old[position:]):
            return True
        if maximum is not None and fewest >= maximum:
            continue
        item = old[position] if position < len(old) else None
        if isinstance(item, Repeat) and _covers(body, _items(item.body)):
            more = None if most is None or item.maximum is None else most + item.maximum
            pending.append((position + 1, fewest + item.minimum, more))
        for end in range(position + 1, len(old) + 1):
            if _covers(body, old[position:end]):
                pending.append((end, fewest + 1, None if most is None else most + 1))
    return False


def covers(new: str, old: str) -> bool:
    """Whether pattern ``new`` provably accepts every string pattern ``old`` accepts (False: not proven)."""
    try:
        return _covers(_items(parse(new)), _items(parse(old)))
    except UnsupportedPatternError:
        return False


# ---- the example: a string one pattern accepts and the other does not -----------------------------------------


def _representatives(ranges: Ranges) -> list[str]:
    """A few characters of a set: printable ASCII ones first (an example is read by people)."""
    printable = [code for code in range(0x20, 0x7F) if any(low <= code <= high for low, high in ranges)]
    chosen = printable[:1] + printable[-1:] if printable else [ranges[0][0], ranges[-1][1]]
    return list(dict.fromkeys(chr(code) for code in chosen))


def _samples(node: Node) -> list[str]:
    """Strings ``node`` matches: its first choice everywhere, then each part's other choices one at a time."""
    if isinstance(node, Anchor):
        return [""]
    if isinstance(node, Chars):
        return _representatives(node.ranges)
    if isinstance(node, Alternation):
        return list(dict.fromkeys(sample for option in node.options for sample in _samples(option)))
    if isinstance(node, Repeat):
        body = _samples(node.body)
        counts = {node.minimum, node.minimum + 1, node.maximum if node.maximum is not None else node.minimum + 2}
        counts = {count for count in counts if node.maximum is None or count <= node.maximum}
        found = [body[0] * count for count in sorted(counts)]
        if node.minimum <= 1 and (node.maximum is None or node.maximum >= 1):
            found += body
        return list(dict.fromkeys(found))
    parts = [_samples(item) for item in node.items]
    base = [choices[0] for choices in parts]
    found = ["".join(base)]
    for index, choices in enumerate(parts):
        for choice in choices[1:]:
            found.append("".join([*base[:index], choice, *base[index + 1 :]]))
    return list(dict.fromkeys(found))


def example(accepting: str, refusing: str) -> str | None:
    """A string pattern ``accepting`` matches and pattern ``refusing`` does not, when one is found."""
    try:
        samples = _samples(parse(accepting))
        accepts, refuses = re.compile(accepting), re.compile(refusing)
    except (UnsupportedPatternError, re.error):
        return None
    # A pattern matches anywhere in the value unless anchored: text around a match tests a dropped anchor.
    candidates = samples + [f"{sample}{extra}" for extra in SURROUNDINGS for sample in samples[:20]]
    candidates += [f"{extra}{sample}" for extra in SURROUNDINGS for sample in samples[:20]]
    for candidate in islice(candidates, MAX_EXAMPLES):
        if accepts.search(candidate) and not refuses.search(candidate):
            return candidate
    return None


def compare(old: str, new: str) -> PatternChange:
    """How ``new`` relates to ``old``; see the module docstring for what backs each answer."""
    if old == new:
        return PatternChange(Relation.SAME)
    refused = example(old, new)
    if refused is not None:
        return PatternChange(Relation.NARROWER, refused)
    if covers(new, old):
        if covers(old, new):
            return PatternChange(Relation.SAME)
        return PatternChange(Relation.WIDER, example(new, old))
    return PatternChange(Relation.UNKNOWN)
