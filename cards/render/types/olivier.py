"""olivier: the Star Wars layout without stars or gradient: a bold white title with a black
stroke on the left, "EPISODE ONE" above it."""

from __future__ import annotations

from .. import fonts
from .base import Option
from .star_wars import StarWars


class Olivier(StarWars):
    name = "olivier"
    label = "Olivier"
    rank = 5

    title_font = fonts.GEOMETRIC_BOLD
    title_size = 124
    title_color = "white"
    title_kerning = 0
    title_stroke = 8
    title_line_spacing = 6
    title_max_width = 1500
    title_top = 785

    episode_font = fonts.SANS_BOLD
    episode_number_font = fonts.SANS_BOLD
    episode_size = 60
    episode_color = "white"
    episode_kerning = 4
    episode_stroke = 6

    stars = False

    options = {
        "episode_text_color": Option("color", None, "colour of the episode line"),
    }
