"""Vietnamese text: NFC normalisation and diacritic-insensitive search folding.

``fold("Quyết định ĐỊNH")`` → ``"quyet dinh dinh"``. The database function ``egov_fold`` does the
same inside SQL: on SQLite it is this Python function registered on every connection; on
PostgreSQL it is an immutable SQL function over the ``unaccent`` extension (migration
``core.0002``), so both back-ends match "quyet dinh" to "Quyết định".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from django.db import models
from django.db.backends.signals import connection_created
from django.db.models import Q

_EXTRA = str.maketrans({"đ": "d", "ð": "d"})


def nfc(value: str) -> str:
    """Unicode NFC: Vietnamese typed on different keyboards (composed/decomposed) compares equal."""
    return unicodedata.normalize("NFC", value or "")


def fold(value: str | None) -> str:
    """Lower case, no diacritics, đ→d, collapsed white space: the search form of a text."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFD", value.lower().translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


def _sqlite_fold(value):
    return fold(value) if isinstance(value, str) else value


def _register(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("egov_fold", 1, _sqlite_fold, deterministic=True)


def install_sqlite_functions() -> None:
    connection_created.connect(_register, dispatch_uid="egov_fold_sqlite")


class Fold(models.Func):
    """SQL ``egov_fold(expr)``: the database-side twin of :func:`fold`."""

    function = "egov_fold"
    output_field = models.TextField()


def search(queryset: models.QuerySet, query: str, fields: Iterable[str]) -> models.QuerySet:
    """Every word of ``query`` must appear (diacritics ignored) in at least one of ``fields``."""
    words = fold(query).split()
    if not words:
        return queryset
    fields = list(fields)
    annotations = {f"_fold_{i}": Fold(field) for i, field in enumerate(fields)}
    queryset = queryset.annotate(**annotations)
    for word in words:
        any_field = Q()
        for name in annotations:
            any_field |= Q(**{f"{name}__contains": word})
        queryset = queryset.filter(any_field)
    return queryset
