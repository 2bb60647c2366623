"""``python -m stripe_sandbox``: run the sandbox on loopback for ``make run``."""

from __future__ import annotations

import argparse
import contextlib
import signal

from stripe_sandbox.server import SandboxServer, is_loopback
from stripe_sandbox.webhooks import SANDBOX_WEBHOOK_SECRET

# More patient than the test default: in `make run` the portal may still be starting.
_DEV_RETRY_DELAYS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


def _delays(text: str) -> tuple[float, ...]:
    try:
        delays = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError("use seconds such as 0.5,1,2") from error
    if any(delay < 0 for delay in delays):
        raise argparse.ArgumentTypeError("delays cannot be negative")
    return delays


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line; refuses hosts other than loopback."""
    parser = argparse.ArgumentParser(
        prog="python -m stripe_sandbox",
        description="Local Stripe-compatible sandbox (no money moves). Loopback only.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhook-url", default=None)
    parser.add_argument("--webhook-secret", default=SANDBOX_WEBHOOK_SECRET)
    parser.add_argument(
        "--retry-delays",
        type=_delays,
        default=_DEV_RETRY_DELAYS,
        help="seconds between webhook retries, comma-separated (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        parser.error(f"refusing to bind to {args.host!r}: the sandbox listens on loopback only")
    return args


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted."""
    args = parse_args(argv)
    server = SandboxServer(
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        host=args.host,
        port=args.port,
        retry_delays=args.retry_delays,
        log_requests=True,
    )
    # A program a shell started in the background (``make run &``, a CI step) inherits SIGINT
    # ignored, and Python then leaves it ignored: the sandbox stops on it all the same.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    target = args.webhook_url or "no webhook URL"
    print(f"Stripe sandbox on http://{args.host}:{args.port} → webhooks to {target}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
