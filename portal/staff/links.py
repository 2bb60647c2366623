"""Checking that every recipient's donation page still answers, and remembering the answer."""

from __future__ import annotations

import http.client
import socket
import ssl
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import LinkCheck, Organization

USER_AGENT = "CoalitionPortal-LinkCheck/1.0"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_NOT_ALLOWED = {405, 501}  # servers that refuse HEAD: ask again with GET

Fetch = Callable[[urllib.request.Request, float], object]


@dataclass(frozen=True, slots=True)
class Target:
    organization_id: int
    slug: str
    url: str


@dataclass(frozen=True, slots=True)
class LinkResult:
    target: Target
    ok: bool
    status_code: int | None = None
    error: str | None = None


def targets(session: Session) -> list[Target]:
    """Every recipient that has a donation URL, by slug."""
    rows = session.execute(
        select(Organization.id, Organization.slug, Organization.donation_url)
        .where(Organization.donation_url.is_not(None))
        .order_by(Organization.slug)
    )
    return [Target(*row) for row in rows]


def check_all(
    to_check: list[Target],
    *,
    timeout: float,
    allow_http_loopback: bool = False,
    fetch: Fetch | None = None,
    on_result: Callable[[LinkResult], None] = lambda result: None,
    workers: int = 8,
) -> list[LinkResult]:
    """Request every target a few at a time; never raises for a failing site."""
    results = []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(to_check)))) as pool:
        futures = [
            pool.submit(
                check_url,
                target,
                timeout=timeout,
                allow_http_loopback=allow_http_loopback,
                fetch=fetch or _open,
            )
            for target in to_check
        ]
        for future in as_completed(futures):
            results.append(future.result())
            on_result(results[-1])
    return sorted(results, key=lambda result: result.target.slug)


def check_url(
    target: Target, *, timeout: float, allow_http_loopback: bool = False, fetch: Fetch
) -> LinkResult:
    """HEAD the donation page (GET if the server refuses HEAD) and say how it answered."""
    if not _may_request(target.url, allow_http_loopback):
        return LinkResult(target, False, error="not an https address")
    try:
        code = _status(fetch, target.url, "HEAD", timeout)
        if code in _NOT_ALLOWED:
            code = _status(fetch, target.url, "GET", timeout)
    except (OSError, http.client.HTTPException, ValueError) as error:
        return LinkResult(target, False, error=_describe(error))
    return LinkResult(target, 200 <= code < 300, status_code=code)


def record_results(session: Session, results: list[LinkResult], *, now: datetime) -> None:
    """Keep each recipient's latest check, replacing the one before. Flushes, never commits."""
    for result in results:
        check = session.get(LinkCheck, result.target.organization_id) or LinkCheck(
            organization_id=result.target.organization_id
        )
        check.checked_at, check.url, check.ok = now, result.target.url, result.ok
        check.status_code, check.error = result.status_code, result.error
        session.add(check)
    session.flush()


def last_checks(session: Session) -> dict[int, LinkCheck]:
    return {check.organization_id: check for check in session.scalars(select(LinkCheck))}


def _status(fetch: Fetch, url: str, method: str, timeout: float) -> int:
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,*/*"}
    request = urllib.request.Request(url, method=method, headers=headers)  # noqa: S310
    try:
        with fetch(request, timeout) as response:
            return response.status
    except HTTPError as error:
        error.close()
        return error.code


def _open(request: urllib.request.Request, timeout: float):
    # The scheme was checked before (https, or plain http to this machine in tests).
    return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310


def _may_request(url: str, allow_http_loopback: bool) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    return allow_http_loopback and parts.scheme == "http" and parts.hostname in _LOOPBACK


def _describe(error: BaseException) -> str:
    reason = error.reason if isinstance(error, URLError) else error
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return "host not found"
    if isinstance(reason, ssl.SSLError | ssl.CertificateError):
        return f"TLS error: {reason}"[:200]
    return (str(reason) or type(reason).__name__)[:200]
