"""The deployment the README describes, built for real on loopback: nginx with TLS (the repo's
own site configuration) in front of two gunicorn instances. Donors keep getting through while
one instance is stopped mid-burst; every referral is stored once; a webhook applies once.

The module's tests share one deployment (nginx and two instances took ~7 s to start for each).
They run in file order: the first needs both instances serving and stops one; the others prove
the same with that instance stopped."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.db.engine import make_engine
from portal.models import (
    Donation,
    DonationStatus,
    Frequency,
    HandoffMode,
    Organization,
    Referral,
    StripeEvent,
)
from tests.helpers.databases import fresh_database
from tests.production.servers import free_port, wait_for

pytestmark = pytest.mark.slow

WEBHOOK_SECRET = "whsec_topology"
DONORS = 120
STOP_AFTER = 40
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"


def _need(program: str) -> str:
    path = shutil.which(program) or (
        f"/usr/sbin/{program}" if Path(f"/usr/sbin/{program}").exists() else None
    )
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{program} is required in CI (.ci/run installs it)")
        pytest.skip(f"{program} is not installed (apt-get install {program})")
    return path


@pytest.fixture(scope="module")
def deployment_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("topology")


@pytest.fixture(scope="module")
def database_url(migrated_template, deployment_dir) -> str:
    """The deployment's database, for the whole module: the instances serve it, and each test's
    own fixtures (``make_org``, ``db_session``) reach it too."""
    return fresh_database(migrated_template, deployment_dir)


@pytest.fixture(scope="module")
def certificate(deployment_dir) -> tuple[Path, Path]:
    cert, key = deployment_dir / "cert.pem", deployment_dir / "key.pem"
    subprocess.run(
        [
            _need("openssl"),
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _add_roots(database_url: str) -> None:
    engine = make_engine(database_url)
    with Session(engine) as session:
        session.add(
            Organization(
                slug="roots",
                name="Roots",
                donation_url="https://roots.example.org/give?lang=en",
                handoff_mode=HandoffMode.EXTERNAL,
            )
        )
        session.commit()
    engine.dispose()


@pytest.fixture(scope="module")
def instances(database_url, deployment_dir, repo_root):
    """Two gunicorn instances of the portal, as deploy/systemd/portal@.service runs them."""
    tmp_path = deployment_dir
    _add_roots(database_url)
    ports, processes, logs = [free_port(), free_port()], [], []
    for n, port in enumerate(ports):
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "GUNICORN"))},
            "SECRET_KEY": "topology-secret",
            "DATABASE_URL": database_url,
            "PROXY_HOPS": "1",
            "PORTAL_BIND": f"127.0.0.1:{port}",
            "PORTAL_WORKERS": "2",
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "TRUSTED_HOSTS": "127.0.0.1,localhost",
            "REFERRAL_SPOOL": str(tmp_path / f"spool-{n}.jsonl"),
            "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        }
        logs.append(tmp_path.joinpath(f"gunicorn-{n}.log").open("w"))
        processes.append(
            subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "-c",
                    "gunicorn.conf.py",
                    "app:app",
                ],
                cwd=repo_root,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=logs[-1],
            )
        )
    try:
        for n, port in enumerate(ports):
            try:
                wait_for(port, "/healthz", seconds=180)
            except AssertionError:
                raise AssertionError(
                    tmp_path.joinpath(f"gunicorn-{n}.log").read_text()[-3000:]
                ) from None
        yield list(zip(ports, processes, strict=True))
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            process.wait(timeout=30)
        for log in logs:
            log.close()


@pytest.fixture(scope="module")
def nginx(instances, certificate, deployment_dir, repo_root):
    """nginx serving the repo's site configuration, with only addresses and paths made local."""
    tmp_path = deployment_dir
    binary = _need("nginx")
    cert, key = certificate
    https = free_port()
    site = (repo_root / "deploy" / "nginx" / "portal.conf").read_text()
    site = re.sub(r"(?ms)^server \{\n    listen 80;.*?^\}\n", "", site)  # no plain-http redirect
    site = site.replace("listen [::]:443 ssl http2;\n", "")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    site = site.replace("127.0.0.1:8001", f"127.0.0.1:{instances[0][0]}")
    site = site.replace("127.0.0.1:8002", f"127.0.0.1:{instances[1][0]}")
    site = site.replace("/etc/ssl/portal/fullchain.pem", str(cert))
    site = site.replace("/etc/ssl/portal/privkey.pem", str(key))
    site = site.replace("/var/log/nginx/portal-error.log", str(tmp_path / "nginx-error.log"))
    (tmp_path / "site.conf").write_text(site)
    temp = " ".join(
        f"{kind}_temp_path {tmp_path / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"{'user root;' if os.geteuid() == 0 else ''}\n"
        f"daemon off; worker_processes 1; pid {tmp_path / 'nginx.pid'};\n"
        f"error_log {tmp_path / 'nginx-main-error.log'} crit;\n"
        "events { worker_connections 256; }\n"
        f"http {{ include /etc/nginx/mime.types; {temp} include {tmp_path / 'site.conf'}; }}\n"
    )
    process = subprocess.Popen(
        [binary, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    tls = ssl.create_default_context(cafile=str(cert))
    try:
        wait_for(https, "/healthz", tls=tls, seconds=60)
        yield https, tls
    finally:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=30)


def _get(port: int, tls: ssl.SSLContext, path: str, **headers) -> http.client.HTTPResponse:
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=30)
    conn.request("GET", path, headers={"User-Agent": BROWSER, **headers})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_donors_get_through_while_one_instance_stops(nginx, instances, db_session):
    port, tls = nginx
    locations = []
    assert all(process.poll() is None for _, process in instances), "runs first: both serve"

    for donor in range(DONORS):
        if donor == STOP_AFTER:
            instances[0][1].send_signal(signal.SIGTERM)  # `systemctl stop portal@…`: graceful
        response = _get(port, tls, "/go/roots?utm_campaign=newsletter")
        assert response.status == 302, f"donor {donor} got {response.status}"
        locations.append(response.getheader("Location"))

    assert instances[0][1].wait(timeout=30) == 0
    refs = [re.search(r"portal_ref=([0-9a-f]+)", url).group(1) for url in locations]
    assert all(
        url.startswith("https://roots.example.org/give?lang=en&utm_source=") for url in locations
    )
    stored = db_session.scalars(
        select(Referral.ref).where(Referral.utm_campaign == "newsletter")
    ).all()
    assert sorted(stored) == sorted(refs)
    assert len(set(refs)) == DONORS


