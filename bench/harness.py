"""What every benchmark shares: the machine header, gunicorn servers on loopback, rounds that
alternate the portal with a baseline, and the figures (medians, ratios, load average) they print.

Run benchmarks from the repository's root as ``python -m bench.<name>``, so that the portal, the
Stripe sandbox and this module import like any package.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TypeVar

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
BROWSER_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-GB,en;q=0.9",
}
T = TypeVar("T")
# Settings the benchmark fixes itself; inherited values would make the two servers differ.
SCRUBBED_ENV = ("PORTAL_BIND", "PORTAL_WORKERS", "PORTAL_ACCESS_LOG", "GUNICORN_CMD_ARGS")


class BrokenRun(Exception):
    """The benchmark could not produce trustworthy figures."""


BROKEN = (BrokenRun, subprocess.SubprocessError, OSError, sqlite3.Error, psycopg.Error)


@dataclass
class Server:
    """A gunicorn master started by the benchmark, its loopback port and its log."""

    name: str
    port: int
    process: subprocess.Popen
    log_path: Path

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


# --- the machine ---------------------------------------------------------------------------


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as ``uptime`` prints them."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class SpeedProbe:
    """The machine's speed through a run: every ``every`` seconds a background thread times a
    fixed piece of pure Python (integer arithmetic, dictionaries, strings; what a request does)
    in its own CPU time, so neither the load nor the benchmark's other threads waiting on the
    GIL count, only how fast the CPU runs Python at that moment.

    This project's VMs run the same code at very different speeds from one second to the next:
    the reference work took 33 to 67 ms of CPU in eight runs a few seconds apart on an idle
    machine, and the bare app 440 µs of CPU a webhook delivery at 03:45 and 716 at 04:15 one
    day. A figure held to an absolute target (events a second, a suite's minutes) says more
    beside the speed the machine had while it was measured. The probe costs about 0.1 % of
    one core, and holds the GIL for a millisecond or two every two seconds."""

    LOOPS = 2_000  # 1 to 2 ms of CPU on this project's machines: a short hold of the GIL

    def __init__(self, every: float = 2.0) -> None:
        self.samples: list[float] = []
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="speed-probe", daemon=True)

    @classmethod
    def reference_ms(cls) -> float:
        """Milliseconds of this thread's CPU the reference work takes, scaled to 60,000 loops."""
        start = time.thread_time()
        table: dict[str, int] = {}
        for n in range(cls.LOOPS):
            key = f"k{n % 997}"
            table[key] = table.get(key, 0) + (n * 31 + 7) % 101
            "".join((key, str(n))).upper()
        return (time.thread_time() - start) * 1000 * (60_000 / cls.LOOPS)

    def start(self) -> SpeedProbe:
        self.samples.append(self.reference_ms())
        self._thread.start()
        return self

    def stop(self) -> str:
        """Stop sampling; the speed seen, as a line for the report."""
        self._stop.set()
        self._thread.join()
        self.samples.append(self.reference_ms())
        ordered = sorted(self.samples)
        median = statistics.median(ordered)
        return (
            f"reference work took {median:.0f} ms of CPU (median of {len(ordered)} samples, "
            f"{ordered[0]:.0f}–{ordered[-1]:.0f}; fewer is faster)"
        )

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self.samples.append(self.reference_ms())


def print_machine(settings: str) -> SpeedProbe:
    """Say what the figures were measured on, and how busy the machine was before; returns the
    probe that watches its speed until ``print_load_after``."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    print("machine")
    print(f"  cores        {os.cpu_count()} ({len(os.sched_getaffinity(0))} usable), {model}")
    print(f"  python       {platform.python_version()} ({platform.python_implementation()})")
    print(f"  gunicorn     {version('gunicorn')}, flask {version('flask')}, "
          f"sqlalchemy {version('sqlalchemy')}, stripe {version('stripe')}, "
          f"sqlite {sqlite3.sqlite_version}")  # fmt: skip
    wrk = _wrk_version()
    if wrk:
        print(f"  wrk          {wrk}")
    print(f"  load average {load_average()} (before)")
    probe = SpeedProbe().start()
    if os.getloadavg()[0] > 0.5 * (os.cpu_count() or 1):
        print("  note         other processes are using the CPU: expect noisy figures")
    print(f"  settings     {settings}", flush=True)
    return probe


def print_load_after(probe: SpeedProbe) -> None:
    print(f"  load average {load_average()} (after)")
    print(f"  speed        {probe.stop()}")


def _wrk_version() -> str | None:
    try:
        done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
    except OSError:
        return None
    return (done.stdout or done.stderr).splitlines()[0].split(" [")[0]


# --- figures -------------------------------------------------------------------------------


def median_ratio(pairs: Iterable[tuple[float, float]]) -> float:
    """The median of ``a / b`` over rounds: each round pairs two adjacent runs, so its ratio
    cancels drift in the machine's speed better than a ratio of medians."""
    return statistics.median(a / b for a, b in pairs)


def percentile_ms(seconds: Sequence[float], q: int) -> float:
    """The q-th percentile of durations in seconds, in milliseconds."""
    return statistics.quantiles(seconds, n=100, method="inclusive")[q - 1] * 1000


def verdict(ok: bool) -> str:
    """The word printed next to a target."""
    return "PASS" if ok else "MISSED"


def alternate(
    rounds: int, servers: Sequence[Server], run: Callable[[Server, int], T],
    report: Callable[[int, list[T]], None],
) -> list[T]:  # fmt: skip
    """``rounds`` rounds, each running every server once in turn; ``report`` prints a round."""
    runs: list[T] = []
    for number in range(1, rounds + 1):
        pair = [run(server, number) for server in servers]
        report(number, pair)
        runs.extend(pair)
    return runs


# --- a scratch folder, a database, servers -------------------------------------------------


def run_in_scratch(prefix: str, bench: Callable[[argparse.Namespace, Path], int], args) -> int:
    """``bench(args, folder)`` in a fresh temporary folder; 2, saying why, if the run breaks."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        try:
            return bench(args, Path(tmp))
        except BROKEN as exc:
            print(f"\nbroken run: {exc}", file=sys.stderr)
            return 2


def server_env(tmp: Path, database_url: str | None = None) -> dict[str, str]:
    """Environment for the servers: the run's fresh database (by default a SQLite file in
    ``tmp``), and a spool in ``tmp``."""
    env = {key: value for key, value in os.environ.items() if key not in SCRUBBED_ENV}
    env.update(
        DATABASE_URL=database_url or f"sqlite:///{tmp / 'portal.db'}",
        REFERRAL_SPOOL=str(tmp / "referral-spool.jsonl"),
        SECRET_KEY=secrets.token_hex(32),
        SESSION_COOKIE_SECURE="false",
        PYTHONUNBUFFERED="1",
    )
    return env


def prepare_database(env: dict[str, str]) -> None:
    """Create the schema and the demo directory in the fresh database."""
    for command in ("init-db", "seed-demo"):
        subprocess.run(
            [str(BIN / "flask"), "--app", "app", command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=600,  # a loaded machine
        )


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(name: str, target: str, env: dict, tmp: Path, workers: int, *extra: str) -> Server:
    """Start gunicorn with the repository's config and the benchmark's overrides; ``target`` is
    a WSGI app importable from the repository's root (``app:app``, ``bench.bare_app:app``)."""
    port, log_path = free_port(), tmp / f"{name}.log"
    command = [
        str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
        "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
        "--error-logfile", str(log_path), *_control_socket_flags(tmp / f"{name}.ctl"),
        *extra, target,
    ]  # fmt: skip
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    server = Server(name, port, process, log_path)
    try:
        _wait_until_serving(server, timeout=300)  # workers importing the portal on a busy machine
    except BaseException:
        stop_server(server)  # a server that never answered is not left running
        raise
    return server


