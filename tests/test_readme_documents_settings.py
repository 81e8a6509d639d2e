"""Every environment variable tcm reads is in README's configuration table: a newcomer learns the
settings from there, not from the source."""

from __future__ import annotations

import re

from tests.support import ROOT

# env.str("NAME", ...), env.bool(...), env.db(...), os.environ.get("NAME", ...), os.environ["NAME"]
READ = re.compile(
    r"""(?:\benv\.(?:str|bool|int|float|list|db)\(|os\.environ(?:\.get\(|\[))\s*"([A-Z][A-Z0-9_]+)\""""
)
# Set by tcm itself for Django's machinery, not something a user configures.
INTERNAL = {"DJANGO_SETTINGS_MODULE"}


def _variables_read() -> set[str]:
    names: set[str] = set()
    for package in ("tcm_site", "connections", "cards"):
        for path in (ROOT / package).rglob("*.py"):
            names.update(READ.findall(path.read_text()))
    return names - INTERNAL


def test_every_variable_tcm_reads_is_in_the_readme_table() -> None:
    table = {
        name
        for line in (ROOT / "README.md").read_text().splitlines()
        if line.startswith("| `")
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1])
    }
    names = _variables_read()
    assert {"TCM_DATA_DIR", "REDIS_URL", "TCM_LISTEN"} <= names  # the scan sees the settings
    assert not names - table, f"not in README's table: {sorted(names - table)}"
