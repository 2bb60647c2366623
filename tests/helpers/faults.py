"""The fault suite's parts: real gunicorn workers, donors in a burst, the faults injected."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.db.engine import make_engine
from portal.models import HandoffMode, Organization, Referral
from tests.helpers.workers import flask_command, worker_processes

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SLUG = "roots"
DONATION_URL = "https://roots.example.org/give"
WORKERS = 3
LOCK_TIMEOUT_MS = 200
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"


def needs_root():
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs or set chattr +i (CI runs as root)")


@dataclass
class Donors:
    """What the donors of a run saw: the references in their redirects, and who got none."""

    refs: list[str] = field(default_factory=list)
    failed: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def count(self) -> int:
        return len(self.refs) + sum(self.failed.values())


class Portal:
    """The portal under gunicorn, as production serves it, on a free loopback port."""

    def __init__(self, tmp: Path, database_url: str, **settings: str) -> None:
        self.tmp = tmp
        self.database_url = database_url
        self.error_log = tmp / "error.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "GUNICORN"))},
            "DATABASE_URL": database_url,
            "REFERRAL_SPOOL": str(tmp / "spool" / "referral-spool.jsonl"),
            "SECRET_KEY": "fault-suite-secret",
            "SESSION_COOKIE_SECURE": "false",
            "DB_LOCK_TIMEOUT_MS": str(LOCK_TIMEOUT_MS),
            "ROUTE_CACHE_SECONDS": "1",
            "PORTAL_BIND": "127.0.0.1:0",
            "PORTAL_WORKERS": str(WORKERS),
            "PORTAL_LOG_LEVEL": "info",
            **settings,
        }
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def spool(self) -> Path:
        return Path(self.env["REFERRAL_SPOOL"])

    def start(self, *, timeout: float = 60, wrap: tuple[str, ...] = ()) -> Portal:
        """Serve, and return once every worker is up and the portal answers; ``wrap`` is a
        command to run gunicorn under (strace)."""
        self._log = self.error_log.open("ab")
        # Gunicorn 25.1+ opens a control socket in $HOME: each server gets its own.
        control = ["--control-socket", str(self.tmp / f"gunicorn-{id(self)}.ctl")]
        self.process = subprocess.Popen(
            [*wrap, str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", *control, "app:app"],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=self._log,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.error_log.read_text(errors="replace")
            found = re.findall(r"Listening at: http://127\.0\.0\.1:(\d+)", text)
            if found and len(self.worker_pids()) == WORKERS:
                self.port = int(found[-1])
                if self._answers():
                    return self
            assert self.process.poll() is None, text[-2000:]
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not start:\n{self.error_log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is None:
            return
        # Gunicorn's master itself: a wrapping strace would only detach and leave it serving.
        os.kill(self._master(), signal.SIGTERM)
        try:
            self.process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self._log.close()
        self.process = None

    def worker_pids(self) -> list[int]:
        master = self._master()
        path = Path(f"/proc/{master}/task/{master}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except FileNotFoundError:
            return []

    def _master(self) -> int:
        # Under a wrapping command the master is that command's child.
        pid = self.process.pid
        for _ in range(3):
            try:
                name = Path(f"/proc/{pid}/comm").read_text().strip()
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except FileNotFoundError:
                return pid
            if name != "strace" or not children:
                return pid
            pid = int(children[0])
        return pid

    def _answers(self) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def donate(self, donors: Donors) -> None:
        """One donor follows the shared link; a dropped connection is tried again, as a
        browser retries a GET that got no answer."""
        for _attempt in range(3):
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                connection.request("GET", f"/go/{SLUG}", headers={"User-Agent": BROWSER_UA})
                response = connection.getresponse()
                location = response.getheader("Location") or ""
                response.read()
            except (ConnectionError, http.client.HTTPException) as exc:
                outcome = type(exc).__name__
                continue
            finally:
                connection.close()
            if response.status == 302 and location.startswith(DONATION_URL + "?"):
                ref = parse_qs(urlsplit(location).query)["portal_ref"][0]
                with donors.lock:
                    donors.refs.append(ref)
                return
            outcome = str(response.status)
            break
        with donors.lock:
            donors.failed[outcome] += 1

    def burst(self, count: int, *, concurrency: int = 8, donors: Donors | None = None) -> Donors:
        donors = donors or Donors()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(lambda _: self.donate(donors), range(count)))
        return donors

    def flask(self, *args: str) -> str:
        """``flask --app app ARGS`` in this portal's environment, in a process of its own forked
        with the portal already imported (a new interpreter took 2.3 s of CPU to import it)."""
        with worker_processes().Pool(1) as pool:
            command = pool.apply_async(flask_command, (self.env, str(ROOT), args))
            status, out, err = command.get(timeout=120)
        assert status == 0, err[-2000:]
        return out

    def stored_refs(self) -> list[str]:
        engine = make_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return list(connection.scalars(select(Referral.ref)))
        finally:
            engine.dispose()


def add_member(database_url: str) -> None:
    """The one member every donor of the suite gives to, in a database of the test's own."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        session.add(
            Organization(
                slug=SLUG,
                name="Roots",
                donation_url=DONATION_URL,
                handoff_mode=HandoffMode.EXTERNAL,
            )
        )
        session.commit()
    engine.dispose()


@contextmanager
def disk_full(folder: Path):
    """Fill ``folder``'s disk to the last byte until the block ends."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 16, 1):
            while True:
                try:
                    os.write(fd, b"\0" * size)
                except OSError:
                    break
    finally:
        os.close(fd)
    try:
        yield
    finally:
        filler.unlink()


@contextmanager
def meanwhile(action, *, after: float):
    """Run ``action()`` in a thread ``after`` seconds into the block; joined at its end."""
    thread = threading.Timer(after, action)
    thread.start()
    try:
        yield
    finally:
        thread.join(timeout=60)
