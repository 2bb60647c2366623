"""`make bench`: the portal's own time to open a checkout, the Stripe sandbox's time taken out.

Run as ``.venv/bin/python -m bench.checkout [--gifts 300] [--warmup 30]``.

Each gift loads the donation form like a browser (not timed), then POSTs it through the Flask
test client to a portal whose Stripe calls go to the local sandbox served in this process. The
POST is timed whole, and so is each call of ``StripeGateway.create_checkout_session`` (wrapped
here, not in the portal); the portal's own time is the difference. The sandbox's server-side
time is measured too, so the stripe library's client-side share shows separately.
Exits non-zero only when the run itself is broken or a gift went wrong.
"""

from __future__ import annotations

import argparse
import random
import re
import secrets
import sqlite3
import statistics
import sys
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import (
    BrokenRun,
    SpeedProbe,
    percentile_ms,
    prepare_database,
    print_load_after,
    print_machine,
    run_in_scratch,
    server_env,
)
from bench.webhooks import RECIPIENTS

TARGET_P50_MS = 15.0
HIDDEN = r'name="{}" type="hidden" value="([^"]*)"'
CHOICES = {"USD": ("25", "50", "100", "250"), "EUR": ("25", "50"), "ILS": ("100", "180")}
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@dataclass
class Timings:
    """Seconds per gift: the whole POST, inside the gateway call, inside the sandbox."""

    total: list[float] = field(default_factory=list)
    gateway: list[float] = field(default_factory=list)
    sandbox: list[float] = field(default_factory=list)

    @property
    def portal(self) -> list[float]:
        """The portal's own time: the POST without the gateway call."""
        return [t - g for t, g in zip(self.total, self.gateway, strict=True)]

    @property
    def portal_and_library(self) -> list[float]:
        """The POST without the sandbox's server-side time (the stripe library's work kept)."""
        return [t - s for t, s in zip(self.total, self.sandbox, strict=True)]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gifts", type=int, default=300, help="timed gifts")
    parser.add_argument("--warmup", type=int, default=30, help="untimed gifts first")
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--time-limit", type=float, default=180, help="seconds for all gifts")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark: 0 with figures (target met or not), 1 on wrong answers, 2 if broken."""
    args = parse_args(argv)
    return run_in_scratch("checkout-bench-", bench, args)


def bench(args: argparse.Namespace, tmp: Path) -> int:
    """Prepare the database, give ``warmup + gifts`` times, check the ledger, report."""
    from portal import dispose
    from stripe_sandbox import SandboxServer

    env = server_env(tmp)
    probe = print_machine(
        f"Flask test client in this process, SQLite, Stripe sandbox in-process (werkzeug "
        f"thread); {args.warmup} untimed + {args.gifts} timed gifts over {len(RECIPIENTS)} "
        f"recipients, one-time and monthly, some covering fees"
    )
    prepare_database(env)
    with SandboxServer() as sandbox, timed_sandbox(sandbox) as sandbox_times:
        app = portal_app(env, sandbox.url)
        try:
            timings, problems = give_all(app, args, sandbox.url, sandbox_times)
        finally:
            dispose(app)
    problems += check_ledger(tmp / "portal.db", args.warmup + args.gifts)
    print_summary(timings, problems, probe)
    return 1 if problems else 0


def portal_app(env: dict[str, str], sandbox_url: str):
    """The portal against the fresh database and the sandbox, rate limit out of the way."""
    from portal import create_app

    return create_app(
        {
            "DATABASE_URL": env["DATABASE_URL"],
            "SECRET_KEY": env["SECRET_KEY"],
            "REFERRAL_SPOOL": env["REFERRAL_SPOOL"],
            "SESSION_COOKIE_SECURE": False,
            "STRIPE_API_BASE": sandbox_url,
            "STRIPE_SECRET_KEY": "sk_test_bench",
            "STRIPE_WEBHOOK_SECRET": "whsec_bench",
            "STRIPE_MAX_NETWORK_RETRIES": 0,
            "CHECKOUT_RATE_LIMIT": 1_000_000_000,
        }
    )


