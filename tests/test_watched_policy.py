"""The household watched policy: whose watching makes an episode count as watched, applied by
the bulk watched refresh from Plex's flag (the owner's) and Tautulli's history (everyone's).

The household: the owner (Tautulli user 1001, is_admin), Sam (2002) and Alex (3003). Episode 1
the owner marked watched in Plex; Sam watched episode 2 and got three quarters into episode 4;
Alex watched episodes 2 and 3."""

from __future__ import annotations

import pytest

from cards.keys import process_rating_key
from cards.models import Episode, TitleCard, Viewer
from cards.sync import refresh_watched
from cards.tasks import refresh_watched_state
from connections.models import PlexConnection, TautulliConnection

OWNER, SAM, ALEX = 1001, 2002, 3003
WATCHED, UNWATCHED = "unique", "blur grayscale"


@pytest.fixture
def household(fake_plex, fake_tautulli, plex_connection) -> list[int]:
    """Four episodes with cards in the unwatched style; the watching above in Plex and Tautulli.
    Returns the episodes' rating keys."""
    plex_connection.watched_style, plex_connection.unwatched_style = WATCHED, UNWATCHED
    plex_connection.save()
    TautulliConnection.objects.create(
        name="tautulli", url=fake_tautulli.url, api_key=fake_tautulli.api_key, plex=plex_connection
    )
    show = fake_plex.add_series("Harbour", episodes=4)
    keys = fake_plex.episodes(show)
    process_rating_key(plex_connection, str(show))
    assert set(TitleCard.objects.values_list("style", flat=True)) == {UNWATCHED}
    fake_tautulli.add_user(OWNER, "owner", is_admin=True)
    fake_tautulli.add_user(SAM, "Sam")
    fake_tautulli.add_user(ALEX, "Alex")
    fake_plex.mark_watched(keys[0])
    fake_tautulli.play(OWNER, keys[0], show=show)
    fake_tautulli.play(SAM, keys[1], show=show)
    fake_tautulli.play(SAM, keys[3], show=show, percent=70)  # not far enough: 0.75
    fake_tautulli.play(ALEX, keys[1], show=show)
    fake_tautulli.play(ALEX, keys[2], show=show)
    return keys


def use_policy(connection: PlexConnection, policy: str, users: list[int] = ()) -> None:
    connection.watched_policy, connection.watched_users = policy, list(users)
    connection.save()


def styles_after_refresh(connection: PlexConnection, keys: list[int]) -> list[str]:
    """Run the bulk refresh, render what it says must change, and give each card's style."""
    counts = refresh_watched(connection)
    for pk in counts.restyle:
        process_rating_key(connection, Episode.objects.get(pk=pk).rating_key)
    return [TitleCard.objects.get(episode__rating_key=str(k)).style for k in keys]


@pytest.mark.parametrize(
    ("policy", "users", "watched"),
    [
        ("owner", [], [0]),
        ("any", [], [0, 1, 2]),
        ("any_chosen", [SAM], [1]),
        ("any_chosen", [SAM, ALEX], [1, 2]),
        ("all_chosen", [SAM, ALEX], [1]),
        ("all_chosen", [OWNER, ALEX], []),
        ("any_chosen", [OWNER], [0]),
    ],
)
def test_each_policy_gives_the_right_style(
    household, plex_connection, policy, users, watched
) -> None:
    use_policy(plex_connection, policy, users)

    styles = styles_after_refresh(plex_connection, household)

    assert styles == [WATCHED if i in watched else UNWATCHED for i in range(4)]
    flags = [Episode.objects.get(rating_key=str(k)).plex_watched for k in household]
    assert flags == [True, False, False, False]  # Plex's flag is kept apart from the policy's


def test_an_outage_of_tautulli_changes_no_card(household, fake_tautulli, plex_connection) -> None:
    use_policy(plex_connection, "any_chosen", [SAM])
    assert styles_after_refresh(plex_connection, household) == [
        UNWATCHED,
        WATCHED,
        UNWATCHED,
        UNWATCHED,
    ]
    cards = {c.pk: (c.style, c.fingerprint, c.uploaded_hash) for c in TitleCard.objects.all()}
    fake_tautulli.stop()  # Tautulli is down

    summary = refresh_watched_state.apply().get()

    assert summary["queued"] == 0
    assert "home plex" in summary["tautulli_unreachable"]
    assert {c.pk: (c.style, c.fingerprint, c.uploaded_hash) for c in TitleCard.objects.all()} == (
        cards
    )
    assert Viewer.objects.filter(user_id=SAM).count() == 1  # what Tautulli said before stands
    plex_connection.refresh_from_db()
    assert "cannot connect to Tautulli" in plex_connection.watched_fallback


