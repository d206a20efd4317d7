"""The signatures of the document's worked demos (section 16), computed by the document's own code.

The expected values are committed in data/reference_signatures.json, so these tests pin them on any machine;
where a JDK, PHP or OpenSSL is present the demos are re-run to prove the committed values are theirs.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cpay_signing import compute_sign, signing_payload

from .conftest import DATA


@pytest.mark.parametrize("demo", ["java", "php"])
def test_package_reproduces_the_document_demo_signature(reference_signatures: dict[str, Any], demo: str) -> None:
    reference = reference_signatures[demo]
    assert compute_sign(reference["params"], reference["secret_key"]) == reference["sign"]
    assert f"{signing_payload(reference['params'])}&key={reference['secret_key']}" == reference["signed_string"]


@pytest.mark.skipif(shutil.which("javac") is None, reason="no JDK (javac) on PATH: the committed Java output is used")
def test_java_demo_run_by_the_jdk_prints_the_committed_signature(
    reference_signatures: dict[str, Any], tmp_path: Path
) -> None:
    subprocess.run(["javac", "-nowarn", "-d", str(tmp_path), str(DATA / "CheckSign.java")], check=True, timeout=60)
    run = subprocess.run(
        ["java", "-cp", str(tmp_path), "com.lianjing.controller.CheckSign"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    signed_string, sign = run.stdout.splitlines()
    assert signed_string == reference_signatures["java"]["signed_string"]
    assert sign == reference_signatures["java"]["sign"]


@pytest.mark.skipif(shutil.which("php") is None, reason="no PHP CLI on PATH: the committed PHP output is used")
def test_php_demo_run_by_php_prints_the_committed_signature(reference_signatures: dict[str, Any]) -> None:
    run = subprocess.run(["php", str(DATA / "check_sign.php")], check=True, capture_output=True, text=True, timeout=60)
    _json, sign = run.stdout.splitlines()
    assert sign == reference_signatures["php"]["sign"]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl on PATH")
@pytest.mark.parametrize("demo", ["java", "php"])
def test_openssl_hmac_of_the_demo_string_is_the_committed_signature(
    reference_signatures: dict[str, Any], demo: str
) -> None:
    reference = reference_signatures[demo]
    run = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", reference["secret_key"]],
        input=reference["signed_string"].encode(),
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert run.stdout.decode().split("= ")[-1].strip() == reference["sign"]
