"""Under gunicorn, a scrape adds up every worker's numbers (Prometheus's multiprocess mode)."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.production.servers import free_port, wait_for

pytestmark = pytest.mark.slow
TOKEN = "scrape-token"
REQUESTS = 30


def _get(port: int, path: str, **headers) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


@pytest.fixture
def served(app, database_url, tmp_path, repo_root):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "PROMETHEUS_"))},
        "SECRET_KEY": "metrics-secret",
        "DATABASE_URL": database_url,
        "PORTAL_BIND": f"127.0.0.1:{port}",
        "PORTAL_WORKERS": "3",
        "METRICS_TOKEN": TOKEN,
        "REFERRAL_SPOOL": str(tmp_path / "spool.jsonl"),
    }
    with (tmp_path / "gunicorn.log").open("w") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "app:app"],
            cwd=repo_root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            wait_for(port, "/healthz", seconds=180)
            yield port
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_a_scrape_counts_the_requests_of_every_worker(served):
    for _ in range(REQUESTS):
        assert _get(served, "/healthz", Connection="close")[0] == 200

    status, body = _get(served, "/metrics", Authorization=f"Bearer {TOKEN}")

    assert status == 200
    counts = {
        tuple(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
        if sample.name == "portal_request_seconds_count"
    }
    # The probes of wait_for count too: at least every request of this test, from all workers.
    assert counts[(("method", "GET"), ("status", "200"))] >= REQUESTS
