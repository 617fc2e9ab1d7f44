"""The demo catalog reproduces the article: 277 district procedures (70 partly online) and 155
commune procedures (65 partly online), realistic ones among them, loaded idempotently."""

from __future__ import annotations

import datetime as dt
import io
import time
from decimal import Decimal

import pytest
from django.core.management import call_command

from egov.core import audit
from egov.core.models import AuditEvent
from egov.core.text import fold
from egov.demo.presets import procedures_catalog, thanh_ba_2021
from egov.procedures.models import Procedure, ProcedureVersion, ProcessStep
from egov.procedures.selectors import search_procedures

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    return procedures_catalog.load()


def test_article_counts(loaded):
    assert loaded == 432
    district = Procedure.objects.filter(level="district")
    commune = Procedure.objects.filter(level="commune")
    assert district.count() == 277 and district.filter(online_level="partial").count() == 70
    assert commune.count() == 155 and commune.filter(online_level="partial").count() == 65
    assert not Procedure.objects.exclude(online_level__in=["2", "partial"]).exists()


def test_data_alone_matches_the_article():
    entries = procedures_catalog.catalog()
    assert len({e["code"] for e in entries}) == len(entries) == 432
    for level, total, partial in (("district", 277, 70), ("commune", 155, 65)):
        mine = [e for e in entries if e["level"] == level]
        assert len(mine) == total
        assert sum(e["online_level"] == "partial" for e in mine) == partial


def test_realistic_procedures(loaded):
    assert len(procedures_catalog.REALISTIC) >= 30
    khai_sinh = Procedure.objects.get(national_code=procedures_catalog.CODES["khai_sinh"])
    version = khai_sinh.version_on(dt.date(2026, 3, 2))
    assert version.name == "Đăng ký khai sinh" and version.field.name == "Hộ tịch"
    assert version.cutoff_time == dt.time(15, 0) and version.processing_time == Decimal("1")
    assert [p.kind for p in version.papers.all()][:2] == ["original", "original"]
    assert version.fees.get().amount == 0
    assert [s.unit for s in version.steps.all()] == [
        "onestop",
        "department",
        "government",
        "onestop",
    ]
    building = Procedure.objects.get(national_code=procedures_catalog.CODES["giay_phep_xay_dung"])
    steps = list(building.versions.get().steps.all())
    assert (steps[1].department_abbreviation, steps[1].role) == ("KTHT", "specialist")
    assert (steps[2].unit, steps[2].role) == ("government", "leader")
    assert building.level == "district"
    # A liên thông step in a commune procedure.
    burial = Procedure.objects.get(national_code=procedures_catalog.CODES["mai_tang_phi"])
    assert "higher" in [s.unit for s in burial.versions.get().steps.all()]


def test_search_finds_khai_sinh(loaded):
    names = [p.name for p in search_procedures("khai sinh")]
    assert "Đăng ký khai sinh" in names and "Đăng ký lại khai sinh" in names


def test_steps_fit_the_time_and_name_real_departments(loaded):
    known = {abbr for _n, _name, _short, abbr in thanh_ba_2021.DEPARTMENTS}
    for version in ProcedureVersion.objects.prefetch_related("steps"):
        steps = list(version.steps.all())
        assert steps, version
        assert sum(s.duration for s in steps) <= version.processing_time, version
    used = set(
        ProcessStep.objects.exclude(department_abbreviation="").values_list(
            "department_abbreviation", flat=True
        )
    )
    assert used and used <= known
    commune_steps = ProcessStep.objects.filter(version__level="commune", unit="department")
    assert not commune_steps.exclude(department_abbreviation="").exists()


def test_two_versions_show_a_fee_change(loaded):
    procedure = Procedure.objects.get(national_code=procedures_catalog.CODES["trich_luc"])
    old, new = procedure.versions.order_by("effective_from")
    assert (old.effective_from, old.effective_to) == (dt.date(2020, 1, 1), dt.date(2025, 6, 30))
    assert new.effective_from == dt.date(2025, 7, 1) and new.effective_to is None
    assert old.fees.get().amount == 8000 and new.fees.get().amount == 4000
    assert procedure.version_on(dt.date(2021, 11, 8)) == old
    household = Procedure.objects.get(national_code=procedures_catalog.CODES["ho_kinh_doanh"])
    assert household.versions.count() == 2
    assert ProcedureVersion.objects.count() == 434


def test_generated_rows_equal_what_the_service_would_write(loaded):
    procedure = Procedure.objects.get(national_code="1.091025")
    version = procedure.versions.get()
    assert procedure.name == version.name == "Thủ tục hành chính cấp huyện số 25 (minh họa)"
    assert procedure.search_text == fold(f"1.091025 {version.name} {version.field.name}")
    assert procedure.field_id == version.field_id and procedure.is_active
    assert version.papers.exists() and version.steps.count() == 4
    assert [p.name for p in search_procedures("1.091025")] == [procedure.name]
    assert procedure.name in [p.name for p in search_procedures("cap huyen so 25 minh hoa")]


def test_idempotent_and_fast():
    started = time.perf_counter()
    assert procedures_catalog.load() == 432
    elapsed = time.perf_counter() - started
    assert elapsed < 10, f"demo catalog took {elapsed:.1f} s"
    events = AuditEvent.objects.count()
    assert procedures_catalog.load() == 0
    assert AuditEvent.objects.count() == events
    assert Procedure.objects.count() == 432
    assert audit.verify()[1] is None


def test_load_demo_reports_procedures():
    out = io.StringIO()
    call_command("load_demo", "thanh-ba-2021", "--dossiers", "0", stdout=out)
    assert "procedures 432" in out.getvalue()
    out = io.StringIO()
    call_command("load_demo", "phu-tho-2025", "--dossiers", "0", stdout=out)
    assert "procedures 0" in out.getvalue() and Procedure.objects.count() == 432
