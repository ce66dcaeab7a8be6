"""Wishes on a suggestion (`service.domain.workflow.wish`): recorded beside the review steps, they
never move the status, only the right side may voice one, and only before the introduction."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from service.domain.tables import Response, SuggestionStatus
from service.domain.workflow import (
    Action,
    ActionError,
    Side,
    TransitionError,
    allowed_actions,
    apply,
    event_action,
    parse_event_action,
    wish,
)


def suggestion(status: SuggestionStatus) -> SimpleNamespace:
    return SimpleNamespace(
        status=status,
        reason=None,
        sme_response=Response.pending,
        target_response=Response.pending,
        sme_rating=None,
        target_rating=None,
    )


@pytest.mark.parametrize("status", [SuggestionStatus.suggested, SuggestionStatus.approved])
def test_the_sme_asks_for_an_introduction_and_the_status_stays(status) -> None:
    row = suggestion(status)
    move = wish(row, Action.request_introduction, side=Side.sme)
    assert (move.from_status, move.to_status) == (status, status)
    assert row.status == status


def test_only_the_sme_side_asks_for_an_introduction() -> None:
    with pytest.raises(ActionError, match="only the sme side"):
        wish(suggestion(SuggestionStatus.suggested), Action.request_introduction, side="target")


def test_after_the_introduction_there_is_nothing_left_to_ask_for() -> None:
    row = suggestion(SuggestionStatus.introduced)
    with pytest.raises(TransitionError) as refused:
        wish(row, Action.request_introduction, side=Side.sme)
    assert "the suggestion is introduced" in refused.value.message
    assert row.status == SuggestionStatus.introduced


def test_a_review_step_is_no_wish_and_a_wish_is_no_step() -> None:
    with pytest.raises(ActionError, match="approve is not a wish"):
        wish(suggestion(SuggestionStatus.suggested), Action.approve, side=Side.sme)
    with pytest.raises(TransitionError):
        apply(suggestion(SuggestionStatus.suggested), Action.request_introduction)
    assert "request_introduction" not in allowed_actions(suggestion(SuggestionStatus.suggested))


def test_a_wish_is_recorded_and_read_back_with_its_side() -> None:
    recorded = event_action(Action.request_introduction, Side.sme)
    assert recorded == "request_introduction:sme"
    parts = parse_event_action(recorded)
    assert (parts.action, parts.side) == (Action.request_introduction, Side.sme)
