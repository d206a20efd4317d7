"""Check the shell commands of a Markdown document that are this repo's, without running them.

Sybil's ``CodeBlockParser`` finds the ```` ```console ````, ``bash``, ``sh`` and ``shell`` blocks (and their
``<!-- invisible-code-block: console -->`` twins); ``ShellCommandChecker`` is their evaluator. Of each command it
checks what this repo answers for, against the thing itself rather than a list kept here:

* ``cpay-emulator ...`` (also ``.venv/bin/cpay-emulator``): its arguments go through the CLI's own argparse parser
  (``cpay_emulator.cli.main``), which is not run: an unknown verb, option or value fails with argparse's message;
* ``make TARGET [VAR=value ...]``: the target is a rule of the Makefile as GNU make reads it (``make -pq``), each
  variable one the Makefile reads (``$(VAR)``, ``ifdef VAR``);
* ``curl`` of a ``/_emulator/...`` or ``/openapi/v1/...`` URL: its method (``-X``; else GET, or POST with ``-d``)
  and path are an operation of ``control-openapi.yaml`` or ``openapi.yaml`` (``<orderId>`` fills ``{orderId}``).

Any other command is not this repo's and is left alone: ``pip install`` lines too, which ``tests/distributions``
proves by installing the built wheels. How a block reads, as a shell would: when some line starts with a ``$ ``
prompt, the prompted lines are the commands and the others their output; otherwise every line is a command. A
trailing ``\\`` continues a line, ``#`` starts a comment, ``;``, ``&&``, ``||``, ``|`` and ``&`` separate commands.
``NAME=value`` before a command and ``export NAME=value`` earlier in its block are its environment, which the CLI
reads while parsing (``--merchant ID`` takes its secret from ``CPAY_SECRET_KEY``); the ``CPAY_`` variables of the
test run itself are hidden from it, as a reader's shell does not have them.
"""

from __future__ import annotations

import argparse
import functools
import io
import os
import re
import shlex
import subprocess
import unittest
from collections.abc import Iterator, Mapping, Sequence
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path, PurePosixPath
from typing import Literal
from unittest import mock
from urllib.parse import urlsplit

import attrs
import yaml
from sybil import Example, Sybil
from sybil.parsers.markdown import CodeBlockParser, SkipParser

from cpay_emulator.cli.main import _parser as cli_parser

REPO = Path(__file__).resolve().parents[2]
SHELL_LANGUAGES = ("console", "bash", "sh", "shell")
SPECS = (REPO / "emulator" / "cpay_emulator" / "server" / "control-openapi.yaml", REPO / "openapi.yaml")
API_PREFIXES = ("/_emulator/", "/openapi/v1/")  # the control API's paths, and the C-Pay API's
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
MAKE_TIMEOUT = 30

Kind = Literal["cpay-emulator", "make", "curl"]
_ASSIGNMENT = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*)", re.DOTALL)
_SEPARATORS = ";&|"
_PROGRAMS: dict[str, Kind] = {"cpay-emulator": "cpay-emulator", "make": "make", "curl": "curl"}
# curl's options that take a value (so the value is not read as a URL), and those of them that send a body.
_CURL_DATA = frozenset(
    {"-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--data-urlencode", "--json", "-F", "--form"}
)
_CURL_VALUED = _CURL_DATA | {
    *("-X", "--request", "-H", "--header", "-u", "--user", "-o", "--output", "-A", "--user-agent", "-e", "--referer"),
    *("-b", "--cookie", "-c", "--cookie-jar", "-w", "--write-out", "-m", "--max-time", "--connect-timeout"),
    *("-T", "--upload-file", "--url", "-x", "--proxy", "--retry", "-r", "--range", "--resolve", "--connect-to"),
}


@attrs.frozen
class Command:
    """A command of this repo that a document's shell block holds, and was checked: where, of what kind, its words."""

    line: int
    kind: Kind
    text: str


class BrokenCommandError(AssertionError):
    """A command of a shell block that this repo would refuse: ``line`` is its line in the document."""

    def __init__(self, line: int, words: Sequence[str], problem: str) -> None:
        super().__init__(f"`{shlex.join(words)}`: {problem}")
        self.line = line


class ShellCommandChecker:
    """The evaluator of a document's shell blocks: checks every command of this repo in a block, runs none.

    ``ran`` keeps the line of each block checked (so a block skipped without a reason is seen), ``checked`` each
    command it checked.
    """

    def __init__(self) -> None:
        self.ran: list[int] = []
        self.checked: list[Command] = []

    def __call__(self, example: Example) -> None:
        environment: dict[str, str] = {}  # the block's `export NAME=value` lines, for the commands after them
        for offset, text in command_lines(str(example.parsed)):
            line = example.line + 1 + offset  # the block's source starts on the line after its fence
            for words in split_commands(text, line):
                kind = check_command(words, environment, line)
                if kind is not None:
                    self.checked.append(Command(line, kind, shlex.join(words)))
        self.ran.append(example.line)


