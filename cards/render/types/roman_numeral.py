"""roman_numeral: no picture at all: the episode number as a huge dark-red Roman numeral on a
plain card, the title across it and "SEASON 1" small beside its top. A spoiler-safe choice: it
needs no still."""

from __future__ import annotations

from PIL import Image

from .. import effects, fonts, layout
from ..layout import Block
from .base import Card, CardType, Option, parse_color

CARDO = fonts.bundled("Cardo104s.ttf")


class RomanNumeral(CardType):
    name = "roman_numeral"
    label = "Roman numeral"
    rank = 19
    aliases = ("roman",)

    still = "unused"
    fills_canvas = False
    background = "black"
    # The blur styles soften the numeral (by the reference's 30 px): the unwatched look stays
    # recognisable while the title, as on every card, stays sharp.
    blur_radius = 30

    title_font = CARDO
    title_size = 150
    title_color = "white"
    title_word_spacing = 20  # the reference's +40 on a narrower space
    title_case = "upper"
    title_max_lines = 5
    title_max_width = 2800

    season_format = "SEASON {season_number}"
    episode_format = "{episode_number:roman}"  # the numeral
    season_font = CARDO
    season_size = 50
    season_color = "#C8C8C8"  # on black; on another background the font colour
    season_gap = 12  # between the numeral's ink and the season text

    numeral_color = "#AE2317"
    numeral_size = 1040  # capitals 717 px tall, as the reference's 1250 pt Sinete's
    numeral_rise = 30  # the numeral is centred this far above the canvas centre
    numeral_max_width = 3100
    numeral_split = 5  # numerals this long go on two lines
    numeral_pitch = 1.08  # baseline to baseline, in capital heights: the lines nearly touch

    options = {
        "background": Option("color", None, "colour of the card (black)"),
        "roman_numeral_color": Option("color", None, "colour of the numeral (dark red)"),
        "season_text_color": Option(
            "color", None, "default: light grey on black, else the font colour"
        ),
    }

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        numeral = self.numeral(card)
        if numeral is not None:
            self.draw_numeral(card, canvas, numeral)
        card.draw(canvas, self.season_line(card, numeral))
        card.draw(canvas, self.title(card))

    def numeral(self, card: Card) -> Block | None:
        """The numeral, on two lines when long, shrunk to the canvas, centred."""
        text = "".join(part for part, _ in card.episode_parts or []).strip()
        if not text:
            return None
        color = card.option("roman_numeral_color") or parse_color(self.numeral_color)
        style = card.style(CARDO, self.numeral_size, color)
        texts = [text]
        if len(text) >= self.numeral_split:
            half = (len(text) + 1) // 2
            texts = [text[:half], text[half:]]
        # Shrunk to the canvas: the widest line to its width (cut at the smallest size, for a
        # literal episode text), all lines alike, then all of them to its height.
        max_width = min(card.px(self.numeral_max_width), card.width - 2 * card.margin)
        fitted = [layout.fit_line([(t, style)], max_width) for t in texts]
        texts = [pieces[0][0] for pieces in fitted if pieces]
        if not texts:
            return None
        factor = min(pieces[0][1].size for pieces in fitted if pieces) / style.size
        height = _cap_height(style) * (1 + self.numeral_pitch * (len(texts) - 1))
        factor = min(factor, (card.height - 2 * card.margin) / height)
        if factor < 1:
            style = style.scaled(factor)
        cap = _cap_height(style)
        lines = [layout.render_line([(t, style)], card.missing) for t in texts]
        middle = card.height / 2 - card.px(self.numeral_rise)
        pitch = cap * self.numeral_pitch
        first = middle - pitch * (len(lines) - 1) / 2 + cap / 2
        block = Block.stack(lines, card.width / 2, first, pitch, "center", "down")
        block.keep_inside(card.width, card.height, min(card.margin, 8))
        return block

    def draw_numeral(self, card: Card, canvas: Image.Image, numeral: Block) -> None:
        if not card.look.blur:
            card.draw(canvas, numeral)
            return
        radius = card.blur_radius
        masked = numeral.mask(int(radius * 3) + 2)
        if masked is None:
            return
        mask, left, top = masked
        soft = effects.blur(mask, radius)
        color = numeral.lines[0].parts[0].style.color
        canvas.paste(effects.ink(canvas, color), (left, top), soft)
        card.boxes.extend(ink for line in numeral.lines if (ink := line.ink()) is not None)

    def season_line(self, card: Card, numeral: Block | None) -> Block | None:
        """Small, right-aligned to the numeral just above it; under it when there is no room
        above (a two-line numeral)."""
        if not card.season_text:
            return None
        color = card.option("season_text_color")
        if color is None:
            background = card.option("background") or parse_color(self.background)
            color = (
                parse_color(self.season_color)
                if background == (0, 0, 0)
                else card.title_style.color
            )
        segments = [(card.season_text, self.season_style(card, color))]
        box = numeral.bbox() if numeral else None
        if box is None:  # no numeral: over the title
            return card.line_block(segments, card.width / 2, card.height / 4, "center")
        gap = card.px(self.season_gap)
        cap = _cap_height(segments[0][1])
        if box[1] - gap - cap >= card.margin:
            return card.line_block(segments, box[2] - gap, box[1] - gap, "right")
        return card.line_block(segments, box[0] + gap, box[3] + gap + cap, "left")

    def season_style(self, card: Card, color: tuple[int, int, int]) -> layout.TextStyle:
        return card.style(self.season_font, self.season_size, color)

    def title(self, card: Card) -> Block | None:
        """Centred on the canvas, by its capitals."""
        block = card.title_block(card.width / 2, 0, "center", "down")
        if block is None:
            return None
        first = block.lines[0]
        style = first.parts[0].style if first.parts else card.title_style
        middle = (first.y - _cap_height(style) + block.lines[-1].y) / 2
        block.shift(0, card.height / 2 - middle)
        return block


def _cap_height(style: layout.TextStyle) -> float:
    """The height of a capital I: where a numeral's ink starts above its baseline."""
    font = fonts.load(style.font, style.px)
    return float(-font.getbbox("I", anchor="ls")[1])
