"""Build hook: compile the pages' Babel catalogues (.po) into .mo files in every build.

The wheel then carries ready .mo files; an editable install gets them beside the .po files.
`service.web.i18n` prefers a .mo that is newer than its .po and compiles a newer .po in memory,
so a translator's edit shows at once during development.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LOCALES = Path("service") / "web" / "locales"


class CompileCatalogues(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        for po in sorted((Path(self.root) / LOCALES).glob("*/LC_MESSAGES/*.po")):
            language = po.parent.parent.name
            with po.open("rb") as source:
                catalog = read_po(source, locale=language, domain=po.stem)
            with po.with_suffix(".mo").open("wb") as target:
                write_mo(target, catalog)
