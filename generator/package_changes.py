"""What changed in the public Python API of ``cpay_client`` between two generated copies, read by griffe.

griffe (``griffelib``, pinned) loads both copies statically, without importing them. Its
``find_breaking_changes`` finds what it knows breaks: public objects removed, parameters removed, added as
required or made required, defaults changed. It reports no additions and does not compare annotations or
attrs constructors, so this module adds, from the two loaded trees:

* new modules, classes, functions, enum members, attributes and optional parameters (additions);
* the constructor of every attrs model (``@_attrs_define``): a new field without a default is a new required
  argument (breaking), one with a default an addition; a field that loses its default is breaking. For a
  model the API only returns both are compatible changes: the client's parser builds it, and only code that
  builds one itself (a test double) has to follow. A changed
  default of a field is breaking where the API takes the model: ``to_dict`` sends the default for a caller
  who left the field out, so the same call now sends something else (it is a compatible change for a model
  the API only returns). The generated models are keyword-only (``templates/model.py.jinja``), so field
  order is not part of their API; for a model that takes arguments by position, a field that moves to another
  position is breaking (a positional call would fill another field), and becoming keyword-only is breaking;
* changed annotations: breaking, unless the new type only widens where the value flows into the client's
  caller's hands the safe way: a parameter (or a field of a model the API only takes) may accept more, a return
  value (or a field of a model the API only returns) may promise less. Wider is a union that grows, ``float``
  for ``int`` (PEP 484's numeric tower) and a type for its ``Literal`` (``str`` for ``Literal['a']``);
* changed values of enum members and other public attributes: breaking.

Private names (a leading underscore) and what a module merely imports are not part of the API.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import griffe
from change_report import Change, Impact

PACKAGE = "cpay_client"
ATTRS_DECORATORS = frozenset({"_attrs_define", "define", "attrs.define", "attr.s", "attrs.frozen"})
# A model only the API returns is built by the client's parser; code that builds one itself is a test double.
RECEIVED_ONLY = " (of a model the API only returns: it matters to code that builds one, such as a test double)"
KEYWORD_ONLY = re.compile(r"\bkw_only\s*=\s*True\b")
ENUM_BASES = frozenset({"Enum", "StrEnum", "IntEnum", "enum.Enum", "enum.StrEnum", "enum.IntEnum"})
CLASS_NAME = re.compile(r"\b[A-Z][A-Za-z0-9_]*\b")


def load(folder: Path, package: str = PACKAGE) -> griffe.Module:
    """Load ``package`` from ``folder`` (the folder that holds ``cpay_client/``), and from nowhere else."""
    loaded = griffe.load(
        package,
        search_paths=[str(folder)],
        try_relative_path=False,
        resolve_aliases=True,
        allow_inspection=False,
        store_source=False,
    )
    if not isinstance(loaded, griffe.Module):  # a package name always loads as a module
        raise TypeError(f"{package} in {folder} is not a module")
    return loaded


def compare_packages(old: griffe.Module, new: griffe.Module) -> list[Change]:
    """Every change of the public API from ``old`` to ``new``: griffe's breakages, then what this module adds.

    Objects are named by their public import path (``cpay_client.models.MerchantBalance``, not the module
    that defines it), and one change shared by the functions of one module (``sync``, ``asyncio``, ...) is
    one line.
    """
    changes = [_from_breakage(breakage) for breakage in griffe.find_breaking_changes(old, new)]
    old_api, new_api = PublicApi.of(old), PublicApi.of(new)
    changes += _additions(old_api, new_api)
    changes += _changes_of_common_objects(old_api, new_api)
    public_names = {target: alias for alias, target in (*old_api.aliases.items(), *new_api.aliases.items())}
    functions = {path for path, obj in (*old_api.objects.items(), *new_api.objects.items()) if obj.is_function}
    grouped: dict[tuple[Impact, str, str], list[str]] = {}
    for change in changes:
        parent, _, name = change.subject.rpartition(".")
        key = (
            (change.impact, parent, change.text)
            if change.subject in functions
            else (change.impact, change.subject, change.text)
        )
        grouped.setdefault(key, [])
        if change.subject in functions and name not in grouped[key]:
            grouped[key].append(name)
    result = []
    for (impact, subject, text), names in grouped.items():
        if names:
            text = f"{', '.join(f'`{name}`' for name in names)}: {text}" if len(names) > 1 else text
            subject = subject if len(names) > 1 else f"{subject}.{names[0]}"
        result.append(Change(impact, _public_name(subject, public_names), text))
    return _renames(result)


_ADDED_FIELD = re.compile(r"^(?:optional|required) field `([A-Za-z0-9_]+)` added")


def _renames(changes: list[Change]) -> list[Change]:
    """A field removed and one added to the same model whose names differ only in word breaks: one rename.

    openapi-python-client derives a field's name from its wire name, so a wire name respelled in case only
    (``callbackURL`` -> ``callBackURL``) removes ``callback_url`` and adds ``call_back_url``. Reported as the
    removal and the addition it is, a user is left to pair them; as a rename it says what to change.
    """
    added: dict[tuple[str, str], tuple[Change, str]] = {}
    for change in changes:
        match = _ADDED_FIELD.match(change.text)
        if match:
            added[(change.subject, match.group(1).replace("_", "").lower())] = (change, match.group(1))
    result: list[Change] = []
    paired: set[int] = set()
    for change in changes:
        owner, _, name = change.subject.rpartition(".")
        twin = added.get((owner, name.replace("_", "").lower())) if change.text == "removed" else None
        if twin is not None and id(twin[0]) not in paired:
            paired.add(id(twin[0]))
            result.append(Change(Impact.BREAKING, change.subject, f"renamed to `{twin[1]}`: use the new name"))
        else:
            result.append(change)
    return [change for change in result if id(change) not in paired]


def _public_name(path: str, public_names: dict[str, str]) -> str:
    """``cpay_client.models.merchant_balance.MerchantBalance.fee`` -> ``cpay_client.models.MerchantBalance.fee``."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        alias = public_names.get(".".join(parts[:end]))
        if alias is not None:
            return ".".join([alias, *parts[end:]])
    return path


