"""The tips beside the challenge form, field by field, in Dutch and English: each goes when
its field is filled in (the same rules render the page and redraw the tips as the SME types)."""

from __future__ import annotations

from service.web.i18n import use_language
from service.web.sme_form import ChallengeForm
from service.web.sme_skills import MANUAL, SkillChoice
from service.web.sme_tips import MIN_DESCRIPTION_WORDS, guidance_tips


def fields(form: ChallengeForm) -> list[str]:
    return [tip.field for tip in guidance_tips(form)]


def test_an_empty_form_gets_a_tip_for_every_thin_field() -> None:
    assert fields(ChallengeForm()) == [
        "description",
        "description",
        "level",
        "period_start",
        "place",
        "skills",
    ]


def test_each_tip_goes_once_its_field_is_filled_in() -> None:
    form = ChallengeForm()
    form.values["level"] = "hbo"
    assert "level" not in fields(form)
    form.values["period_start"] = "2027-02-15"
    assert "period_start" in fields(form)  # a period needs both ends
    form.values["period_end"] = "2027-06-11"
    assert "period_start" not in fields(form)
    form.values["place"] = "Breda"
    assert "place" not in fields(form)
    form.skills = [SkillChoice(uri="", label="lassen", origin=MANUAL, chosen=False)]
    assert "skills" in fields(form)  # an unticked skill is not chosen
    form.skills = [SkillChoice(uri="", label="lassen", origin=MANUAL, chosen=True)]
    assert "skills" not in fields(form)
    form.values["description"] = " ".join(["woord"] * (MIN_DESCRIPTION_WORDS - 1) + ["advies"])
    assert fields(form) == []


def test_remote_work_needs_no_place() -> None:
    form = ChallengeForm()
    form.values["remote"] = "remote"
    assert "place" not in fields(form)
    form.values["remote"] = "onsite"
    assert "place" in fields(form)


def test_the_tips_speak_the_page_language() -> None:
    form = ChallengeForm()
    form.values["description"] = "Drie woorden hier"
    dutch = [tip.message for tip in guidance_tips(form)]
    with use_language("en"):
        english = [tip.message for tip in guidance_tips(form)]
    assert dutch[0].startswith("De omschrijving is kort (3 woorden)")
    assert english[0].startswith("The description is short (3 words)")
    assert "Give a place: the matcher then weighs how far students have to travel." in english


def test_a_deliverable_is_recognised_in_dutch_and_in_english() -> None:
    deliverable = "Noem wat de student oplevert"
    form = ChallengeForm()
    form.values["description"] = "We drogen hennep met restwarmte."
    assert any(tip.message.startswith(deliverable) for tip in guidance_tips(form))
    for text in ("De student levert een advies op.", "The student writes a report."):
        form.values["description"] = text
        assert not any(tip.message.startswith(deliverable) for tip in guidance_tips(form)), text
