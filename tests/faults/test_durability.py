"""Durable means durable: no donor is redirected before the referral is on disk, and no Stripe
event is acknowledged before it is."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.helpers.faults import WORKERS
from tests.helpers.giving import WEBHOOK_SECRET, sign

_CALL = re.compile(r"^(\d+)\s+(?:<\.\.\. )?(\w+)(?: resumed>|\()(.*)$")
_WAL = "portal.db-wal>"
# What strace is asked to show: the WAL's writes and syncs, and the answers. --seccomp-bpf has
# the kernel stop the workers at those calls only, not at each of the thousands their imports
# and requests make (the trace is the same).
TRACED = ("--seccomp-bpf", "-e", "trace=pwrite64,fdatasync,fsync,sendto,write,sendmsg")


def syncs_before_answers(trace: str, answer: str = '"HTTP/1.1 302') -> tuple[int, int]:
    """How many writes holding ``answer`` the workers sent, and how many of them left before
    a sync of the database's WAL had covered their commit.

    Workers share syncs (group commit): a commit is covered by a successful fdatasync of the
    WAL, by any worker, that *started* after the commit's last write to the WAL had returned.
    An answer with no write to the WAL since the worker's previous answer is uncovered too.
    """
    last_write: dict[str, int] = {}  # worker -> line of its latest write to the WAL
    covered: set[str] = set()  # workers whose latest write a finished sync covers
    syncing: dict[str, int] = {}  # worker -> line where its unfinished sync started
    answered = unsynced = 0

    def synced(started: int) -> None:
        covered.update(pid for pid, line in last_write.items() if line < started)

    for number, line in enumerate(trace.splitlines()):
        match = _CALL.match(line)
        if match is None:
            continue
        pid, call, rest = match.groups()
        resumed = line.startswith(f"{pid} <... ") or "<... " in line.split(call, 1)[0]
        if call in {"fdatasync", "fsync"}:
            if resumed:
                if pid in syncing and rest.rstrip().endswith("= 0"):
                    synced(syncing.pop(pid))
                syncing.pop(pid, None)
            elif _WAL in rest and rest.rstrip().endswith("<unfinished ...>"):
                syncing[pid] = number
            elif _WAL in rest and rest.rstrip().endswith("= 0"):
                synced(number)
        elif call == "pwrite64" and _WAL in rest:
            last_write[pid] = number
            covered.discard(pid)
        elif call in {"sendto", "write", "sendmsg"} and answer in rest:
            answered += 1
            unsynced += pid not in covered
            covered.discard(pid)
            last_write.pop(pid, None)
    return answered, unsynced


def test_the_trace_reader_counts_a_shared_sync_only_for_commits_before_it():
    wal = f"7</db/{_WAL}"
    trace = "\n".join(
        [
            f"1 pwrite64({wal}, ...) = 2048",  # worker 1 commits
            f"2 pwrite64({wal}, ...) = 2048",  # worker 2 commits
            f"1 fdatasync({wal} <unfinished ...>",  # worker 1 syncs both
            f"3 pwrite64({wal}, ...) = 2048",  # worker 3 commits during that sync
            "1 <... fdatasync resumed>) = 0",
            '2 sendto(9<TCP>, "HTTP/1.1 302 Fou"...) = 300',  # covered by worker 1's sync
            '3 sendto(9<TCP>, "HTTP/1.1 302 Fou"...) = 300',  # not covered: too late
            '1 sendto(9<TCP>, "HTTP/1.1 302 Fou"...) = 300',  # covered by its own sync
            '1 sendto(9<TCP>, "HTTP/1.1 302 Fou"...) = 300',  # no commit since: uncovered
        ]
    )
    assert syncs_before_answers(trace) == (4, 2)


def test_every_redirect_leaves_after_its_referral_is_synced_to_disk(portal, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL syncs its WAL at each commit (synchronous_commit=on)")
    if shutil.which("strace") is None:
        pytest.skip("strace is missing (apt-get install strace; CI installs it)")
    trace = tmp_path / "strace.txt"
    strace = ("strace", "-f", "-qq", "-y", "-s", "16", "-o", str(trace))
    # A writer that waits out the suite's short lock timeout spools its referral (synced to the
    # spool file, not the WAL, so the trace reader would count its answer as unsynced): under
    # strace on a loaded machine one of 120 did. The default timeout keeps every referral on the
    # path this test reads.
    server = portal(DB_LOCK_TIMEOUT_MS="5000").start(wrap=(*strace, *TRACED))

    donors = server.burst(120, concurrency=WORKERS * 2)
    server.stop()

    answered, unsynced = syncs_before_answers(trace.read_text(errors="replace"))
    assert len(donors.refs) == 120
    assert not server.spool.exists() or server.spool.read_text() == ""
    assert answered >= 120
    assert unsynced == 0


def test_every_webhook_is_acknowledged_after_its_event_is_synced_to_disk(
    portal, database_url, tmp_path
):
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL syncs its WAL at each commit (synchronous_commit=on)")
    if shutil.which("strace") is None:
        pytest.skip("strace is missing (apt-get install strace; CI installs it)")
    trace = tmp_path / "strace.txt"
    # Long strings: the answer is told from the health checks' 200s by its body.
    strace = ("strace", "-f", "-qq", "-y", "-s", "512", "-o", str(trace))
    # Stripe retries a 503: a longer lock wait than the suite's keeps every answer a 200 under
    # strace on a loaded machine, which is what this test counts.
    settings = {"STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "DB_LOCK_TIMEOUT_MS": "5000"}
    server = portal(**settings).start(wrap=(*strace, *TRACED))

    with ThreadPoolExecutor(WORKERS * 2) as pool:
        statuses = list(pool.map(lambda n: _deliver(server.port, n), range(90)))
    server.stop()

    answered, unsynced = syncs_before_answers(trace.read_text(errors="replace"), '\\"outcome\\"')
    assert statuses == [200] * 90
    assert answered >= 90
    assert unsynced == 0


def _deliver(port: int, number: int) -> int:
    """A signed event the ledger stores (and has nothing to apply to), as Stripe sends it."""
    event = {
        "id": f"evt_durable_{number}",
        "object": "event",
        "type": "charge.refunded",
        "created": int(time.time()),
        "data": {"object": {"id": f"ch_durable_{number}", "object": "charge"}},
    }
    body = json.dumps(event).encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Stripe-Signature": sign(body)}
        connection.request("POST", "/stripe/webhook", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()