def _control_socket_flags(path: Path) -> list[str]:
    """Gunicorn 25.1+ opens a control socket in $HOME; give each server its own, in ``tmp``."""
    major, minor = (int(part) for part in version("gunicorn").split(".")[:2])
    return ["--control-socket", str(path)] if (major, minor) >= (25, 1) else []


def _wait_until_serving(server: Server, *, timeout: float) -> None:
    """Block until the server answers HTTP; raise if it dies or stays silent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BrokenRun(f"{server.name} server exited:\n{tail(server.log_path)}")
        try:
            get_status(server.port, "/go/-probe-")
            return
        except OSError:
            time.sleep(0.2)
    raise BrokenRun(f"{server.name} server silent for {timeout:.0f}s:\n{tail(server.log_path)}")


def get_status(port: int, path: str) -> int:
    """One GET on a fresh connection, as a browser would send it; returns the status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=BROWSER_HEADERS)
        return connection.getresponse().status
    finally:
        connection.close()


def tail(path: Path, lines: int = 20) -> str:
    """The end of a log file, for error messages."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop_server(server: Server) -> None:
    """Stop gunicorn gracefully, then by force; only the process group started here."""
    process = server.process
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def server_cpu_seconds(server: Server) -> float:
    """CPU time (user + system) used so far by the gunicorn master and its live workers."""
    return sum(server_cpu_split(server))


def server_cpu_split(server: Server) -> tuple[float, float]:
    """CPU time (user, system) used so far by the gunicorn master and its live workers."""
    master = server.process.pid
    user = system = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if entry.name == str(master) or fields[1] == str(master):
            user, system = user + int(fields[11]), system + int(fields[12])
    tick = os.sysconf("SC_CLK_TCK")
    return user / tick, system / tick
