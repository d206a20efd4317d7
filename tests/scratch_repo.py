"""A scratch copy of this repository, for tests that drive its commands (``make generate``, ...) end to end.

The copy holds the files git would see in the work tree (tracked ones and new ones not ignored, uncommitted
edits included), is committed as a git repository of its own (``make check-generated`` reads a release's
spec back from git), and borrows this repository's ``.venv`` and ``tools/node_modules`` through symbolic
links instead of building them. Commands run with the copy's own packages first on ``PYTHONPATH``
(``generated/``, ``sdk/``, ``emulator/``), so an emulator or a client run from the copy is the copy's,
not the editable install of the original; ``make conformance`` keeps that ``PYTHONPATH`` behind its own.
``make`` runs with the venv's stamp marked old-enough (``-o``), so it never reinstalls anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
PACKAGE_FOLDERS = ("generated", "sdk", "emulator")
NODE_TOOLS = Path("tools") / "node_modules"
GIT_IDENTITY = ("-c", "user.name=scratch", "-c", "user.email=scratch@localhost", "-c", "commit.gpgsign=false")


def copy_work_tree(destination: Path) -> Path:
    """The files git would see in the work tree (tracked, and new ones not ignored: no ``.venv``, caches or
    egg-info), uncommitted edits included, copied to ``destination``; links stay links, as in a clone."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    destination.mkdir(parents=True, exist_ok=True)
    for name in sorted(set(filter(None, listed.split("\0")))):
        source = ROOT / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the work tree, not yet in the index
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    return destination


class ScratchRepo:
    """A copy of the repository at ``path``; see the module docstring."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, destination: Path) -> ScratchRepo:
        copy_work_tree(destination)
        (destination / ".venv").symlink_to(VENV, target_is_directory=True)
        node_tools = destination / NODE_TOOLS
        if (ROOT / NODE_TOOLS).is_dir() and not node_tools.exists() and not node_tools.is_symlink():
            node_tools.symlink_to((ROOT / NODE_TOOLS).resolve(), target_is_directory=True)  # Redocly, Prism
        repo = cls(destination)
        repo.git("init", "--quiet")
        repo.commit("scratch copy of the work tree")
        return repo

    def environment(self) -> dict[str, str]:
        env = {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", "MAKEFLAGS", "MFLAGS")}
        env["PATH"] = os.pathsep.join([str(VENV / "bin"), env.get("PATH", "")])
        env["PYTHONPATH"] = os.pathsep.join(str(self.path / folder) for folder in PACKAGE_FOLDERS)
        # Every copy reports against the same releases: share the original's cache of their clients.
        env["CPAY_GENERATE_CACHE"] = str(ROOT / "reports" / "generate" / "clients")
        return env

    def run(self, *command: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(command),
            cwd=self.path,
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def make(self, *targets: str, **variables: str) -> subprocess.CompletedProcess[str]:
        """``make TARGET... NAME=value...`` in the copy, never rebuilding the borrowed venv."""
        assignments = [f"{name}={value}" for name, value in variables.items()]
        return self.run("make", "--no-print-directory", "-o", ".venv/.installed", *targets, *assignments)

    def git(self, *arguments: str) -> str:
        return subprocess.run(
            ["git", *GIT_IDENTITY, "-c", "core.hooksPath=/dev/null", *arguments],
            cwd=self.path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def commit(self, message: str) -> None:
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "--message", message)

    def read(self, name: str) -> str:
        return (self.path / name).read_text(encoding="utf-8")

    def write(self, name: str, text: str) -> None:
        (self.path / name).write_text(text, encoding="utf-8")

    def spec(self) -> dict[str, Any]:
        document: dict[str, Any] = yaml.safe_load(self.read("openapi.yaml"))
        return document

    def edit_spec(self, edit: Callable[[dict[str, Any]], None]) -> None:
        """Apply ``edit`` to the parsed ``openapi.yaml`` and write it back (re-serialized as YAML)."""
        document = self.spec()
        edit(document)
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
        (self.path / "openapi.yaml").write_text(text, encoding="utf-8")
