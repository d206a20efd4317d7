"""Wall time of a full ``make conformance`` run on the emulator, over five seeds (issue 6: under 60 s each).

Each run is the real thing: ``python -m cpay_conformance --seed N`` starts the seeded emulator on a free port,
runs ``st run`` through every phase (examples, coverage, fuzzing, stateful) and stops the emulator. Printed
per seed: the wall time, Schemathesis's exit code and its one-line verdict. Reports land in
``reports/bench-conformance/seed-N/``. Bounded: five runs, each stopped after ``TIMEOUT`` seconds.
Run: ``.venv/bin/python bench/bench_conformance.py`` (or ``make bench``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = (1, 2, 3, 4, 5)
TARGET_SECONDS = 60.0
TIMEOUT = 300
_VERDICT = re.compile(r"=+ (.+ in [0-9.]+s) =+")


def run(seed: int) -> tuple[float, int, str]:
    """Wall time, exit code and Schemathesis's closing line of one run."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests" / "conformance")}
    report_dir = ROOT / "reports" / "bench-conformance" / f"seed-{seed}"
    command = [sys.executable, "-m", "cpay_conformance", "--seed", str(seed), "--report-dir", str(report_dir)]
    started = time.perf_counter()
    try:
        completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - started, -1, f"stopped after {TIMEOUT} s"
    elapsed = time.perf_counter() - started
    verdicts = _VERDICT.findall(completed.stdout)
    return elapsed, completed.returncode, verdicts[-1] if verdicts else completed.stderr.strip()[-200:]


def main() -> int:
    cpus = os.cpu_count()
    print(f"make conformance on the emulator, {len(SEEDS)} seeds, target < {TARGET_SECONDS:.0f} s each ({cpus} CPUs)")
    results = []
    for seed in SEEDS:
        elapsed, code, verdict = run(seed)
        results.append((elapsed, code))
        status = "passed" if code == 0 else f"FAILED (exit {code})"
        print(f"  seed {seed}: {elapsed:6.1f} s  {status:18} {verdict}", flush=True)
    slowest = max(elapsed for elapsed, _ in results)
    passed = sum(1 for _, code in results if code == 0)
    within = "within" if slowest < TARGET_SECONDS else "OVER"
    print(f"  slowest {slowest:.1f} s: {within} the {TARGET_SECONDS:.0f} s target; {passed}/{len(SEEDS)} seeds passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