def _from_breakage(breakage: griffe.Breakage) -> Change:
    kind = breakage.kind
    old_value, new_value = breakage.old_value, breakage.new_value
    name = getattr(old_value, "name", None) or getattr(new_value, "name", None)
    texts = {
        griffe.BreakageKind.OBJECT_REMOVED: "removed",
        griffe.BreakageKind.PARAMETER_REMOVED: f"parameter `{name}` removed",
        griffe.BreakageKind.PARAMETER_ADDED_REQUIRED: f"required parameter `{name}` added",
        griffe.BreakageKind.PARAMETER_CHANGED_REQUIRED: f"parameter `{name}` is now required",
        griffe.BreakageKind.PARAMETER_CHANGED_DEFAULT: (
            f"parameter `{name}`: default `{getattr(old_value, 'default', None)}` -> "
            f"`{getattr(new_value, 'default', None)}`"
        ),
    }
    text = texts.get(kind, f"{kind.value[0].lower()}{kind.value[1:]}" + (f" ({name})" if name else ""))
    return Change(Impact.BREAKING, breakage.obj.path, text)


@dataclass
class PublicApi:
    """The public objects of one copy of the package, by path, and the public re-exports (aliases)."""

    objects: dict[str, griffe.Object]
    aliases: dict[str, str]  # public alias path -> target path
    flows: dict[str, set[str]]  # class name -> {"sent", "received"}: how the API uses the class

    @classmethod
    def of(cls, root: griffe.Module) -> PublicApi:
        api = cls(objects={}, aliases={}, flows={})
        api._walk(root)
        api.flows = _flows(api.objects)
        return api

    def _walk(self, obj: griffe.Object) -> None:
        self.objects[obj.path] = obj
        if not (obj.is_module or obj.is_class):
            return
        for name, member in obj.members.items():
            if name.startswith("_") or not member.is_public:
                continue
            if isinstance(member, griffe.Alias):
                if obj.is_module and not member.is_module:
                    self.aliases[member.path] = member.target_path
                continue
            if isinstance(member, griffe.Object) and not _is_type_variable(member):
                self._walk(member)


