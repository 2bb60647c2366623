"""The fast-path hand-off in one process, without gunicorn or wrk: CPU per call, or where it goes.

Run as ``.venv/bin/python -m bench.handoff_profile [cpu|profile|loop] [--app portal|bare]
[--calls 2000] [--database-url URL]``. ``cpu`` prints user and kernel CPU per call, ``profile``
prints cProfile's tables, ``loop`` only runs the calls inside ``functools.reduce`` so that
callgrind counts instructions of the calls alone (stable on a loaded machine)::

    valgrind --tool=callgrind --collect-atstart=no --toggle-collect=functools_reduce \\
        .venv/bin/python -m bench.handoff_profile loop --calls 200

A ``--database-url`` other than the default SQLite file must name an empty database.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import os
import pstats
import resource
import sys
import tempfile
from pathlib import Path

from bench.harness import ROOT, prepare_database, server_env

ENVIRON = {
    "REQUEST_METHOD": "GET",
    "PATH_INFO": "/go/combatants-for-peace",
    "QUERY_STRING": "",
    "SERVER_NAME": "127.0.0.1",
    "SERVER_PORT": "8000",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "HTTP_HOST": "127.0.0.1:8000",
    "REMOTE_ADDR": "127.0.0.1",
    "wsgi.url_scheme": "http",
    "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36",
    "HTTP_ACCEPT": "text/html",
}


def main() -> int:
    """Prepare a database, build the app as a gunicorn worker would, and call it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("cpu", "profile", "loop"), default="cpu", nargs="?")
    parser.add_argument("--app", choices=("portal", "bare"), default="portal")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="handoff-profile-"))
    env = server_env(tmp, args.database_url)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp)  # counted in files, as under gunicorn
    prepare_database(env)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    if args.app == "bare":
        from bench.bare_app import app
    else:
        from app import app
    call = functools.partial(_call, app)
    for _ in range(50):  # the first hand-offs check the schema and load the day's salt
        status = call()
    print(f"{args.app} answers {status}")
    if args.mode == "loop":
        functools.reduce(lambda _, __: call(), range(args.calls), None)
    elif args.mode == "profile":
        profile = cProfile.Profile()
        profile.runcall(lambda: [call() for _ in range(args.calls)])
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
    else:
        before = resource.getrusage(resource.RUSAGE_SELF)
        for _ in range(args.calls):
            call()
        after = resource.getrusage(resource.RUSAGE_SELF)
        user = (after.ru_utime - before.ru_utime) / args.calls * 1e6
        kernel = (after.ru_stime - before.ru_stime) / args.calls * 1e6
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"{args.app}: {user + kernel:.0f} µs CPU per call ({kernel:.0f} in the kernel); "
              f"load average {load}")  # fmt: skip
    return 0


def _call(app) -> str:
    statuses = []
    environ = {**ENVIRON, "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr}
    body = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(body)
    getattr(body, "close", lambda: None)()
    return statuses[0]


if __name__ == "__main__":
    sys.exit(main())