def test_the_dashboard_says_tautulli_could_not_be_read(
    household, fake_tautulli, plex_connection, admin_client
) -> None:
    use_policy(plex_connection, "any", [])
    fake_tautulli.fail("get_history", "Check the logs for errors")

    refresh_watched(plex_connection)

    page = admin_client.get("/admin/").content.decode()
    assert "Tautulli could not be read" in page
    assert "the outage changes no card" in page


def test_the_bulk_refresh_uses_a_bounded_number_of_requests(
    fake_plex, fake_tautulli, plex_connection, settings
) -> None:
    settings.TCM_PLEX_PAGE_SIZE = 50
    TautulliConnection.objects.create(
        name="tautulli", url=fake_tautulli.url, api_key=fake_tautulli.api_key, plex=plex_connection
    )
    fake_tautulli.add_user(OWNER, "owner", is_admin=True)
    fake_tautulli.add_user(SAM, "Sam")
    fake_tautulli.add_user(ALEX, "Alex")
    shows = [fake_plex.add_series(f"Show {n}", episodes=40) for n in range(5)]
    from cards.sync import sync_library

    sync_library(plex_connection)
    keys = fake_plex.episodes()
    for n, key in enumerate(keys):  # 200 episodes, each watched by one of the two
        fake_tautulli.play(SAM if n % 2 else ALEX, key, show=shows[n // 40])
    use_policy(plex_connection, "all_chosen", [OWNER, SAM, ALEX])
    fake_plex.reset_counts()
    fake_tautulli.calls.clear()

    counts = refresh_watched(plex_connection)

    assert counts.checked == 200
    # Tautulli: the user list, one history read per chosen user other than the owner (whose
    # watching is Plex's flag) and library; none per episode.
    assert fake_tautulli.count("get_users") == 1
    assert fake_tautulli.count("get_history") == 2
    assert counts.tautulli_requests == 3
    # Plex: four pages of 50 and the empty one that ends the walk, none per episode.
    assert fake_plex.count("/library/sections/1/all") == 5
    assert fake_plex.count(prefix="/library/metadata/") == 0
    assert Viewer.objects.count() == 200

    fake_tautulli.calls.clear()
    refresh_watched(plex_connection)  # the next run asks for the last days only
    afters = [p.get("after") for c, p in fake_tautulli.calls if c == "get_history"]
    assert len(afters) == 2 and all(afters)


def test_the_episode_page_says_who_watched_and_why(
    household, plex_connection, admin_client
) -> None:
    use_policy(plex_connection, "all_chosen", [SAM, ALEX])
    refresh_watched(plex_connection)
    second = Episode.objects.get(rating_key=str(household[1]))
    third = Episode.objects.get(rating_key=str(household[2]))

    page = admin_client.get(f"/admin/cards/episode/{second.pk}/change/").content.decode()
    assert "Alex, Sam" in page
    assert "Watched: the policy needs all of Alex, Sam; watched by Alex, Sam." in page

    page = admin_client.get(f"/admin/cards/episode/{third.pk}/change/").content.decode()
    assert "Not watched: the policy needs all of Alex, Sam; watched by Alex, not yet by Sam." in (
        page
    )


def test_a_full_read_forgets_deleted_plays_of_its_own_library_only(
    fake_plex, fake_tautulli, plex_connection
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from cards.sync import sync_library

    TautulliConnection.objects.create(
        name="tautulli", url=fake_tautulli.url, api_key=fake_tautulli.api_key, plex=plex_connection
    )
    fake_tautulli.add_user(SAM, "Sam")
    tv = fake_plex.add_series("Harbour", episodes=1)
    anime = fake_plex.add_series("Lantern", episodes=1, library="Anime")
    [harbour], [lantern] = fake_plex.episodes(tv), fake_plex.episodes(anime)
    sync_library(plex_connection)
    fake_tautulli.play(SAM, harbour, show=tv, section_id=1)
    fake_tautulli.play(SAM, lantern, show=anime, section_id=2)
    use_policy(plex_connection, "any_chosen", [SAM])
    refresh_watched(plex_connection)
    assert Viewer.objects.count() == 2

    fake_tautulli.history = [r for r in fake_tautulli.history if r["rating_key"] != harbour]
    Viewer.objects.update(recorded_at=timezone.now() - timedelta(days=2))
    PlexConnection.objects.update(history_read={})  # the daily full read is due
    plex_connection.refresh_from_db()
    counts = refresh_watched(plex_connection)

    assert list(Viewer.objects.values_list("episode__rating_key", flat=True)) == [str(lantern)]
    assert counts.changed == 1
    assert Episode.objects.get(rating_key=str(harbour)).watched is False
    assert Episode.objects.get(rating_key=str(lantern)).watched is True
