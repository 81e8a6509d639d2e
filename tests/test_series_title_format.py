"""A series' title format: the title every episode's card draws, built from the episode's fields
("{series_name}: {title}", "Chapter {episode_number:cardinal}"); an episode's own title text
wins; a format the renderer cannot use is refused on the form, not on every card later."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.exceptions import ValidationError

from cards.looks import build_spec, card_settings
from cards.models import Episode, Series
from cards.render import CardSpec, render
from cards.render.samples import save_landscape


@pytest.fixture(scope="module")
def still(tmp_path_factory: pytest.TempPathFactory) -> str:
    return save_landscape(str(tmp_path_factory.mktemp("still") / "still.jpg"), 400, 225)


def spec(still: str, **fields: object) -> CardSpec:
    values = {"source": still, "title": "The Pilot", "season_number": 1, "episode_number": 3}
    return CardSpec(**{**values, "series_name": "Harbour", "width": 640, "height": 360, **fields})


def test_the_card_draws_the_formatted_title(still: str) -> None:
    formatted = render(spec(still, title_format="Chapter {episode_number:cardinal}: {title}"))
    literal = render(spec(still, title="Chapter Three: The Pilot"))
    assert formatted.image.tobytes() == literal.image.tobytes()


def test_a_break_in_the_format_and_in_the_title_are_kept(still: str) -> None:
    formatted = render(spec(still, title="The\nPilot", title_format="{series_name}\n{title}"))
    assert len(formatted.text_boxes) == 4  # three title lines and the episode line


def test_a_field_without_a_value_leaves_the_plain_title(still: str) -> None:
    # No absolute number: the card shows the title rather than "Episode ".
    formatted = render(spec(still, title_format="Episode {absolute_number:cardinal}"))
    plain = render(spec(still))
    assert formatted.image.tobytes() == plain.image.tobytes()


def test_the_format_changes_the_fingerprint(still: str) -> None:
    base = spec(still)
    assert (
        dataclasses.replace(base, title_format="{title}!").fingerprint_data()
        != base.fingerprint_data()
    )


def test_the_series_format_reaches_the_spec_and_an_episode_text_wins(plex_connection) -> None:
    series = Series.objects.create(
        connection=plex_connection,
        rating_key="1",
        title="Harbour",
        title_format=r"{series_name}\n{title}",
    )
    first, second = (
        Episode.objects.create(
            connection=plex_connection, series=series, rating_key=str(n), title=f"Part {n}"
        )
        for n in (2, 3)
    )
    second.title_text = "Finale"
    second.save()

    assert build_spec(first, card_settings(first), "s.jpg", None).title_format == (
        "{series_name}\n{title}"
    )
    own = build_spec(second, card_settings(second), "s.jpg", None)
    assert (own.title, own.title_format) == ("Finale", None)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title_format", "{name}", "unknown field {name} in the title format"),
        ("title_format", "Chapter {episode_number", "bad title format"),
        ("episode_text_format", "EPISODE {}", "the episode text format needs field names"),
        ("episode_text_format", "{title:roman}", "the :roman helper needs a number"),
    ],
)
def test_a_format_the_renderer_cannot_use_is_refused_on_the_form(
    plex_connection, field: str, value: str, message: str
) -> None:
    series = Series(connection=plex_connection, rating_key="1", title="Harbour", **{field: value})
    with pytest.raises(ValidationError) as caught:
        series.full_clean()
    assert message in " ".join(caught.value.message_dict[field])