@contextmanager
def timed_gateway():
    """Time every ``create_checkout_session`` call; yields the list the times go into."""
    from portal.stripe_gateway import StripeGateway

    original = StripeGateway.create_checkout_session
    spent: list[float] = []

    def create_checkout_session(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    StripeGateway.create_checkout_session = create_checkout_session
    try:
        yield spent
    finally:
        StripeGateway.create_checkout_session = original


@contextmanager
def timed_sandbox(sandbox):
    """Time the sandbox app's handling of each request (server side, in its own thread)."""
    original = sandbox.app.wsgi_app
    spent: list[float] = []

    def wsgi_app(environ, start_response):
        started = time.perf_counter()
        try:
            return original(environ, start_response)
        finally:
            if environ.get("PATH_INFO") == "/v1/checkout/sessions":
                spent.append(time.perf_counter() - started)

    sandbox.app.wsgi_app = wsgi_app
    try:
        yield spent
    finally:
        sandbox.app.wsgi_app = original


def give_all(app, args, sandbox_url: str, sandbox_times: list[float]):
    """The warm-up gifts, then the timed ones; returns their timings and any wrong answers."""
    rng = random.Random(args.seed)
    client = app.test_client()
    deadline = time.monotonic() + args.time_limit
    timings, problems = Timings(), []
    with timed_gateway() as gateway_times:
        for number in range(args.warmup + args.gifts):
            if time.monotonic() > deadline:
                raise BrokenRun(f"time limit reached after {number} gifts")
            slug, form = load_form(client, rng)
            mark = len(gateway_times), len(sandbox_times)
            started = time.perf_counter()
            response = client.post(f"/donate/{slug}", data=form, headers={"User-Agent": USER_AGENT})
            elapsed = time.perf_counter() - started
            location = response.headers.get("Location", "")
            if response.status_code != 303 or not location.startswith(f"{sandbox_url}/pay/"):
                problems.append(f"gift {number}: {response.status_code} {location!r}")
                continue
            if number >= args.warmup:
                timings.total.append(elapsed)
                timings.gateway.append(sum(gateway_times[mark[0] :]))
                timings.sandbox.append(sum(sandbox_times[mark[1] :]))
    return timings, problems


def load_form(client, rng: random.Random) -> tuple[str, dict[str, str]]:
    """GET a recipient's form like a browser and fill it with one donor's choices."""
    slug = rng.choice(RECIPIENTS)
    html = client.get(f"/donate/{slug}", headers={"User-Agent": USER_AGENT}).get_data(True)
    hidden = {name: re.search(HIDDEN.format(name), html) for name in ("csrf_token", "attempt")}
    if not all(hidden.values()):
        raise BrokenRun(f"/donate/{slug} has no CSRF token or attempt field")
    currency = rng.choice(list(CHOICES))
    form = {name: match[1] for name, match in hidden.items()}
    form.update(currency=currency, frequency=rng.choice(["one_time", "monthly"]))
    if rng.random() < 0.25:
        form.update(
            preset="other", other_amount=f"{rng.randrange(20, 500)}.{rng.randrange(100):02}"
        )
    else:
        form["preset"] = rng.choice(CHOICES[currency])
    if rng.random() < 0.5:
        form["cover_fees"] = "y"
    if rng.random() < 0.2:
        form["dedication"] = "In honour of Miriam " + secrets.token_hex(3)
    # What the form's script does as the donor chooses: the button learns the exact total.
    quote = client.get(f"/donate/{slug}/quote", query_string=form).get_json()
    if not quote or not quote["shown_total"]:
        raise BrokenRun(f"/donate/{slug}/quote did not price {form}")
    form["shown_total"] = quote["shown_total"]
    return slug, form


def check_ledger(db_path: Path, gifts: int) -> list[str]:
    """One open donation with a Checkout Session per gift, each on its own referral."""
    with closing(sqlite3.connect(db_path, timeout=30)) as db:
        rows = db.execute(
            "select count(*), count(distinct stripe_checkout_session_id), "
            "count(distinct referral_id), sum(status = 'open') from donation"
        ).fetchone()
    if rows != (gifts, gifts, gifts, gifts):
        return [f"donations (rows, sessions, referrals, open) = {rows}, expected {gifts} each"]
    return []


def print_summary(timings: Timings, problems: list[str], probe: SpeedProbe) -> None:
    """Percentiles of each share of a gift's POST, and the verdict."""
    if not timings.total:
        raise BrokenRun("no gift was timed: " + "; ".join(problems[:3]))
    print(
        f"\nPOST /donate/<slug>, {len(timings.total)} gifts     p50 ms   p90 ms   p99 ms  mean ms"
    )
    rows = (
        ("whole request", timings.total),
        ("inside the gateway call", timings.gateway),
        ("  of which sandbox server", timings.sandbox),
        ("portal only (whole - gateway)", timings.portal),
        ("portal + stripe library", timings.portal_and_library),
    )
    for label, values in rows:
        p50, p90, p99 = (percentile_ms(values, q) for q in (50, 90, 99))
        print(f"  {label:<32}{p50:>8.2f} {p90:>8.2f} {p99:>8.2f} "
              f"{statistics.fmean(values) * 1000:>8.2f}")  # fmt: skip
    print_load_after(probe)
    print("\nledger")
    for problem in problems:
        print(f"  PROBLEM  {problem}")
    if not problems:
        print("  every gift: a 303 to the sandbox's hosted page, one open donation with its own "
              "Checkout Session and referral  PASS")  # fmt: skip
    p50 = percentile_ms(timings.portal, 50)
    print("\ntargets")
    print(f"  checkout creation overhead of the portal (sandbox excluded), p50 {p50:.2f} ms  "
          f"(target < {TARGET_P50_MS:.0f} ms)  "
          f"{'PASS' if p50 < TARGET_P50_MS and not problems else 'MISSED'}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
