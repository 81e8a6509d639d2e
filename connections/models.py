"""Connections to the outside services: Plex (where cards go) and Tautulli (who tells us when)."""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection as db_connection
from django.db import models
from django.utils import timezone

from cards.render.spec import STYLES, RenderError
from cards.render.text import format_parts
from tcm_site import crypto
from tcm_site.fields import EncryptedTextField
from tcm_site.validators import validate_service_url

from . import agents, plex
from .tautulli import TautulliClient, TautulliError

T = TypeVar("T")
log = logging.getLogger(__name__)

# Styles a card can be rendered in; the episode's watched state picks one of a pair.
STYLE_CHOICES = [(s, s) for s in STYLES]


class WatchedPolicy(models.TextChoices):
    """Whose watching makes an episode count as watched (cards/watched.py applies it)."""

    OWNER = "owner", "the server's owner has watched it (Plex's own flag)"
    ANY = "any", "any user has watched it"
    ALL_CHOSEN = "all_chosen", "all of the chosen users have watched it"
    ANY_CHOSEN = "any_chosen", "any of the chosen users has watched it"


def format_errors(obj: object, series_name: str = "Series") -> dict[str, str]:
    """What is wrong with an object's title_format and episode_text_format, by field name.
    Sample values: any number or name exercises every field and helper."""
    sample = {
        "season_number": 1,
        "episode_number": 3,
        "absolute_number": 3,
        "series_name": series_name,
        "title": "Title",
    }
    errors = {}
    for name, what in (
        ("title_format", "title format"),
        ("episode_text_format", "episode text format"),
        ("season_text_format", "season text format"),
    ):
        if value := getattr(obj, name):
            try:
                format_parts(value, sample, what=what)
            except RenderError as exc:
                errors[name] = str(exc)
    return errors


