"""Render one title card from a picture, or a contact sheet of every card type, without Plex.

python manage.py render_card still.jpg --title "Pilot" --season 1 --episode 1 --out card.jpg
python manage.py render_card still.jpg --title "Pilot" --contact-sheet sheet.png

The same as `python -m cards.render` (cards/render/cli.py), which starts faster without Django.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cards.render import RenderError, cli


class Command(BaseCommand):
    help = cli.HELP
    requires_system_checks: list[str] = []  # pure rendering: no database, no settings checks

    def add_arguments(self, parser: CommandParser) -> None:
        cli.add_arguments(parser)

    def handle(self, *args, **options) -> None:
        try:
            cli.run(options, self.stdout.write, self.stderr.write)
        except (cli.UsageError, RenderError) as exc:
            raise CommandError(str(exc)) from None
