"""The schedule (issue 7): six periodic jobs for Celery beat, editable in the admin afterwards.

Idempotent (update_or_create by name, so running it again repairs the rows) and reversible (the
reverse removes these tasks and nothing else). The values are written out here rather than
imported from cards/ so that this migration keeps doing what it did when the code changes.

Each job's `expire_seconds` is shorter than its interval: a copy that waited in the queue while no
worker ran is dropped instead of running right before the next one.
"""

from django.db import migrations
from django.utils import timezone

# name in the admin, Celery task, interval (every, period), expire_seconds, description
JOBS = [
    (
        "Sync libraries",
        "cards.sync_all_libraries",
        (6, "hours"),
        5 * 3600,
        "New, changed and removed series and episodes from every enabled Plex connection.",
    ),
    (
        "Refresh watched state",
        "cards.refresh_watched_state",
        (30, "minutes"),
        25 * 60,
        "Reads the watched state from Plex in bulk and re-renders cards whose style must "
        "change (catches episodes marked as watched by hand, which Tautulli does not report).",
    ),
    (
        "Render and upload due cards",
        "cards.render_due_cards",
        (1, "hours"),
        50 * 60,
        "Every card that is missing, outdated (its settings changed) or failed earlier and is "
        "due a retry.",
    ),
    (
        "Verify cards on Plex",
        "cards.verify_all_cards",
        (1, "days"),
        23 * 3600,
        "Uploads again the cards Plex no longer shows (a metadata refresh drops them).",
    ),
    (
        "Dispatch pending events",
        "cards.dispatch_pending_events",
        (1, "minutes"),
        50,
        "Queues webhook events again whose task was lost (broker down, worker died).",
    ),
    (
        "Clean up",
        "cards.clean_up",
        (1, "days"),
        23 * 3600,
        "Deletes old webhook events and job runs, and card files nothing refers to.",
    ),
]


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, task, (every, period), expires, description in JOBS:
        interval = IntervalSchedule.objects.filter(every=every, period=period).first()
        if interval is None:
            interval = IntervalSchedule.objects.create(every=every, period=period)
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={
                "task": task,
                "interval": interval,
                "crontab": None,
                "solar": None,
                "clocked": None,
                "expire_seconds": expires,
                "expires": None,
                "one_off": False,
                "enabled": True,
                "description": description,
            },
        )
    _tell_beat(PeriodicTasks)


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTask.objects.filter(name__in=[job[0] for job in JOBS]).delete()
    _tell_beat(PeriodicTasks)


def _tell_beat(PeriodicTasks):
    # A running beat reloads its schedule when this changes; the model's own signals do not fire
    # for the historical models a migration works with.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("cards", "0004_webhookevent_task_id"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
