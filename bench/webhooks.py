"""`make bench`: Stripe's signed webhooks applied by the portal under gunicorn, against a bare 200.

Run as ``.venv/bin/python -m bench.webhooks [--donations 600] [--rounds 3] [--clients 8]
[--client socket|http.client]``.

The events are real ones: the portal's own service functions open donations against the local
Stripe sandbox, the sandbox completes every checkout and renews some monthly gifts, and its
events are fired at ``POST /stripe/webhook``, shuffled, with a share of exact duplicate
deliveries, each signed as Stripe signs it at the moment it is sent. The mix is what a live
endpoint sees: every gift's ``checkout.session.completed``, each monthly payment's
``invoice.paid`` and ``invoice_payment.paid``, and a share of partial refunds, disputes (won)
and renewals that fail once and then recover. Afterwards the database must hold every gift paid
exactly once, with its refunded amount, and every dispute won.
Exits non-zero only when the run itself is broken or a delivery went wrong; a missed target is
printed as MISSED.

Stripe delivers from its own machines; here the client shares the server's two cores, so it is
kept cheap: each thread writes its requests straight to a socket and reads no more of an answer
than its status line, its length and its ``outcome``, at about half the CPU a delivery that
``http.client`` takes (kept as ``--client http.client``, for comparison: it took a fifth of the
machine's work in a firing). Both sign each request as it is sent.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import random
import re
import secrets
import socket
import sqlite3
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import (
    BrokenRun,
    Server,
    SpeedProbe,
    alternate,
    median_ratio,
    prepare_database,
    print_load_after,
    print_machine,
    run_in_scratch,
    server_cpu_seconds,
    server_env,
    start_server,
    stop_server,
    tail,
)

TARGET_EVENTS_PER_SECOND = 1000.0
WEBHOOK_SECRET = "whsec_bench_" + secrets.token_hex(8)
WEBHOOK_PATH = "/stripe/webhook"
# The recipients the demo directory collects for through Stripe.
RECIPIENTS = ("allmep", "parents-circle", "hand-in-hand", "ecopeace")
# The event types a Stripe webhook endpoint for the portal is subscribed to that the sandbox emits.
FIRED_TYPES = (
    "checkout.session.completed",
    "invoice.paid",
    "invoice_payment.paid",
    "invoice.payment_failed",
    "customer.subscription.updated",
    "refund.created",
    "charge.refunded",
    "charge.dispute.created",
    "charge.dispute.closed",
)
STRIPE_USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"
REQUEST_TIMEOUT_SECONDS = 15


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--donations", type=int, default=600, help="donations per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each portal then bare")
    parser.add_argument("--clients", type=int, default=8, help="concurrent delivering clients")
    parser.add_argument(
        "--client",
        choices=tuple(CLIENTS),
        default="socket",
        help="how each client thread speaks HTTP: bare socket writes, or the standard library's",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per app")
    parser.add_argument("--monthly", type=float, default=0.35, help="share of monthly gifts")
    parser.add_argument("--renewals", type=float, default=0.5, help="monthly gifts renewed once")
    parser.add_argument("--duplicates", type=float, default=0.2, help="extra exact deliveries")
    parser.add_argument("--refunds", type=float, default=0.1, help="one-time gifts half refunded")
    parser.add_argument("--disputes", type=float, default=0.05, help="one-time gifts disputed")
    parser.add_argument("--failures", type=float, default=0.2, help="renewals failing once")
    parser.add_argument("--warmup", type=int, default=60, help="donations in the warm-up batch")
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--time-limit", type=float, default=120, help="seconds per firing")
    return parser.parse_args(argv)


@dataclass
class Batch:
    """Donations opened and paid in the sandbox, and the deliveries that tell the portal."""

    name: str
    donations: dict[int, int] = field(default_factory=dict)  # id -> amount
    renewals: dict[str, tuple[int, int]] = field(default_factory=dict)  # invoice -> (first, amt)
    refunded: dict[int, int] = field(default_factory=dict)  # donation id -> amount refunded
    disputes: set[str] = field(default_factory=set)  # dispute ids, each closed as won
    events: dict[str, bytes] = field(default_factory=dict)  # event id -> body
    deliveries: list[bytes] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        """Deliveries beyond the first of each event."""
        return len(self.deliveries) - len(self.events)


@dataclass
class Firing:
    """One batch delivered to one server."""

    app: str
    batch: str
    seconds: float
    latencies: list[float]
    statuses: Counter
    outcomes: Counter
    errors: list[str]
    cpu_us: float = 0.0
    client_cpu_us: float = 0.0
    log_tail: str = ""

    @property
    def deliveries(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        """Deliveries answered per second."""
        return self.deliveries / self.seconds

    @property
    def applied_rps(self) -> float:
        """Distinct events taken per second (the portal's answers say which): applied, or kept
        until the payment they name arrives ("unmatched", applied then; the ledger check
        confirms every stored event ends applied)."""
        return (self.outcomes.get("applied", 0) + self.outcomes.get("unmatched", 0)) / self.seconds

    def percentile_ms(self, q: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1] * 1000

    @property
    def non_200(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark: 0 with figures (targets met or not), 1 on wrong results, 2 if broken."""
    args = parse_args(argv)
    return run_in_scratch("webhook-bench-", bench, args)


def bench(args: argparse.Namespace, tmp: Path) -> int:
    """Prepare the events, serve, fire, check the ledger and report; servers always stop."""
    env = {**server_env(tmp), "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET}
    probe = print_machine(settings_line(args))
    prepare_database(env)
    started = time.monotonic()
    warmup, *batches = prepare_batches(args, env)
    print(f"  prepared     {sum(len(b.donations) for b in batches)} donations, "
          f"{sum(len(b.events) for b in batches)} events, "
          f"{sum(len(b.deliveries) for b in batches)} deliveries in "
          f"{time.monotonic() - started:.1f}s", flush=True)  # fmt: skip
    servers: list[Server] = []
    try:
        servers.append(start_server("portal", "app:app", env, tmp, args.workers))
        servers.append(start_server("bare", "bench.webhooks:bare_app()", env, tmp, args.workers))
        warm, firings = fire_rounds(args, servers, warmup, batches)
    finally:
        for server in servers:
            stop_server(server)
    problems = check_ledger(tmp / "portal.db", [warmup, *batches])
    problems += check_answers(warm + firings, [warmup, *batches])
    print_summary(firings, problems, probe)
    return 1 if problems else 0


def settings_line(args: argparse.Namespace) -> str:
    """How this run loads the servers."""
    return (
        f"{args.workers} sync workers per app, SQLite, access log off; "
        f"{args.clients} client threads ({args.client}); {args.rounds} rounds of "
        f"{args.donations} donations ({args.monthly:.0%} monthly, {args.renewals:.0%} of those "
        f"renewed, {args.failures:.0%} of renewals failing once), {args.refunds:.0%} of one-time "
        f"gifts half refunded, {args.disputes:.0%} disputed; +{args.duplicates:.0%} exact "
        "duplicates, shuffled"
    )


# --- preparing real events ---------------------------------------------------------------


def prepare_batches(args: argparse.Namespace, env: dict[str, str]) -> list[Batch]:
    """A warm-up batch and one batch per round, each with its own donations and events."""
    from portal import create_app, dispose
    from stripe_sandbox import SandboxServer

    rng = random.Random(args.seed)
    sizes = [("warm-up", args.warmup)] + [
        (f"round {n}", args.donations) for n in range(1, args.rounds + 1)
    ]
    with SandboxServer() as sandbox:
        app = create_app(
            {
                "DATABASE_URL": env["DATABASE_URL"],
                "SECRET_KEY": env["SECRET_KEY"],
                "REFERRAL_SPOOL": env["REFERRAL_SPOOL"],
                "STRIPE_API_BASE": sandbox.url,
                "STRIPE_SECRET_KEY": "sk_test_bench",
                "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
                "STRIPE_MAX_NETWORK_RETRIES": 0,
                "SERVER_NAME": "portal.bench",
            }
        )
        try:
            return [make_batch(app, sandbox, name, size, args, rng) for name, size in sizes]
        finally:
            dispose(app)


def make_batch(app, sandbox, name: str, size: int, args, rng: random.Random) -> Batch:
    """Open ``size`` donations, pay them in the sandbox, renew some, and collect the events."""
    batch = Batch(name)
    seen = len(sandbox.events())
    sessions = open_donations(app, size, args.monthly, rng, batch)
    for checkout_id in sessions:
        sandbox.complete_checkout(checkout_id, "pay")
    completed = [e["data"]["object"] for e in sandbox.events()[seen:]]
    by_session = {obj["id"]: obj for obj in completed if obj.get("object") == "checkout.session"}
    for checkout_id, donation_id in sessions.items():
        checkout = by_session[checkout_id]
        subscription = checkout.get("subscription")
        if subscription and rng.random() < args.renewals:
            invoice = renew(sandbox, subscription, failing=rng.random() < args.failures)
            batch.renewals[invoice["id"]] = (donation_id, invoice["amount_paid"])
        elif not subscription:
            settle_afterwards(sandbox, checkout["payment_intent"], donation_id, args, rng, batch)
    for event in sandbox.events()[seen:]:
        if event["type"] in FIRED_TYPES:
            # Stripe sends its events pretty-printed; so does the sandbox.
            batch.events[event["id"]] = json.dumps(event, indent=2).encode()
    bodies = list(batch.events.values())
    batch.deliveries = bodies + rng.sample(bodies, round(len(bodies) * args.duplicates))
    rng.shuffle(batch.deliveries)
    return batch


def renew(sandbox, subscription: str, *, failing: bool) -> dict:
    """Bill the next month; a failing one is declined first and paid by the retry."""
    if not failing:
        return sandbox.renew(subscription)
    return sandbox.retry_invoice(sandbox.renew(subscription, outcome="failed")["id"])


def settle_afterwards(sandbox, intent: str, donation_id: int, args, rng, batch: Batch) -> None:
    """Refund half of some one-time gifts, and have the bank dispute (and lose to us) others."""
    from stripe_sandbox import refunds

    if rng.random() < args.refunds:
        amount = batch.donations[donation_id] // 2
        refunds.create(sandbox.sandbox, {"payment_intent": intent, "amount": str(amount)})
        batch.refunded[donation_id] = amount
    elif rng.random() < args.disputes:
        dispute = sandbox.open_dispute(intent)
        sandbox.close_dispute(dispute["id"], "won")
        batch.disputes.add(dispute["id"])


def open_donations(app, count: int, monthly: float, rng: random.Random, batch: Batch) -> dict:
    """Open donations through the portal's own services; returns checkout id -> donation id."""
    from sqlalchemy import select

    from portal.db.session import get_session
    from portal.donate import service
    from portal.donate.money import CURRENCIES, fee_cover
    from portal.donate.submit import submit_donation
    from portal.models import ArrivedVia, Frequency, Organization
    from portal.referrals.service import Visit
    from portal.state import portal_state
    from portal.stripe_gateway import gateway

    urls = service.ReturnUrls(
        "https://portal.bench/donate/thanks?session_id={CHECKOUT_SESSION_ID}",
        "https://portal.bench/donate/allmep?cancelled=1",
    )
    sessions = {}
    with app.app_context():
        session = get_session()
        orgs = [session.scalar(select(Organization).filter_by(slug=slug)) for slug in RECIPIENTS]
        for _ in range(count):
            currency = CURRENCIES[rng.choice(list(CURRENCIES))]
            amount = rng.choice(currency.presets)
            gift = service.Gift(
                amount=amount,
                fee_cover=fee_cover(amount, 300) if rng.random() < 0.5 else 0,
                currency=currency.code,
                frequency=Frequency.MONTHLY if rng.random() < monthly else Frequency.ONE_TIME,
            )
            visit = Visit(ArrivedVia.PORTAL, "Mozilla/5.0 (bench)", f"10.0.{rng.randrange(256)}.1")
            org = rng.choice(orgs)
            donation = submit_donation(
                session,
                gateway(),
                org,
                visit,
                gift,
                attempt=secrets.token_hex(16),
                salts=portal_state().referrals.salts,
                return_urls=lambda _donation: urls,
                locale="en",
                limits=None,
            )
            sessions[donation.stripe_checkout_session_id] = donation.id
            batch.donations[donation.id] = gift.total
    return sessions


# --- firing ------------------------------------------------------------------------------


def bare_app():
    """The baseline: a Flask app that reads the POSTed body and answers 200 with JSON."""
    from flask import Flask, jsonify, request

    app = Flask("bare_webhook")

    @app.post(WEBHOOK_PATH)
    def webhook():
        request.get_data(cache=False)
        return jsonify(received=True), 200

    return app


def fire_rounds(
    args, servers: list[Server], warmup: Batch, batches: list[Batch]
) -> tuple[list[Firing], list[Firing]]:
    """Warm up both apps, then per round fire the round's batch at the portal, then the bare."""
    warm = [fire(server, warmup, args) for server in servers]
    print_round_header()
    firings = alternate(
        len(batches), servers, lambda server, number: fire(server, batches[number - 1], args),
        print_round,
    )  # fmt: skip
    return warm, firings


def fire(server: Server, batch: Batch, args: argparse.Namespace) -> Firing:
    """Deliver the batch from ``args.clients`` threads, each with its own connection."""
    lanes = [batch.deliveries[k :: args.clients] for k in range(args.clients)]
    deadline = time.monotonic() + args.time_limit
    cpu_before, client_before = server_cpu_seconds(server), time.process_time()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        client = CLIENTS[args.client]
        results = list(
            pool.map(lambda lane: deliver_lane(client(server.port), lane, deadline), lanes)
        )
    seconds = time.perf_counter() - started
    firing = Firing(server.name, batch.name, seconds, [], Counter(), Counter(), [])
    for latencies, statuses, outcomes, errors in results:
        firing.latencies += latencies
        firing.statuses.update(statuses)
        firing.outcomes.update(outcomes)
        firing.errors += errors
    answered = max(firing.deliveries, 1)
    firing.cpu_us = (server_cpu_seconds(server) - cpu_before) / answered * 1e6
    firing.client_cpu_us = (time.process_time() - client_before) / answered * 1e6
    if firing.errors and not firing.latencies:
        raise BrokenRun(f"{server.name} answered nothing: {firing.errors[0]}")
    if firing.non_200 or firing.errors:
        firing.log_tail = tail(server.log_path, 8)
    return firing


def deliver_lane(client, bodies: list[bytes], deadline: float):
    """POST each body in turn through ``client``, signed just before it is sent; returns the
    lane's latencies, statuses, outcomes and errors."""
    latencies, statuses, outcomes, errors = [], Counter(), Counter(), []
    try:
        for body in bodies:
            if time.monotonic() > deadline:
                errors.append("time limit reached")
                break
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": STRIPE_USER_AGENT,
                "Stripe-Signature": sign(body),
            }
            sent = time.perf_counter()
            try:
                status, answer = client.post(body, headers)
            except (OSError, ValueError, http.client.HTTPException) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies.append(time.perf_counter() - sent)
            statuses[status] += 1
            outcomes[outcome_of(answer)] += 1
    finally:
        client.close()
    return latencies, statuses, outcomes, errors


class LibraryClient:
    """The standard library's ``http.client`` on one keep-alive connection, opened again after
    an error."""

    def __init__(self, port: int) -> None:
        self._connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS
        )

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        try:
            self._connection.request("POST", WEBHOOK_PATH, body=body, headers=headers)
            response = self._connection.getresponse()
            return response.status, response.read()
        except BaseException:
            self._connection.close()
            raise

    def close(self) -> None:
        self._connection.close()


