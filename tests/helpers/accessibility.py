"""axe-core in a Playwright page: the findings a page must not have."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

BLOCKING = {"serious", "critical"}

axe = Axe()


def blocking_violations(page) -> list[str]:
    """Serious and critical axe findings on the page, one line each."""
    found = axe.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in found
        if v["impact"] in BLOCKING
    ]
