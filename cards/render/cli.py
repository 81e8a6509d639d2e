"""Render one title card from a picture, or a contact sheet of every card type, without Plex
and without Django: the renderer alone, so one card from the command line takes about as long as
the card (starting Django would take longer than rendering).

    python -m cards.render still.jpg --title "Pilot" --season 1 --episode 1 --out card.jpg
    ./tcm render-card still.jpg --title "Pilot" --contact-sheet sheet.png

`manage.py render_card` takes the same arguments and writes the same bytes (it calls this).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from . import STYLES, CardSpec, FontSpec, RenderError, card_type_choices, render
from . import fonts as bundled_fonts

HELP = "Render a title card (or a contact sheet of every card type) from a picture."


SHEET_STYLES = ("unique", "blur grayscale")


class UsageError(Exception):
    """The arguments cannot make a card; the message says which and why."""


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"--extra wants key=value, not {text!r}")
    return key.strip(), value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="the episode still (JPEG, PNG, WebP...)")
    parser.add_argument("--title", default="", help=r"episode title; \n breaks the line")
    parser.add_argument("--season", type=int, help="season number (0 = specials)")
    parser.add_argument("--episode", type=int, help="episode number")
    parser.add_argument("--absolute", type=int, help="absolute episode number")
    parser.add_argument(
        "--season-episodes", type=int, help="last episode number of the season (graph)"
    )
    parser.add_argument("--series", default="", help="series name, for {series_name}")
    names = [name for name, _ in card_type_choices()]
    parser.add_argument("--card-type", default="standard", help=f"one of: {', '.join(names)}")
    parser.add_argument("--style", default="unique", help=f"one of: {', '.join(STYLES)}")
    parser.add_argument("--art", help="series background art, for the art styles")
    parser.add_argument("--logo", help="series logo (transparent PNG), for the types using one")
    parser.add_argument("--poster", help="series poster, for the types using one")
    parser.add_argument("--font", help="a .ttf/.otf file for the title")
    parser.add_argument("--font-color", help="title colour, e.g. #EBEBEB")
    parser.add_argument("--font-size", type=float, default=1.0, help="title size scale")
    parser.add_argument("--kerning", type=float, default=1.0, help="letter spacing scale")
    parser.add_argument("--stroke-width", type=float, default=1.0, help="stroke width scale")
    parser.add_argument("--stroke-color", help="title stroke colour")
    parser.add_argument("--interline-spacing", type=int, default=0, help="extra px between lines")
    parser.add_argument("--vertical-shift", type=int, default=0, help="px, positive = down")
    parser.add_argument("--case", choices=["upper", "lower", "title", "source"])
    parser.add_argument(
        "--replace",
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="replace text in the title",
    )
    parser.add_argument("--episode-text", help="literal episode line")
    parser.add_argument("--episode-text-format", help="e.g. 'EPISODE {episode_number:cardinal}'")
    parser.add_argument("--season-text", help="season part, e.g. 'BOOK ONE'")
    parser.add_argument("--hide-season-text", action="store_true")
    parser.add_argument("--hide-episode-text", action="store_true")
    parser.add_argument(
        "--extra", action="append", default=[], metavar="KEY=VALUE", help="card type option"
    )
    parser.add_argument("--width", type=int, default=3200)
    parser.add_argument("--height", type=int, default=1800)
    parser.add_argument("--quality", type=int, default=95)
    parser.add_argument("--out", help="where to write the card (JPEG)")
    parser.add_argument(
        "--contact-sheet",
        metavar="SHEET",
        help=f"write every card type x {{{', '.join(SHEET_STYLES)}}} into one picture",
    )
    parser.add_argument(
        "--tile-width", type=int, default=800, help="width of one card on the contact sheet"
    )


Write = Callable[[str], Any]


def run(options: dict[str, Any], out: Write, err: Write) -> None:
    """What the arguments ask for; `out` and `err` take one line each. UsageError or
    RenderError when it cannot be done."""
    if not options["out"] and not options["contact_sheet"]:
        raise UsageError("say where to write: --out card.jpg and/or --contact-sheet sheet.png")
    spec = spec_from(options)
    if options["out"]:
        write_card(spec, options["out"], out, err)
    if options["contact_sheet"]:
        write_sheet(spec, options["contact_sheet"], options["tile_width"], out)


def spec_from(options: dict[str, Any]) -> CardSpec:
    font = FontSpec(
        file=options["font"],
        color=options["font_color"],
        size=options["font_size"],
        kerning=options["kerning"],
        stroke_width=options["stroke_width"],
        stroke_color=options["stroke_color"],
        interline_spacing=options["interline_spacing"],
        vertical_shift=options["vertical_shift"],
        case=options["case"],
        replacements=tuple(_key_value(r) for r in options["replace"]),
    )
    return CardSpec(
        source=options["source"],
        title=options["title"].replace("\\n", "\n"),
        season_number=options["season"],
        episode_number=options["episode"],
        absolute_number=options["absolute"],
        season_episode_max=options["season_episodes"],
        series_name=options["series"],
        card_type=options["card_type"],
        style=options["style"],
        art=options["art"],
        logo=options["logo"],
        poster=options["poster"],
        font=font,
        episode_text=options["episode_text"],
        episode_text_format=options["episode_text_format"],
        season_text=options["season_text"],
        hide_season_text=options["hide_season_text"],
        hide_episode_text=options["hide_episode_text"],
        width=options["width"],
        height=options["height"],
        quality=options["quality"],
        extras=tuple(_key_value(e) for e in options["extra"]),
    )


def write_card(spec: CardSpec, path: str, out: Write, err: Write) -> None:
    start = time.perf_counter()
    result = render(spec)
    elapsed = (time.perf_counter() - start) * 1000
    _save(path, lambda name: Path(name).write_bytes(result.data))
    for warning in result.warnings:
        err(f"warning: {warning}")
    out(f"{path}: {spec.card_type}, {spec.style}, {len(result.data)} bytes, {elapsed:.0f} ms")


def write_sheet(spec: CardSpec, path: str, tile_width: int, out: Write) -> None:
    """Rows: card types; columns: styles. Each card rendered at full size, then scaled."""
    if not 64 <= tile_width <= 3200:
        raise UsageError("--tile-width must be between 64 and 3200")
    import tempfile  # here: one card from the command line needs none of it

    with tempfile.TemporaryDirectory() as folder:
        draw_sheet(with_samples(spec, Path(folder)), path, tile_width, out)


def with_samples(spec: CardSpec, folder: Path) -> CardSpec:
    """The spec with a generated logo and poster where it has none: the sheet shows every
    type, and some cannot do without them."""
    from . import samples

    name = (spec.series_name or "The Long Night").upper()
    return dataclasses.replace(
        spec,
        logo=spec.logo or samples.save_logo(str(folder / "logo.png"), name),
        poster=spec.poster or samples.save_poster(str(folder / "poster.jpg")),
    )


def draw_sheet(spec: CardSpec, path: str, tile_width: int, out: Write) -> None:
    kinds = [name for name, _ in card_type_choices()]
    tile = (tile_width, round(tile_width * spec.height / spec.width))
    caption = max(14, tile[0] // 32)
    label_font = bundled_fonts.load(bundled_fonts.SANS_SEMIBOLD, caption)
    row_height = tile[1] + caption * 2
    sheet = Image.new("RGB", (tile[0] * len(SHEET_STYLES), row_height * len(kinds)), (24, 24, 24))
    pen = ImageDraw.Draw(sheet)
    extras = dict(spec.extras)
    for row, kind in enumerate(kinds):
        for column, style in enumerate(SHEET_STYLES):
            card_extras = dict(extras)
            if kind == "anime" and "kanji" not in card_extras:
                card_extras["kanji"] = "長い夜"  # show the optional line too
            card = render(
                dataclasses.replace(
                    spec, card_type=kind, style=style, extras=tuple(card_extras.items())
                )
            )
            x, y = column * tile[0], row * row_height
            pen.text(
                (x + caption // 2, y + caption // 3),
                f"{kind} · {style}",
                font=label_font,
                fill=(220, 220, 220),
            )
            sheet.paste(card.image.resize(tile, Image.Resampling.LANCZOS), (x, y + caption * 2))
    _save(path, lambda name: sheet.save(name, optimize=True))
    out(f"{path}: {len(kinds)} card types x {len(SHEET_STYLES)} styles")


def _save(path: str, write: Callable[[str], object]) -> None:
    try:
        write(path)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot write {path}: {exc}") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cards.render", description=HELP)
    add_arguments(parser)
    options = vars(parser.parse_args(argv))
    try:
        run(options, print, lambda line: print(line, file=sys.stderr))
    except (UsageError, RenderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