_STATUS = re.compile(rb"HTTP/1\.[01] (\d{3})")
_LENGTH = re.compile(rb"\r\ncontent-length: *(\d+)", re.I)
_CLOSE = re.compile(rb"\r\nconnection: *close", re.I)


class SocketClient:
    """Each request written to the socket whole; of the answer only its status line, length and
    body are read. A new connection whenever the server closed the last one (gunicorn's sync
    workers close every one) or an error left it unusable."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._socket: socket.socket | None = None

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        head = (
            f"POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{self._port}\r\n{lines}"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        try:
            if self._socket is None:
                self._socket = socket.create_connection(
                    ("127.0.0.1", self._port), timeout=REQUEST_TIMEOUT_SECONDS
                )
            self._socket.sendall(head.encode() + body)
            status, answer, closing = read_answer(self._socket)
        except BaseException:
            self.close()
            raise
        if closing:
            self.close()
        return status, answer

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


CLIENTS = {"socket": SocketClient, "http.client": LibraryClient}


def read_answer(connection: socket.socket) -> tuple[int, bytes, bool]:
    """One HTTP/1.1 answer with a Content-Length: its status, its body, and whether the server
    closes the connection after it."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            raise ValueError(f"connection closed mid-answer after {len(data)} bytes")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, length = _STATUS.match(head), _LENGTH.search(head)
    if status is None or length is None:
        raise ValueError(f"not an answer this client reads: {head[:80]!r}")
    while len(body) < int(length.group(1)):
        chunk = connection.recv(65536)
        if not chunk:
            raise ValueError("connection closed mid-body")
        body += chunk
    return int(status.group(1)), body, _CLOSE.search(head) is not None


