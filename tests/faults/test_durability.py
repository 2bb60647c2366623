"""Durable means durable: no donor is redirected before the referral is on disk, and no Stripe
event is acknowledged before it is."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import re
import shutil
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.helpers.faults import WORKERS

_CALL = re.compile(r"^(\d+)\s+(\w+)\((.*)$")


WEBHOOK_SECRET = "whsec_durability"


def syncs_before_answers(trace: str, answer: str = '"HTTP/1.1 302') -> tuple[int, int]:
    """Per worker process, walk its system calls in order: how many writes holding ``answer``
    were sent, and how many of them with no sync of the database's WAL since the previous one."""
    synced: dict[str, bool] = defaultdict(bool)
    answered = unsynced = 0
    for line in trace.splitlines():
        match = _CALL.match(line)
        if match is None:
            continue
        pid, call, rest = match.groups()
        if call in {"fdatasync", "fsync"} and "portal.db-wal>" in rest:
            synced[pid] = True
        elif call in {"sendto", "write", "sendmsg"} and answer in rest:
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

    answered, unsynced = syncs_before_answers(trace.read_text(errors="replace"))
    assert len(donors.refs) == 120
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
    calls = ("-e", "trace=fdatasync,fsync,sendto,write,sendmsg")
    # Stripe retries a 503: a longer lock wait than the suite's keeps every answer a 200 under
    # strace on a loaded machine, which is what this test counts.
    settings = {"STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "DB_LOCK_TIMEOUT_MS": "5000"}
    server = portal(**settings).start(wrap=(*strace, *calls))

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
    stamp = str(int(time.time()))
    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Stripe-Signature": f"t={stamp},v1={digest.hexdigest()}"}
        connection.request("POST", "/stripe/webhook", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()
