"""Read queries of the catalog: diacritics-insensitive search on an indexed folded column."""

from __future__ import annotations

from django.db.models import QuerySet

from egov.core.text import fold
from egov.procedures.models import Procedure


def search_procedures(
    query: str = "",
    *,
    level: str = "",
    field_id: int | None = None,
    online_level: str = "",
    active_only: bool = True,
) -> QuerySet[Procedure]:
    qs = Procedure.objects.select_related("field")
    if active_only:
        qs = qs.filter(is_active=True)
    if level:
        qs = qs.filter(level=level)
    if field_id:
        qs = qs.filter(field_id=field_id)
    if online_level:
        qs = qs.filter(online_level=online_level)
    for word in fold(query).split():
        qs = qs.filter(search_text__contains=word)
    return qs.order_by("national_code")
