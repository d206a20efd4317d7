"""``generator/client_cache.py``: a released spec's client is generated once, and any input change is a miss."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from client_cache import COMPLETE, KEEP, cache_key, cached_client

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def generator_inputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    shutil.copytree(ROOT / "generator" / "templates", tmp_path / "templates")
    shutil.copy(ROOT / "generator" / "config.yaml", tmp_path / "config.yaml")
    shutil.copy(ROOT / "generator" / "generate.py", tmp_path / "generate.py")
    return tmp_path / "config.yaml", tmp_path / "templates", tmp_path / "generate.py"


def test_a_client_is_generated_once_per_key(tmp_path: Path) -> None:
    runs: list[Path] = []

    def generate(destination: Path) -> None:
        runs.append(destination)
        destination.mkdir()
        (destination / "pyproject.toml").write_text("[project]\n", encoding="utf-8")

    first = cached_client(tmp_path / "cache", "a" * 64, generate)
    second = cached_client(tmp_path / "cache", "a" * 64, generate)

    assert first == second == tmp_path / "cache" / ("a" * 64)
    assert len(runs) == 1
    assert (first / "pyproject.toml").is_file()
    assert (first / COMPLETE).is_file()


def test_an_interrupted_write_is_not_a_hit_and_old_entries_are_pruned(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (cache / ("b" * 64)).mkdir(parents=True)  # no COMPLETE marker: a crashed write
    runs = 0

    def generate(destination: Path) -> None:
        nonlocal runs
        runs += 1
        destination.mkdir()

    cached_client(cache, "b" * 64, generate)
    assert runs == 1
    for index in range(KEEP + 2):
        cached_client(cache, f"{index:064d}", generate)
    assert len([path for path in cache.iterdir() if not path.name.startswith(".")]) == KEEP


def test_every_input_of_the_generated_code_changes_the_key(generator_inputs: tuple[Path, Path, Path]) -> None:
    config, templates, script = generator_inputs
    spec = b"openapi: 3.1.0\n"
    key = cache_key(spec, config, templates, script)
    assert cache_key(spec, config, templates, script) == key

    # The client's version is not an input of the code compared: a release does not empty the cache.
    config.write_text(config.read_text(encoding="utf-8").replace('"1.0.0"', '"7.0.0"'), encoding="utf-8")
    assert cache_key(spec, config, templates, script) == key

    assert cache_key(b"openapi: 3.1.1\n", config, templates, script) != key
    config.write_text(config.read_text(encoding="utf-8") + "literal_enums: true\n", encoding="utf-8")
    changed_config = cache_key(spec, config, templates, script)
    assert changed_config != key
    template = templates / "str_enum.py.jinja"
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert cache_key(spec, config, templates, script) != changed_config
