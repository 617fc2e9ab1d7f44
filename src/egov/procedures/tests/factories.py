"""Test helpers for the procedure catalog, built on ``services.save_version`` (so a procedure
made here is exactly what the office UI, the import and the demo make).

    from egov.procedures.tests.factories import make_procedure, step

    version = make_procedure(level="commune", processing_time=3)
    version = make_procedure(
        "1.001193", name="Đăng ký khai sinh", field=("HT", "Hộ tịch"), processing_time=1,
        cutoff_time=dt.time(15), steps=[step("Tiếp nhận", "onestop", "onestop", "0.5"), ...],
    )
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from egov.procedures import services
from egov.procedures.models import Field, ProcedureVersion

_codes = itertools.count(1)

DEFAULT_EFFECTIVE_FROM = dt.date(2020, 1, 1)
#: Share of the processing time of the four default steps (reception, processing, signing,
#: return); the steps never exceed the processing time.
DEFAULT_SHARES = (Decimal("0.1"), Decimal("0.6"), Decimal("0.2"), Decimal("0.1"))


def next_code() -> str:
    """A fresh national code in the test range ``1.8xxxxx``."""
    return f"1.{800000 + next(_codes):06d}"


def step(name: str, unit: str, role: str, duration, department_abbreviation: str = "") -> dict:
    """One step in the form ``save_version`` takes."""
    return {
        "name": name,
        "unit": unit,
        "department_abbreviation": department_abbreviation,
        "role": role,
        "duration": Decimal(str(duration)),
    }


def paper(name: str, kind: str = "original", count: int = 1, required: bool = True, **extra):
    return {"name": name, "kind": kind, "count": count, "required": required, **extra}


def fee(name: str = "Lệ phí", amount: int = 8000, kind: str = "charge", note: str = "") -> dict:
    return {"name": name, "kind": kind, "amount": amount, "note": note}


def default_steps(processing_time, *, department_abbreviation: str = "") -> list[dict]:
    """Tiếp nhận (onestop) → Thẩm định (department) → Ký (government leader) → Trả (onestop),
    sharing the processing time 10/60/20/10 % (rounded down to 0.01)."""
    total = Decimal(str(processing_time))
    d = [(total * s).quantize(Decimal("0.01"), rounding="ROUND_DOWN") for s in DEFAULT_SHARES]
    return [
        step("Tiếp nhận hồ sơ", "onestop", "onestop", d[0]),
        step("Thẩm định, xử lý hồ sơ", "department", "specialist", d[1], department_abbreviation),
        step("Phê duyệt, ký kết quả", "government", "leader", d[2]),
        step("Trả kết quả", "onestop", "onestop", d[3]),
    ]


def make_field(code: str = "HT", name: str = "Hộ tịch") -> Field:
    return services.get_or_create_field(code, name)


def make_procedure(
    national_code: str | None = None,
    *,
    level: str = "commune",
    processing_time=3,
    steps: list[dict] | None = None,
    papers: list[dict] | None = None,
    fees: list[dict] | None = None,
    name: str | None = None,
    field: Field | tuple[str, str] | None = None,
    online_level: str = "partial",
    time_unit: str = "days",
    cutoff_time: dt.time | None = None,
    effective_from: dt.date = DEFAULT_EFFECTIVE_FROM,
    department_abbreviation: str = "",
    by=None,
    **version_data,
) -> ProcedureVersion:
    """Create (or add a version to) a procedure through ``services.save_version`` and return
    the version. Defaults: a new ``1.8xxxxx`` code, field Hộ tịch, 3 working days, four steps
    sharing the time, two papers and an 8.000 đ charge. ``field`` may be a Field or a
    ``(code, name)`` pair; ``department_abbreviation`` goes on the default processing step.
    ``steps`` items are dicts (see :func:`step`) or tuples ``(name, unit, role, duration[,
    department abbreviation])``; ``papers`` items dicts or ``(name, kind, count)`` tuples."""
    code = national_code or next_code()
    if field is None:
        field = make_field()
    elif isinstance(field, tuple):
        field = make_field(*field)
    processing_time = Decimal(str(processing_time))
    if steps is None:
        steps = default_steps(processing_time, department_abbreviation=department_abbreviation)
    steps = [s if isinstance(s, dict) else step(*s) for s in steps]
    if papers is None:
        papers = [paper("Tờ khai theo mẫu"), paper("Giấy tờ tùy thân", "copy")]
    papers = [p if isinstance(p, dict) else paper(*p) for p in papers]
    if fees is None:
        fees = [fee()]
    return services.save_version(
        code,
        field=field,
        effective_from=effective_from,
        name=name or f"Thủ tục thử nghiệm {code}",
        level=level,
        online_level=online_level,
        processing_time=processing_time,
        time_unit=time_unit,
        cutoff_time=cutoff_time,
        papers=papers,
        fees=fees,
        steps=steps,
        by=by,
        **version_data,
    )
