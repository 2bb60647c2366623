"""Secrets stay out of logs: a member's report link under real gunicorn, logs read afterwards."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from portal.member_reports import service as member_links
from portal.staff.audit import Actor

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def report_token(app, db_session, make_org) -> str:
    member = make_org("olive-press", name="Olive Press")
    now = datetime.now(UTC)
    link = member_links.issue_link(
        db_session,
        app.secret_key,
        Actor.of(None),
        member,
        expires=now.date() + timedelta(days=30),
        now=now,
    )
    db_session.commit()
    return link.token


@pytest.fixture
def gunicorn(app_config, tmp_path):
    """The portal under gunicorn (2 workers, access and error logs to files): its port and logs."""
    logs = {"access": tmp_path / "access.log", "error": tmp_path / "error.log"}
    env = {
        **os.environ,
        "SECRET_KEY": app_config["SECRET_KEY"],
        "DATABASE_URL": app_config["DATABASE_URL"],
        "REFERRAL_SPOOL": app_config["REFERRAL_SPOOL"],
        "SESSION_COOKIE_SECURE": "false",
        "PORTAL_BIND": "127.0.0.1:0",
        "PORTAL_WORKERS": "2",
        "PORTAL_ACCESS_LOG": str(logs["access"]),
        "PORTAL_ERROR_LOG": str(logs["error"]),
        "PORTAL_LOG_LEVEL": "debug",
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        yield _port(logs["error"], server), logs
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _port(error_log: Path, server: subprocess.Popen) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        text = error_log.read_text() if error_log.exists() else ""
        if "Booting worker" in text and (found := re.search(r"Listening at: \S+:(\d+)", text)):
            return int(found[1])
        time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


def get(port: int, path: str, cookie: str | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_a_report_link_leaves_the_address_and_no_log_keeps_its_token(gunicorn, report_token):
    port, logs = gunicorn

    opened = get(port, f"/reports/member/{report_token}?by=month")
    cookie = opened.headers["Set-Cookie"].split(";")[0]
    report = get(port, opened.headers["Location"], cookie)
    mangled = get(port, f"/reports/member/{report_token[:-4]}abcd")
    _send_raw(port, f"GET /reports/member/{report_token} HTTP/1.1 and more\r\n\r\n".encode())
    time.sleep(1)  # gunicorn writes its logs after answering

    assert opened.status == 303
    assert opened.headers["Location"] == "/reports/member/?by=month"
    assert report.status == 200
    assert mangled.status == 404
    access, error = logs["access"].read_text(), logs["error"].read_text()
    assert report_token not in access and report_token[:40] not in access
    assert report_token not in error and report_token[:40] not in error
    assert access.count('"GET /reports/member/[redacted] HTTP/1.1" 303') == 1
    assert '"GET /reports/member/ HTTP/1.1" 200' in access
    assert "Invalid request from ip=[redacted]" in error
    assert "/reports/member/[redacted]" in error


def _send_raw(port: int, request: bytes) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        connection.recv(1024)
