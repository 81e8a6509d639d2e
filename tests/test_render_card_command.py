"""The render_card management command: a card or a contact sheet from the command line, and one
clear line (no traceback) when something is wrong."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from cards.render.samples import save_landscape
from tests.support import ROOT


@pytest.fixture
def still(tmp_path) -> str:
    return save_landscape(str(tmp_path / "still.jpg"), 480, 270)


def test_it_writes_a_card(tmp_path, still: str) -> None:
    out = tmp_path / "card.jpg"
    call_command(
        "render_card", still, "--title", "The Long Night", "--season", "1", "--episode", "3",
        "--card-type", "anime", "--style", "blur", "--width", "640", "--height", "360",
        "--extra", "kanji=夜", "--out", str(out),
    )  # fmt: skip
    image = Image.open(out)
    assert image.format == "JPEG"
    assert image.size == (640, 360)


def test_a_graph_card_can_be_told_the_size_of_the_season(tmp_path, still: str) -> None:
    outs = []
    for episodes in ("10", "4"):
        out = tmp_path / f"graph-{episodes}.jpg"
        call_command(
            "render_card", still, "--title", "The Long Night", "--season", "1", "--episode", "3",
            "--season-episodes", episodes, "--card-type", "graph", "--width", "640",
            "--height", "360", "--out", str(out),
        )  # fmt: skip
        outs.append(out.read_bytes())
    assert outs[0] != outs[1]  # 3/10 and 3/4 are different rings


def test_it_writes_a_contact_sheet_of_every_type(tmp_path, still: str) -> None:
    from cards.render import card_type_choices

    sheet = tmp_path / "sheet.png"
    call_command(
        "render_card", still, "--title", "Pilot", "--season", "1", "--episode", "1",
        "--width", "640", "--height", "360", "--contact-sheet", str(sheet), "--tile-width", "160",
    )  # fmt: skip
    image = Image.open(sheet)
    assert image.width == 2 * 160
    assert image.height > len(card_type_choices()) * 90


def test_it_draws_the_series_logo_it_is_given(tmp_path, still: str) -> None:
    from cards.render.samples import save_logo

    out = tmp_path / "card.jpg"
    call_command(
        "render_card", "", "--title", "Pilot", "--card-type", "logo", "--width", "640",
        "--height", "360", "--logo", save_logo(str(tmp_path / "logo.png")), "--out", str(out),
    )  # fmt: skip
    image = Image.open(out).convert("L")
    assert image.crop((100, 90, 540, 140)).getextrema()[1] > 200  # the white logo, no still


def test_it_needs_somewhere_to_write(still: str) -> None:
    with pytest.raises(CommandError, match="--out"):
        call_command("render_card", still, "--title", "x")


def run_in_process(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    """`manage.py render_card <argv>` in this process, as manage.py runs a command
    (run_from_argv: a CommandError becomes one line on stderr and the exit code); what it exited
    with, and what it wrote to stderr. A Django start per case would cost seconds and tell
    nothing more: test_the_command_line_says_what_is_wrong_in_one_line starts the real one."""
    from django.core.management import load_command_class

    command = load_command_class("cards", "render_card")  # its stderr: capsys's, from here on
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["manage.py", "render_card", *argv])
    return exited.value.code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing.jpg"], "source image not found: missing.jpg"),
        (["{still}", "--card-type", "fancy"], "unknown card type 'fancy'"),
        (["{still}", "--font", "nope.ttf"], "font file not found: nope.ttf"),
        (["{notes}"], "not an image"),
        (["{still}", "--font", "{broken_font}"], "cannot read font"),
        (["{still}", "--card-type", "logo"], "no logo for this series"),
    ],
)
def test_errors_exit_non_zero_with_one_clear_line(
    tmp_path, still: str, arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.jpg"
    notes.write_text("text")
    broken_font = tmp_path / "broken.ttf"
    broken_font.write_bytes(b"\x00\x01\x00\x00 not really a font")
    args = [a.format(still=still, notes=notes, broken_font=broken_font) for a in arguments]
    code, stderr = run_in_process(capsys, [*args, "--title", "x", "--out", str(tmp_path / "o.jpg")])
    assert code != 0
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert message in lines[0]


@pytest.mark.slow
def test_the_command_line_says_what_is_wrong_in_one_line(tmp_path, still: str) -> None:
    # The real `python manage.py render_card`, Django's start and all: nothing else on stderr.
    done = subprocess.run(
        [sys.executable, "manage.py", "render_card", still, "--card-type", "fancy", "--title",
         "x", "--out", str(tmp_path / "o.jpg")],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "unknown card type 'fancy'" in lines[0]


def test_it_takes_the_series_logo_for_the_types_that_draw_one(tmp_path, still: str) -> None:
    from cards.render.samples import save_logo

    out = tmp_path / "card.jpg"
    arguments = [still, "--title", "Pilot", "--card-type", "music", "--out", str(out)]
    with pytest.raises(CommandError, match="no logo for this series"):
        call_command("render_card", *arguments)
    call_command("render_card", *arguments, "--logo", save_logo(str(tmp_path / "logo.png")))
    assert Image.open(out).size == (3200, 1800)


def test_the_renderer_alone_writes_the_same_bytes_without_django(tmp_path, still: str) -> None:
    # python -m cards.render (./tcm render-card) takes the same arguments and never starts
    # Django: the command line's one card costs the card, not Django's start.
    args = [still, "--title", "Pilot", "--season", "1", "--episode", "2", "--card-type", "anime",
            "--width", "640", "--height", "360"]  # fmt: skip
    call_command("render_card", *args, "--out", str(tmp_path / "django.jpg"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    script = (
        "import runpy, sys\n"
        "try:\n    runpy.run_module('cards.render', run_name='__main__')\n"
        "except SystemExit as stop:\n    code = stop.code\n"
        "assert not [m for m in sys.modules if m.startswith('django')]\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *args, "--out", str(tmp_path / "alone.jpg")],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "alone.jpg").read_bytes() == (tmp_path / "django.jpg").read_bytes()


def test_the_renderer_alone_says_what_is_wrong_in_one_line(tmp_path, still: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cards.render", still, "--card-type", "nope", "--out",
         str(tmp_path / "x.jpg")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith("error: unknown card type 'nope'")
    assert "Traceback" not in done.stderr
