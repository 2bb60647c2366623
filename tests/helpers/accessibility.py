"""axe-core in a Playwright page: the findings a page must not have."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

BLOCKING = {"serious", "critical"}
# Only violations come back: the passes would carry every node axe looked at.
OPTIONS = {"resultTypes": ["violations"]}

axe = Axe()


def blocking_violations(page) -> list[str]:
    """Serious and critical axe findings on the page as it is now, one line each.

    axe is put into the page once per document (half a megabyte of script to compile), so a
    page checked again after a change of width runs only the checks."""
    if page.evaluate("() => typeof window.axe === 'undefined'"):
        page.evaluate(axe.axe_script)
    found = page.evaluate("options => axe.run(options)", OPTIONS)["violations"]
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in found
        if v["impact"] in BLOCKING
    ]
