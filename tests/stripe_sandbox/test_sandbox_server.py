"""The server wrapper, the WSGI factory and the command line: loopback only."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import stripe

from stripe_sandbox import SandboxServer
from stripe_sandbox.__main__ import parse_args
from stripe_sandbox.app import create_sandbox
from stripe_sandbox.server import is_loopback

REPO = Path(__file__).resolve().parents[2]


# The wildcard addresses appear only to check that they are refused.
ALL_INTERFACES = "0.0.0.0"  # noqa: S104


@pytest.mark.parametrize("host", [ALL_INTERFACES, "192.168.1.20", "example.org", "::"])
def test_refuses_non_loopback_hosts(host):
    with pytest.raises(ValueError, match="loopback"):
        SandboxServer(host=host)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1"])
def test_loopback_hosts_are_recognised(host):
    assert is_loopback(host)


def test_cli_refuses_non_loopback_host(capsys):
    with pytest.raises(SystemExit) as caught:
        parse_args(["--host", ALL_INTERFACES])

    assert caught.value.code == 2
    assert "loopback" in capsys.readouterr().err


def test_cli_defaults():
    args = parse_args([])

    assert (args.host, args.port, args.webhook_url) == ("127.0.0.1", 12111, None)
    assert args.retry_delays[0] > 0


def test_cli_reads_retry_delays():
    assert parse_args(["--retry-delays", "0.1, 2"]).retry_delays == (0.1, 2.0)


@pytest.mark.parametrize("delays", ["soon", "-1"])
def test_cli_refuses_bad_retry_delays(delays):
    with pytest.raises(SystemExit):
        parse_args(["--retry-delays", delays])


def test_url_is_known_once_started_and_server_stops():
    server = SandboxServer()
    assert server.url is None

    with server:
        url = server.url
        assert url.startswith("http://127.0.0.1:")

    with (
        pytest.raises(OSError),
        socket.create_connection(("127.0.0.1", int(url.rsplit(":")[-1])), 1),
    ):
        pass


def test_wsgi_app_works_without_a_server():
    app = create_sandbox(public_url="http://sandbox.test/")
    test_client = app.test_client()

    response = test_client.post(
        "/v1/checkout/sessions",
        data={
            "mode": "payment",
            "line_items[0][quantity]": "1",
            "line_items[0][price_data][currency]": "eur",
            "line_items[0][price_data][unit_amount]": "1500",
            "line_items[0][price_data][product_data][name]": "Hand in Hand",
        },
        headers={"Authorization": "Bearer sk_test_wsgi", "Stripe-Version": "2025-01-27.acacia"},
    )

    body = response.get_json()
    assert response.status_code == 200
    assert body["url"] == f"http://sandbox.test/pay/{body['id']}"
    assert response.headers["Request-Id"].startswith("req_")
    assert response.headers["Stripe-Version"] == "2025-01-27.acacia"


def test_wsgi_app_uses_the_request_host_without_public_url():
    test_client = create_sandbox().test_client()

    response = test_client.post(
        "/v1/checkout/sessions",
        data={
            "mode": "payment",
            "line_items[0][quantity]": "1",
            "line_items[0][price_data][currency]": "usd",
            "line_items[0][price_data][unit_amount]": "1500",
            "line_items[0][price_data][product_data][name]": "Hand in Hand",
        },
        headers={"Authorization": "Bearer sk_test_wsgi"},
    )

    assert response.get_json()["url"].startswith("http://localhost/pay/cs_test_")


def test_events_record_the_api_version_of_the_request(client, make_session):
    session = make_session(client)

    client.v1.checkout.sessions.expire(session.id)

    assert client.v1.events.list().data[0].api_version == stripe.api_version


def test_unknown_method_on_a_known_path_is_stripes_404(sandbox, http):
    result = http(
        "DELETE",
        f"{sandbox.url}/v1/checkout/sessions",
        headers={"Authorization": "Bearer sk_test_x"},
    )

    assert result.status == 404
    assert "Unrecognized request URL (DELETE" in result.json()["error"]["message"]


def test_non_api_404_is_plain(sandbox, http):
    assert http("GET", f"{sandbox.url}/nowhere").status == 404


def test_complete_checkout_helper_refuses_bad_input(sandbox, client, make_session):
    session = make_session(client)

    with pytest.raises(ValueError, match="valid email"):
        sandbox.complete_checkout(session.id, email="nope")
    with pytest.raises(ValueError, match="outcome"):
        sandbox.settle(session.id, "maybe")


def test_events_helper_lists_oldest_first(sandbox, client, make_session):
    first, second = make_session(client), make_session(client)
    sandbox.expire(first.id)
    sandbox.expire(second.id)

    assert [e["data"]["object"]["id"] for e in sandbox.events()] == [first.id, second.id]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert process.poll() is None, "the sandbox process exited early"
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the sandbox did not start listening")


def _process_state(pid: int) -> str:
    """What the kernel says a process and its threads are doing, for a failure message."""
    proc = Path(f"/proc/{pid}")
    try:
        status = {
            key: value.strip()
            for key, _sep, value in (
                line.partition(":") for line in (proc / "status").read_text().splitlines()
            )
        }
        threads = [
            f"{task.name}:{(task / 'comm').read_text().strip()}:{(task / 'wchan').read_text()}"
            for task in sorted((proc / "task").iterdir())
        ]
    except OSError as error:
        return f"unreadable ({error})"
    keys = ("State", "SigIgn", "SigBlk", "SigPnd", "ShdPnd", "Threads")
    return f"{ {key: status.get(key) for key in keys} } threads {threads}"


def test_command_line_serves_and_delivers_webhooks(receiver, build_params, http):
    port = _free_port()
    command = [sys.executable, "-m", "stripe_sandbox", "--port", str(port),
               "--webhook-url", receiver.url, "--webhook-secret", receiver.secret]  # fmt: skip
    # Its own session and no stdin: nothing of the test worker's (its execnet pipe, its process
    # group's signals) reaches the sandbox.
    process = subprocess.Popen(
        command,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _wait_for_port(port, process)
        client = stripe.StripeClient(
            "sk_test_cli", base_addresses={"api": f"http://127.0.0.1:{port}"}
        )
        session = client.v1.checkout.sessions.create(params=build_params())
        paid = http("POST", session.url, "action=pay&email=cli%40example.org")
        deadline = time.monotonic() + 15  # a loaded CI machine, two cores shared
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            out, _err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired as timeout:
            state = _process_state(process.pid)
            process.kill()  # never left running into the next test
            process.communicate()
            raise AssertionError(f"the sandbox did not exit after SIGINT: {state}") from timeout

    assert paid.status == 303
    assert receiver.types() == ["checkout.session.completed"]
    assert process.returncode == 0
    assert f"http://127.0.0.1:{port}" in out.decode()


def test_a_sandbox_bug_is_reported_as_a_stripe_api_error(client, make_session, monkeypatch):
    session = make_session(client)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("stripe_sandbox.flows.expire", broken)

    with pytest.raises(stripe.APIError) as caught:
        client.v1.checkout.sessions.expire(session.id)

    assert caught.value.http_status == 500
    assert "RuntimeError: boom" in caught.value.user_message


def test_command_line_stops_on_sigint_even_when_started_with_it_ignored():
    # As a shell starts a background job (``make run &``): SIGINT ignored from the start.
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "stripe_sandbox", "--port", str(port)],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        _wait_for_port(port, process)
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert process.returncode == 0
