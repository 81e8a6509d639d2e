"""JobRun: `job` ("sync_library:3", "clean_up") becomes `kind` ("sync_library") and `target_id`
(3, or empty for the schedule's jobs), so that nothing parses the string back. Existing runs are
converted; the reverse writes the strings again."""

from django.db import migrations, models


def split(apps, schema_editor):
    JobRun = apps.get_model("cards", "JobRun")
    for job in JobRun.objects.values_list("job", flat=True).distinct():
        kind, _, target = job.partition(":")
        JobRun.objects.filter(job=job).update(
            kind=kind if target.isdigit() else job,
            target_id=int(target) if target.isdigit() else None,
        )


def join(apps, schema_editor):
    JobRun = apps.get_model("cards", "JobRun")
    pairs = JobRun.objects.values_list("kind", "target_id").distinct()
    for kind, target in pairs:
        JobRun.objects.filter(kind=kind, target_id=target).update(
            job=kind if target is None else f"{kind}:{target}"
        )


class Migration(migrations.Migration):
    dependencies = [("cards", "0007_webhookevent_waiting_relay")]

    operations = [
        migrations.AddField(
            model_name="jobrun",
            name="kind",
            field=models.CharField(db_index=True, default="", max_length=100, verbose_name="job"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="jobrun",
            name="target_id",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="target"),
        ),
        migrations.RunPython(split, join),
        # A default, so that the reverse can add the column back to existing rows before join.
        migrations.AlterField(
            model_name="jobrun",
            name="job",
            field=models.CharField(db_index=True, default="", max_length=100),
        ),
        migrations.RemoveField(model_name="jobrun", name="job"),
    ]