class PlexConnection(models.Model):
    name = models.CharField(max_length=100, unique=True)
    url = models.CharField(
        "URL",
        max_length=300,
        validators=[validate_service_url],
        help_text="The address of the Plex server, e.g. http://192.168.1.10:32400.",
    )
    token = EncryptedTextField(help_text="The X-Plex-Token of the account tcm acts as.")
    verify_tls = models.BooleanField("verify TLS certificates", default=True)
    timeout = models.PositiveSmallIntegerField(
        "request timeout (s)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )
    libraries = models.CharField(
        "TV libraries",
        max_length=500,
        blank=True,
        help_text="Names of the TV libraries to manage, comma-separated. Empty: all of them.",
    )
    upload_limit = models.PositiveIntegerField(
        "upload size limit (bytes)",
        default=10 * 1024 * 1024,
        validators=[MinValueValidator(64 * 1024)],
        help_text="Larger cards are uploaded as a re-encoded, smaller copy.",
    )
    label = models.CharField(
        max_length=50,
        default="tcm",
        help_text="The Plex label that marks episodes carrying our card.",
    )
    # Defaults for every series of this server; a series or episode can override them.
    card_type = models.CharField(max_length=50, default="standard")
    watched_style = models.CharField(
        max_length=30,
        choices=STYLE_CHOICES,
        default="unique",
        help_text="The card of an episode that has been watched.",
    )
    # Spoiler-safe out of the box: an episode nobody has watched yet shows no scene from it.
    unwatched_style = models.CharField(
        max_length=30,
        choices=STYLE_CHOICES,
        default="blur",
        help_text="The card of an episode not watched yet: blurred, it gives nothing away. "
        "Choose unique to show the still as it is.",
    )
    font = models.ForeignKey("cards.Font", null=True, blank=True, on_delete=models.SET_NULL)
    # Text for every series of this server (a template or a series overrides them), e.g. for a
    # library in another language.
    title_format = models.CharField(
        max_length=200,
        blank=True,
        help_text="The title drawn, e.g. {title} or {series_name}: {title}. Blank: the "
        "episode's title.",
    )
    episode_text_format = models.CharField(
        max_length=200,
        blank=True,
        help_text="e.g. TEMPORADA {season_number} • EPISODIO {episode_number}. Fields: "
        "{season_number} {episode_number} {absolute_number} {series_name} {title}, and "
        ":cardinal :ordinal :roman helpers. Blank: the card type's own.",
    )
    season_text_format = models.CharField(
        max_length=200,
        blank=True,
        help_text="The season text, e.g. TEMPORADA {season_number}. Blank: the card type's own.",
    )
    enabled = models.BooleanField(default=True)
    work_with_kometa = models.BooleanField(
        "work with Kometa",
        default=False,
        help_text="For libraries Kometa puts overlays on: after each upload tcm removes the "
        "episode's Overlay label (so Kometa draws its overlay on tcm's card from its own next "
        "run) and marks its cards as title cards in their EXIF data.",
    )
    # Plex locks an episode's thumb field on any upload or pick in its UI, so before tcm's first
    # upload an unlocked thumb is Plex's own choice and needs no look at its posters; only a
    # local file beside the media shows without a lock, and finding one costs a request a card.
    keep_local_artwork = models.BooleanField(
        "keep local artwork",
        default=False,
        help_text="Leave an episode's thumbnail alone when it is a local file beside the media "
        "(e.g. S01E01.jpg). On, tcm reads each episode's posters from Plex before its first "
        "upload there (one more request a card).",
    )
    new_series_cards = models.BooleanField(
        "cards on for new series",
        default=True,
        help_text="Off: a series Plex adds gets no cards until you turn them on for it, so you "
        "can opt in series by series.",
    )

    # Plex keeps one watched flag, the owner's, and shows one thumbnail to everyone; Tautulli
    # keeps every user's history, so tcm can count someone else's watching.
    watched_policy = models.CharField(
        "an episode counts as watched when",
        max_length=20,
        choices=WatchedPolicy.choices,
        default=WatchedPolicy.OWNER,
        help_text="Other users' watching is read from the Tautulli connection of this server.",
    )
    watched_users = models.JSONField(
        "chosen users",
        default=list,
        blank=True,
        help_text="Tautulli user ids, for the policies about chosen users.",
    )
    # What tcm last learnt from Tautulli: user id -> name (to show names), the owner's id.
    tautulli_users = models.JSONField(default=dict, blank=True, editable=False)
    tautulli_owner_id = models.BigIntegerField(null=True, blank=True, editable=False)
    # How far each history read got ("<library>:<user id or *>" -> {"day", "full_at"}), so
    # that a refresh reads only the last days, and all of it once a day.
    history_read = models.JSONField(default=dict, blank=True, editable=False)
    watched_fallback = models.TextField(
        blank=True,
        editable=False,
        help_text="Why the last watched refresh could not read Tautulli, or empty.",
    )
    watched_fallback_at = models.DateTimeField(null=True, blank=True, editable=False)

    # What the last contact found out.
    server_name = models.CharField(max_length=200, blank=True, editable=False)
    server_version = models.CharField(max_length=100, blank=True, editable=False)
    last_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    auth_failed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set when Plex rejected the token; work for this server waits until it is fixed.",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Plex connection"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # A format the renderer cannot use would fail every card of the server; say so here.
        if errors := format_errors(self):
            raise ValidationError(errors)

    def library_names(self) -> list[str]:
        return [n.strip() for n in self.libraries.split(",") if n.strip()]

    # --- Talking to Plex (connections/plex.py does the talking)

    def client(self) -> plex.PlexClient:
        if not self.token:
            raise plex.PlexAuthError(f"Plex connection {self.name!r} has no token.")
        return plex.PlexClient(
            self.url, self.token, verify_tls=self.verify_tls, timeout=self.timeout
        )

    def blocked_reason(self) -> str:
        """Why no work may be sent to this server now, or ""."""
        if self.auth_failed_at:
            return (
                f"Plex rejected the token of {self.name!r}; enter a valid token in the "
                "connection (tcm sends nothing to this server until then)."
            )
        if not self.enabled:
            return f"The Plex connection {self.name!r} is disabled."
        return ""

    def test(self) -> plex.ServerInfo:
        """Ask Plex who it is; remember the answer, or the reason it failed. Raises PlexError."""
        try:
            info = self.client().server_info()
        except plex.PlexAuthError as exc:
            self.record_auth_failure(str(exc))
            raise
        except plex.PlexError as exc:
            self._update(last_error=str(exc), last_checked_at=timezone.now())
            raise
        self._update(
            server_name=info.name[:200],
            server_version=info.version[:100],
            last_checked_at=timezone.now(),
            last_error="",
            auth_failed_at=None,
        )
        return info

    def record_auth_failure(self, message: str) -> None:
        """Plex rejected the token: hold all work for this server until the token is fixed."""
        self._update(auth_failed_at=timezone.now(), last_error=message)

    def _update(self, **fields: object) -> None:
        for name, value in fields.items():
            setattr(self, name, value)
        PlexConnection.objects.filter(pk=self.pk).update(**fields)


def _new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


@lru_cache(maxsize=1)
def _by_digest_sql() -> str:
    """SELECT every column of a Tautulli connection but its API key, by webhook secret digest."""
    meta = TautulliConnection._meta
    quote = db_connection.ops.quote_name
    # cast: a concrete field always has a column (the stubs allow None for the others).
    columns = ", ".join(
        quote(cast(str, f.column)) for f in meta.concrete_fields if f.name != "api_key"
    )
    digest = quote(cast(str, meta.get_field("webhook_secret_digest").column))
    return f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {digest} = %s"


@lru_cache(maxsize=4)
def _stand_in(keys: tuple[str, ...]) -> str:
    """An encrypted secret nobody has: what an unknown webhook secret is checked against."""
    return crypto.encrypt(_new_webhook_secret())


class TautulliConnection(models.Model):
    name = models.CharField(max_length=100, unique=True)
    url = models.CharField(
        "URL",
        max_length=300,
        validators=[validate_service_url],
        help_text="Tautulli's address as your browser shows it, e.g. http://192.168.1.10:8181/.",
    )
    api_key = EncryptedTextField(
        "API key", help_text="Tautulli → Settings → Web Interface → API key."
    )
    plex = models.ForeignKey(
        PlexConnection, on_delete=models.CASCADE, related_name="tautulli_connections"
    )
    tcm_url = models.CharField(
        "tcm URL as Tautulli sees it",
        max_length=300,
        blank=True,
        validators=[validate_service_url],
        help_text="Where Tautulli reaches tcm. Empty: TCM_PUBLIC_URL. Tautulli usually runs in "
        "another container or host, so localhost is almost always wrong.",
    )
    agent_name = models.CharField(max_length=100, default="tcm")
    trigger_on_watched = models.BooleanField(default=True)
    username = models.CharField(
        "Plex username",
        max_length=150,
        blank=True,
        help_text="Only this user's watching triggers a re-render. Empty: anyone's.",
    )
    trigger_on_plex_up = models.BooleanField(
        "Plex back up releases waiting work",
        default=True,
        help_text="An agent for Tautulli's “Plex server back up” notification: work waiting for "
        "a Plex outage to pass is tried again at once, not after its backoff.",
    )
    verify_tls = models.BooleanField("verify TLS certificates", default=True)
    timeout = models.PositiveSmallIntegerField(
        "request timeout (s)", default=15, validators=[MinValueValidator(1), MaxValueValidator(300)]
    )

    webhook_secret = EncryptedTextField(editable=False, default=_new_webhook_secret)
    # A hash of the secret: the webhook view finds the connection by it without the
    # secret ever being stored or compared in the clear.
    webhook_secret_digest = models.CharField(max_length=64, unique=True, editable=False)

    created_agent_id = models.IntegerField(null=True, blank=True, editable=False)
    watched_agent_id = models.IntegerField(null=True, blank=True, editable=False)
    plex_up_agent_id = models.IntegerField(null=True, blank=True, editable=False)

    last_webhook_at = models.DateTimeField(null=True, blank=True, editable=False)
    test_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_test_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_test_latency_ms = models.PositiveIntegerField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Tautulli connection"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.webhook_secret:
            self.webhook_secret = _new_webhook_secret()
        self.webhook_secret_digest = crypto.digest(self.webhook_secret)
        super().save(*args, **kwargs)

    @classmethod
    def for_secret(cls, secret: str) -> TautulliConnection | None:
        """The connection whose webhook secret is `secret`, or None."""
        # The API key loads (and decrypts) only if asked for: the webhook view, which calls
        # this for every post, never needs it.
        # Hand-written SQL (built once): compiling the ORM's query would cost more than the query
        # itself, on every post (bench/README.md, "Webhook intake").
        found = next(iter(cls.objects.raw(_by_digest_sql(), [crypto.digest(secret)])), None)
        if found is not None:
            stored = found.webhook_secret
        else:
            # A miss does the same work as a hit (a decryption and a comparison of the same
            # length), so that the time of the answer tells a prober nothing.
            found, stored = None, crypto.decrypt(_stand_in(tuple(settings.TCM_ENCRYPTION_KEYS)))
        # The index lookup by digest finds the row; the secret itself decides, compared in
        # constant time.
        if hmac.compare_digest(stored.encode(), secret.encode()) and found is not None:
            return found
        return None

    def rotate_webhook_secret(self) -> None:
        self.webhook_secret = _new_webhook_secret()
        self.save()

    def rotate_webhook_secret_on_tautulli(self) -> agents.SyncResult:
        """A new webhook secret, written into the agents on Tautulli at once: from then on the
        agents post to the new URL and the old secret is refused (404).

        When Tautulli cannot be updated the old secret is kept: the agents would otherwise post
        to a URL that no longer works, and every post would be lost. Raises TautulliError."""
        old = self.webhook_secret
        self.rotate_webhook_secret()
        try:
            return self.create_agents()
        except TautulliError:
            self.webhook_secret = old
            self.save()
            raise

    def effective_tcm_url(self) -> str:
        return (self.tcm_url or settings.TCM_PUBLIC_URL).rstrip("/")

    def webhook_url(self) -> str:
        """The URL Tautulli posts to. It carries the secret: never log it or show it in a list."""
        return f"{self.effective_tcm_url()}/webhooks/tautulli/{self.webhook_secret}/"

    def masked_webhook_url(self) -> str:
        """The webhook URL with its secret replaced by ***, for messages and pages."""
        return f"{self.effective_tcm_url()}/webhooks/tautulli/***/"

    # --- Tautulli's notification agents (connections/agents.py does the work)

    def create_agents(self) -> agents.SyncResult:
        """Create or repair the notification agents on Tautulli. Raises TautulliError."""
        return self._talk_to_tautulli(agents.sync_agents)

    def remove_agents(self) -> agents.SyncResult:
        """Delete the agents tcm created on Tautulli, and only those. Raises TautulliError."""
        return self._talk_to_tautulli(agents.remove_agents)

    def agent_names(self) -> list[str]:
        """The names (in quotes, for messages) of the agents tcm created on Tautulli for this
        connection, as far as it knows: by the ids it stored."""
        return [
            f"“{spec.friendly_name}”" for spec in agents.specs(self) if getattr(self, spec.field)
        ]

    def send_test_notification(self) -> int | None:
        """Have Tautulli post a test to tcm; returns how long it took to arrive (ms).

        Raises TautulliError when it did not arrive, saying why."""
        return self._talk_to_tautulli(agents.send_test)

    def client(self) -> TautulliClient:
        return TautulliClient(
            self.url, self.api_key, timeout=self.timeout, verify_tls=self.verify_tls
        )

    def store_agent_id(self, field: str, agent_id: int | None) -> None:
        """Remember the id of one of our agents on Tautulli (`field`: created_agent_id or
        watched_agent_id), at once: a failure half-way must not lose an agent tcm made."""
        if getattr(self, field) != agent_id:
            setattr(self, field, agent_id)
            TautulliConnection.objects.filter(pk=self.pk).update(**{field: agent_id})

    def request_test(self) -> datetime:
        """A test notification is about to be asked for: remember when (the webhook view works
        out its latency from this when it arrives, record_test_arrival)."""
        self.test_requested_at = timezone.now()
        TautulliConnection.objects.filter(pk=self.pk).update(
            test_requested_at=self.test_requested_at
        )
        return self.test_requested_at

    def test_arrived_since(self, requested: datetime) -> bool:
        """Whether a test notification reached tcm since `requested` (recorded by the webhook
        view, maybe in another process: read from the database)."""
        self.refresh_from_db(fields=["last_test_at", "last_test_latency_ms"])
        return bool(self.last_test_at and self.last_test_at >= requested)

    def _talk_to_tautulli(self, work: Callable[[TautulliConnection, TautulliClient], T]) -> T:
        # last_error keeps the outcome of the last contact; the messages are built without the
        # API key (connections/tautulli.py), so storing them is safe.
        try:
            result = work(self, self.client())
        except TautulliError as exc:
            log.warning("Tautulli connection %s: %s", self, exc)
            self._set_last_error(str(exc))
            raise
        self._set_last_error("")
        return result

    def _set_last_error(self, text: str) -> None:
        self.last_error = text
        TautulliConnection.objects.filter(pk=self.pk).update(last_error=text)

    def record_test_arrival(self) -> None:
        """A test notification arrived: remember when, and how long it took since requested."""
        now = timezone.now()
        latency = None
        requested = self.test_requested_at
        if (
            requested
            and requested <= now
            and (not self.last_test_at or self.last_test_at < requested)
        ):
            latency = int((now - requested).total_seconds() * 1000)
        self.last_test_at, self.last_test_latency_ms = now, latency
        TautulliConnection.objects.filter(pk=self.pk).update(
            last_test_at=now, last_test_latency_ms=latency
        )
