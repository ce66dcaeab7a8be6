"""The ANN settings reach the service's indexes, which then answer as the exact ones do."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from matcher import HashingEncoder
from matcher.ann import AnnSettings
from service.domain.tables import Challenge
from service.settings import Settings
from service.storage.db import make_engine, migrate
from service.usecases.demo import load_demo_if_empty
from service.usecases.matching import Matching


def test_the_ann_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LCMATCH_ANN_THRESHOLD", "123")
    monkeypatch.setenv("LCMATCH_ANN_CANDIDATES", "45")
    monkeypatch.setenv("LCMATCH_ANN_STORAGE", "float16")
    ann = Settings().ann()
    assert (ann.threshold, ann.candidates, ann.storage) == (123, 45, "float16")


@pytest.mark.parametrize(("name", "value"), [("THRESHOLD", "0"), ("STORAGE", "int4")])
def test_a_bad_ann_setting_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(f"LCMATCH_ANN_{name}", value)
    with pytest.raises(ValueError, match=f"ann_{name.lower()}"):
        Settings()


def test_a_low_threshold_makes_the_indexes_approximate_with_the_same_suggestions(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'lcmatch.sqlite'}")
    migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        load_demo_if_empty(session, Settings(home=tmp_path))
        exact = Matching(encoder=HashingEncoder())
        exact.rebuild(session)
        students = len(exact.rankers["student"])
        # As many candidates as students, float16 rows: the approximate route must then give
        # the exact route's answer (int8 may swap two students whose scores tie to 1e-3).
        approximate = Matching(
            encoder=HashingEncoder(),
            ann=AnnSettings(threshold=5, candidates=students, storage="float16"),
        )
        approximate.rebuild(session)
        challenges = session.exec(select(Challenge)).all()
    assert approximate.rankers["student"].index_.approximate
    assert not exact.rankers["student"].index_.approximate
    assert students > 5
    for challenge in challenges[:5]:
        filters = {"community": [challenge.community_id]}
        expected = exact.rank("student", "challenge", challenge, k=5, filters=filters)
        found = approximate.rank("student", "challenge", challenge, k=5, filters=filters)
        # The same score at every rank; ids may differ only where two students tie within
        # float16 rounding.
        assert len(found) == len(expected)
        assert [m.score for m in found] == pytest.approx(
            [m.score for m in expected], rel=1e-2, abs=5e-3
        )
