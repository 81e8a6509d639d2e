"""The schedule's seventh job: every minute, cards waiting for a still whose next look is due
are queued again (a new episode's still comes minutes after Plex adds it). Idempotent and
reversible, as 0005."""

from django.db import migrations
from django.utils import timezone

NAME = "Look again for stills"
TASK = "cards.render_waiting_cards"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    interval = IntervalSchedule.objects.filter(every=1, period="minutes").first()
    if interval is None:
        interval = IntervalSchedule.objects.create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "interval": interval,
            "crontab": None,
            "solar": None,
            "clocked": None,
            "expire_seconds": 50,
            "expires": None,
            "one_off": False,
            "enabled": True,
            "description": "Cards waiting for Plex to make the episode's still, looked at "
            "again when their next look is due (after 1, 2, 4... minutes, at most an hour).",
        },
    )
    _tell_beat(PeriodicTasks)


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTask.objects.filter(name=NAME).delete()
    _tell_beat(PeriodicTasks)


def _tell_beat(PeriodicTasks):
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("cards", "0009_firstrun_waiting_for_still"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
