"""Throughput and p99 latency of the emulator next to Prism's mock server and a floor, over loopback, in one run.

Issue 5's target: the emulator serves at least 3x Prism's requests per second with signatures and persistence
on. Both servers get the same ``openapi.yaml``, the same wrk settings and byte-for-byte the same requests:

* signed GET: ``getMerchantBalance?merchantId=...&sign=...`` (one precomputed signature);
* signed POST: ``createOrder``, a new ``merchantTradeNo`` on every request, so each one inserts an order. The
  requests are signed in advance into a file that ``signed_requests.lua`` sends once each.

``merchantId`` and ``sign`` travel in the query string and the other fields in the form body: Prism answers
401 unless the spec's two apiKey security schemes (``in: query``) are in the query, and the emulator, like
C-Pay, reads the query and the form body alike and signs over both. Prism checks the schemes' presence and
validates the body against the spec but does not check the signature or store anything; the emulator does
both, into a SQLite file in WAL mode (not ``:memory:``).

The emulator runs as users run it: ``cpay-emulator serve --quiet`` (uvicorn, uvloop, httptools, one process).
Prism runs twice: ``prism mock --verboseLevel warn`` (side "prism"), without the per-request log, like the
emulator's ``--quiet``: the target is judged against this, Prism's fastest setting; and ``prism mock`` as
launched by default (side "prism-log"), which logs every request and is about half as fast, for reference.

The floor (side "floor", ``bench/floor_app.py``) is a bare Starlette app on the emulator's own server settings
(uvicorn, uvloop, httptools, one process) that only checks the HMAC of the same signed requests and answers an
envelope: no validation, no state. emulator/floor says what the emulator's work costs next to the least a
signed Starlette endpoint does; a drop in it with Prism unchanged points at the emulator, not at the machine.
The emulator's operations skip Starlette's middleware stack and router (``EmulatorApp``'s fast path), which
the floor goes through, so the floor is the least a plain Starlette endpoint does, not a strict ceiling.
The write floor (side "floor-write", ``floor_app.py --database``) also inserts each createOrder into a SQLite
file and commits it before answering: emulator/floor-write on POST says what the emulator's work costs beyond
keeping the order.

Every response is checked (HTTP 200 and envelope ``code`` 0); after the POST runs the emulator's database must
hold one order per successful request. Each measurement is a bounded wrk run (``-t1 -c16 -d5s`` by default)
after a warm-up of 5 s per side and operation (Prism's throughput climbs for about that long while Node's JIT
compiles it); the table shows the median of three. Run: ``make bench`` or
``.venv/bin/python bench/bench_emulator.py --help``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cpay import SecretKey, sign_request_parameters

REPO = Path(__file__).resolve().parents[1]
LUA_SCRIPT = Path(__file__).with_name("signed_requests.lua")
PRISM = REPO / "tools" / "node_modules" / ".bin" / "prism"
FLOOR_APP = Path(__file__).with_name("floor_app.py")
EMULATOR = Path(sys.executable).with_name("cpay-emulator")
SPEC = REPO / "openapi.yaml"

TARGET_RATIO = 3.0
MERCHANT_ID = "20009999"
SECRET = SecretKey("bench-emulator-secret")
GET_PATH = "/openapi/v1/getMerchantBalance"
POST_PATH = "/openapi/v1/createOrder"
STARTUP_TIMEOUT = 60.0
PRISM_QUIET = "prism"
PRISM_LOGGING = "prism-log"
FLOOR = "floor"
FLOOR_WRITE = "floor-write"
OPERATIONS = ("signed GET getMerchantBalance", "signed POST createOrder")


@dataclass(frozen=True)
class Run:
    """One wrk run, as ``signed_requests.lua`` reports it."""

    requests: int
    seconds: float
    p99_ms: float
    errors: int  # socket errors and timeouts, HTTP statuses other than 200, envelopes with a non-zero code
    exhausted: int
    sample: str

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


@dataclass(frozen=True)
class Measure:
    """The median of the runs of one side and operation."""

    per_second: float
    p99_ms: float
    errors: int
    runs: tuple[Run, ...]


class BenchError(RuntimeError):
    """The benchmark could not run or a run was not valid (the message says why)."""


def ensure_wrk() -> str:
    """The path of wrk, installed from Debian (``apt-get install wrk``) when it is missing and we may."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: installing it with apt-get (Debian package wrk)", flush=True)
        for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
            subprocess.run(command, check=False, stdout=subprocess.DEVNULL, timeout=600)
        found = shutil.which("wrk")
        if found:
            return found
    raise BenchError("wrk is required: install it (Debian/Ubuntu: apt-get install wrk), then run make bench again")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def server(command: Sequence[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` in its own process group, and always end the whole group (also on errors and Ctrl-C)."""
    with open(log, "wb") as output:
        process = subprocess.Popen(
            list(command), stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    try:
        yield process
    finally:
        for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout=grace)
                break
            except subprocess.TimeoutExpired:
                continue


def fetch(url: str, body: bytes | None = None) -> tuple[int, dict[str, Any] | None]:
    """HTTP status and JSON body of one request (the body is None when it is not JSON)."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, None


def signed_get(base_url: str, path: str, params: dict[str, str]) -> str:
    query, _ = sign_request_parameters(urllib.parse.urlencode(params), None, merchant_id=MERCHANT_ID, secret_key=SECRET)
    return f"{base_url}{path}?{query.decode('ascii')}"


def signed_post(trade_no: str, create_time: str) -> tuple[str, str]:
    """``(path?query, form body)`` of a signed createOrder: merchantId and sign in the query, the rest in the body."""
    fields = {
        "merchantTradeNo": trade_no,
        "createTime": create_time,
        "userId": "bench-user",
        "amount": "12.5",
        "cryptoCurrency": "USDT",
    }
    query, body = sign_request_parameters(
        b"", urllib.parse.urlencode(fields), merchant_id=MERCHANT_ID, secret_key=SECRET
    )
    return f"{POST_PATH}?{query.decode('ascii')}", body.decode("ascii")


def write_posts(path: Path, prefix: str, count: int) -> None:
    create_time = str(time.time_ns() // 1_000_000)
    with open(path, "w", encoding="ascii") as stream:
        for index in range(count):
            target, body = signed_post(f"{prefix}-{index:07d}", create_time)
            stream.write(f"{target}\t{body}\n")


def wait_until_ready(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    url = signed_get(base_url, GET_PATH, {})
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"the server exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            status, _ = fetch(url)
            if status:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(f"the server did not answer within {STARTUP_TIMEOUT:.0f} s (log: {log})")


def printed_url(log: Path, process: subprocess.Popen[bytes], name: str) -> str:
    """The base URL a server started with ``--port 0`` printed as ``<name> listening on <url>``."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith(f"{name} listening on "):
                return line.split(" on ", 1)[1].strip()
        if process.poll() is not None:
            raise BenchError(f"{name} exited with {process.returncode}: {log.read_text(errors='replace')}")
        time.sleep(0.1)
    raise BenchError(f"{name} did not print its URL")


def preflight(side: str, base_url: str) -> None:
    """One GET and one POST by hand: both must be HTTP 200 with envelope code 0, or nothing is measured."""
    status, body = fetch(signed_get(base_url, GET_PATH, {}))
    if status != 200 or not body or body.get("code") != 0:
        raise BenchError(f"{side}: signed getMerchantBalance answered {status} {body}")
    target, form = signed_post(f"preflight-{time.time_ns()}", str(time.time_ns() // 1_000_000))
    status, body = fetch(base_url + target, form.encode())
    if status != 200 or not body or body.get("code") != 0:
        raise BenchError(f"{side}: signed createOrder answered {status} {body}")


def run_wrk(wrk: str, args: argparse.Namespace, url: str, duration: int, posts: Path | None) -> Run:
    command = [
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA_SCRIPT),
        url,
    ]
    if posts is not None:
        command += ["--", str(posts), str(args.threads)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=False)
    for line in completed.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            report = json.loads(line.removeprefix("WRK_JSON "))
            socket_errors = sum(report[key] for key in ("connect_errors", "read_errors", "write_errors", "timeouts"))
            return Run(
                requests=report["requests"],
                seconds=report["duration_us"] / 1e6,
                p99_ms=report["p99_us"] / 1000,
                errors=socket_errors + max(report["http_errors"], report["bad"]),
                exhausted=report["exhausted"],
                sample=report["sample"],
            )
    raise BenchError(f"wrk failed ({completed.returncode}): {completed.stderr.strip() or completed.stdout.strip()}")


def measure(
    wrk: str, args: argparse.Namespace, base_urls: dict[str, str], post_files: Sequence[Path], warmup: Path
) -> dict[str, dict[str, Measure]]:
    """Warm both sides up, then ``args.runs`` rounds per operation, each round one run per side in turn.

    Interleaving the sides spreads any change of load on the machine over both instead of biasing the ratio.
    Every POST round has its own file of requests, sent to both sides.
    """
    for base_url in base_urls.values():
        run_wrk(wrk, args, signed_get(base_url, GET_PATH, {}), args.warmup, None)
        run_wrk(wrk, args, base_url + POST_PATH, args.warmup, warmup)
    runs: dict[tuple[str, str], list[Run]] = {(side, operation): [] for side in base_urls for operation in OPERATIONS}
    for operation in OPERATIONS:
        for index in range(args.runs):
            for side, base_url in base_urls.items():
                if operation == OPERATIONS[0]:
                    run = run_wrk(wrk, args, signed_get(base_url, GET_PATH, {}), args.duration, None)
                else:
                    run = run_wrk(wrk, args, base_url + POST_PATH, args.duration, post_files[index])
                if run.exhausted:
                    raise BenchError(f"{operation}: the requests file ran out; raise --max-rate above {args.max_rate}")
                runs[side, operation].append(run)
    return {
        side: {
            operation: Measure(
                per_second=statistics.median(run.per_second for run in runs[side, operation]),
                p99_ms=statistics.median(run.p99_ms for run in runs[side, operation]),
                errors=sum(run.errors for run in runs[side, operation]),
                runs=tuple(runs[side, operation]),
            )
            for operation in OPERATIONS
        }
        for side in base_urls
    }


def count_orders(database: Path, prefixes: Sequence[str]) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        return sum(
            connection.execute(
                "SELECT COUNT(*) FROM orders WHERE merchant_id = ? AND merchant_trade_no LIKE ?",
                (MERCHANT_ID, f"{prefix}-%"),
            ).fetchone()[0]
            for prefix in prefixes
        )


def check_persisted(base_url: str, database: Path, prefixes: Sequence[str], result: Measure) -> str:
    """Every successful createOrder left an order: count them in the database and read a few back over the API."""
    stored = count_orders(database, prefixes)
    answered = sum(run.requests - run.errors for run in result.runs)
    # wrk stops counting at the deadline; requests still in flight then may be stored but not counted.
    if not answered <= stored <= answered + sum(run.errors for run in result.runs) + 64 * len(prefixes):
        raise BenchError(f"{answered} createOrder requests succeeded but the database holds {stored} of their orders")
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        sample = [
            row[0]
            for row in connection.execute(
                "SELECT merchant_trade_no FROM orders WHERE merchant_id = ? ORDER BY random() LIMIT 5", (MERCHANT_ID,)
            )
        ]
    for trade_no in sample:
        status, body = fetch(signed_get(base_url, "/openapi/v1/getOrderDetail", {"merchantTradeNo": trade_no}))
        data = (body or {}).get("data") or {}
        if status != 200 or (body or {}).get("code") != 0 or data.get("merchantTradeNo") != trade_no:
            raise BenchError(f"getOrderDetail of {trade_no} answered {status} {body}")
    return f"{stored} orders stored for {answered} successful createOrder responses; {len(sample)} read back"


def emulator_command(database: Path) -> list[str]:
    """``cpay-emulator serve`` as a user runs it: one process, a SQLite file, no access log."""
    return [
        str(EMULATOR),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--db",
        str(database),
        "--merchant",
        f"{MERCHANT_ID}:{SECRET.reveal()}",
        "--quiet",
    ]


def floor_command(database: Path | None = None) -> list[str]:
    """``bench/floor_app.py``: the signature check alone, or with ``database`` one SQLite insert and commit too."""
    command = [sys.executable, str(FLOOR_APP), "--port", "0", "--merchant", f"{MERCHANT_ID}:{SECRET.reveal()}"]
    return command if database is None else [*command, "--database", str(database)]


def prism_command(port: int, *, logging: bool) -> list[str]:
    """``prism mock openapi.yaml`` (static examples); ``logging=False`` turns off its per-request log."""
    command = [str(PRISM), "mock", str(SPEC), "-p", str(port), "-h", "127.0.0.1"]
    return command if logging else [*command, "--verboseLevel", "warn"]


def bench(wrk: str, args: argparse.Namespace, work: Path, files: Sequence[Path], warmup: Path) -> Any:
    """Start the servers, check them, measure them and check what the emulator stored; stop them all."""
    if not PRISM.exists():
        raise BenchError(f"{PRISM} is missing: run make node")
    database = work / "emulator.db"
    with contextlib.ExitStack() as stack:
        log = work / "emulator.log"
        emulator = stack.enter_context(server(emulator_command(database), log))
        base_urls = {"emulator": printed_url(log, emulator, "cpay-emulator")}
        wait_until_ready(base_urls["emulator"], emulator, log)
        for side, command in ((FLOOR, floor_command()), (FLOOR_WRITE, floor_command(work / "floor-write.db"))):
            log = work / f"{side}.log"
            floor = stack.enter_context(server(command, log))
            base_urls[side] = printed_url(log, floor, FLOOR)  # both floors print "floor listening on ..."
            wait_until_ready(base_urls[side], floor, log)
        prisms = {PRISM_QUIET: False, PRISM_LOGGING: True} if args.prism_logging else {PRISM_QUIET: False}
        for side, logging in prisms.items():
            port, log = free_port(), work / f"{side}.log"
            process = stack.enter_context(server(prism_command(port, logging=logging), log))
            base_urls[side] = f"http://127.0.0.1:{port}"
            wait_until_ready(base_urls[side], process, log)
        for side, base_url in base_urls.items():
            preflight(side, base_url)
        results = measure(wrk, args, base_urls, files, warmup)
        with contextlib.closing(sqlite3.connect(database)) as connection:
            mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            raise BenchError(f"the emulator's database is in {mode} mode, not WAL")
        note = check_persisted(
            base_urls["emulator"], database, [path.stem for path in files], results["emulator"][OPERATIONS[1]]
        )
    return results, note


def print_table(args: argparse.Namespace, results: dict[str, dict[str, Measure]]) -> bool:
    """The figures, the ratios and whether the target is met (against Prism without its request log)."""
    print()
    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, median of {args.runs} runs "
        f"(sides interleaved) after a {args.warmup} s warm-up; ratio = median over rounds of emulator/other req/s"
    )
    print(
        "errors: socket errors, timeouts, HTTP statuses other than 200 and envelopes with a code other than 0, "
        "over all runs"
    )
    print(f"{PRISM_QUIET}: prism mock --verboseLevel warn (no per-request log, like the emulator's --quiet)")
    print(f"{FLOOR}: bench/floor_app.py, a bare Starlette app on the emulator's server that only checks the sign")
    print(f"{FLOOR_WRITE}: the same, and each createOrder inserted into SQLite (WAL) and committed before the answer")
    if PRISM_LOGGING in results:
        print(f"{PRISM_LOGGING}: prism mock with its default per-request log (to a file)")
    print(f"{'side':<12} {'operation':<30} {'req/s':>10} {'p99 ms':>8} {'errors':>7}  runs req/s")
    for side, measures in results.items():
        for operation, result in measures.items():
            runs = " ".join(f"{run.per_second:,.0f}" for run in result.runs)
            print(
                f"{side:<12} {operation:<30} {result.per_second:>10,.0f} {result.p99_ms:>8.2f} {result.errors:>7}"
                f"  {runs}"
            )
    print()
    met = True
    for operation in OPERATIONS:
        for side in (PRISM_QUIET, PRISM_LOGGING, FLOOR, FLOOR_WRITE):
            if side not in results or (side == FLOOR_WRITE and operation != OPERATIONS[1]):
                continue
            # Each round ran the sides back to back, so a round's ratio compares runs under the same load on a
            # shared machine; the median of those is steadier than the ratio of the two medians.
            ratio = statistics.median(
                mine.per_second / theirs.per_second
                for mine, theirs in zip(results["emulator"][operation].runs, results[side][operation].runs, strict=True)
            )
            verdict = ""
            if side == PRISM_QUIET:
                verdict = f" (target >= {TARGET_RATIO:.0f}x: {'met' if ratio >= TARGET_RATIO else 'NOT MET'})"
                met = met and ratio >= TARGET_RATIO
            elif side == FLOOR:
                verdict = " (1x: as fast as a bare Starlette app that only checks the sign)"
            elif side == FLOOR_WRITE:
                verdict = " (1x: as fast as that app with one SQLite insert and commit)"
            print(
                f"emulator/{side:<12} {operation:<30} throughput {ratio:5.2f}x{verdict}; p99 "
                f"{results['emulator'][operation].p99_ms:.2f} ms vs {results[side][operation].p99_ms:.2f} ms"
            )
    return met


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default: %(default)s)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default: %(default)s)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per run (default: %(default)s)")
    parser.add_argument(
        "--warmup",
        type=int,
        default=5,
        help="warm-up seconds per side and operation; Prism's JIT needs about that (default: %(default)s)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per side and operation (default: %(default)s)")
    parser.add_argument(
        "--max-rate",
        type=int,
        default=20_000,
        help="POST requests/s the pre-signed request files are sized for (default: %(default)s)",
    )
    parser.add_argument(
        "--no-prism-logging",
        dest="prism_logging",
        action="store_false",
        help="skip the third side, Prism with its default per-request log",
    )
    args = parser.parse_args(argv)
    if not (1 <= args.runs <= 9 and 1 <= args.duration <= 60 and 1 <= args.warmup <= 30):
        parser.error("keep --runs in 1..9, --duration in 1..60 s and --warmup in 1..30 s (wrk takes whole seconds)")
    if not (1 <= args.threads <= args.connections <= 1024 and 100 <= args.max_rate <= 200_000):
        parser.error("need 1 <= --threads <= --connections <= 1024 and --max-rate in 100..200000")
    return args


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds the with-blocks, which stop the servers


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        wrk = ensure_wrk()
        with tempfile.TemporaryDirectory(prefix="cpay-bench-") as directory:
            work = Path(directory)
            count = int(args.max_rate * args.duration)
            files = [work / f"run{index}" for index in range(args.runs)]
            for path in files:
                write_posts(path, path.stem, count)
            warmup = work / "warmup"
            write_posts(warmup, "warmup", int(args.max_rate * args.warmup))
            print(f"signed {count * args.runs:,} createOrder requests in advance; measuring...", flush=True)
            results, note = bench(wrk, args, work, files, warmup)
            print(f"emulator: {note}", flush=True)
    except BenchError as error:
        print(f"bench_emulator: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench_emulator: interrupted; the servers were stopped", file=sys.stderr)
        return 130
    met = print_table(args, results)
    failed = [
        f"{side} {operation}: {result.errors} errors, e.g. {next((r.sample for r in result.runs if r.sample), '')}"
        for side, measures in results.items()
        for operation, result in measures.items()
        if result.errors
    ]
    for line in failed:
        print(line, file=sys.stderr)
    print("target met" if met else "TARGET NOT MET", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