def shell_block_parsers(checker: ShellCommandChecker) -> list[CodeBlockParser]:
    """Sybil parsers that give every shell block of a Markdown document to ``checker``."""
    return [CodeBlockParser(language=language, evaluator=checker) for language in SHELL_LANGUAGES]


def _python_not_run(example: Example) -> None:
    """The Python blocks' evaluator in ``check_commands``: they are parsed, not run, so that a skip marker before one
    applies to it and not to the next shell block."""


def check_commands(path: Path) -> list[Command]:
    """Check the shell blocks of the Markdown file ``path`` alone; return the commands checked.

    ``examples.run_document`` checks them in the same pass that runs the Python blocks; this runs nothing. A
    ``<!-- skip: next "why" -->`` marker skips the block after it, whichever language it is in, as there.
    """
    checker = ShellCommandChecker()
    parsers = [*shell_block_parsers(checker), CodeBlockParser(language="python", evaluator=_python_not_run)]
    document = Sybil(parsers=[*parsers, SkipParser()]).parse(path)
    for example in document.examples():
        try:
            example.evaluate()
        except unittest.SkipTest:
            continue
    return checker.checked


def command_lines(source: str) -> Iterator[tuple[int, str]]:
    """The command lines of a block's source: the index of each one's first line, and its text (``\\`` joined)."""
    lines = source.splitlines()
    prompted = any(line == "$" or line.startswith("$ ") for line in lines)
    index = 0
    while index < len(lines):
        start, text = index, lines[index]
        index += 1
        if prompted:
            if not text.startswith("$ "):
                continue  # the output of the command before
            text = text[2:]
        while text.rstrip().endswith("\\") and index < len(lines):
            text = text.rstrip()[:-1] + " " + lines[index].strip()
            index += 1
        yield start, text


def split_commands(text: str, line: int) -> list[list[str]]:
    """The commands of a command line, each as its words: as a POSIX shell splits and unquotes them."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=_SEPARATORS)
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    try:
        for token in lexer:
            if token and set(token) <= set(_SEPARATORS):
                commands.append([])
            else:
                commands[-1].append(token)
    except ValueError as error:  # a quote left open: a problem only if the line is one of this repo's commands
        words = [word for word in text.split() if not _ASSIGNMENT.fullmatch(word)]
        if words and _kind(words[0]) is not None:
            raise BrokenCommandError(line, text.split(), f"not a shell command line: {error}") from None
        return []
    return [words for words in commands if words]


def _kind(program: str) -> Kind | None:
    return _PROGRAMS.get(PurePosixPath(program).name)  # cpay-emulator, .venv/bin/cpay-emulator, /usr/bin/make


def check_command(words: Sequence[str], environment: dict[str, str], line: int) -> Kind | None:
    """Check one command if it is this repo's (raise ``BrokenCommandError`` when it is wrong); return its kind.

    ``export NAME=value`` adds to ``environment``, the block's; other commands are not this repo's: None.
    """
    prefix: dict[str, str] = {}
    index = 0
    while index < len(words) and (assignment := _ASSIGNMENT.fullmatch(words[index])):
        prefix[assignment["name"]] = assignment["value"]
        index += 1
    command = list(words[index:])
    if not command:
        return None  # a shell variable, not exported: no command's environment
    if command[0] == "export":
        environment.update(
            (match["name"], match["value"]) for word in command[1:] if (match := _ASSIGNMENT.fullmatch(word))
        )
        return None
    kind = _kind(command[0])
    if kind == "cpay-emulator":
        problem = _cli_problem(command, environment | prefix)
    elif kind == "make":
        problem = _make_problem(command)
    elif kind == "curl" and _api_requests(command):
        problem = _curl_problem(command)
    else:
        return None  # not this repo's command, or a curl of neither API
    if problem:
        raise BrokenCommandError(line, words, problem)
    return kind


@functools.cache
def _cli() -> argparse.ArgumentParser:
    return cli_parser()


def _cli_problem(command: Sequence[str], environment: Mapping[str, str]) -> str | None:
    """Parse the arguments as ``cpay-emulator`` would; argparse refuses with ``SystemExit(2)`` and a message."""
    outside = {name: value for name, value in os.environ.items() if not name.startswith("CPAY_")}
    usage = io.StringIO()
    with (
        mock.patch.dict(os.environ, outside | dict(environment), clear=True),
        redirect_stderr(usage),
        redirect_stdout(io.StringIO()),  # --help prints, then exits 0: a command that works
    ):
        try:
            _cli().parse_args(command[1:])
        except SystemExit as exit_:
            if exit_.code not in (0, None):
                message = usage.getvalue().strip().splitlines()
                return message[-1] if message else f"argparse exited {exit_.code}"
    return None


@attrs.frozen
class Makefile:
    """What ``make`` accepts of this repo's Makefile: its targets, and the variables it reads."""

    targets: frozenset[str]
    variables: frozenset[str]


