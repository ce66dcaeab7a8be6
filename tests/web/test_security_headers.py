"""Security headers on the pages (issue 15): a Content-Security-Policy without inline script
or style that the pages keep to in a real browser, no framing, no sniffing, a referrer policy."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

TEMPLATES = Path(__file__).parents[2] / "service" / "web" / "templates"
PAGES = {
    "usr-student-004": ["/student/assignments", "/student/profile"],
    "usr-mkb-vlasvezel": ["/sme", "/sme/challenges/new"],
    "usr-intermediair-biobased": ["/review", "/communities/com-biobased-zuidwest/dashboard"],
}


def test_pages_files_and_the_api_carry_the_security_headers(server) -> None:
    for path in ("/login", "/static/htmx.min.js", "/api/v1/users/me", "/health"):
        answer = httpx.get(server.url + path)
        headers = answer.headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["referrer-policy"] == "same-origin", path
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy, path
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path
    policy = httpx.get(server.url + "/login").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy


def test_no_template_has_inline_script_style_or_event_handlers() -> None:
    found = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)", r"<style", r"\sstyle=", r"\shx-on", r"\son\w+="):
            if re.search(pattern, text):
                found.append(f"{template.relative_to(TEMPLATES)}: {pattern}")
    assert found == []


@pytest.mark.parametrize("user", sorted(PAGES))
def test_the_pages_break_no_rule_of_their_policy(page: Page, login, user: str) -> None:
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    login(page, user)
    for path in PAGES[user]:
        assert page.goto(path).status == 200, path
        expect(page.locator("main")).to_be_visible()
    assert refused == []


def test_adding_a_skill_still_empties_the_field_without_inline_script(page: Page, login) -> None:
    login(page, "usr-mkb-vlasvezel")
    page.goto("/sme/challenges/new")
    field = page.locator("#add_skill")
    field.fill("houtbouw")
    page.locator("button[data-clear-after='add_skill']").click()
    expect(field).to_have_value("")
