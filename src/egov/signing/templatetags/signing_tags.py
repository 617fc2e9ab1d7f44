"""Template filters of the signature report."""

from __future__ import annotations

import datetime as dt

from django import template

register = template.Library()


@register.filter
def vn_moment(value: str | None) -> str:
    """An ISO 8601 moment of the report shown as dd/mm/yyyy HH:MM:SS (GMT+7)."""
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    offset = moment.utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset is not None else 0
    return f"{moment:%d/%m/%Y %H:%M:%S} (GMT{hours:+d})"
