from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cards", "0017_titlecard_states"),
    ]

    operations = [
        migrations.AddField(
            model_name="episode",
            name="plex_thumb_locked",
            field=models.BooleanField(blank=True, editable=False, null=True),
        ),
    ]
