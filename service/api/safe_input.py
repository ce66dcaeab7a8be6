"""Bodies a database cannot store or JSON cannot carry: a 422 naming the field, never a 500.

JSON as Python reads it may hold what no client should send and nothing downstream takes:
unpaired surrogates ("ab\\ud800c" cannot be encoded as UTF-8) and the non-standard numbers NaN,
Infinity and -Infinity (also 1e400, read as infinity). The validation models let some of them
through (a str may hold a surrogate, a float may be NaN), and the 422 answer for the others
echoed the input, which cannot be written as JSON either.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from fastapi import Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

WRITES = ("POST", "PUT", "PATCH", "DELETE")


def has_lone_surrogate(text: str) -> bool:
    """Whether the string holds a surrogate code point (a pair is joined by the JSON reader,
    so any left is unpaired and cannot be encoded as UTF-8)."""
    return any("\ud800" <= char <= "\udfff" for char in text)


def _problems(value: Any, loc: tuple[str | int, ...]) -> Iterator[dict[str, Any]]:
    if isinstance(value, str):
        if has_lone_surrogate(value):
            yield {
                "type": "string_unicode",
                "loc": loc,
                "msg": "Input should be valid Unicode text: it holds an unpaired surrogate",
            }
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield {"type": "finite_number", "loc": loc, "msg": "Input should be a finite number"}
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and has_lone_surrogate(key):
                yield {"type": "string_unicode", "loc": loc, "msg": "A key is not valid Unicode"}
            yield from _problems(item, (*loc, safe_text(str(key))))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _problems(item, (*loc, index))


async def refuse_unstorable_json(request: Request) -> None:
    """A dependency of the API's routes: 422 naming each field of a JSON body that holds an
    unpaired surrogate or a number that is not finite."""
    if request.method not in WRITES or "json" not in request.headers.get("content-type", ""):
        return
    body = await request.body()  # kept by the request: FastAPI reads the same bytes
    if not body:
        return
    try:
        data = json.loads(body)
    except ValueError:
        return  # malformed JSON: FastAPI answers it
    problems = list(_problems(data, ("body",)))
    if problems:
        raise RequestValidationError(problems)


def safe_text(text: str) -> str:
    """The text with unpaired surrogates written as escapes, so that it can be encoded."""
    if not has_lone_surrogate(text):
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def json_safe(value: Any) -> Any:
    """A value that JSON can carry: non-finite numbers as their names, surrogates escaped."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {json_safe(str(key)): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


async def validation_error_answer(request: Request, error: RequestValidationError) -> JSONResponse:
    """FastAPI's 422 answer, with the inputs it echoes made safe to write as JSON."""
    detail = json_safe(jsonable_encoder(error.errors()))
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": detail}
    )