def sign(body: bytes) -> str:
    """``Stripe-Signature`` exactly as Stripe builds it: HMAC-SHA256 of ``"<t>.<body>"``."""
    timestamp = str(int(time.time()))
    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def outcome_of(answer: bytes) -> str:
    """What the portal said it did with the event ("-" for the bare app or a non-JSON body)."""
    try:
        return str(json.loads(answer).get("outcome", "-"))
    except (ValueError, AttributeError):
        return "-"


# --- checking ----------------------------------------------------------------------------


def check_ledger(db_path: Path, batches: list[Batch]) -> list[str]:
    """Every donation paid once, every renewal one row, every event one row; else problems."""
    with closing(sqlite3.connect(db_path, timeout=30)) as db:
        rows = {
            row[0]: row[1:]
            for row in db.execute(
                "select id, status, amount, stripe_invoice_id, referral_id, amount_refunded "
                "from donation"
            )
        }
        events = dict(db.execute("select id, outcome from stripe_event"))
        won = {
            row[0]
            for row in db.execute("select stripe_dispute_id from dispute where status = 'won'")
        }
    problems = []
    donations = {k: v for batch in batches for k, v in batch.donations.items()}
    renewals = {k: v for batch in batches for k, v in batch.renewals.items()}
    sent = {k for batch in batches for k in batch.events}
    refunded = {k: v for batch in batches for k, v in batch.refunded.items()}
    unpaid = [
        i
        for i, amount in donations.items()
        if rows.get(i, (None,) * 5)[:2] != ("paid", amount) or rows[i][4] != refunded.get(i, 0)
    ]
    if unpaid:
        problems.append(
            f"{len(unpaid)} donations not paid with their amount and refund, e.g. {unpaid[:5]}"
        )
    disputed = {k for batch in batches for k in batch.disputes}
    if disputed != won:
        problems.append(f"{len(won)} disputes won in the ledger, {len(disputed)} in Stripe")
    by_invoice = Counter(row[2] for row in rows.values() if row[2])
    referral = {i: row[3] for i, row in rows.items()}
    for invoice, (first, amount) in renewals.items():
        matching = [row for row in rows.values() if row[2] == invoice]
        if by_invoice[invoice] != 1 or matching[0][:2] != ("paid", amount):
            problems.append(f"renewal {invoice}: {by_invoice[invoice]} rows {matching}")
        elif matching[0][3] != referral[first]:
            problems.append(f"renewal {invoice} is not tied to its first gift's referral")
    if len(rows) != len(donations) + len(renewals):
        problems.append(
            f"{len(rows)} donation rows, expected {len(donations)} + {len(renewals)} renewals"
        )
    if set(events) != sent:
        problems.append(f"{len(events)} stripe_event rows for {len(sent)} distinct events sent")
    not_applied = Counter(outcome for outcome in events.values() if outcome != "applied")
    if not_applied:
        problems.append(f"stored event outcomes other than applied: {dict(not_applied)}")
    paid_total = sum(row[1] for row in rows.values() if row[0] == "paid")
    expected_total = sum(donations.values()) + sum(amount for _, amount in renewals.values())
    if paid_total != expected_total:
        problems.append(f"paid total {paid_total} minor units, expected {expected_total}")
    return problems


