"""The watched refresh every 5 minutes instead of 30 (issue 19): a manual "mark as watched" in
Plex fires no Tautulli event, and the refresh is cheap enough now (bench/watched.py).

Only a row that still has the old default is changed: an interval someone chose in the admin
stays. The values are written out here, as in 0005, so that this keeps doing what it did."""

from django.db import migrations
from django.utils import timezone

NAME = "Refresh watched state"
OLD = (30, 25 * 60)
NEW = (5, 4 * 60)
DESCRIPTION = (
    "Applies each Plex connection's watched policy in bulk (Plex's watched flags, and "
    "Tautulli's history when other users count) and re-renders cards whose style must change "
    "(catches episodes marked as watched by hand, which Tautulli does not report)."
)


def _move(apps, source, target, description=None):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    task = PeriodicTask.objects.filter(name=NAME).select_related("interval").first()
    if task is None or task.interval is None:
        return
    if (task.interval.every, task.interval.period) != (source[0], "minutes"):
        return  # chosen by someone: left alone
    interval = IntervalSchedule.objects.filter(every=target[0], period="minutes").first()
    if interval is None:
        interval = IntervalSchedule.objects.create(every=target[0], period="minutes")
    task.interval, task.expire_seconds = interval, target[1]
    if description:
        task.description = description
    task.save()
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def every_5_minutes(apps, schema_editor):
    _move(apps, OLD, NEW, DESCRIPTION)


def every_30_minutes(apps, schema_editor):
    _move(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("cards", "0009_household_watched_policy"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(every_5_minutes, every_30_minutes)]
