"""Charts drawn on the server as inline SVG: no script, no inline style, a title and a description.

pygal draws them; what it adds for its own script and stylesheet is taken out, because the
portal's Content-Security-Policy forbids both, and ``static/portal.css`` colours the chart
instead. Each chart is one image to assistive technology, named by its title and described by
its description; the page puts the same numbers in a table beside it.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import pygal
from flask_babel import gettext as _
from markupsafe import Markup
from pygal.etree import etree as pygal_etree

# The clean-up below edits the standard library's elements, but pygal draws with lxml whenever it
# is installed (feedgen brings it): every report page failed. Draw with the standard library.
pygal_etree.to_etree()

_ids = itertools.count(1)


def line_chart(
    title: str, description: str, labels: Sequence[str], series: dict[str, Sequence[int]]
) -> Markup:
    """A line chart of whole numbers over ``labels`` (days or months), as inline SVG markup."""
    chart = pygal.Line(
        js=[],
        css=[],
        disable_xml_declaration=True,
        width=900,
        height=360,
        title=title,
        show_dots=len(labels) <= 62,
        dots_size=2.5,
        show_minor_x_labels=False,
        x_labels_major_count=min(len(labels), 8),
        x_label_rotation=0,
        truncate_label=-1,
        legend_at_bottom=True,
        include_x_axis=True,
        min_scale=1,
        max_scale=6,
        value_formatter=lambda value: f"{value:,.0f}",
        classes=["pygal-chart", "report-chart-svg"],
    )
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    chart.add_xml_filter(_accessible(title, description))
    # ElementTree escapes every text and attribute it writes, labels and names included.
    return Markup(chart.render(is_unicode=True))  # noqa: S704


def referrals_chart(days) -> Markup:
    """The staff report's daily referrals: people, bots and unique visitors."""
    return line_chart(
        _("Referrals per day"),
        _(
            "Referrals by people, by bots and link previews, and unique visitors for each day "
            "from %(since)s to %(until)s (UTC). The table below gives the same numbers.",
            since=days[0].day.isoformat(),
            until=days[-1].day.isoformat(),
        ),
        [line.day.isoformat() for line in days],
        {
            _("People"): [line.humans for line in days],
            _("Bots and link previews"): [line.bots for line in days],
            _("Unique visitors"): [line.visitors for line in days],
        },
    )


def _accessible(title: str, description: str):
    def clean(root: ET.Element) -> ET.Element:
        number = next(_ids)
        _strip(root)
        title_node = ET.Element("title")
        root.insert(0, title_node)
        title_node.text = title
        title_node.set("id", f"chart-title-{number}")
        desc = ET.Element("desc", {"id": f"chart-desc-{number}"})
        desc.text = description
        root.insert(list(root).index(title_node) + 1, desc)
        root.set("role", "img")
        root.set("aria-labelledby", f"chart-title-{number} chart-desc-{number}")
        root.set("focusable", "false")
        root.attrib.pop("id", None)
        return root

    return clean


def _strip(root: ET.Element) -> None:
    """Remove comments, stylesheets, inline styles, tooltips and per-point titles and notes."""
    for parent in root.iter():
        for child in list(parent):
            tag = child.tag if isinstance(child.tag, str) else ""
            classes = child.get("class", "").split()
            unwanted = (
                not tag
                or tag.endswith("style")
                or tag.endswith("script")
                or tag.endswith(("desc", "title", "defs"))
                or "tooltip-overlay" in classes
                or "text-overlay" in classes
            )
            if unwanted:
                parent.remove(child)
            else:
                child.attrib.pop("style", None)