def _additions(old: PublicApi, new: PublicApi) -> Iterator[Change]:
    """New objects, each reported once: a new module or class lists its members instead of one line each."""
    exported = {target for alias, target in new.aliases.items() if alias not in old.aliases}
    for path, obj in new.objects.items():
        parent = obj.parent
        if path in old.objects or parent is None:
            continue
        if parent.path not in old.objects and not (obj.is_module and _is_package(parent)):
            continue  # listed with its new parent
        if obj.is_module:
            members = [member for member in _public_members(obj) if member.path not in exported]
            if members and not _is_package(obj):
                yield Change(Impact.ADDED, path, f"module added ({_listing(members)})")
        elif obj.is_class:
            if path not in exported:  # a re-exported class is reported under its public name below
                yield Change(Impact.ADDED, path, f"{_describe_class(obj)} added")
        elif obj.is_function:
            yield Change(Impact.ADDED, path, "function added")
        elif obj.is_attribute:
            yield _new_attribute(obj, new.flows)
    for alias in sorted(new.aliases.keys() - old.aliases.keys()):
        target = new.objects.get(new.aliases[alias])
        described = _describe_class(target) if target is not None and target.is_class else "name"
        yield Change(Impact.ADDED, alias, f"{described} added")


def _is_package(module: griffe.Object) -> bool:
    return module.is_module and any(member.is_module for member in module.members.values() if not member.is_alias)


def _public_members(module: griffe.Object) -> list[griffe.Object]:
    return [
        member
        for name, member in module.members.items()
        if not name.startswith("_")
        and member.is_public
        and isinstance(member, griffe.Object)
        and not _is_type_variable(member)
    ]


def _is_type_variable(obj: griffe.Object) -> bool:
    """``T = TypeVar("T", bound="Model")`` in every model module: typing plumbing, not API."""
    return isinstance(obj, griffe.Attribute) and str(obj.value).startswith("TypeVar(")


def _listing(members: list[griffe.Object]) -> str:
    """``functions `sync`, `asyncio`; class `X` ``: members grouped by kind, in source order."""
    groups: dict[str, list[str]] = {}
    for member in members:
        groups.setdefault(member.kind.value, []).append(f"`{member.name}`")
    return "; ".join(f"{kind}{'s' if len(names) > 1 else ''} {', '.join(names)}" for kind, names in groups.items())


@dataclass(frozen=True)
class InitArgument:
    """One argument that attrs generates for a model's ``__init__``: a field without ``init=False``."""

    default: str | None  # the default's source text (``UNSET``); None: a required argument

    @property
    def required(self) -> bool:
        return self.default is None


def _describe_class(cls: griffe.Object) -> str:
    if not isinstance(cls, griffe.Class):
        return "class"
    if _is_enum(cls):
        members = [name for name, member in cls.members.items() if _is_enum_member(name, member)]
        return f"enum (members {', '.join(members)})"
    if _is_attrs(cls):
        fields = _constructor(cls)
        return f"model (fields {', '.join(fields)})" if fields else "model"
    return "class"


def _new_attribute(attribute: griffe.Object, flows: dict[str, set[str]]) -> Change:
    owner = attribute.parent
    if isinstance(owner, griffe.Class) and _is_enum(owner) and _is_enum_member(attribute.name, attribute):
        return Change(Impact.ADDED, owner.path, f"enum member `{attribute.name}` added")
    if isinstance(owner, griffe.Class) and _is_attrs(owner):
        fields = _constructor(owner)
        if attribute.name in fields:
            if fields[attribute.name].required:
                text = f"required field `{attribute.name}` added (a new constructor argument)"
                if flows.get(owner.name, set()) == {"received"}:
                    return Change(Impact.CHANGED, owner.path, f"{text}{RECEIVED_ONLY}")
                return Change(Impact.BREAKING, owner.path, text)
            return Change(Impact.ADDED, owner.path, f"optional field `{attribute.name}` added")
    return Change(Impact.ADDED, attribute.path, "attribute added")


