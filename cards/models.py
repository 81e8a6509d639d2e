"""Series and episodes as Plex has them, the cards tcm made for them, and the work it was asked
to do.

A blank card setting on a series or an episode means "inherit" (cards/looks.py resolves them).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DatabaseError, models, transaction
from django.db import connection as db_connection
from django.utils import timezone

from cards.filters import (
    FilterError,
    filter_field_choices,
    filter_operation_choices,
    parse_filter,
    parse_season_key,
)
from cards.render.fonts import check_font_data
from cards.render.source import check_image_data
from cards.render.spec import RenderError
from cards.render.types import check_extras
from cards.render.types import get as card_type_named
from cards.render.types.base import parse_color
from connections.models import STYLE_CHOICES, PlexConnection, TautulliConnection, format_errors

log = logging.getLogger(__name__)

CASE_CHOICES = [
    ("", "card type default"),
    ("upper", "UPPER"),
    ("lower", "lower"),
    ("title", "Title"),
    ("source", "as in Plex"),
]


class Font(models.Model):
    """A font and how to draw with it. Empty fields keep the card type's default."""

    name = models.CharField(max_length=100, unique=True)
    file = models.FileField(
        upload_to="fonts/",
        blank=True,
        help_text="A .ttf or .otf file. Empty: the card type's bundled font.",
    )
    color = models.CharField(max_length=30, blank=True, help_text="e.g. #EBEBEB or white")
    size = models.FloatField("size scale", default=1.0, help_text="1.0 = the card type's size")
    kerning = models.FloatField("letter spacing scale", default=1.0)
    stroke_width = models.FloatField("stroke width scale", default=1.0)
    stroke_color = models.CharField(max_length=30, blank=True)
    interline_spacing = models.IntegerField("extra line spacing (px)", default=0)
    vertical_shift = models.IntegerField("vertical shift (px)", default=0)
    case = models.CharField(max_length=10, choices=CASE_CHOICES, blank=True)
    replacements = models.JSONField(
        default=dict, blank=True, help_text='Characters to replace, e.g. {"&": "and"}.'
    )
    word_spacing = models.IntegerField(
        "extra word spacing (px)",
        default=0,
        help_text="Added to every space of the title, in px of a 3200x1800 card.",
    )
    line_split_bias = models.FloatField(
        default=0.0,
        validators=[MinValueValidator(-1), MaxValueValidator(1)],
        help_text="How a title split over lines puts its weight: 1 longer top lines, -1 longer "
        "bottom lines, 0 balanced.",
    )
    default_for = models.CharField(
        "default for card types",
        max_length=500,
        blank=True,
        help_text="Card types (comma-separated, e.g. calligraphy, anime) that use this font when "
        "no series, template or connection chooses one.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # What the renderer would refuse at the first card is refused here, on the form: a
        # colour it does not know, a file it cannot open as a font (checked as it is uploaded,
        # with the renderer's own loader; a stored one was checked when it came).
        errors: dict[str, str] = {}
        for name in ("color", "stroke_color"):
            if value := getattr(self, name):
                try:
                    parse_color(value)
                except RenderError as exc:
                    errors[name] = str(exc)
        for name in self.default_for.split(","):
            if name.strip():
                try:
                    card_type_named(name.strip())
                except RenderError as exc:
                    errors["default_for"] = str(exc)
        # Not committed: assigned by the form, not yet written to the storage.
        new = self.file and not getattr(self.file, "_committed", True)
        upload = self.file.file if new else None
        if upload is not None:
            upload.seek(0)
            try:
                check_font_data(upload.read(), Path(self.file.name or "").name)
            except RenderError as exc:
                errors["file"] = f"{exc}. Upload a TrueType (.ttf) or OpenType (.otf) font."
            finally:
                upload.seek(0)
        if errors:
            raise ValidationError(errors)


class CardOverrides(models.Model):
    """Per-series / per-episode overrides of the connection's card settings. Blank = inherit."""

    card_type = models.CharField(max_length=50, blank=True)
    watched_style = models.CharField(max_length=30, choices=STYLE_CHOICES, blank=True)
    unwatched_style = models.CharField(max_length=30, choices=STYLE_CHOICES, blank=True)
    font = models.ForeignKey(
        Font, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class TextOverrides(models.Model):
    """The text settings a template or a series sets for its episodes. Blank (or unset) =
    inherit from the weaker level (cards/looks.py)."""

    title_format = models.CharField(
        max_length=200,
        blank=True,
        help_text="The title drawn, e.g. {series_name}: {title} or "
        "Chapter {episode_number:cardinal} (\\n breaks the line). The episode text's fields; "
        "blank: inherit (in the end, the episode's title).",
    )
    episode_text_format = models.CharField(
        max_length=200,
        blank=True,
        help_text="e.g. EPISODE {episode_number}. Fields: {season_number} {episode_number} "
        "{absolute_number} {series_name} {title}, and :cardinal :ordinal :roman helpers.",
    )
    season_text_format = models.CharField(
        max_length=200,
        blank=True,
        help_text="The season text of seasons 1 and up without a season title, e.g. "
        "TEMPORADA {season_number} or BOOK {season_number:cardinal}. Blank: inherit (in the "
        "end, the card type's own).",
    )
    # None: inherit (a template, then no).
    hide_season_text = models.BooleanField(null=True, blank=True)
    hide_episode_text = models.BooleanField(null=True, blank=True)
    extras = models.JSONField(default=dict, blank=True, help_text="Card type options.")

    class Meta:
        abstract = True

    def clean(self) -> None:
        # What the renderer would refuse at the first card is refused on the form.
        errors: dict[str, str | list[str]] = {}
        errors.update(format_errors(self, getattr(self, "title", "") or "Series"))
        if not isinstance(self.extras, dict):
            errors["extras"] = 'Card type options are a JSON object, e.g. {"frame_color": "gold"}.'
        elif problems := check_extras(self.extras):
            errors["extras"] = problems
        if errors:
            raise ValidationError(errors)


class Template(CardOverrides, TextOverrides):
    """A named look for many series at once. Templates are ordered: for each episode the first
    whose filters all hold applies (a template attached to a series wins over any match);
    cards/filters.py evaluates the filters, cards/looks.py places templates between the Plex
    connection and the series."""

    name = models.CharField(max_length=100, unique=True)
    order = models.PositiveIntegerField(
        default=0, help_text="Templates are tried from the lowest order up; the first match wins."
    )

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class TemplateFilter(models.Model):
    """One condition of a template: all of a template's filters must hold for it to apply."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="filters")
    field = models.CharField(max_length=30, choices=filter_field_choices)
    operation = models.CharField(max_length=20, choices=filter_operation_choices)
    value = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.field} {self.operation} {self.value}"

    def clean(self) -> None:
        try:
            parse_filter(self.field, self.operation, self.value)
        except FilterError as exc:
            raise ValidationError({exc.field: str(exc)}) from None


class SeasonTitle(models.Model):
    """The season text for some episodes of a series (or of a template's series): by season
    number ("2"), by absolute number range ("1-12") or by episode range ("s1e1-s2e5"). The
    first row that matches wins."""

    series = models.ForeignKey(
        "Series", null=True, blank=True, on_delete=models.CASCADE, related_name="season_title_rows"
    )
    template = models.ForeignKey(
        Template, null=True, blank=True, on_delete=models.CASCADE, related_name="season_titles"
    )
    order = models.PositiveIntegerField(default=0)
    episodes = models.CharField(
        max_length=50,
        help_text="A season number (2), an absolute number range (1-12) or an episode range "
        "(s1e1-s2e5).",
    )
    text = models.CharField(max_length=200, blank=True, help_text="Blank: no season text.")

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.episodes}: {self.text}"

    def clean(self) -> None:
        try:
            parse_season_key(self.episodes)
        except FilterError as exc:
            raise ValidationError({"episodes": str(exc)}) from None


class Series(CardOverrides, TextOverrides):
    connection = models.ForeignKey(PlexConnection, on_delete=models.CASCADE, related_name="series")
    rating_key = models.CharField(max_length=32)
    title = models.CharField(max_length=500)
    year = models.PositiveIntegerField(null=True, blank=True)
    library = models.CharField(max_length=200, blank=True)
    guid_tvdb = models.CharField(max_length=64, blank=True)
    guid_tmdb = models.CharField(max_length=64, blank=True)
    guid_imdb = models.CharField(max_length=64, blank=True)
    art = models.CharField(max_length=500, blank=True, help_text="Plex's background art path.")
    # The background art, downloaded once for the `art` styles and kept (cards/sources.py).
    art_file = models.CharField(max_length=500, blank=True, editable=False)
    art_hash = models.CharField(max_length=64, blank=True, editable=False)
    # The show's poster and transparent logo (clearLogo), for the card types that draw them;
    # downloaded once per Plex path and kept, like the art.
    thumb = models.CharField(max_length=500, blank=True, help_text="Plex's poster path.")
    logo = models.CharField(max_length=500, blank=True, help_text="Plex's clearLogo path.")
    logo_file = models.CharField(max_length=500, blank=True, editable=False)
    logo_hash = models.CharField(max_length=64, blank=True, editable=False)
    poster_file = models.CharField(max_length=500, blank=True, editable=False)
    poster_hash = models.CharField(max_length=64, blank=True, editable=False)
    # A person's own pictures, which replace Plex's for this series' cards.
    logo_upload = models.FileField(
        "logo",
        upload_to="series/logos/",
        blank=True,
        help_text="Replaces Plex's logo on this series' cards: a PNG with transparency is best.",
    )
    poster_upload = models.FileField(
        "poster",
        upload_to="series/posters/",
        blank=True,
        help_text="Replaces Plex's poster of the series on its cards.",
    )
    art_upload = models.FileField(
        "background art",
        upload_to="series/art/",
        blank=True,
        help_text="Replaces Plex's background art on this series' cards (the art styles).",
    )
    plex_updated_at = models.DateTimeField(null=True, blank=True)
    present = models.BooleanField(default=True, help_text="False once Plex no longer has it.")
    # What Plex says about the show, for templates' filters (cards/filters.py).
    genres = models.JSONField(default=list, blank=True)
    content_rating = models.CharField(max_length=50, blank=True)
    labels = models.JSONField("Plex labels", default=list, blank=True)
    collections = models.JSONField(default=list, blank=True)
    season_count = models.PositiveIntegerField("seasons", null=True, blank=True)

    template = models.ForeignKey(
        Template,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="series",
        help_text="Attached: this template applies whatever the templates' filters say. "
        "Blank: the first template whose filters match.",
    )
    cards_enabled = models.BooleanField(
        "cards on",
        default=True,
        help_text="Off: tcm makes no card for this series and uploads nothing to it.",
    )

    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "series"
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "rating_key"], name="series_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title

    def clean(self) -> None:
        # Besides what every level checks (formats, options): the pictures uploaded to replace
        # Plex's, all errors at once.
        errors: dict[str, Any] = dict(self._check_uploads())
        try:
            super().clean()
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)

    def _check_uploads(self) -> dict[str, str]:
        """A picture uploaded to replace Plex's is one the renderer can draw with, checked with
        its own loader as it comes (a stored one was checked when it came)."""
        errors = {}
        for name, what in (
            ("logo_upload", "logo"),
            ("poster_upload", "poster"),
            ("art_upload", "background art"),
        ):
            upload = getattr(self, name)
            if not upload or getattr(upload, "_committed", True):
                continue
            upload.file.seek(0)
            try:
                check_image_data(upload.file.read(), Path(upload.name or "").name, what)
            except RenderError as exc:
                errors[name] = f"{exc}. Upload a JPEG or PNG image."
            finally:
                upload.file.seek(0)
        return errors


class Episode(CardOverrides):
    connection = models.ForeignKey(
        PlexConnection, on_delete=models.CASCADE, related_name="episodes"
    )
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="episodes")
    rating_key = models.CharField(max_length=32)
    season_rating_key = models.CharField(max_length=32, blank=True)
    season_number = models.IntegerField(null=True, blank=True)
    episode_number = models.IntegerField(null=True, blank=True)
    # Plex's own absolute number (shows in absolute order), and the one cards use: Plex's, or
    # counted in air order (cards/sync.py, fill_absolute_numbers).
    plex_absolute_number = models.IntegerField(null=True, blank=True, editable=False)
    absolute_number = models.IntegerField(null=True, blank=True, editable=False)
    title = models.CharField(max_length=1000)
    air_date = models.DateField(null=True, blank=True)
    guid_tvdb = models.CharField(max_length=64, blank=True)
    guid_tmdb = models.CharField(max_length=64, blank=True)
    guid_imdb = models.CharField(max_length=64, blank=True)
    # Whether the episode counts as watched: the connection's watched policy's answer
    # (cards/watched.py), which the style goes by. None: not known yet; the unwatched
    # (spoiler-safe) style applies then.
    watched = models.BooleanField(null=True, blank=True)
    # Plex's own watched flag: the owner's account's, kept apart from the policy's answer.
    plex_watched = models.BooleanField("watched on Plex (owner)", null=True, blank=True)
    thumb = models.CharField(max_length=500, blank=True, help_text="Plex's thumbnail path.")
    # The labels Plex showed on the episode when tcm last read it whole (listings leave them
    # out), tcm's own label included once it set it; null: not read yet. Labelling sends the
    # whole list, so tcm labels only episodes whose labels it knows.
    plex_labels = models.JSONField(null=True, blank=True, editable=False)
    # Whether Plex's thumb field was locked (a pick in Plex's UI or an upload locks it) when
    # tcm last read the episode whole; null: not read yet. With the labels, it lets the kept
    # check (cards/thumbs.py) go by the job's batch read instead of reading the episode again.
    plex_thumb_locked = models.BooleanField(null=True, blank=True, editable=False)
    plex_updated_at = models.DateTimeField(null=True, blank=True)
    present = models.BooleanField(default=True, help_text="False once Plex no longer has it.")

    title_text = models.CharField(
        max_length=1000, blank=True, help_text="Text drawn instead of the Plex title (\\n breaks)."
    )
    episode_text = models.CharField(
        max_length=200, blank=True, help_text="Text drawn instead of the episode line."
    )
    extras = models.JSONField(
        default=dict, blank=True, help_text="Card type options of this episode's card."
    )

    # The episode's own still, downloaded once from Plex and kept: after our upload Plex's
    # thumbnail is our card, so it can never be downloaded again.
    source_file = models.CharField(max_length=500, blank=True)
    source_hash = models.CharField(max_length=64, blank=True)

    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["series__title", "season_number", "episode_number"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "rating_key"], name="episode_unique_key")
        ]
        indexes = [models.Index(fields=["series", "season_number", "episode_number"])]

    def __str__(self) -> str:
        return f"{self.series.title} S{self.season_number or 0:02d}E{self.episode_number or 0:02d}"

    def clean(self) -> None:
        if not isinstance(self.extras, dict):
            raise ValidationError({"extras": "Card type options are a JSON object."})
        if problems := check_extras(self.extras):
            raise ValidationError({"extras": problems})


class Viewer(models.Model):
    """Someone Tautulli says has watched the episode (its history, or its watched post)."""

    class Source(models.TextChoices):
        HISTORY = "history"
        WEBHOOK = "webhook"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="viewers")
    user_id = models.BigIntegerField(help_text="Tautulli's (Plex's) user id.")
    user = models.CharField(max_length=150, blank=True)
    watched_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.HISTORY)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "user_id"], name="viewer_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user or self.user_id} watched {self.episode_id}"


class TitleCard(models.Model):
    class State(models.TextChoices):
        PENDING = "pending"
        RENDERED = "rendered"
        UPLOADED = "uploaded"
        FAILED = "failed"
        # Plex has no still for the episode yet (it makes one later): looked at again soon.
        WAITING = "waiting", "waiting for a still"
        # The thumbnail on Plex is someone else's choice; tcm leaves it alone (cards/thumbs.py).
        KEPT = "kept"
        # The original still was put back on Plex (Restore originals).
        RESTORED = "restored"

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="card")
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    file = models.CharField(max_length=500, blank=True, help_text="Path in the card storage.")
    fingerprint = models.CharField(
        max_length=64, blank=True, help_text="Hash of everything the card was rendered from."
    )
    watched = models.BooleanField(null=True, blank=True, help_text="The state it was rendered for.")
    style = models.CharField(max_length=30, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    uploaded_hash = models.CharField(
        max_length=64,
        blank=True,
        help_text="SHA-1 of the bytes on Plex (Plex names uploads by it).",
    )
    uploaded_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    last_error = models.TextField(blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True, db_index=True)

    # Why tcm leaves Plex's thumbnail alone (state kept), e.g. a person chose it in Plex.
    kept_reason = models.CharField(max_length=200, blank=True)
    take_over = models.BooleanField(
        default=False, help_text="A person asked tcm to replace a thumbnail chosen in Plex."
    )
    restore_requested = models.BooleanField(
        default=False, help_text="Restore originals will put the original still back."
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"card for {self.episode}"


class CardEvent(models.Model):
    """One thing that happened to an episode's card, written where it happens (cards/card.py,
    cards/tasks.py): the episode page's timeline (cards/timeline.py) reads them beside the
    Tautulli posts (WebhookEvent) and the card's own state. A check that found the card on Plex
    is not written (the card's verified_at says when), so a daily check adds no rows."""

    class Kind(models.TextChoices):
        RECHECK = "recheck", "watched re-check"
        RENDER = "render", "rendered"
        UPLOAD = "upload", "uploaded"
        VERIFY = "verify", "checked on Plex"
        FAILURE = "failure", "failed"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="card_events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField()
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["episode", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} of {self.episode_id} at {self.at:%Y-%m-%d %H:%M}"

    @classmethod
    def record(cls, episode_id: int, kind: str, text: str = "", **details: Any) -> None:
        """One line where it happens; `details` are plain JSON values."""
        cls.objects.create(episode_id=episode_id, kind=kind, text=text[:2000], details=details)


class EventStatus(models.TextChoices):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    DUPLICATE = "duplicate"
    # Not for tcm: a movie, say (Tautulli's manual triggers skip the agents' conditions).
    IGNORED = "ignored"


# An event waits for the relay (cards/relay.py) while it is pending and nobody has queued its
# task yet: the view stores it so, the relay marks it dispatched as it queues the task, and it is
# given back (dispatched_at emptied) when the broker refuses. The partial index, the relay's SQL,
# waiting_for_relay() and the sweeper (cards/maintenance.py) all use this condition.
WAITING_FOR_RELAY = models.Q(status=EventStatus.PENDING, dispatched_at__isnull=True)


class WebhookEvent(models.Model):
    """One post from Tautulli, stored before any work is queued so that none is lost."""

    Status = EventStatus

    connection = models.ForeignKey(
        TautulliConnection, on_delete=models.CASCADE, related_name="events"
    )
    rating_key = models.CharField(max_length=32)
    event = models.CharField(max_length=20, blank=True)
    # Who watched, for a "watched" post (Tautulli's {user} and {user_id}).
    user = models.CharField(max_length=150, blank=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The Celery task working on it (while running): a second copy of the task (re-dispatched by
    # the sweeper while the first was still queued) sees another id and does nothing, while the
    # same message delivered again after its worker died may take the event back.
    task_id = models.CharField(max_length=64, blank=True)
    # Refreshed by the task while it runs the event (keep_alive): a running event whose mark
    # stopped lost its worker, and a living worker's relay takes it over (cards/maintenance.py).
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["connection", "rating_key", "event", "received_at"]),
            # What the relay looks for several times a second: small, however many events the
            # table keeps.
            models.Index(
                fields=["id"],
                name="webhookevent_waiting_relay",
                condition=WAITING_FOR_RELAY,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event or 'event'} {self.rating_key} from {self.connection}"

    @classmethod
    def waiting_for_relay(cls) -> models.QuerySet[WebhookEvent]:
        """Events stored but not yet queued: what the relay takes (WAITING_FOR_RELAY)."""
        return cls.objects.filter(WAITING_FOR_RELAY)

    @classmethod
    def give_back(cls, ids: list[int]) -> None:
        """Hand events the broker refused back to the relay, to be queued on a later try."""
        cls.objects.filter(pk__in=ids).update(dispatched_at=None)

    @classmethod
    def requeue(cls, events: models.QuerySet[WebhookEvent]) -> int:
        """Hand pending or failed events to the relay again; returns how many.

        A failed event starts over with its attempts reset, so it gets the whole retry budget.
        """
        with transaction.atomic():
            ids = list(
                events.filter(status__in=[cls.Status.PENDING, cls.Status.FAILED]).values_list(
                    "pk", flat=True
                )
            )
            cls.objects.filter(pk__in=ids, status=cls.Status.FAILED).update(attempts=0)
            cls.objects.filter(pk__in=ids).update(
                status=cls.Status.PENDING,
                last_error="",
                next_attempt_at=None,
                finished_at=None,
                dispatched_at=None,
            )
        return len(ids)

    @contextlib.contextmanager
    def keep_alive(self) -> Iterator[None]:
        """Mark this running event alive every third of TCM_EVENT_HEARTBEAT while the block runs,
        from a thread of its own: the mark stops when the process dies (SIGKILL, OOM), however
        long the work itself takes, and a living worker then takes the event over.

        The mark is set only while the event is still running under this task (task_id): once
        it is finished, waiting for a retry or taken over, the thread stops."""
        stop = threading.Event()
        mine = WebhookEvent.objects.filter(
            pk=self.pk, status=self.Status.RUNNING, task_id=self.task_id
        )

        def beat() -> None:
            try:
                while not stop.wait(settings.TCM_EVENT_HEARTBEAT / 3):
                    try:
                        if not mine.update(heartbeat_at=timezone.now()):
                            return
                    except DatabaseError as exc:  # the next beat may get through
                        log.warning("event %s: its heartbeat failed: %s", self.pk, exc)
                        db_connection.close()
            finally:
                db_connection.close()  # this thread's own connection

        thread = threading.Thread(target=beat, name=f"event-heartbeat:{self.pk}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def insert(self, twin_since: datetime) -> None:
        """Save this new event with one INSERT, as save() would (same values, the id read back).

        The same statement first looks for its waiting twin: the earliest pending event of the
        same connection, key and event received since `twin_since`. When there is one, this
        event is stored as its duplicate (status duplicate, duplicate_of set; the relay takes
        only pending events) instead. One statement is one round trip to the database per
        post. On SQLite, where writes take turns, two identical posts also cannot both miss
        each other; on PostgreSQL two that arrive at the same instant still can (neither sees
        the other's uncommitted row), and the worker's collapse per episode covers that.

        For the webhook view, which stores an event per post: save()'s generic path (signals,
        update-or-insert, the SQL compiler) costs several times the INSERT itself, and the view
        has no use for any of it (nothing listens to this model's signals)."""
        fields, sql = _insert_sql()
        params: list[Any] = []
        for field in fields:
            value = field.get_db_prep_save(field.pre_save(self, True), db_connection)
            if field.name == "status":
                params += [value, self.Status.DUPLICATE.value]
            elif field.name != "duplicate_of":  # the twin's id, or NULL: taken from the query
                params.append(value)
        waiting = self.Status.PENDING.value
        since = db_connection.ops.adapt_datetimefield_value(twin_since)
        params += [self.connection_id, self.rating_key, self.event, waiting, since]
        with db_connection.cursor() as cursor:
            cursor.execute(sql, params)
            self.pk, twin = cursor.fetchone()
        if twin is not None:
            self.status, self.duplicate_of_id = self.Status.DUPLICATE, twin
        self._state.adding = False
        self._state.db = db_connection.alias


@lru_cache(maxsize=1)
def _insert_sql() -> tuple[list[models.Field], str]:
    """The fields WebhookEvent.insert writes, and its INSERT ... SELECT (parameters: each
    field's value in order, the status twice, none for duplicate_of; then the twin's
    connection, key, event, status and earliest time)."""
    quote = db_connection.ops.quote_name
    meta = WebhookEvent._meta
    table, pk = quote(meta.db_table), quote(cast(str, meta.pk.column))
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    # cast: a concrete field always has a column (the stubs allow None for the others).
    column = {f.name: quote(cast(str, f.column)) for f in fields}
    # Each field's own value, unless there is a twin: then the status is "duplicate" and
    # duplicate_of is the twin.
    special = {
        "status": "CASE WHEN found.twin IS NULL THEN %s ELSE %s END",
        "duplicate_of": "found.twin",
    }
    chosen = ", ".join(special.get(f.name, "%s") for f in fields)
    same = ("connection", "rating_key", "event", "status")
    match = " AND ".join(f"{column[name]} = %s" for name in same)
    twin = (
        f"SELECT {pk} FROM {table} WHERE {match} AND {column['received_at']} >= %s "
        f"ORDER BY {column['received_at']} LIMIT 1"
    )
    return fields, (
        f"INSERT INTO {table} ({', '.join(column.values())}) SELECT {chosen} "
        f"FROM (SELECT ({twin}) AS twin) AS found "
        f"RETURNING {pk}, {column['duplicate_of']}"
    )


class JobRun(models.Model):
    """One run of a scheduled or admin-started job, with its progress and what it did.

    `kind` is the job (cards/jobs.py: its Celery task is "cards.<kind>"); `target_id` is the
    object a per-object job ran for (a Plex connection, a series: the job declares which), empty
    for the schedule's jobs."""

    class Status(models.TextChoices):
        RUNNING = "running"
        OK = "ok"
        FAILED = "failed"
        SKIPPED = "skipped"

    kind = models.CharField("job", max_length=100, db_index=True)
    target_id = models.PositiveIntegerField("target", null=True, blank=True)
    task_id = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        target = f" #{self.target_id}" if self.target_id is not None else ""
        return f"{self.kind}{target} at {self.started_at:%Y-%m-%d %H:%M}"

    def report_progress(self, done: int, total: int | None = None) -> None:
        """Record progress of a long job; the admin shows it while the job runs.

        An UPDATE of two columns, so it is cheap enough to call every few dozen items.
        """
        self.progress_done = done
        fields = {"progress_done": done}
        if total is not None:
            self.progress_total = total
            fields["progress_total"] = total
        JobRun.objects.filter(pk=self.pk).update(**fields)
