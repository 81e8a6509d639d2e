"""Tautulli's users and watch history, as the real one answers (read in Tautulli's source,
v2.17: plexpy/webserve.py get_history and get_full_users_list, plexpy/datafactory.py
get_datatables_history, plexpy/users.py get_users), through tcm's client and the fake.

The facts tcm relies on:
- get_users lists every account, user_id an integer, friendly_name falling back to the
  username, is_admin 1 for the server's owner;
- get_history answers {"recordsFiltered", "recordsTotal", "data": [rows], "draw", ...}, newest
  first, paged by start/length (length 25 when not given);
- it filters by user_id, rating_key, grandparent_rating_key and section_id (comma-separated
  lists allowed), and by media_type;
- a row's watched_status is 1 when the play passed Tautulli's watched threshold, and 0.25, 0.5
  or 0.75 for a quarter, half or three quarters of the way to it: only 1 means watched;
- `after` keeps plays whose start date (Tautulli's local time) is strictly after the day.
"""

from __future__ import annotations

import time
from datetime import date

import requests

from connections.tautulli import TautulliClient


def client(fake) -> TautulliClient:
    return TautulliClient(fake.url, fake.api_key, timeout=5)


def raw(fake, **params) -> dict:
    answer = requests.post(
        f"{fake.url}api/v2", data={"apikey": fake.api_key, **params}, timeout=5
    ).json()
    assert answer["response"]["result"] == "success"
    return answer["response"]["data"]


def test_it_lists_the_users_with_the_owner_marked(fake_tautulli) -> None:
    fake_tautulli.add_user(1001, "owner", is_admin=True)
    fake_tautulli.add_user(2002, "sam")

    users = client(fake_tautulli).get_users()

    assert [(u.user_id, u.name, u.is_admin) for u in users] == [
        (1001, "owner", True),
        (2002, "sam", False),
    ]
    row = raw(fake_tautulli, cmd="get_users")[1]
    assert row["user_id"] == 2002 and row["friendly_name"] == "sam"


def test_history_is_a_table_paged_by_start_and_length(fake_tautulli) -> None:
    fake_tautulli.add_user(2002, "sam")
    for key in range(30):
        fake_tautulli.play(2002, 500 + key, started=1_700_000_000 + key)

    table = raw(fake_tautulli, cmd="get_history")
    assert set(table) >= {"recordsFiltered", "recordsTotal", "data", "draw"}
    assert len(table["data"]) == 25  # Tautulli's default length
    assert table["recordsFiltered"] == 30
    assert table["data"][0]["rating_key"] == 529  # newest first
    second = raw(fake_tautulli, cmd="get_history", start=25, length=25)
    assert [r["rating_key"] for r in second["data"]] == [504, 503, 502, 501, 500]

    fake_tautulli.calls.clear()
    plays = list(client(fake_tautulli).history(page_size=10, user_id=2002))
    assert len(plays) == 30
    assert fake_tautulli.count("get_history") == 3  # three full pages, the last one ends it


def test_history_filters_by_user_key_show_and_library(fake_tautulli) -> None:
    fake_tautulli.add_user(1001, "owner", is_admin=True)
    fake_tautulli.add_user(2002, "sam")
    fake_tautulli.play(1001, 11, show=10, section_id=1)
    fake_tautulli.play(2002, 11, show=10, section_id=1)
    fake_tautulli.play(2002, 21, show=20, section_id=2)

    history = client(fake_tautulli).history
    assert {p.user_id for p in history(rating_key=11)} == {1001, 2002}
    assert {p.rating_key for p in history(user_id=2002)} == {"21", "11"}
    assert [p.rating_key for p in history(section_id=2)] == ["21"]
    both = history(grandparent_rating_key=10, user_id="1001,2002")
    assert sorted(p.user_id for p in both) == [1001, 2002]
    assert (
        raw(fake_tautulli, cmd="get_history", user_id="2002", rating_key="11")["recordsFiltered"]
        == 1
    )


def test_only_watched_status_1_is_watched(fake_tautulli) -> None:
    fake_tautulli.add_user(2002, "sam")
    fake_tautulli.play(2002, 1, percent=100)
    fake_tautulli.play(2002, 2, percent=85)  # the threshold itself
    fake_tautulli.play(2002, 3, percent=70)  # three quarters of the way: 0.75
    fake_tautulli.play(2002, 4, percent=10)

    statuses = {
        r["rating_key"]: r["watched_status"] for r in raw(fake_tautulli, cmd="get_history")["data"]
    }
    assert statuses == {1: 1, 2: 1, 3: 0.75, 4: 0}
    watched = {p.rating_key: p.watched for p in client(fake_tautulli).history(user_id=2002)}
    assert watched == {"1": True, "2": True, "3": False, "4": False}


def test_after_keeps_plays_started_after_the_day(fake_tautulli) -> None:
    fake_tautulli.add_user(2002, "sam")
    now = int(time.time())
    fake_tautulli.play(2002, 1, started=now - 5 * 86400)
    fake_tautulli.play(2002, 2, started=now)
    two_days_ago = date.fromtimestamp(now - 2 * 86400)

    plays = list(client(fake_tautulli).history(user_id=2002, after=two_days_ago))

    assert [p.rating_key for p in plays] == ["2"]
    today = time.strftime("%Y-%m-%d", time.localtime(now))
    assert raw(fake_tautulli, cmd="get_history", after=today)["recordsFiltered"] == 0  # strictly