def test_https_is_what_the_portal_sees_behind_the_proxy(nginx, make_org):
    port, tls = nginx
    make_org("hand-in-hand", handoff_mode=HandoffMode.STRIPE)

    response = _get(port, tls, "/donate/hand-in-hand")

    assert response.status == 200
    cookies = response.headers.get_all("Set-Cookie")
    assert cookies and all("Secure" in cookie for cookie in cookies)
    assert "max-age=31536000" in response.getheader("Strict-Transport-Security", "")
    assert response.getheader("Content-Encoding") == "gzip" or response.getheader("Vary")


def test_a_webhook_through_the_proxy_applies_once(nginx, instances, make_org, db_session):
    port, tls = nginx
    org = make_org("parents-circle", handoff_mode=HandoffMode.STRIPE)
    donation = Donation(
        organization_id=org.id,
        amount=5000,
        currency="USD",
        frequency=Frequency.ONE_TIME,
        status=DonationStatus.OPEN,
        stripe_checkout_session_id="cs_test_topology",
    )
    db_session.add(donation)
    db_session.commit()
    instances[0][1].send_signal(signal.SIGTERM)  # nothing if the first test stopped it
    instances[0][1].wait(timeout=30)
    event = {
        "id": "evt_topology", "object": "event", "type": "checkout.session.completed",
        "created": int(time.time()), "api_version": "2025-03-31.basil",
        "data": {"object": {
            "id": "cs_test_topology", "object": "checkout.session", "status": "complete",
            "payment_status": "paid", "payment_intent": "pi_topology",
            "metadata": {"donation_id": str(donation.id)},
        }},
    }  # fmt: skip
    body = json.dumps(event).encode()

    answers = [_deliver(port, tls, body) for _ in range(2)]

    assert [status for status, _ in answers] == [200, 200]
    assert [outcome for _, outcome in answers] == ["applied", "duplicate"]
    db_session.expire_all()
    assert db_session.get(Donation, donation.id).status == DonationStatus.PAID
    assert db_session.scalar(select(func.count()).select_from(StripeEvent)) == 1


def _deliver(port: int, tls: ssl.SSLContext, body: bytes) -> tuple[int, str]:
    timestamp = int(time.time())
    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=30)
    conn.request(
        "POST",
        "/stripe/webhook",
        body=body,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": f"t={timestamp},v1={digest.hexdigest()}",
        },
    )
    response = conn.getresponse()
    answer = json.loads(response.read() or b"{}")
    conn.close()
    return response.status, answer.get("outcome", "")
