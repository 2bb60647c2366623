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
from flask import g
from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup
from pygal.etree import etree as pygal_etree

from portal.i18n import day, short_day

# The clean-up below edits the standard library's elements, but pygal draws with lxml whenever it
# is installed (feedgen brings it): every report page failed. Draw with the standard library.
pygal_etree.to_etree()


# A phone shows the narrow drawing and a wider screen the wide one (CSS picks); a single
# drawing scaled down to a phone made its labels about 5 px high.
_SIZES = {"chart-wide": (900, 340, 8), "chart-narrow": (420, 320, 4)}


def line_chart(
    title: str, description: str, labels: Sequence[str], series: dict[str, Sequence[int]]
) -> Markup:
    """A line chart of whole numbers over ``labels`` (days or months), as inline SVG markup.

    The title and the legend are HTML beside the drawing, so they wrap and keep the page's
    type size on any screen; the drawing itself carries them as its accessible name.
    """
    ticks = integer_ticks(max((max(values, default=0) for values in series.values()), default=0))
    drawings = [
        _drawing(size, title, description, labels, series, ticks) for size in _SIZES.items()
    ]
    return _caption(title, series) + Markup("").join(drawings)


def integer_ticks(highest: int, *, most: int = 6) -> list[int]:
    """Whole-number y-axis ticks from 0 past ``highest``, at most ``most`` of them: 0, 1, 2, 3."""
    step = 1
    while highest / step > most - 1:
        step = next(s * 10**e for e in range(12) for s in (1, 2, 5) if s * 10**e > step)
    top = -(-max(highest, 1) // step) * step
    return list(range(0, top + 1, step))


def _drawing(size, title, description, labels, series, ticks) -> Markup:
    css_class, (width, height, label_count) = size
    chart = pygal.Line(
        js=[],
        css=[],
        disable_xml_declaration=True,
        width=width,
        height=height,
        show_legend=False,
        show_dots=len(labels) <= 62,
        dots_size=2.5,
        show_minor_x_labels=False,
        x_labels_major_count=min(len(labels), label_count),
        x_label_rotation=0,
        truncate_label=-1,
        include_x_axis=True,
        value_formatter=lambda value: format_decimal(value, format="#,##0"),
        classes=["pygal-chart", "report-chart-svg"],
    )
    chart.x_labels = list(labels)
    chart.y_labels = ticks
    for name, values in series.items():
        chart.add(name, list(values))
    chart.add_xml_filter(_accessible(title, description))
    # ElementTree escapes every text and attribute it writes, labels and names included.
    svg = chart.render(is_unicode=True)
    return Markup('<div class="{}">{}</div>').format(css_class, Markup(svg))  # noqa: S704


def _caption(title: str, series: dict[str, Sequence[int]]) -> Markup:
    """The visible title and legend; hidden from screen readers, which get them from the SVG."""
    keys = Markup("").join(
        Markup('<li><span class="chart-key color-{}"></span>{}</li>').format(number, name)
        for number, name in enumerate(series)
    )
    return Markup(
        '<div class="chart-caption" aria-hidden="true"><p class="chart-title">{}</p>'
        '<ul class="chart-legend">{}</ul></div>'
    ).format(title, keys)


def referrals_chart(days) -> Markup:
    """The staff report's daily referrals: people, bots and unique visitors."""
    return line_chart(
        _("Referrals per day"),
        _(
            "Referrals by people, by bots and link previews, and unique visitors for each day "
            "from %(since)s to %(until)s (UTC). The table below gives the same numbers.",
            since=day(days[0].day),
            until=day(days[-1].day),
        ),
        [short_day(line.day) for line in days],
        {
            _("People"): [line.humans for line in days],
            _("Bots and link previews"): [line.bots for line in days],
            _("Unique visitors"): [line.visitors for line in days],
        },
    )


def _accessible(title: str, description: str):
    def clean(root: ET.Element) -> ET.Element:
        number = _next_chart_number()
        _strip(root)
        # makeelement: the same tree type pygal built (the standard library's, or lxml's when
        # another package has installed lxml).
        title_node = root.makeelement("title", {})
        root.insert(0, title_node)
        title_node.text = title
        title_node.set("id", f"chart-title-{number}")
        desc = root.makeelement("desc", {"id": f"chart-desc-{number}"})
        desc.text = description
        root.insert(list(root).index(title_node) + 1, desc)
        root.set("role", "img")
        root.set("aria-labelledby", f"chart-title-{number} chart-desc-{number}")
        root.set("focusable", "false")
        root.attrib.pop("id", None)
        return root

    return clean


def _next_chart_number() -> int:
    """Numbers for the drawings' ids, unique within one page: counted per app context (one per
    request), so a page's ids do not depend on what the worker drew before."""
    return next(g.setdefault("chart_numbers", itertools.count(1)))


def _strip(root: ET.Element) -> None:
    """Remove comments, stylesheets, inline styles, tooltips and per-point titles and notes."""
    for parent in list(root.iter()):  # a list first: lxml stops iterating a tree that changes
        for child in list(parent):
            tag = child.tag if isinstance(child.tag, str) else ""
            classes = (child.get("class") or "").split()  # an lxml comment answers None
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
