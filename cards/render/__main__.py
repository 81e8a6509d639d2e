"""python -m cards.render: one card (or a contact sheet) from the command line, without Django
(cards/render/cli.py)."""

from __future__ import annotations

import sys

from .process import prepare

if __name__ == "__main__":
    prepare()  # before the card imports numpy
    from .cli import main

    sys.exit(main())
