"""The web pages: server-rendered (Jinja2 + htmx), Dutch by default, English as a choice.

Pages live under `/` (the JSON API stays under /api/v1) and call the same service functions
as the API, with the same roles and object rules. `install(app)` mounts them: the router, the
static files, the language middleware, and the handlers that answer a page's errors with a
page (a redirect to /login, a 403 or 404 page) instead of JSON.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.api.safe_input import validation_error_answer
from service.web import (
    auth,
    csrf,
    dashboard,
    journey,
    meetings,
    professional,
    programme,
    review,
    rounds,
    rounds_student,
    sme,
    sme_rounds,
    student,
    themes,
)
from service.web.i18n import N_, LanguageMiddleware, gettext
from service.web.render import render

STATIC = Path(__file__).parent / "static"

#: Every page route; a POST without the right CSRF token never reaches one.
web_router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.check)])
# Each area's pages (a student's /rounds/preferences before the round at /rounds/{id}).
for area in (
    auth,
    student,
    sme,
    sme_rounds,
    review,
    dashboard,
    programme,
    journey,
    themes,
    meetings,
    rounds_student,
    rounds,
    professional,
):
    web_router.include_router(area.router)

#: Paths that are not pages: their errors keep FastAPI's JSON answer.
NOT_PAGES = ("/api/", "/health", "/docs", "/redoc", "/openapi.json", "/static/")

#: What a page says for an error status, without the details of the API's message (a 404
#: must not tell whether the object exists).
ERROR_MESSAGES = {
    400: (N_("Ongeldig verzoek"), N_("Het verzoek klopt niet. Ga terug en probeer het opnieuw.")),
    403: (N_("Geen toegang"), N_("U hebt geen toegang tot deze pagina.")),
    404: (
        N_("Niet gevonden"),
        N_("Deze pagina bestaat niet, of u hebt er geen toegang toe."),
    ),
    405: (N_("Niet toegestaan"), N_("Deze handeling kan niet op deze pagina.")),
    409: (N_("Kan niet"), N_("Dit kan niet in de huidige toestand.")),
    413: (N_("Te groot"), N_("Wat u stuurde is te groot.")),
    429: (N_("Te veel verzoeken"), N_("Te veel verzoeken. Wacht even en probeer het opnieuw.")),
}
FORGED_MESSAGE = N_("Het formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens.")


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(NOT_PAGES)


async def page_error(request: Request, error: StarletteHTTPException) -> Response:
    """An error on a page as a page in the user's language; elsewhere FastAPI's JSON."""
    if not is_page(request):
        return await http_exception_handler(request, error)
    title, message = ERROR_MESSAGES.get(
        error.status_code, (N_("Er ging iets mis"), N_("Er ging iets mis. Probeer het opnieuw."))
    )
    if error is csrf.FORGED:
        message = FORGED_MESSAGE
    auth.remember_actor(request)
    return render(
        request,
        "error.html",
        status_code=error.status_code,
        headers=getattr(error, "headers", None),
        title=gettext(title),
        message=gettext(message),
    )


async def page_bad_request(request: Request, error: Exception) -> Response:
    """A page request whose path, query or form does not fit the route: the 400 page (pages
    check their forms themselves; this is for what no form of ours sends)."""
    assert isinstance(error, RequestValidationError)
    if not is_page(request):
        return await validation_error_answer(request, error)
    return await page_error(request, StarletteHTTPException(400))


async def login_required(request: Request, error: Exception) -> Response:
    assert isinstance(error, auth.LoginRequired)
    return auth.login_redirect(request, error)


def install(app: FastAPI) -> None:
    """Mount the pages, the static files and their error handling on the app."""
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(LanguageMiddleware)
    app.add_exception_handler(auth.LoginRequired, login_required)
    app.add_exception_handler(StarletteHTTPException, page_error)
    app.add_exception_handler(RequestValidationError, page_bad_request)
