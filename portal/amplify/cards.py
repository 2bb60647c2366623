"""Share cards: the picture a link preview shows, drawn by the portal in the page's language.

A card is named by a hash of everything drawn on it, so a changed name or description is a new
file and an unchanged one is drawn once. Arabic and Hebrew are shaped and ordered by Pillow's
libraqm layout (HarfBuzz and FriBiDi); one font, DejaVu Sans, covers all three scripts.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

from portal.amplify.mark import GREEN, draw_mark

SIZES = {"wide": (1200, 630), "square": (1080, 1080)}
# Bump when the drawing changes, so every cached card is drawn again.
LAYOUT_VERSION = "2"
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
_PAPER = (251, 250, 247)
_INK = (29, 36, 51)
_MUTED = (91, 100, 117)


@dataclass(frozen=True)
class Card:
    """What one card shows."""

    name: str
    line: str
    footer: str
    language: str
    direction: str  # "ltr" or "rtl": the page's, which sets the alignment
    shape: str

    @property
    def digest(self) -> str:
        content = json.dumps([LAYOUT_VERSION, asdict(self)], ensure_ascii=False)
        return hashlib.sha256(content.encode()).hexdigest()[:16]


def card_file(card: Card, folder: Path) -> Path:
    """The card's PNG in ``folder``, drawn now if no earlier request drew it. Safe to race."""
    path = folder / f"{card.digest}-{card.shape}.png"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        # Written aside then renamed: a reader never sees half a file.
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as tmp:
            draw_card(card).save(tmp, format="PNG", optimize=True)
        os.replace(tmp.name, path)
    return path


def draw_card(card: Card) -> Image.Image:
    """The card as an RGB image of its shape's size: the mark and the portal's name at the top,
    then the name, as large as fits, then the line."""
    width, height = SIZES[card.shape]
    image = Image.new("RGB", (width, height), _PAPER)
    draw = ImageDraw.Draw(image)
    margin = width // 15
    rtl = card.direction == "rtl"
    band = (width - margin // 4, 0, width, height) if rtl else (0, 0, margin // 4, height)
    draw.rectangle(band, fill=GREEN)
    mark_size = round(margin * 1.2)
    mark = draw_mark(mark_size)
    image.paste(mark, (width - margin - mark_size if rtl else margin, margin), mark)
    gap = mark_size + margin // 3
    footer = _TextBox(draw, card, left=margin + (0 if rtl else gap), right=width - margin)
    if rtl:
        footer.right -= gap
    footer.write(card.footer, top=margin + mark_size * 0.3, sizes=(width // 40,), max_lines=1)
    text = _TextBox(draw, card, left=margin, right=width - margin)
    name_lines = 2 if card.shape == "wide" else 4
    y = text.write(card.name, top=margin * 2.7, sizes=_steps(width // 15), max_lines=name_lines)
    text.write(
        card.line,
        top=y + margin // 4,
        sizes=(width // 32,),
        max_lines=name_lines + 1,
        bold=False,
        colour=_MUTED,
    )
    return image


def _steps(largest: int) -> tuple[int, ...]:
    return tuple(round(largest * factor) for factor in (1, 0.85, 0.72, 0.6))


class _TextBox:
    """Wrapped, aligned lines between two edges, laid out for the card's script."""

    def __init__(self, draw: ImageDraw.ImageDraw, card: Card, *, left: int, right: int):
        self.draw, self.card, self.left, self.right = draw, card, left, right
        self.layout = _layout_options(card)

    def write(self, text, *, top, sizes, max_lines, bold=True, colour=_INK) -> float:
        """Draw ``text`` from ``top`` down in the largest of ``sizes`` that fits ``max_lines``
        (cut with an ellipsis at the smallest); return where the next block may start."""
        for size in sizes:
            font = _font(size, bold)
            lines = self._lines(text, font)
            if len(lines) <= max_lines:
                break
        if len(lines) > max_lines:
            lines = [*lines[: max_lines - 1], lines[max_lines - 1] + " …"]
        anchor, x = ("ra", self.right) if self.card.direction == "rtl" else ("la", self.left)
        for line in lines:
            self.draw.text((x, top), line, font=font, fill=colour, anchor=anchor, **self.layout)
            top += size * 1.3
        return top

    def _lines(self, text: str, font) -> list[str]:
        lines: list[str] = []
        for word in text.split():
            candidate = f"{lines[-1]} {word}" if lines else word
            if lines and self._width(candidate, font) <= self.right - self.left:
                lines[-1] = candidate
            else:
                lines.append(word)
        return lines

    def _width(self, text: str, font) -> float:
        return self.draw.textlength(text, font=font, **self.layout)


def _layout_options(card: Card) -> dict:
    """Raqm's options. No direction: each text takes its own from its first strong letter, so
    an English description on an Arabic card keeps its full stop at its end; the page's
    direction only aligns the lines."""
    if not features.check("raqm"):
        return {}  # basic layout: Latin is right, Arabic would be unjoined, so it stays unset
    return {"language": card.language}


@cache
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        path = Path(folder) / name
        if path.exists():
            layout = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
            return ImageFont.truetype(str(path), size, layout_engine=layout)
    return ImageFont.load_default(size)  # Latin only: the card still says who, in English
