"""The fault table printed after a run: every fault test's tally, gathered from every xdist
worker through the test reports (a worker's memory never reaches the terminal)."""

from __future__ import annotations

_ROWS: list[dict] = []
KEY = "fault_tally"


def record(request, row: dict) -> None:
    """Keep ``row`` with the running test's report, for the table."""
    request.node.user_properties.append((KEY, row))


def pytest_runtest_logreport(report):
    if report.when == "teardown":
        _ROWS.extend(value for name, value in report.user_properties if name == KEY)


def pytest_terminal_summary(terminalreporter):
    if not _ROWS:
        return
    terminalreporter.section("fault table")
    header = f"{'fault':<60} {'donors':>6} {'redirected':>10} {'stored':>6} {'from log':>8}"
    terminalreporter.write_line(f"{header} {'lost':>5} {'duplicated':>10} {'extra':>5}")
    for row in _ROWS:
        terminalreporter.write_line(
            f"{row['fault']:<60} {row['donors']:>6} {row['redirected']:>10} {row['stored']:>6} "
            f"{row['from_log']:>8} {row['lost']:>5} {row['duplicated']:>10} {row['extra']:>5}"
        )
