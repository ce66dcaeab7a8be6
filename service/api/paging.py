"""One page of a query, with the total count."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, func, select

from service.api.deps import PageParams


def paginate(session: Session, query: Any, page: PageParams, *order_by: Any) -> tuple[list, int]:
    """The rows of one page (in a stable order) and how many rows there are in all."""
    count = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(*order_by).offset(page.skip).limit(page.limit)).all()
    return list(rows), count
