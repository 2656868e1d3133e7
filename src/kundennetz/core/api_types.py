"""Field types and pagination shared by every API router, so that each app validates input the same way.

Limits that the models already state (lengths, digits, ranges) are left to ``full_clean``; these types
only make sure that what reaches a model is of the right kind and cannot break the database.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal, Optional

from asgiref.sync import sync_to_async
from django.db import models
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, BeforeValidator, ConfigDict, WithJsonSchema
from pydantic_core import PydanticCustomError

from kundennetz.core import paging

# The largest primary key the databases store; larger numbers would overflow inside the driver.
MAX_ID = 2**63 - 1


def _clean_text(value: str) -> str:
    # PostgreSQL refuses NUL characters outright; let them fail here with a message instead.
    if "\x00" in value:
        raise PydanticCustomError("null_characters", "Null characters are not allowed.")
    return value.strip()


Text = Annotated[str, AfterValidator(_clean_text)]


def _not_a_number(value):
    # Pydantic would read 0 as 1970-01-01 (a Unix time): a date is sent as text, e.g. "2026-06-30".
    if isinstance(value, (int, float, Decimal)) or (isinstance(value, str) and value.strip().lstrip("+-").isdigit()):
        raise PydanticCustomError("date_type", "Enter a valid date.")
    return value


Date = Annotated[dt.date, BeforeValidator(_not_a_number), WithJsonSchema({"type": "string", "format": "date"})]
"""A date in a request (body or query): ISO text only, never a number."""

Id = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]
"""A record's id in a request body: a JSON number, never a text or a fraction."""

QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A record's id in a query string, where every value arrives as text."""

Money = Annotated[
    Optional[Decimal],
    Field(description="Decimal number or decimal string, up to 12 digits before and 2 after the point, not "
                      "negative. Returned as a decimal string, e.g. \"350000.00\"."),
]
Percent = Annotated[
    Optional[Decimal],
    Field(description="Percent between -100 and 100 with up to 2 decimal places; returned as a decimal string."),
]


def _reference(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise PydanticCustomError("reference_type", "Enter an id (a number) or a code (a text).")
    if isinstance(value, int) and not 1 <= value <= MAX_ID:
        raise PydanticCustomError("reference_type", "Enter an id (a number) or a code (a text).")
    return _clean_text(value) if isinstance(value, str) else value


Reference = Annotated[
    Any,
    BeforeValidator(_reference),
    WithJsonSchema({"oneOf": [{"type": "integer"}, {"type": "string"}]}),
]
"""A catalogue entry named by its id (a number) or its code (a text)."""


def choice(choices: type[models.Choices], *, blank: bool = False) -> Any:
    """The allowed values of a model's choices (plus "" where the field may stay empty), for the schema."""
    values = tuple(choices.values) + (("",) if blank else ())
    return Literal[values]


class InputSchema(Schema):
    """Request bodies refuse unknown fields, so that a misspelt field is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


COUNT_DESCRIPTION = (f"How many records the list holds, counted up to {paging.COUNT_CAP:,}: when there are more, "
                     f"`count` is {paging.COUNT_CAP:,} and `count_capped` is true.")
COUNT_CAPPED_DESCRIPTION = ("True when there are more records than `count` (counting stops there). Paging on with "
                            "`offset` still reaches every record: a page with fewer than `limit` items is the last.")


class PageIn(Schema):
    """``limit`` and ``offset`` of a list, for the lists that page by hand (see `page_of`)."""

    limit: int = Field(50, ge=1, le=500, description="How many records to return (1–500).")
    offset: int = Field(0, ge=0, le=10**9, description="How many records to skip.")


class CountedPage(Schema):
    """The count every list answers beside its ``items``: capped, so that no list counts a million rows.
    A list that pages by hand answers a subclass of it with its own ``items``."""

    count: int = Field(description=COUNT_DESCRIPTION)
    count_capped: bool = Field(description=COUNT_CAPPED_DESCRIPTION)


def page_of(rows, offset: int, limit: int) -> dict[str, Any]:
    """One page of a queryset (or a list): ``items`` (a list), ``count`` (at most COUNT_CAP) and
    ``count_capped``; a deep page is read ids first (``paging.rows_between``)."""
    if isinstance(rows, (models.QuerySet, paging.ByAccount)):
        counted = paging.capped_count(rows)
    else:
        counted = paging.Counted(min(len(rows), paging.COUNT_CAP), len(rows) > paging.COUNT_CAP)
    if not counted.capped and offset >= counted.value:
        items = []  # past the end: known from the count, no need to ask the database to skip rows
    else:
        items = list(paging.rows_between(rows, offset, offset + limit))
    return {"items": items, "count": counted.value, "count_capped": counted.capped}


class Pagination(LimitOffsetPagination):
    """``limit`` (1–500, default 50) and ``offset``; the answer is ``{"items": [...], "count": n,
    "count_capped": bool}``, counted up to COUNT_CAP (see `page_of`)."""

    Input = PageIn

    class Output(Schema):
        items: list[Any]
        count: int = Field(description=COUNT_DESCRIPTION)
        count_capped: bool = Field(description=COUNT_CAPPED_DESCRIPTION)

    def paginate_queryset(self, queryset, pagination: PageIn, request, **params) -> dict[str, Any]:
        return page_of(queryset, pagination.offset, min(pagination.limit, self.max_limit))

    async def apaginate_queryset(self, queryset, pagination: PageIn, request, **params) -> dict[str, Any]:
        # An async endpoint answers the same shape (the inherited one would count every row, uncapped).
        return await sync_to_async(page_of)(queryset, pagination.offset, min(pagination.limit, self.max_limit))


def lookup_reference(value) -> dict[str, Any]:
    """Filter arguments for a catalogue entry named by id or code (a query parameter is always text)."""
    text = str(value).strip()
    if text.isdigit() and 1 <= int(text) <= MAX_ID:
        return {"pk": int(text)}
    return {"code": text}
