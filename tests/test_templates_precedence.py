"""Which template applies (the first whose filters all hold; an attached one wins), and the
precedence of every setting: built-in defaults → Plex connection → template → series →
episode, each reported with where it came from."""

from __future__ import annotations

from cards.looks import Rules, card_settings
from cards.models import Episode, Font, Series, Template, TemplateFilter


def make(plex_connection, **series_fields) -> Episode:
    fields = {"title": "Frieren", "library": "Anime", "genres": ["Animation"], **series_fields}
    series = Series.objects.create(connection=plex_connection, rating_key="1", **fields)
    return Episode.objects.create(
        connection=plex_connection,
        series=series,
        rating_key="2",
        title="Pilot",
        season_number=1,
        episode_number=1,
    )


def template(name: str, order: int, *filters: tuple[str, str, str], **fields) -> Template:
    made = Template.objects.create(name=name, order=order, **fields)
    for field, operation, value in filters:
        TemplateFilter.objects.create(template=made, field=field, operation=operation, value=value)
    return made


def source(settings, name: str) -> tuple[str, str]:
    [(value, where)] = [(v, w) for n, v, w in settings.sources if n == name]
    return value, where


def test_of_two_templates_whose_filters_overlap_the_first_wins(plex_connection) -> None:
    episode = make(plex_connection)
    template("Anime", 1, ("library", "equals", "Anime"), card_type="calligraphy")
    template("Animation", 2, ("genre", "contains", "animation"), card_type="comic_book")

    settings = card_settings(episode)

    assert settings.card_type == "calligraphy"
    assert source(settings, "card type") == ("calligraphy", "template 'Anime'")
    # Reordered: the other one is first now.
    Template.objects.filter(name="Animation").update(order=0)
    assert card_settings(episode).card_type == "comic_book"


def test_a_template_applies_only_when_all_its_filters_hold(plex_connection) -> None:
    episode = make(plex_connection)
    template(
        "Old anime",
        1,
        ("library", "equals", "Anime"),
        ("year", "less_than", "2000"),
        card_type="anime",
    )
    settings = card_settings(episode)
    assert settings.template is None
    assert source(settings, "card type") == (
        "standard",
        f"Plex connection '{plex_connection.name}'",
    )


def test_an_attached_template_wins_over_filter_matches(plex_connection) -> None:
    template("Anime", 1, ("library", "equals", "Anime"), card_type="calligraphy")
    chosen = template("Hand-picked", 9, ("library", "equals", "Nothing"), card_type="textless")
    episode = make(plex_connection, template=chosen)
    settings = card_settings(episode)
    assert settings.card_type == "textless"
    assert settings.template == chosen


def test_episode_level_filters_pick_per_episode(plex_connection) -> None:
    episode = make(plex_connection)
    later = Episode.objects.create(
        connection=plex_connection,
        series=episode.series,
        rating_key="3",
        title="Later",
        season_number=2,
        episode_number=1,
    )
    template("Season one", 1, ("season_number", "equals", "1"), card_type="olivier")
    rules = Rules.load()
    assert card_settings(episode, rules).card_type == "olivier"
    assert card_settings(later, rules).card_type == "standard"


