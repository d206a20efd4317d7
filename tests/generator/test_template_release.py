"""A template change shows in no change report (both sides of a report are generated with the current templates),
so the release that carries one must say what it changes. Here: keyword-only models (``templates/model.py.jinja``).

The client generated from today's ``openapi.yaml`` with upstream's model template (positional arguments) is
compared, by the report's own code, with the one generated with ours: every model is a breaking change, so
the release that first ships the template is a major one.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from change_report import Level, Report
from generate import CONFIG, ROOT, TEMPLATES, generate_into
from package_changes import compare_packages, load

pytestmark = pytest.mark.slow


def test_keyword_only_models_are_a_breaking_change_of_every_model(tmp_path: Path) -> None:
    upstream_models = tmp_path / "templates"
    shutil.copytree(TEMPLATES, upstream_models)
    (upstream_models / "model.py.jinja").unlink()  # the generator falls back to its own
    generate_into(tmp_path / "positional", ROOT / "openapi.yaml", CONFIG, upstream_models)
    generate_into(tmp_path / "keyword-only", ROOT / "openapi.yaml")
    models = {
        f"cpay_client.models.{name}"
        for path in (tmp_path / "keyword-only/cpay_client/models").glob("*.py")
        for name in re.findall(r"^@_attrs_define\(kw_only=True\)\nclass (\w+)", path.read_text(), re.M)
    }

    changes = compare_packages(load(tmp_path / "positional"), load(tmp_path / "keyword-only"))

    assert len(models) > 20
    assert {change.line() for change in changes} == {
        f"- Breaking: `{model}`: constructor is now keyword-only (arguments by position are refused)"
        for model in models
    }
    assert Report("positional models", package_changes=tuple(changes)).level is Level.MAJOR
