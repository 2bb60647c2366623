"""How pytest-xdist shares the suite between its workers under ``--dist loadgroup``.

pytest-xdist tells its scheduler a test's group by appending ``@group`` to the test's node id;
pytest 9.2 no longer lets a plugin change a node id, so the groups were silently ignored and the
fault suites, the nginx tests and two Chromiums ran side by side (pytest-xdist issue 1386). This
scheduler reads the group from the test's folder instead, from the node id as collected.

Groups go out first, the largest first (xdist's loadscope order), one to each worker; every other
test is a unit of its own that goes to whichever worker is free, so both finish together."""

from __future__ import annotations

import pytest
from xdist.scheduler import LoadScopeScheduling

# The gunicorn, nginx and strace tests run one at a time, on one worker. The browser tests are
# two groups of about the same length, each with its own Chromium, so that both workers can drive
# one: the axe walks of every page, and the journeys. The security walks share one survey of the
# routes and one hostile walk (tests/security/walk.py, test_escaping.py): they go to one worker
# together.
GROUPS = {
    "faults": "servers",
    "production": "servers",
    "browser": "browser",
    "browser/test_accessibility.py": "axe",
    "security/test_escaping.py": "walks",
    "security/test_fuzz.py": "walks",
}


def group_of(nodeid: str) -> str | None:
    """The group of a test by its file or folder under tests/, or None for a test that goes
    anywhere."""
    parts = nodeid.split("::", 1)[0].split("/")
    if len(parts) < 3 or parts[0] != "tests":
        return None
    return GROUPS.get("/".join(parts[1:])) or GROUPS.get(parts[1])


class FolderGroups(LoadScopeScheduling):
    def _split_scope(self, nodeid: str) -> str:
        return group_of(nodeid) or nodeid


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # before xdist's own
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "loadgroup":
        return FolderGroups(config, log)
    return None
