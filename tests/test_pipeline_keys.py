"""A rating key from a webhook: a show means all its episodes, a season its episodes, an episode
itself. Unknown series are created on the fly; an unknown key fails with the reason."""

from __future__ import annotations

import pytest

from cards.keys import process_rating_key
from cards.models import Episode, Series, TitleCard
from cards.sync import episodes_for_key, sync_library
from connections.plex import PlexNotFound


def test_a_show_key_means_all_its_episodes(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", seasons=2, episodes=2)
    fake_plex.add_series("Other", episodes=1)

    episodes = episodes_for_key(plex_connection, plex_connection.client(), str(show))

    assert sorted(e.rating_key for e in episodes) == sorted(map(str, fake_plex.episodes(show)))
    assert Series.objects.get().rating_key == str(show)  # created on the fly


def test_a_season_key_means_its_episodes(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", seasons=2, episodes=3)
    season = fake_plex.items[show].children[1]

    episodes = episodes_for_key(plex_connection, plex_connection.client(), str(season))

    assert [(e.season_number, e.episode_number) for e in episodes] == [(2, 1), (2, 2), (2, 3)]
    assert Series.objects.get().title == "Harbour"


def test_an_episode_key_means_that_episode(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Señor Ñandú — 日本語", seasons=1, episodes=3)
    key = fake_plex.episodes(show)[1]

    outcome = process_rating_key(plex_connection, str(key))

    assert outcome.episodes == 1 and outcome.uploaded == 1
    episode = Episode.objects.get()
    assert episode.rating_key == str(key) and episode.series.title == "Señor Ñandú — 日本語"
    assert TitleCard.objects.get().episode == episode


def test_an_unknown_key_is_not_found(fake_plex, plex_connection) -> None:
    fake_plex.add_series("Harbour")
    with pytest.raises(PlexNotFound) as caught:
        process_rating_key(plex_connection, "424242")
    assert "424242" in str(caught.value)
    assert not Episode.objects.exists()


def test_a_show_key_renders_every_episode(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", seasons=2, episodes=2)

    outcome = process_rating_key(plex_connection, str(show))

    assert (outcome.episodes, outcome.rendered, outcome.uploaded) == (4, 4, 4)
    assert all(fake_plex.labels(k) == ["tcm"] for k in fake_plex.episodes(show))


@pytest.mark.parametrize("which", ["show", "season"])
def test_a_show_or_season_key_keeps_the_episodes_guids(fake_plex, plex_connection, which) -> None:
    # Listings carry <Guid> only when asked (includeGuids=1): without it, processing a show or
    # season key stored its episodes with no tvdb/tmdb/imdb ids.
    show = fake_plex.add_series("Harbour", seasons=1, episodes=0)
    season = fake_plex.items[show].children[0]
    ids = ["tvdb://7001", "tmdb://7002", "imdb://tt0007003"]
    first = fake_plex.add_episode(season, 1, "Pilot", guids=ids)
    fake_plex.add_episode(season, 2, "Second")
    sync_library(plex_connection)
    synced = {e.rating_key: (e.guid_tvdb, e.guid_tmdb, e.guid_imdb) for e in Episode.objects.all()}
    assert synced[str(first)] == ("7001", "7002", "tt0007003")

    process_rating_key(plex_connection, str(show if which == "show" else season))

    after = {e.rating_key: (e.guid_tvdb, e.guid_tmdb, e.guid_imdb) for e in Episode.objects.all()}
    assert after == synced
    sync_library(plex_connection)
    again = {e.rating_key: (e.guid_tvdb, e.guid_tmdb, e.guid_imdb) for e in Episode.objects.all()}
    assert again == synced
