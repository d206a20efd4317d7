"""The signatures of the document's worked demos (section 16), computed by the document's own code.

The expected values are committed in data/reference_signatures.json, so these tests pin them on any machine;
where a JDK, PHP or OpenSSL is present the demos are re-run to prove the committed values are theirs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cpay import compute_sign, signing_payload

from .conftest import DATA


@pytest.mark.parametrize("demo", ["java", "php"])
def test_package_reproduces_the_document_demo_signature(reference_signatures: dict[str, Any], demo: str) -> None:
    reference = reference_signatures[demo]
    assert compute_sign(reference["params"], reference["secret_key"]) == reference["sign"]
    assert f"{signing_payload(reference['params'])}&key={reference['secret_key']}" == reference["signed_string"]


NO_JDK = pytest.mark.skipif(shutil.which("javac") is None, reason="no JDK (javac): the committed Java output is used")


@pytest.fixture(scope="module")
def java_classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CheckSign.java and SignVectors.java compiled once (javac takes a second or two to start)."""
    classes = tmp_path_factory.mktemp("java")
    sources = [str(DATA / "CheckSign.java"), str(DATA / "SignVectors.java")]
    subprocess.run(["javac", "-nowarn", "-d", str(classes), *sources], check=True, timeout=120)
    return classes


@NO_JDK
def test_java_demo_run_by_the_jdk_prints_the_committed_signature(
    reference_signatures: dict[str, Any], java_classes: Path
) -> None:
    run = subprocess.run(
        ["java", "-cp", str(java_classes), "com.lianjing.controller.CheckSign"],
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


def sign_vectors() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "sign_vectors.json").read_text(encoding="utf-8"))
    return data


def java_signatures(vectors: list[dict[str, Any]], classes: Path) -> list[str]:
    """Run SignVectors.java (the Java demo's algorithm) over ``vectors``; one signature per vector."""
    lines = []
    for vector in vectors:
        cells = [vector["secret_key"].encode().hex()]
        cells += [f"{name.encode().hex()}={value.encode().hex()}" for name, value in vector["params"].items()]
        lines.append("\t".join(cells))
    run = subprocess.run(
        ["java", "-cp", str(classes), "SignVectors"],
        input="\n".join(lines) + "\n",
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return run.stdout.splitlines()


@pytest.mark.parametrize("vector", sign_vectors()["vectors"], ids=lambda vector: vector["name"])
def test_package_matches_the_java_oracle_vectors(vector: dict[str, Any]) -> None:
    assert compute_sign(vector["params"], vector["secret_key"]) == vector["sign"]


@NO_JDK
def test_java_oracle_run_by_the_jdk_prints_the_committed_vectors(java_classes: Path) -> None:
    data = sign_vectors()
    vectors = data["vectors"] + data["code_point_order_vectors"]
    expected = [vector["sign"] for vector in data["vectors"]]
    expected += [vector["sign_java"] for vector in data["code_point_order_vectors"]]
    assert java_signatures(vectors, java_classes) == expected


def test_names_outside_the_bmp_sort_by_code_point_not_by_java_utf16() -> None:
    # A deliberate choice (see signing_payload): no C-Pay parameter name leaves ASCII, and code-point
    # order is what the document's Go and PHP demos use.
    (vector,) = sign_vectors()["code_point_order_vectors"]
    assert compute_sign(vector["params"], vector["secret_key"]) == vector["sign"] != vector["sign_java"]
