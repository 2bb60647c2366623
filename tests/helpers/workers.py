"""Functions that run in separate processes, each with its own app: competing gunicorn workers."""

from __future__ import annotations

import multiprocessing
import pkgutil
from collections import Counter
from multiprocessing.context import BaseContext

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"


def worker_processes() -> BaseContext:
    """Start competing worker processes as fresh as spawned ones, without each importing the
    portal anew (two seconds of CPU apiece): they are forked from a server process, started once
    per test process, that has only imported the portal's modules and these functions. They
    inherit no app, connection or thread of the test's."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["portal", *_portal_modules(), __name__])
    return context


def _portal_modules() -> list[str]:
    # Every module, not the package alone: create_app imports the features inside the function,
    # so a server holding only ``portal`` left each worker 1.8 s of imports.
    import portal

    return [module.name for module in pkgutil.walk_packages(portal.__path__, "portal.")]


def flask_command(env: dict[str, str], cwd: str, args: tuple[str, ...]) -> tuple[int, str, str]:
    """``flask --app app ARGS`` as its console script runs it, with ``env`` and in ``cwd``, in a
    worker process; returns the exit status, what it printed and what it logged."""
    import contextlib
    import io
    import os
    import sys
    import traceback

    from flask.cli import main

    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    sys.argv = ["flask", "--app", "app", *args]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main()
            status = 0
        except SystemExit as exit:
            status = exit.code if isinstance(exit.code, int) else int(exit.code is not None)
        except Exception:
            traceback.print_exc()
            status = 1
    return status, out.getvalue(), err.getvalue()


def _app(config: dict):
    from portal import create_app

    return create_app(config)


def dispose(app) -> None:
    from portal import dispose as release

    release(app)


def handoffs(config: dict, slug: str, count: int, barrier=None) -> Counter:
    """Follow a shared link to ``slug`` ``count`` times; returns the status codes seen."""
    app = _app(config)
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = BROWSER_UA
    if barrier is not None:
        barrier.wait(timeout=60)
    codes = Counter(client.get(f"/go/{slug}").status_code for _ in range(count))
    dispose(app)
    return codes


def deliver(config: dict, payload: bytes, signature: str, barrier=None) -> int:
    """Deliver one webhook body, as Stripe would, after every competitor is ready."""
    app = _app(config)
    client = app.test_client()
    if barrier is not None:
        barrier.wait(timeout=60)
    response = client.post(
        "/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )
    dispose(app)
    return response.status_code


def sign_in_guesses(config: dict, email: str, password: str, count: int, barrier=None) -> Counter:
    """Send ``count`` sign-ins from fresh browsers, all at once with the other processes;
    returns the status codes seen (200: checked and wrong, 303: signed in, 429: refused)."""
    import re

    app = _app(config)
    forms = []
    for _ in range(count):
        browser = app.test_client()
        page = browser.get("/staff/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page)[1]
        forms.append((browser, {"csrf_token": token, "email": email, "password": password}))
    if barrier is not None:
        barrier.wait(timeout=60)
    codes = Counter(browser.post("/staff/login", data=data).status_code for browser, data in forms)
    dispose(app)
    return codes


def contact_messages(config: dict, slug: str, count: int, barrier=None) -> Counter:
    """Send ``count`` messages to ``slug`` through its contact form from one visitor's address,
    all at once with the other processes; returns the status codes seen (303 sent, 429 held)."""
    import re

    app = _app(config)
    forms = []
    for _ in range(count):
        browser = app.test_client()
        page = browser.get(f"/engage/contact/{slug}").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page)[1]
        forms.append((browser, {"csrf_token": token, "message": "Hello from afar."}))
    if barrier is not None:
        barrier.wait(timeout=60)
    codes = Counter(
        browser.post(f"/engage/contact/{slug}", data=data).status_code for browser, data in forms
    )
    dispose(app)
    return codes