def _changes_of_common_objects(old: PublicApi, new: PublicApi) -> Iterator[Change]:
    for path in [path for path in new.objects if path in old.objects]:  # in source order
        before, after = old.objects[path], new.objects[path]
        if isinstance(before, griffe.Function) and isinstance(after, griffe.Function):
            yield from _function_changes(path, before, after)
        elif isinstance(before, griffe.Class) and isinstance(after, griffe.Class) and _is_attrs(after):
            yield from _constructor_changes(path, before, after, new.flows)
        elif isinstance(before, griffe.Attribute) and isinstance(after, griffe.Attribute):
            yield from _attribute_changes(path, before, after, new.flows)


def _constructor_changes(
    path: str, old: griffe.Class, new: griffe.Class, flows: dict[str, set[str]]
) -> Iterator[Change]:
    old_fields, new_fields = _constructor(old), _constructor(new)
    received_only = flows.get(new.name, set()) == {"received"}
    for name in sorted(old_fields.keys() & new_fields.keys()):
        before, after = old_fields[name], new_fields[name]
        if after.required and not before.required:
            text = f"field `{name}` is now a required constructor argument"
            if received_only:
                yield Change(Impact.CHANGED, path, f"{text}{RECEIVED_ONLY}")
            else:
                yield Change(Impact.BREAKING, path, text)
        elif before.required and not after.required:
            yield Change(Impact.CHANGED, path, f"field `{name}` may now be left out (default `{after.default}`)")
        elif before.default != after.default:
            text = f"field `{name}`: default `{before.default}` -> `{after.default}`"
            if received_only:
                yield Change(Impact.CHANGED, path, text)
            else:  # the API takes the model (or nothing says it does not): to_dict sends the new default
                yield Change(Impact.BREAKING, path, f"{text} (the same call now sends another value)")
    old_keywords, new_keywords = _is_keyword_only(old), _is_keyword_only(new)
    if new_keywords and not old_keywords:
        yield Change(Impact.BREAKING, path, "constructor is now keyword-only (arguments by position are refused)")
    elif old_keywords and not new_keywords:
        yield Change(Impact.CHANGED, path, "constructor now also takes arguments by position")
    elif not new_keywords:
        old_positions = {name: index for index, name in enumerate(old_fields, start=1)}
        new_positions = {name: index for index, name in enumerate(new_fields, start=1)}
        moved = [
            f"`{name}` {old_positions[name]} -> {new_positions[name]}"
            for name in old_fields
            if name in new_positions and new_positions[name] != old_positions[name]
        ]
        if moved:
            yield Change(
                Impact.BREAKING,
                path,
                f"constructor arguments moved ({', '.join(moved)}): a call by position fills other fields",
            )


def _function_changes(path: str, old: griffe.Function, new: griffe.Function) -> Iterator[Change]:
    old_parameters = {parameter.name: parameter for parameter in old.parameters}
    for parameter in new.parameters:
        previous = old_parameters.get(parameter.name)
        if previous is None:
            if not parameter.required:
                yield Change(Impact.ADDED, path, f"optional parameter `{parameter.name}` added")
            continue
        before, after = str(previous.annotation), str(parameter.annotation)
        if before != after:
            impact = Impact.CHANGED if _widens(before, after) else Impact.BREAKING
            yield Change(impact, path, f"parameter `{parameter.name}`: type `{before}` -> `{after}`")
    before, after = str(old.returns), str(new.returns)
    if before != after:
        impact = Impact.CHANGED if _widens(after, before) else Impact.BREAKING
        yield Change(impact, path, f"return type `{before}` -> `{after}`")


def _attribute_changes(
    path: str, old: griffe.Attribute, new: griffe.Attribute, flows: dict[str, set[str]]
) -> Iterator[Change]:
    owner = new.parent
    before, after = str(old.annotation), str(new.annotation)
    if old.annotation is not None and before != after:
        usage = flows.get(owner.name, set()) if isinstance(owner, griffe.Class) else set()
        widened, narrowed = _widens(before, after), _widens(after, before)
        compatible = (usage == {"sent"} and widened) or (usage == {"received"} and narrowed)
        yield Change(Impact.CHANGED if compatible else Impact.BREAKING, path, f"type `{before}` -> `{after}`")
    is_field = isinstance(owner, griffe.Class) and _is_attrs(owner)
    old_value, new_value = str(old.value), str(new.value)
    if not is_field and old.value is not None and old_value != new_value:
        yield Change(Impact.BREAKING, path, f"value {old_value} -> {new_value}")


