"""The `lcmatch` command: serve, import and export, evaluate and train."""

# An entry script installed before the command moved into this package still names
# `service.cli:app`; `pip install -e .` makes it name `service.cli.main:app`.
from service.cli.main import app

__all__ = ["app"]
