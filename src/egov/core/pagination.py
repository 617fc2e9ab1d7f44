"""Keyset pagination for HTML lists: ``WHERE key < cursor ORDER BY key DESC LIMIT n+1``.

It walks an index, costs the same on page 1 and page 10,000, and never counts the table
(STYLE.md: list pages must not slow down as tables grow)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass
class Page:
    items: list
    next_cursor: int | None
    cursor: int | None
    size: int

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def _parse_cursor(raw) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def keyset_page(queryset: QuerySet, *, key: str = "id", cursor=None, size: int = 50) -> Page:
    """Newest first by ``key`` (an indexed, unique, increasing column)."""
    size = max(1, min(int(size), 200))
    after = _parse_cursor(cursor)
    qs = queryset.order_by(f"-{key}")
    if after is not None:
        qs = qs.filter(**{f"{key}__lt": after})
    rows = list(qs[: size + 1])
    next_cursor = getattr(rows[size - 1], key) if len(rows) > size else None
    return Page(items=rows[:size], next_cursor=next_cursor, cursor=after, size=size)
