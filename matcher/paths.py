"""Where the files that ship with lcmatch live."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The folder with the shipped data (`data/` of the checkout, or `LCMATCH_DATA_DIR`)."""
    return Path(os.environ.get("LCMATCH_DATA_DIR", PROJECT_ROOT / "data"))


def esco_skills_path() -> Path:
    """The ESCO skill list that ships with lcmatch."""
    return data_dir() / "esco" / "esco-skills.jsonl.gz"