_RULE = re.compile(r"(?P<target>[^\s#:=][^:=]*?)::?(?:\s|$)")
_SPECIAL_TARGET = re.compile(r"\.[A-Z_]+")  # .PHONY, .SUFFIXES, .DEFAULT: make's, not ours
_READ = re.compile(r"(?<!\$)\$[({](?P<name>[A-Za-z_][A-Za-z0-9_]*)[)}]|^\s*ifn?def\s+(?P<tested>[A-Za-z_]\w*)", re.M)


@functools.cache
def makefile() -> Makefile:
    """The Makefile as GNU make reads it: the rules of its data base (``make -pq``, running no recipe)."""
    database = subprocess.run(
        ["make", "--question", "--print-data-base", "--no-builtin-rules", "--file", "Makefile", "help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=MAKE_TIMEOUT,
        check=False,
    ).stdout
    files = database.partition("\n# Files\n")[2].partition("\n# files hash-table stats")[0]
    assert files, "make --print-data-base printed no `# Files` section"
    targets: set[str] = set()
    previous = ""
    for text in files.splitlines():
        rule = _RULE.match(text)
        if rule and previous != "# Not a target:" and not _SPECIAL_TARGET.fullmatch(rule["target"]):
            targets.add(rule["target"])
        previous = text
    source = (REPO / "Makefile").read_text(encoding="utf-8")
    variables = {match["name"] or match["tested"] for match in _READ.finditer(source)}
    return Makefile(frozenset(targets), frozenset(variables))


def _make_problem(command: Sequence[str]) -> str | None:
    read = makefile()
    for word in command[1:]:
        if assignment := _ASSIGNMENT.fullmatch(word):
            if assignment["name"] not in read.variables:
                return f"the Makefile reads no variable {assignment['name']}"
        elif not word.startswith("-") and word not in read.targets:  # make's own flags (-n, -j2) are left alone
            targets = ", ".join(sorted(target for target in read.targets if "/" not in target))
            return f"no target {word!r} in the Makefile (its targets: {targets})"
    return None


@functools.cache
def operations() -> dict[str, tuple[str, frozenset[str]]]:
    """Every path template of the two specs: the spec's file name and the path's methods (upper case)."""
    paths: dict[str, tuple[str, frozenset[str]]] = {}
    for spec in SPECS:
        document = yaml.load(spec.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        for template, item in document["paths"].items():
            paths[template] = (spec.name, frozenset(method.upper() for method in item if method in HTTP_METHODS))
    return paths


def _curl_request(command: Sequence[str]) -> tuple[str, list[str]]:
    """The method curl sends (``-X``; else HEAD with ``-I``, GET with ``-G``, PUT with ``-T``, POST with a body,
    GET) and the URLs it is given."""
    method = ""
    flags: set[str] = set()
    urls: list[str] = []
    index = 1
    while index < len(command):
        word = command[index]
        index += 1
        if word in _CURL_VALUED:
            value = command[index] if index < len(command) else ""
            index += 1
            if word in ("-X", "--request"):
                method = value.upper()
            elif word == "--url":
                urls.append(value)
            flags.add("data" if word in _CURL_DATA else word)
        elif word.startswith("-X") and len(word) > 2:  # -XPOST
            method = word[2:].upper()
        elif word.startswith("-"):
            flags.add(word)
        else:
            urls.append(word)
    implied = (
        ("HEAD", {"-I", "--head"}),
        ("GET", {"-G", "--get"}),
        ("PUT", {"-T", "--upload-file"}),
        ("POST", {"data"}),
    )
    return method or next((name for name, given in implied if flags & given), "GET"), urls


def _api_requests(command: Sequence[str]) -> list[tuple[str, str]]:
    """The requests of a curl command to either API: its method and each URL's path under one of their prefixes."""
    method, urls = _curl_request(command)
    paths = [urlsplit(url if "://" in url else f"http://{url}").path for url in urls]
    return [(method, path) for path in paths if path.startswith(API_PREFIXES)]


def _curl_problem(command: Sequence[str]) -> str | None:
    for method, path in _api_requests(command):
        matching = [template for template in operations() if _matches(template, path)]
        if not matching:
            return f"no path of {' or '.join(spec.name for spec in SPECS)} is {path}"
        # A concrete path is matched before a templated one (OpenAPI 3.1, "Paths Object").
        template = max(matching, key=lambda template: sum(not part.startswith("{") for part in template.split("/")))
        spec, methods = operations()[template]
        if method not in methods:
            return f"{spec} has no {method} {template} (only {', '.join(sorted(methods))})"
    return None


def _matches(template: str, path: str) -> bool:
    template_parts, path_parts = template.split("/"), path.split("/")
    return len(template_parts) == len(path_parts) and all(
        expected == part or (expected.startswith("{") and expected.endswith("}") and part != "")
        for expected, part in zip(template_parts, path_parts, strict=True)
    )
