"""Rendering a page: one Jinja2 environment, and `render` that gives every template the
user, the language, the translation functions and the CSRF token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup
from sqlmodel import Session

from service.domain.tables import Role
from service.usecases.notifications import open_count
from service.web import csrf, i18n
from service.web.i18n import N_

TEMPLATES = Path(__file__).parent / "templates"

#: The navigation of each role: (path, label). The label is translated when shown.
#: The intermediary's dashboard link is made per community in `navigation`.
NAV: dict[Role, list[tuple[str, str]]] = {
    Role.student: [
        ("/student/profile", N_("Mijn profiel")),
        ("/student/assignments", N_("Opdrachten")),
        ("/matches", N_("Mijn matches")),
        ("/rounds/preferences", N_("Mijn voorkeuren")),
    ],
    Role.sme: [("/sme", N_("Mijn uitdagingen")), ("/matches", N_("Mijn matches"))],
    Role.intermediary: [
        ("/review", N_("Beoordelen")),
        ("/matches", N_("Matches")),
        ("/rounds", N_("Rondes")),
        ("/meetings", N_("Bijeenkomsten")),
    ],
    Role.admin: [
        ("/review", N_("Beoordelen")),
        ("/matches", N_("Matches")),
        ("/rounds", N_("Rondes")),
        ("/admin/outbox", N_("Uitgaande e-mail")),
    ],
    Role.monitor: [("/programmes", N_("Programma's"))],
    Role.professional: [
        ("/professional/profile", N_("Mijn profiel")),
        ("/professional/suggestions", N_("Waar je kunt leren")),
    ],
}


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # New-style gettext: `_("Hallo %(name)s", name=x)` escapes x and formats after
    # translating; the functions read the request's language themselves.
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    env.globals["csrf_field"] = csrf_field
    env.globals["N_"] = N_
    env.filters["date"] = i18n.format_date
    return env


@pass_context
def csrf_field(context: Context) -> Markup:
    """The hidden form field every POST form carries (see `service.web.csrf`)."""
    token = context.get("csrf_token", "")
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(token)


environment = _environment()


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request (it then swaps in a part of the page)."""
    return request.headers.get("HX-Request") == "true"


def navigation(actor: Any) -> list[tuple[str, str]]:
    """The links of the actor's role, with their labels translated."""
    if actor is None:
        return []
    links = list(NAV.get(actor.role, []))
    if actor.role in (Role.intermediary, Role.admin):
        links += [
            (f"/communities/{community_id}/dashboard", N_("Dashboard"))
            for community_id in sorted(actor.community_ids)[:1]
        ]
    return [(path, i18n.gettext(label)) for path, label in links]


def bell_count(request: Request, actor: Any) -> int | None:
    """How many matches wait for the logged-in user's step (None when nobody is logged in)."""
    if actor is None:
        return None
    with Session(request.app.state.engine) as session:
        return open_count(session, actor)


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    block: str | None = None,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """The template as an HTML page.

    Adds `request`, `user` (the logged-in Actor or None), `lang`, `nav` and `csrf_token`
    (`_`, `ngettext` and `csrf_field()` are the environment's globals). With `block`, an htmx
    request gets only that block of the template (a partial to swap in); a normal request
    always gets the whole page.
    """
    actor = getattr(request.state, "actor", None)
    token, new_cookie = csrf.token_for(request)
    values = {
        "request": request,
        "user": actor,
        "lang": i18n.current_language(),
        "languages": i18n.LANGUAGES,
        "nav": navigation(actor),
        "bell": bell_count(request, actor),
        "csrf_token": token,
        **context,
    }
    compiled = environment.get_template(template)
    if block is not None and is_htmx(request):
        html = "".join(compiled.blocks[block](compiled.new_context(values)))
    else:
        html = compiled.render(values)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    response.headers.setdefault("Content-Language", i18n.current_language())
    response.headers["Vary"] = "Cookie, Accept-Language"
    if new_cookie:
        csrf.set_cookie(request, response, new_cookie)
    return response
