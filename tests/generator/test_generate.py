"""``generator/generate.py`` refuses, before the generator runs, a spec it is known to turn into a broken client."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from generate import ROOT, GeneratorFailedError, generate_into

FORM = "application/x-www-form-urlencoded"


def test_a_request_body_with_two_media_types_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    content = spec["paths"]["/openapi/v1/createOrder"]["post"]["requestBody"]["content"]
    content["application/json"] = content[FORM]
    edited = tmp_path / "openapi.yaml"
    edited.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")

    with pytest.raises(GeneratorFailedError) as refused:
        generate_into(tmp_path / "client", edited)

    assert str(refused.value) == (
        f"POST /openapi/v1/createOrder: the request body has 2 media types ({FORM}, application/json); "
        "openapi-python-client 0.29.1 generates a module that fails at import for that and would send the form "
        "labelled as the last one. Give it one media type."
    )
    assert not (tmp_path / "client").exists()
