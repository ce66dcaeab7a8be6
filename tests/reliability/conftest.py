"""Fixtures for the reliability tests: the API suite's fixtures, re-exported.

The API tests' conftest (tests/service/api/conftest.py) starts PostgreSQL with pgserver, makes a
fresh database per test on SQLite or PostgreSQL (`db_url`) and copies the seeded world
(`world`, see apiworld.py). It is loaded here under a name of its own, so that both conftests can
live in one pytest session, and its fixtures are bound to names in this module, which is how
pytest finds them.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

import hypothesis.configuration

# Hypothesis (under Schemathesis) keeps caches in .hypothesis/ of the working directory; not in
# the checkout, please. Nothing is replayed from there: the tests run with database=None.
hypothesis.configuration.set_hypothesis_home_dir(
    Path(tempfile.gettempdir()) / "lcmatch-reliability-hypothesis"
)

API_TESTS = Path(__file__).resolve().parents[1] / "service" / "api"
if str(API_TESTS) not in sys.path:
    sys.path.insert(0, str(API_TESTS))  # apiworld and authz, imported as top-level modules


def _load_api_conftest():
    name = "lcmatch_api_conftest"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, API_TESTS / "conftest.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_api = _load_api_conftest()

PostgresCluster = _api.PostgresCluster
BACKENDS = _api.BACKENDS

postgres = _api.postgres
backend = _api.backend
db_url = _api.db_url
world_templates = _api.world_templates
world_url = _api.world_url
world = _api.world
empty = _api.empty
