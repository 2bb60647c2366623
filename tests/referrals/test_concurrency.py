"""Hand-offs from competing worker processes: every one logged, none lost, no lock errors."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from portal.models import Referral
from tests.helpers.workers import handoffs, worker_processes

PROCESSES = 4
PER_PROCESS = 500


@pytest.mark.slow
def test_concurrent_handoffs_from_several_processes_are_all_logged(
    app_config, make_org, db_session
):
    make_org("roots")
    config = {key: value for key, value in app_config.items() if key != "SERVER_NAME"}
    context = worker_processes()
    barrier = context.Manager().Barrier(PROCESSES)

    with context.Pool(PROCESSES) as pool:
        results = pool.starmap(handoffs, [(config, "roots", PER_PROCESS, barrier)] * PROCESSES)

    codes = sum(results, Counter())
    assert codes == Counter({302: PROCESSES * PER_PROCESS})
    db_session.rollback()
    assert db_session.scalar(select(func.count(Referral.id))) == PROCESSES * PER_PROCESS
    assert db_session.scalar(select(func.count(func.distinct(Referral.ref)))) == 2000
