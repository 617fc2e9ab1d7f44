"""Mã định danh (OrganId) of QĐ 20/2020/QĐ-TTg, amended by QĐ 09/2025/QĐ-TTg: dot-separated
groups read right to left, ``000.00.00.H00`` (String 13). The exact level semantics are
UNCONFIRMED (STANDARDS.md §2.1), so the accepted pattern is a setting."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_PATTERN = r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$"


def agency_code_pattern() -> re.Pattern:
    return re.compile(getattr(settings, "EGOV_AGENCY_CODE_PATTERN", DEFAULT_PATTERN))


def validate_agency_code(value: str) -> None:
    if not agency_code_pattern().match(value or ""):
        raise ValidationError(
            _("Mã định danh “%(value)s” không đúng định dạng 000.00.00.H00 (QĐ 20/2020/QĐ-TTg)."),
            code="invalid_agency_code",
            params={"value": value},
        )