def test_precedence_at_every_level(plex_connection) -> None:
    episode = make(plex_connection)
    connection_font = Font.objects.create(name="connection font")
    type_font = Font.objects.create(name="calligraphy font", default_for="calligraphy")
    template_font = Font.objects.create(name="template font")
    plex_connection.card_type = ""
    plex_connection.watched_style = ""
    plex_connection.episode_text_format = ""
    plex_connection.save()

    # Built-in defaults only.
    settings = card_settings(Episode.objects.get(pk=episode.pk))
    assert source(settings, "card type") == ("standard", "built-in default")
    assert source(settings, "watched style") == ("unique", "built-in default")
    assert source(settings, "hide season text") == ("no", "built-in default")

    # The connection.
    plex_connection.card_type = "anime"
    plex_connection.watched_style = "grayscale"
    plex_connection.font = connection_font
    plex_connection.episode_text_format = "EPISODIO {episode_number}"
    plex_connection.save()
    where = f"Plex connection '{plex_connection.name}'"
    settings = card_settings(Episode.objects.get(pk=episode.pk))
    assert source(settings, "card type") == ("anime", where)
    assert source(settings, "episode text format") == ("EPISODIO {episode_number}", where)
    assert source(settings, "font") == ("connection font", where)

    # A template over the connection.
    template(
        "Anime",
        1,
        ("library", "equals", "Anime"),
        card_type="calligraphy",
        episode_text_format="CAPÍTULO {episode_number}",
        hide_season_text=True,
        extras={"episode_text_color": "gold"},
    )
    settings = card_settings(Episode.objects.get(pk=episode.pk))
    assert source(settings, "card type") == ("calligraphy", "template 'Anime'")
    assert source(settings, "episode text format") == (
        "CAPÍTULO {episode_number}",
        "template 'Anime'",
    )
    assert source(settings, "hide season text") == ("yes", "template 'Anime'")
    assert source(settings, "option episode_text_color") == ("gold", "template 'Anime'")
    assert source(settings, "watched style") == ("grayscale", where)  # the template sets none
    # Calligraphy's own default font is more particular than the connection's font.
    assert source(settings, "font") == ("calligraphy font", "the default font for calligraphy")
    assert settings.font == type_font
    Template.objects.update(font=template_font)
    assert card_settings(Episode.objects.get(pk=episode.pk)).font == template_font

    # The series over the template.
    Series.objects.update(
        card_type="olivier", hide_season_text=False, extras={"episode_text_color": "red"}
    )
    settings = card_settings(Episode.objects.get(pk=episode.pk))
    assert source(settings, "card type") == ("olivier", "series")
    assert source(settings, "hide season text") == ("no", "series")
    assert settings.extras == (("episode_text_color", "red"),)
    assert source(settings, "episode text format") == (
        "CAPÍTULO {episode_number}",
        "template 'Anime'",
    )

    # The episode over the series.
    Episode.objects.update(card_type="star_wars")
    settings = card_settings(Episode.objects.get(pk=episode.pk))
    assert source(settings, "card type") == ("star_wars", "episode")


def test_a_card_types_default_font_when_nobody_chooses_one(plex_connection) -> None:
    episode = make(plex_connection)
    script = Font.objects.create(name="script", default_for="Calligraphy, tinted frame")
    plex_connection.card_type = "calligraphy"
    plex_connection.save()
    settings = card_settings(Episode.objects.get(pk=episode.pk))
    assert settings.font == script
    assert source(settings, "font") == ("script", "the default font for calligraphy")
    plex_connection.card_type = "tinted_frame"
    plex_connection.save()
    assert card_settings(Episode.objects.get(pk=episode.pk)).font == script
    plex_connection.card_type = "standard"
    plex_connection.save()
    assert card_settings(Episode.objects.get(pk=episode.pk)).font is None


def test_rules_load_once_and_resolution_makes_no_query(
    plex_connection, django_assert_num_queries
) -> None:
    episode = make(plex_connection)
    template("Anime", 1, ("library", "equals", "Anime"), card_type="calligraphy")
    episode = Episode.objects.select_related("series", "connection", "font").get(pk=episode.pk)
    rules = Rules.load()
    with django_assert_num_queries(0):
        assert card_settings(episode, rules).card_type == "calligraphy"


def test_unsaved_rows_resolve_too(plex_connection, django_assert_num_queries) -> None:
    """What a form's preview does: a series and template as the form holds them, unsaved."""
    series = Series(connection=plex_connection, title="New", library="Anime", card_type="")
    episode = Episode(connection=plex_connection, series=series, title="Pilot", season_number=1)
    draft = Template(name="Draft", card_type="fade")
    from cards.looks import TemplateRule
    from cards.models import TemplateFilter as Row

    rules = Rules(
        templates=(
            TemplateRule.build(draft, [Row(field="library", operation="equals", value="anime")]),
        )
    )
    with django_assert_num_queries(0):
        settings = card_settings(episode, rules, series=series, connection=plex_connection)
    assert settings.card_type == "fade"
    assert source(settings, "card type") == ("fade", "template 'Draft'")