def check_answers(firings: list[Firing], batches: list[Batch]) -> list[str]:
    """Only 200s, no lost deliveries, and the portal called exactly the duplicates duplicate."""
    problems = []
    sizes = {batch.name: batch for batch in batches}
    for firing in firings:
        batch = sizes[firing.batch]
        label = f"{firing.app} {firing.batch}"
        if firing.non_200 or firing.errors:
            problems.append(
                f"{label}: statuses {dict(firing.statuses)}, errors {firing.errors[:3]}; "
                f"server log ends:\n{firing.log_tail}"
            )
        if firing.deliveries != len(batch.deliveries):
            problems.append(f"{label}: {firing.deliveries} of {len(batch.deliveries)} answered")
        if firing.app == "portal":
            expected = Counter(applied=len(batch.events), duplicate=batch.duplicates)
            taken = Counter(firing.outcomes)
            taken["applied"] += taken.pop("unmatched", 0)  # parked, then applied (ledger check)
            if taken != expected:
                problems.append(f"{label}: outcomes {dict(firing.outcomes)}, expected {expected}")
    return problems


# --- reporting ---------------------------------------------------------------------------


def print_round_header() -> None:
    """Column titles of the per-round table."""
    print()
    print(f"{'round':>5}  {'app':<6} {'deliv.':>6} {'deliv/s':>8} {'applied/s':>9} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'cpu µs/req':>10} {'200s':>6} {'other':>5} "
          f"{'dups':>5} {'ratio':>6}")  # fmt: skip


