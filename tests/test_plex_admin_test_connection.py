"""The admin's "Test connection": server name, version and TV libraries, or a clear reason."""

from __future__ import annotations

from connections.models import PlexConnection
from tests.support import admin_action


def test_it_shows_the_server_and_its_tv_libraries(admin_client, fake_plex, plex_connection) -> None:
    fake_plex.add_series("Harbour", library="TV Shows")
    fake_plex.add_series("Cartoons", library="Kids TV")

    messages = admin_action(admin_client, plex_connection, "test_connection")

    assert messages == [
        (
            "success",
            f"home plex: connected to “Fake Plex” (Plex {fake_plex.version}). "
            "TV libraries: TV Shows, Kids TV.",
        )
    ]
    plex_connection.refresh_from_db()
    assert plex_connection.server_name == "Fake Plex"
    assert plex_connection.server_version == fake_plex.version
    assert plex_connection.last_checked_at and not plex_connection.last_error


def test_it_warns_about_a_chosen_library_that_does_not_exist(
    admin_client, fake_plex, plex_connection
) -> None:
    fake_plex.add_series("Harbour")
    plex_connection.libraries = "TV Shows, Anime"
    plex_connection.save()

    messages = admin_action(admin_client, plex_connection, "test_connection")

    assert messages[1] == ("warning", "home plex: no TV library named Anime on this server.")


def test_a_wrong_token_is_named_and_flags_the_connection(
    admin_client, fake_plex, plex_connection
) -> None:
    fake_plex.revoke_token()

    [(level, text)] = admin_action(admin_client, plex_connection, "test_connection")

    assert level == "error"
    assert "rejected the token (HTTP 401)" in text
    assert plex_connection.token not in text
    assert PlexConnection.objects.get().auth_failed_at is not None


def test_unreachable_and_hanging_servers_are_named(
    admin_client, plex_connection, closed_port, silent_port
) -> None:
    PlexConnection.objects.update(url=f"http://127.0.0.1:{closed_port}")
    [(level, text)] = admin_action(admin_client, plex_connection, "test_connection")
    assert level == "error" and "refused the connection" in text

    PlexConnection.objects.update(url=f"http://127.0.0.1:{silent_port}", timeout=1)
    [(level, text)] = admin_action(admin_client, plex_connection, "test_connection")
    assert level == "error" and "did not answer within 1 s (timeout)" in text


def test_a_tls_failure_is_named(admin_client, fake_plex, plex_connection) -> None:
    PlexConnection.objects.update(url=fake_plex.url.replace("http://", "https://"))
    [(level, text)] = admin_action(admin_client, plex_connection, "test_connection")
    assert level == "error" and "TLS handshake" in text


def test_entering_a_new_token_lets_work_resume(admin_client, fake_plex, plex_connection) -> None:
    fake_plex.revoke_token()
    admin_action(admin_client, plex_connection, "test_connection")
    plex_connection.refresh_from_db()
    assert plex_connection.blocked_reason()

    response = admin_client.post(
        f"/admin/connections/plexconnection/{plex_connection.pk}/change/",
        {
            "name": plex_connection.name,
            "url": plex_connection.url,
            "token": fake_plex.token,
            "verify_tls": "on",
            "timeout": 2,
            "enabled": "on",
            "libraries": "",
            "upload_limit": "10",
            "label": "tcm",
            "card_type": "standard",
            "watched_style": "unique",
            "unwatched_style": "unique",
            "font": "",
            "watched_policy": "owner",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    plex_connection.refresh_from_db()
    assert plex_connection.auth_failed_at is None and plex_connection.blocked_reason() == ""
