"""What the client reads from Plex, through the real plexapi."""

from __future__ import annotations

import hashlib

from connections.plex import EpisodeInfo, PlexClient, SeasonInfo, ShowInfo


def test_it_describes_the_server_and_its_tv_libraries(fake_plex) -> None:
    fake_plex.add_series("Harbour", library="TV Shows")
    fake_plex.add_series("Cartoons", library="Kids TV")
    info = PlexClient(fake_plex.url, fake_plex.token).server_info()
    assert info.name == "Fake Plex"
    assert info.version == fake_plex.version
    assert info.tv_libraries == ["TV Shows", "Kids TV"]


def test_it_tells_shows_seasons_and_episodes_apart(fake_plex) -> None:
    show = fake_plex.add_series("Señor Ñandú — 日本語", seasons=2, episodes=2)
    season = fake_plex.items[show].children[1]
    episode = fake_plex.episodes(season)[0]
    plex = PlexClient(fake_plex.url, fake_plex.token)

    show_info = plex.item(show)
    assert isinstance(show_info, ShowInfo) and show_info.title == "Señor Ñandú — 日本語"
    assert len(plex.episodes_of(show_info)) == 4
    season_info = plex.item(season)
    assert isinstance(season_info, SeasonInfo) and season_info.index == 2
    assert [e.episode_number for e in plex.episodes_of(season_info)] == [1, 2]
    episode_info = plex.item(episode)
    assert isinstance(episode_info, EpisodeInfo)
    assert (episode_info.season_number, episode_info.episode_number) == (2, 1)
    assert episode_info.show_rating_key == str(show)
    assert episode_info.season_rating_key == str(season)
    assert episode_info.labels == ()


def test_an_episode_without_a_still_has_no_thumb_not_the_season_poster(fake_plex) -> None:
    show = fake_plex.add_show("Harbour")
    season = fake_plex.add_season(show, 1)
    bare = fake_plex.add_episode(season, 1, "No still", still=False)
    info = PlexClient(fake_plex.url, fake_plex.token).episode(bare)
    # plexapi's thumbUrl would give the season poster here; the client does not.
    assert info.thumb == ""


def test_it_reads_without_hidden_reloads(fake_plex) -> None:
    show = fake_plex.add_show("Harbour", year=None)
    season = fake_plex.add_season(show, 1)
    for n in range(1, 6):
        fake_plex.add_episode(season, n, f"E{n}", still=False)
    plex = PlexClient(fake_plex.url, fake_plex.token)
    library = plex.tv_libraries()[0]
    fake_plex.reset_counts()

    episodes = plex.episodes_page(library, 0, 50)
    shows = plex.shows_page(library, 0, 50)

    # Empty attributes (no thumb, no year) would make plexapi reload every item.
    assert len(episodes) == 5 and shows[0].year is None
    assert fake_plex.count() == 2


def test_it_uploads_a_poster_and_labels_the_episode(fake_plex) -> None:
    show = fake_plex.add_series("Harbour")
    episode = fake_plex.episodes(show)[0]
    plex = PlexClient(fake_plex.url, fake_plex.token)
    plex.add_label(episode, "favourite")

    plex.upload_poster(episode, b"card bytes")
    plex.add_label(episode, "tcm")

    assert fake_plex.thumb_bytes(episode) == b"card bytes"
    assert fake_plex.labels(episode) == ["favourite", "tcm"]
    posters = PlexClient(fake_plex.url, fake_plex.token).posters(episode)
    selected = [p for p in posters if p.selected]
    assert len(selected) == 1
    assert selected[0].upload_hash == hashlib.sha1(b"card bytes").hexdigest()