def print_round(number: int, pair: list[Firing]) -> None:
    """One line per app for a finished round, the ratio on the portal's line."""
    portal, bare = pair
    for run in pair:
        ratio = f"{portal.rps / bare.rps:6.3f}" if run is portal else ""
        dups = str(run.outcomes.get("duplicate", 0)) if run is portal else ""
        applied = f"{run.applied_rps:9.1f}" if run is portal else ""
        print(f"{number:>5}  {run.app:<6} {run.deliveries:>6} {run.rps:>8.1f} {applied:>9} "
              f"{run.percentile_ms(50):>7.2f} {run.percentile_ms(99):>7.2f} {run.cpu_us:>10.0f} "
              f"{run.statuses.get(200, 0):>6} {run.non_200 + len(run.errors):>5} {dups:>5} "
              f"{ratio:>6}", flush=True)  # fmt: skip


def print_summary(firings: list[Firing], problems: list[str], probe: SpeedProbe) -> None:
    """Medians across rounds, the ledger check, and the verdict."""
    portal = [f for f in firings if f.app == "portal"]
    bare = [f for f in firings if f.app == "bare"]

    def med(group, figure):
        return statistics.median(figure(f) for f in group)

    rows = (
        ("deliveries/s", lambda f: f.rps, ".1f"),
        ("p50 per delivery (ms)", lambda f: f.percentile_ms(50), ".2f"),
        ("p99 per delivery (ms)", lambda f: f.percentile_ms(99), ".2f"),
        ("server CPU per delivery (µs)", lambda f: f.cpu_us, ".0f"),
        ("client CPU per delivery (µs)", lambda f: f.client_cpu_us, ".0f"),
    )
    print(f"\nsummary (median of {len(portal)} rounds)        portal       bare")
    for label, figure, spec in rows:
        print(f"  {label:<29}{med(portal, figure):>10{spec}} {med(bare, figure):>10{spec}}")
    applied = med(portal, lambda f: f.applied_rps)
    print(f"  distinct events applied/s    {applied:>10.1f}")
    ratio = median_ratio((p.rps, b.rps) for p, b in zip(portal, bare, strict=True))
    print(f"  portal/bare deliveries/s, median of round ratios {ratio:.3f}")
    print_load_after(probe)
    print("\nledger (SQLite, after every delivery of every round and the warm-up)")
    if problems:
        for problem in problems:
            print(f"  PROBLEM  {problem}")
    else:
        print("  every donation paid exactly once with its refunded amount, every dispute won, "
              "each renewal (failed ones after their retry) one paid row on its gift's referral, "
              "one stripe_event per distinct event (all applied), every duplicate answered as a "
              "duplicate, no 5xx, nothing lost  PASS")  # fmt: skip
    print("\ntargets")
    worst = min(f.applied_rps for f in portal)
    print(
        f"  distinct signed events applied per second, median {applied:.1f} (worst round "
        f"{worst:.1f}; duplicates mixed in)  (target >= {TARGET_EVENTS_PER_SECOND:.0f})  "
        f"{'PASS' if applied >= TARGET_EVENTS_PER_SECOND and not problems else 'MISSED'}"
    )


if __name__ == "__main__":
    sys.exit(main())
