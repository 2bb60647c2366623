"""``make run``: serve the portal locally, with the Stripe sandbox when no real keys are set."""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys

from dotenv import load_dotenv


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--sandbox-port", type=int, default=12111)
    args = parser.parse_args()
    load_dotenv()
    env = dict(os.environ)
    sandbox = None
    if not env.get("STRIPE_SECRET_KEY"):
        sandbox, sandbox_env = _start_sandbox(args)
        env.update(sandbox_env)
    print(f"\n  The portal: http://{args.host}:{args.port}\n", flush=True)
    try:
        return subprocess.call(  # noqa: S603 — our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "app",
                "run",
                "--host",
                args.host,
                "--port",
                str(args.port),
            ],
            env=env,
        )
    except KeyboardInterrupt:
        return 0
    finally:
        if sandbox is not None:
            sandbox.terminate()
            sandbox.wait(timeout=10)


def _start_sandbox(args) -> tuple[subprocess.Popen, dict[str, str]]:
    secret = "whsec_sandbox_" + secrets.token_hex(16)
    sandbox_url = f"http://{args.host}:{args.sandbox_port}"
    process = subprocess.Popen(  # noqa: S603 — our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "stripe_sandbox",
            "--host",
            args.host,
            "--port",
            str(args.sandbox_port),
            "--webhook-url",
            f"http://{args.host}:{args.port}/stripe/webhook",
            "--webhook-secret",
            secret,
        ],
    )
    print(f"  Stripe sandbox (no money moves): {sandbox_url}", flush=True)
    return process, {
        "STRIPE_SECRET_KEY": "sk_test_sandbox",
        "STRIPE_WEBHOOK_SECRET": secret,
        "STRIPE_API_BASE": sandbox_url,
        "STRIPE_SANDBOX": "1",
    }


if __name__ == "__main__":
    raise SystemExit(main())
