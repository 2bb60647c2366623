"""The fault suite's fixtures: gunicorn-served portals, a RAM disk, a tally of what survived."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import fault_table
from tests.helpers.faults import DONATION_URL, SLUG, Donors, Portal, needs_root


@pytest.fixture
def portal(tmp_path, make_org, database_url):
    """Factory: a gunicorn-served portal on a database holding one member (not yet started)."""
    make_org(SLUG, donation_url=DONATION_URL)
    started: list[Portal] = []

    def _make(url: str | None = None, **settings) -> Portal:
        server = Portal(tmp_path, url or database_url, **settings)
        started.append(server)
        return server

    yield _make
    for server in started:
        server.stop()


@pytest.fixture
def tally(request):
    """Factory: after replay, count the donors' references against the stored rows."""

    def _tally(fault: str, donors: Donors, portal: Portal, *, from_log: int = 0) -> dict:
        stored = portal.stored_refs()
        counts = Counter(stored)
        seen = set(donors.refs)
        row = {
            "fault": fault,
            "donors": donors.count,
            "redirected": len(donors.refs),
            "stored": len(seen & set(stored)),
            "from_log": from_log,
            "lost": len(seen - set(stored)),
            "duplicated": sum(n - 1 for n in counts.values() if n > 1)
            + (len(donors.refs) - len(seen)),
            # Stored but never seen by a donor: a worker killed after its commit, before its
            # answer (the donor's retry is a second hand-off).
            "extra": len(set(stored) - seen),
            "failed": dict(donors.failed),
        }
        fault_table.record(request, row)
        return row

    return _tally


@pytest.fixture
def tmpfs(tmp_path):
    """Factory: a small RAM disk mounted under the test's folder, unmounted afterwards."""
    needs_root()
    if shutil.which("mount") is None:
        pytest.skip("mount is missing")
    mounted: list[Path] = []

    def _mount(name: str, size: str = "4m") -> Path:
        path = tmp_path / name
        path.mkdir()
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True
        )
        mounted.append(path)
        return path

    yield _mount
    for path in reversed(mounted):
        subprocess.run(["umount", "-l", str(path)], check=False)
