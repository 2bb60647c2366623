"""The webhook called in one process, without gunicorn or a client: CPU per delivery, or
cProfile's table, for the same mix of signed events ``bench/webhooks.py`` fires.

Run as ``.venv/bin/python -m bench.webhook_profile [--donations 300] [--profile] [--statements]``.
The portal's app is built from the environment the way gunicorn's ``app:app`` is, over a fresh
SQLite file with the demo directory; each delivery is signed just before it is handed to the WSGI
app.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import resource
import sys
import threading
import time
from pathlib import Path

from werkzeug.test import EnvironBuilder

from bench.harness import prepare_database, run_in_scratch, server_env
from bench.webhooks import (
    STRIPE_USER_AGENT,
    WEBHOOK_PATH,
    WEBHOOK_SECRET,
    make_batch,
    sign,
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--donations", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="print cProfile's table")
    parser.add_argument("--top", type=int, default=45, help="rows of the table")
    parser.add_argument("--dump", help="also write cProfile's data to this file (pstats)")
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument(
        "--statements",
        action="store_true",
        help="also count the SQL statements each delivery runs (BEGIN and COMMIT included)",
    )
    parser.add_argument(
        "--mail-apart",
        action="store_true",
        help="no sender thread while answering; then send the queued mail and measure that",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Prepare a batch, deliver it in process, print CPU per delivery."""
    return run_in_scratch("webhook-profile-", profile, parse_args(argv))


def profile(args: argparse.Namespace, tmp: Path) -> int:
    from portal import create_app, dispose
    from stripe_sandbox import SandboxServer

    env = {**server_env(tmp), "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET}
    prepare_database(env)
    mix = argparse.Namespace(
        monthly=0.35, renewals=0.5, duplicates=0.2, refunds=0.1, disputes=0.05, failures=0.2
    )
    with SandboxServer() as sandbox:
        maker = create_app(_config(env, sandbox.url))
        try:
            rng = random.Random(args.seed)
            batch = make_batch(maker, sandbox, "profiled", args.donations, mix, rng)
        finally:
            dispose(maker)
    os.environ.update(env)
    from app import app  # built as gunicorn builds it, from the environment

    if args.mail_apart:
        app.config["MAIL_SEND_IN_BACKGROUND"] = False

    statements = _count_statements(app) if args.statements else None
    answers: dict[int, int] = {}
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    started_cpu, started_wall = _cpu(), time.perf_counter()
    started_thread = time.thread_time()
    called = 0.0  # the WSGI calls alone, without building and signing each request
    for body in batch.deliveries:
        environ = EnvironBuilder(
            path=WEBHOOK_PATH,
            method="POST",
            data=body,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": STRIPE_USER_AGENT,
                "Stripe-Signature": sign(body),
            },
        ).get_environ()
        if profiler:
            profiler.enable()
        call_started = time.thread_time()
        status = _call(app, environ)
        called += time.thread_time() - call_started
        if profiler:
            profiler.disable()
        answers[status] = answers.get(status, 0) + 1
    handler = time.thread_time() - started_thread
    cpu, wall = _cpu() - started_cpu, time.perf_counter() - started_wall
    count = len(batch.deliveries)
    print(f"{count} deliveries ({len(batch.events)} distinct), answers {answers}")
    print(
        f"CPU per delivery {cpu / count * 1e6:.0f} µs: answering {handler / count * 1e6:.0f}, "
        f"other threads (the mail sender) {(cpu - handler) / count * 1e6:.0f}; "
        f"wall {wall / count * 1e6:.0f} µs"
    )
    print(f"the app's call alone {called / count * 1e6:.0f} µs a delivery")
    if statements is not None:
        print(f"SQL statements a delivery {statements[0] / count:.2f}")
    if args.mail_apart:
        _send_mail(app, profiler)
    if profiler and args.dump:
        profiler.dump_stats(args.dump)
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())
    dispose(app)
    return 0 if set(answers) == {200} else 1


def _send_mail(app, profiler) -> None:
    """Send everything the deliveries queued, in this thread, a batch a round as the sender
    thread does: CPU per message."""
    from portal.mail import deliver

    sent = failed = rounds = 0
    with app.app_context():
        started = time.thread_time()
        if profiler:
            profiler.enable()
        while (done := deliver()).sent or done.failed or done.retrying:
            sent, failed, rounds = sent + done.sent, failed + done.failed, rounds + 1
        if profiler:
            profiler.disable()
        cpu = time.thread_time() - started
    print(
        f"mail: {sent} sent, {failed} failed in {rounds} rounds; "
        f"CPU per message sent {cpu / max(sent, 1) * 1e6:.0f} µs"
    )


def _count_statements(app) -> list[int]:
    """A count, kept up to date, of the statements this thread runs on the app's database from
    now on (SQLite's trace callback on every connection opened from now)."""
    from sqlalchemy import event

    from portal.state import portal_state

    count, thread = [0], threading.get_ident()

    def traced(_sql: str) -> None:
        if threading.get_ident() == thread:  # the answers, not the mail sender
            count[0] += 1

    engine = portal_state(app).database.engine
    event.listen(engine, "connect", lambda dbapi, _record: dbapi.set_trace_callback(traced))
    engine.dispose()  # so that every connection the deliveries use is opened, and traced, anew
    return count


def _config(env: dict[str, str], sandbox_url: str) -> dict:
    return {
        "DATABASE_URL": env["DATABASE_URL"],
        "SECRET_KEY": env["SECRET_KEY"],
        "REFERRAL_SPOOL": env["REFERRAL_SPOOL"],
        "STRIPE_API_BASE": sandbox_url,
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_MAX_NETWORK_RETRIES": 0,
        "SERVER_NAME": "portal.bench",
    }


def _call(app, environ: dict) -> int:
    """One WSGI call, the body read to its end as a server would; the status code."""
    status: list[str] = []
    body = app(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        for _chunk in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close:
            close()
    return int(status[0].split()[0])


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    sys.exit(main())
