"""Durable means durable: no donor is redirected before the referral is on disk."""

from __future__ import annotations

import re
import shutil
from collections import defaultdict

import pytest

from tests.helpers.faults import WORKERS

_CALL = re.compile(r"^(\d+)\s+(\w+)\((.*)$")


def syncs_before_redirects(trace: str) -> tuple[int, int]:
    """Per worker process, walk its system calls in order: how many 302 answers were sent, and
    how many of them were sent with no sync of the database's WAL since the previous one."""
    synced: dict[str, bool] = defaultdict(bool)
    answered = unsynced = 0
    for line in trace.splitlines():
        match = _CALL.match(line)
        if match is None:
            continue
        pid, call, rest = match.groups()
        if call in {"fdatasync", "fsync"} and "portal.db-wal>" in rest:
            synced[pid] = True
        elif call in {"sendto", "write", "sendmsg"} and '"HTTP/1.1 302' in rest:
            answered += 1
            unsynced += not synced[pid]
            synced[pid] = False
    return answered, unsynced


def test_every_redirect_leaves_after_its_referral_is_synced_to_disk(portal, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL syncs its WAL at each commit (synchronous_commit=on)")
    if shutil.which("strace") is None:
        pytest.skip("strace is missing (apt-get install strace; CI installs it)")
    trace = tmp_path / "strace.txt"
    strace = ("strace", "-f", "-qq", "-y", "-s", "16", "-o", str(trace))
    calls = ("-e", "trace=fdatasync,fsync,sendto,write,sendmsg")
    server = portal().start(wrap=(*strace, *calls))

    donors = server.burst(120, concurrency=WORKERS * 2)
    server.stop()

    answered, unsynced = syncs_before_redirects(trace.read_text(errors="replace"))
    assert len(donors.refs) == 120
    assert answered >= 120
    assert unsynced == 0
