"""Logging in through the real browser, in Dutch and English; the login screenshots."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from service.web.auth import safe_next


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_login_page_in_the_chosen_language(page: Page, server, shot, lang: str) -> None:
    page.context.add_cookies([{"name": "lang", "value": lang, "url": server.url}])
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    heading = {"nl": "Inloggen", "en": "Log in"}[lang]
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    shot(page, "login", lang)


def test_a_student_logs_in_and_lands_on_their_assignments(page: Page, login) -> None:
    login(page, "usr-student-004")
    expect(page).to_have_url(re.compile(r"/student/assignments$"))
    expect(page.locator(".who")).to_have_text("Wei Zhang")


def test_a_wrong_password_says_so_in_english_and_keeps_the_address(page: Page, server) -> None:
    page.context.add_cookies([{"name": "lang", "value": "en", "url": server.url}])
    page.goto("/login")
    page.get_by_label("Email address").fill("wei.zhang@example.com")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("The email address or the password is wrong.")
    expect(page.get_by_label("Email address")).to_have_value("wei.zhang@example.com")
    expect(page.get_by_label("Email address")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("form.logout")).to_have_count(0)


def test_a_page_behind_the_login_returns_there_after_logging_in(page: Page) -> None:
    page.goto("/student/profile")
    expect(page).to_have_url(re.compile(r"/login\?next=/student/profile$"))
    page.get_by_label("E-mailadres").fill("wei.zhang@example.com")
    page.get_by_label("Wachtwoord").fill("demo-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(re.compile(r"/student/profile$"))


def test_the_language_switch_changes_the_page_and_stays(page: Page, login) -> None:
    login(page, "usr-student-004")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_logging_out_ends_the_session(page: Page, login) -> None:
    login(page, "usr-student-004")
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")
    page.goto("/student/assignments")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_a_login_without_the_form_token_is_refused(page: Page, server) -> None:
    """A forged cross-site POST: the browser sends no valid csrf_token."""
    response = page.request.post(
        f"{server.url}/login",
        form={"email": "wei.zhang@example.com", "password": "demo-wachtwoord"},
        max_redirects=0,
    )
    assert response.status == 403
    assert "lcmatch_session" not in response.headers.get("set-cookie", "")


def test_an_english_browser_gets_english_pages_without_choosing(browser, server) -> None:
    context = browser.new_context(base_url=server.url, locale="en-GB")
    page = context.new_page()
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    context.close()


@pytest.mark.parametrize(
    ("asked", "kept"),
    [
        ("/student/profile", "/student/profile"),
        ("/review?stage=approved", "/review?stage=approved"),
        ("https://evil.example/", None),
        ("//evil.example/", None),
        ("/\\evil.example/", None),
        ("javascript:alert(1)", None),
        ("", None),
    ],
)
def test_after_logging_in_only_a_path_on_this_site_is_followed(asked: str, kept) -> None:
    """No open redirect: `next` may not lead to another site."""
    assert safe_next(asked) == kept


def test_the_login_page_with_an_error_keeps_a_contrast_of_at_least_4_5(
    page: Page, low_contrast
) -> None:
    page.goto("/login")
    page.get_by_label("E-mailadres").fill("wei.zhang@example.com")
    page.get_by_label("Wachtwoord").fill("fout")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert low_contrast(page) == []


def test_the_contrast_check_finds_pale_text(page: Page, low_contrast) -> None:
    """The check the pages pass must be able to fail: grey #aaa on white is 2.3:1."""
    page.goto("/login")
    # Styled through the CSSOM: the pages' Content-Security-Policy refuses style attributes.
    page.evaluate(
        """(() => {
             const pale = document.createElement("p");
             pale.textContent = "bleek";
             pale.style.color = "#aaaaaa";
             document.querySelector("main").append(pale);
           })()"""
    )
    assert [problem.split(" ")[:2] for problem in low_contrast(page)] == [["P", '"bleek"']]


def test_too_many_failed_logins_are_stopped_with_the_apis_limit(page: Page, server) -> None:
    """The page uses the API's login limits: after five failures for one account, a sixth
    attempt is refused even before the password is checked (429), with a message."""
    page.goto("/login")
    token = page.locator("input[name=csrf_token]").get_attribute("value")
    for _ in range(5):
        response = page.request.post(
            f"{server.url}/login",
            form={"email": "nobody@example.com", "password": "guess", "csrf_token": token},
        )
        assert response.status == 400
    page.get_by_label("E-mailadres").fill("nobody@example.com")
    page.get_by_label("Wachtwoord").fill("guess")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Te veel mislukte pogingen. Probeer het over een minuut opnieuw."
    )
