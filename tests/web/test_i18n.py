"""Every message of the web pages has an English translation, so an English page is wholly
English; and the language of a request is chosen as the pages promise."""

from __future__ import annotations

from datetime import date

import pytest

from service.web import i18n, messages


def test_every_message_of_the_web_package_has_an_english_translation() -> None:
    missing = messages.untranslated("en")
    listed = "\n".join(
        f"  {m.where} ({messages.area_of(messages.PACKAGE / m.where.split(':')[0])}.po): {m.id!r}"
        for m in missing
    )
    assert not missing, (
        f"{len(missing)} message(s) without English; fill them in with "
        f"`python -m service.web.messages AREA`:\n{listed}"
    )


def test_the_extraction_finds_the_messages_of_python_and_templates() -> None:
    """The check above is only as good as the extraction: it must see both kinds of file."""
    found = {m.id for area in messages.extract().values() for m in area}
    assert "Het e-mailadres of het wachtwoord klopt niet." in found  # auth.py
    assert "Naar de inhoud" in found  # templates/base.html
    assert "Voeg vaardigheid %(skill)s toe" in found  # templates/student/assignments.html


def test_an_untranslated_message_is_reported(tmp_path, monkeypatch) -> None:
    """A catalogue without the translation makes the check fail: the test can fail."""
    empty = tmp_path / "locales"
    (empty / "en" / "LC_MESSAGES").mkdir(parents=True)
    monkeypatch.setattr(messages, "LOCALES", empty)
    missing = {m.id for m in messages.untranslated("en")}
    assert "Naar de inhoud" in missing


@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        (None, None, "nl"),
        (None, "en-GB,en;q=0.9", "en"),
        (None, "de-DE,de;q=0.9,en;q=0.5,nl;q=0.8", "nl"),
        (None, "fr-FR", "nl"),
        ("en", "nl-NL", "en"),
        ("nl", "en-US", "nl"),
        ("xx", "en-US", "en"),
        (None, "en;q=0, nl;q=0.1", "nl"),
    ],
)
def test_the_language_is_the_cookie_else_accept_language_else_dutch(cookie, accept, expected):
    assert i18n.choose_language(cookie, accept) == expected


def test_translation_follows_the_language_of_the_request() -> None:
    with i18n.use_language("en"):
        assert i18n.gettext("Inloggen") == "Log in"
        assert i18n.format_date(date(2027, 3, 1)) == "March 1, 2027"
    with i18n.use_language("nl"):
        assert i18n.gettext("Inloggen") == "Inloggen"
        assert i18n.format_date(date(2027, 3, 1)) == "1 maart 2027"


def test_an_edited_catalogue_is_compiled_without_a_build(tmp_path, monkeypatch) -> None:
    """A .po newer than its .mo (or without one) is compiled in memory at start."""
    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "base.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Inloggen"\nmsgstr "Sign in"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    i18n.reload()
    try:
        with i18n.use_language("en"):
            assert i18n.gettext("Inloggen") == "Sign in"
    finally:
        monkeypatch.undo()
        i18n.reload()