def _is_attrs(cls: griffe.Class) -> bool:
    return any(str(decorator.value).split("(")[0] in ATTRS_DECORATORS for decorator in cls.decorators)


def _is_keyword_only(cls: griffe.Class) -> bool:
    """``@_attrs_define(kw_only=True)``: every constructor argument must be given by name."""
    return any(KEYWORD_ONLY.search(str(decorator.value)) for decorator in cls.decorators)


def _is_enum(cls: griffe.Class) -> bool:
    return any(str(base) in ENUM_BASES for base in cls.bases)


def _is_enum_member(name: str, member: griffe.Object | griffe.Alias) -> bool:
    """A value of an enum, not a property the templates add to every enum (``is_known``)."""
    return member.is_attribute and "property" not in member.labels and not name.startswith("_")


def _constructor(cls: griffe.Object) -> dict[str, InitArgument]:
    """The arguments attrs generates for ``__init__``, in their order (the fields' source order)."""
    fields: dict[str, InitArgument] = {}
    for name, member in cls.members.items():
        if not isinstance(member, griffe.Attribute) or member.annotation is None or "property" in member.labels:
            continue
        value = str(member.value) if member.value is not None else None
        if value is not None and re.search(r"\binit\s*=\s*False\b", value):
            continue
        fields[name] = InitArgument(value)
    return fields


def _widens(narrow: str, wide: str) -> bool:
    """Whether annotation ``wide`` accepts every value of ``narrow`` and more: a union that grows, ``int`` within
    ``float`` (PEP 484's numeric tower), a ``Literal`` within its type (``Literal['x']`` within ``str``)."""
    narrow_members, wide_members = _union(narrow), _union(wide)

    def within(member: str) -> bool:
        if member in wide_members:
            return True
        if member == "int":
            return "float" in wide_members
        literal = re.fullmatch(r"Literal\[(.*)\]", member)
        if literal is not None:
            try:
                values = ast.literal_eval(f"({literal[1]},)")
            except (ValueError, SyntaxError):
                return False
            kinds = {type(value).__name__ for value in values}
            return all(kind in wide_members or (kind == "int" and "float" in wide_members) for kind in kinds)
        return False

    return narrow != wide and all(within(member) for member in narrow_members)


def _union(annotation: str) -> frozenset[str]:
    """The members of a top-level ``A | B | None`` union (brackets respected)."""
    members, depth, current = [], 0, ""
    for character in annotation:
        depth += 1 if character in "[(" else (-1 if character in "])" else 0)
        if character == "|" and depth == 0:
            members.append(current.strip())
            current = ""
        else:
            current += character
    members.append(current.strip())
    return frozenset(members)


def _flows(objects: dict[str, griffe.Object]) -> dict[str, set[str]]:
    """Which classes the API takes (parameters: "sent") and gives back (returns: "received"), transitively."""
    classes = {obj.name: obj for obj in objects.values() if isinstance(obj, griffe.Class)}
    flows: dict[str, set[str]] = {}
    pending: list[tuple[str, str]] = []
    for obj in objects.values():
        if isinstance(obj, griffe.Function) and ".api." in obj.path:
            for parameter in obj.parameters:
                if parameter.name != "client":
                    pending += [(name, "sent") for name in CLASS_NAME.findall(str(parameter.annotation))]
            pending += [(name, "received") for name in CLASS_NAME.findall(str(obj.returns))]
    while pending:
        name, flow = pending.pop()
        if name not in classes or flow in flows.setdefault(name, set()):
            continue
        flows[name].add(flow)
        for member in classes[name].members.values():
            if isinstance(member, griffe.Attribute) and member.annotation is not None:
                pending += [(inner, flow) for inner in CLASS_NAME.findall(str(member.annotation))]
    return flows
