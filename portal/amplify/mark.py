"""The coalition's mark, drawn: two rings that overlap, on the portal's green.

The same geometry as ``static/icons/mark.svg`` (a 64-unit square), so the favicon, the app
icons and the corner of every share card are one picture at different sizes.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO

from PIL import Image, ImageDraw

GREEN = (15, 107, 92)
GOLD = (242, 183, 5)
WHITE = (255, 255, 255)
_RINGS = ((25, GOLD), (39, WHITE))  # centre x and colour; both at y 32, radius 13, stroke 6


def draw_mark(size: int) -> Image.Image:
    """The mark as a ``size``×``size`` RGBA image (drawn 4× larger, then scaled: smooth edges)."""
    big = size * 4
    unit = big / 64
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=14 * unit, fill=GREEN)
    for centre_x, colour in _RINGS:
        box = [(centre_x - 16) * unit, 16 * unit, (centre_x + 16) * unit, 48 * unit]
        draw.ellipse(box, outline=colour, width=round(6 * unit))
    return image.resize((size, size), Image.Resampling.LANCZOS)


@cache
def icon_bytes(kind: str) -> bytes:
    """``favicon.ico`` (16, 32 and 48 px) or an app icon PNG of ``kind`` pixels."""
    out = BytesIO()
    if kind == "ico":
        draw_mark(48).save(out, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    else:
        draw_mark(int(kind)).save(out, format="PNG", optimize=True)
    return out.getvalue()
