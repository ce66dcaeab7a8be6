"""Browser tests of the pages: the app served by uvicorn, driven by a real headless Chromium.

Each test module gets its own server (a fresh SQLite database in a temporary LCMATCH_HOME,
the Dutch demo data, the fast fake encoder: pages do not need the real model), so one area's
changes never leak into another's tests. The browser is Debian's `chromium`, started by
Playwright through `executable_path` (never `playwright install`).

Fixtures: `server` (its base URL, `.settings`, `.app`), `browser`, `page` (a fresh browser
context per test: no cookies), `login(page, username, lang="nl")`,
`shot(page, name, lang)` that writes docs/screenshots/<name>.<lang>.png for the README, and
`low_contrast(page)` that lists the visible texts below a 4.5:1 contrast (WCAG AA).
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect, sync_playwright

from matcher.encoders import HashingEncoder
from matcher.paths import data_dir
from service.app import create_app
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "demo-wachtwoord"
#: A desktop window for the screenshots; the phone tests set their own viewport.
VIEWPORT = {"width": 1200, "height": 900}


@dataclass
class Server:
    url: str
    settings: Settings
    app: FastAPI


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running(app: FastAPI, port: int) -> Iterator[None]:
    """The app served by uvicorn on the port in a background thread, until the block ends."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not uv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web test server did not start")
        time.sleep(0.05)
    try:
        yield
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app on a free port in a background thread, with the demo data loaded."""
    home = tmp_path_factory.mktemp("lcmatch-home")
    settings = Settings(home=home, environment="development", demo_data=True)
    app = create_app(settings, encoder=HashingEncoder())
    port = free_port()
    try:
        with running(app, port):
            yield Server(url=f"http://127.0.0.1:{port}", settings=settings, app=app)
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make install` (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    """A page in a fresh, Dutch browser context (no cookies) that resolves paths against the
    server."""
    # A Dutch browser (its Accept-Language); `login(..., lang="en")` switches with the cookie.
    context = browser.new_context(base_url=server.url, viewport=VIEWPORT, locale="nl-NL")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def demo_email(username: str) -> str:
    """An e-mail address as is, or the address of a demo user id ("usr-student-004")."""
    if "@" in username:
        return username
    users = json.loads((data_dir() / "demo" / "users.json").read_text(encoding="utf-8"))
    for user in users:
        if user["id"] == username:
            return user["email"]
    raise KeyError(f"no demo user {username!r} in data/demo/users.json")


@pytest.fixture
def login(server: Server) -> Callable[..., None]:
    """log in through the real login form: `login(page, "usr-student-004", lang="en")`."""

    def log_in(page: Page, username: str, lang: str = "nl") -> None:
        page.context.add_cookies([{"name": "lang", "value": lang, "url": server.url}])
        page.goto("/login")
        page.get_by_label("E-mailadres" if lang == "nl" else "Email address").fill(
            demo_email(username)
        )
        page.get_by_label("Wachtwoord" if lang == "nl" else "Password").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Inloggen" if lang == "nl" else "Log in").click()
        expect(page.locator("form.logout")).to_be_visible()

    return log_in


@pytest.fixture
def shot() -> Callable[..., Path]:
    """Write a screenshot to docs/screenshots/<name>.<lang>.png (the README's gallery): the
    whole page, or with `full_page=False` the window only (for long lists); the page must be
    in that language."""

    def take(page: Page, name: str, lang: str, *, full_page: bool = True) -> Path:
        html_lang = page.locator("html").get_attribute("lang")
        assert html_lang == lang, f"the page is in {html_lang!r}, not {lang!r}"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.{lang}.png"
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        return path

    return take


#: For every visible element with text of its own: its colour against the first opaque
#: background behind it (WCAG 2 relative luminance). Texts clipped to a pixel (for screen
#: readers only) are left out.
CONTRAST_SCRIPT = """
() => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(",").map(parseFloat);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const channel = (v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const found = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!own || box.width <= 1 || box.height <= 1 || style.visibility === "hidden") continue;
    const a = luminance(parse(style.color));
    const b = luminance(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const text = el.textContent.trim().slice(0, 40);
    if (ratio < 4.5) found.push(`${el.tagName} "${text}" ${ratio.toFixed(2)}`);
  }
  return found;
}
"""


@pytest.fixture
def low_contrast() -> Callable[[Page], list[str]]:
    """The visible texts of the page whose contrast is below 4.5:1 (an empty list is good)."""

    def check(page: Page) -> list[str]:
        return page.evaluate(CONTRAST_SCRIPT)

    return check


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, list[bytes]]]:
    """A real SMTP server on a free port, and the mails it received."""
    received: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope) -> str:
            received.append(envelope.content)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()
