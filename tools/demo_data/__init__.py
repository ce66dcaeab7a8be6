"""The Dutch demo data set: built from the tables in data/demo/source into data/demo/*.json."""

from tools.demo_data.build import build, write

__all__ = ["build", "write"]
