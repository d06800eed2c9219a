"""Bounded list parameters: page size capped, sort fields named, so no query value can reach the database
unchecked (Advanced Alchemy's generated providers accept any string: see ../shared/architecture.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from advanced_alchemy.filters import LimitOffset, OrderBy
from litestar.params import QueryParameter

MAX_PAGE_SIZE = 500
SortOrder = Literal["asc", "desc"]


@dataclass(frozen=True)
class PageRequest:
    limit: int
    offset: int

    def as_filter(self) -> LimitOffset:
        return LimitOffset(limit=self.limit, offset=self.offset)


def provide_page(
    page_number: Annotated[int, QueryParameter(name="page", ge=1, le=1_000_000, description="1-based page number")] = 1,
    page_size: Annotated[
        int, QueryParameter(name="page_size", ge=1, le=MAX_PAGE_SIZE, description="Rows per page")
    ] = 50,
) -> PageRequest:
    return PageRequest(limit=page_size, offset=(page_number - 1) * page_size)


def order_by(field: str, order: SortOrder) -> OrderBy:
    return OrderBy(field_name=field, sort_order=order)
