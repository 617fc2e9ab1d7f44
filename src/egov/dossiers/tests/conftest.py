"""A small one-stop world for the dossier tests: a district with a department and a one-stop
centre, a commune with its one-stop unit, a commune procedure and a district procedure, and
officers for every step. Built through the real services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from egov.accounts.tests.factories import MembershipFactory, UserFactory
from egov.core.files import StoredFile
from egov.dossiers import services
from egov.organizations.models import Agency
from egov.organizations.tests.factories import AgencyFactory
from egov.procedures import services as procedure_services

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN)


def commune_steps():
    return [
        {
            "name": "Tiếp nhận hồ sơ",
            "unit": "onestop",
            "role": "onestop",
            "duration": Decimal("0.5"),
        },
        {
            "name": "Thẩm định, xử lý",
            "unit": "department",
            "department_abbreviation": "",
            "role": "specialist",
            "duration": Decimal("1.5"),
        },
        {"name": "Phê duyệt", "unit": "government", "role": "leader", "duration": Decimal("0.5")},
        {"name": "Trả kết quả", "unit": "onestop", "role": "onestop", "duration": Decimal("0.5")},
    ]


def district_steps():
    return [
        {
            "name": "Tiếp nhận hồ sơ",
            "unit": "onestop",
            "role": "onestop",
            "duration": Decimal("0.5"),
        },
        {
            "name": "Thẩm định",
            "unit": "department",
            "department_abbreviation": "TP",
            "role": "specialist",
            "duration": Decimal("3"),
        },
        {"name": "Ký duyệt", "unit": "government", "role": "leader", "duration": Decimal("1")},
        {"name": "Trả kết quả", "unit": "onestop", "role": "onestop", "duration": Decimal("0.5")},
    ]


def make_version(code, level, steps, *, time=3, cutoff=None, effective_from=dt.date(2018, 1, 1)):
    field = procedure_services.get_or_create_field("HT", "Hộ tịch")
    return procedure_services.save_version(
        code,
        field=field,
        effective_from=effective_from,
        name=f"Thủ tục thử {code}",
        level=level,
        online_level="partial",
        processing_time=Decimal(time),
        time_unit="days",
        cutoff_time=cutoff,
        papers=[
            {"name": "Tờ khai theo mẫu", "kind": "original", "count": 1, "required": True},
            {"name": "Giấy tờ tùy thân", "kind": "copy", "count": 1, "required": True},
            {"name": "Giấy tờ khác (nếu có)", "kind": "copy", "count": 1, "required": False},
        ],
        fees=[{"name": "Lệ phí", "kind": "charge", "amount": 8000}],
        steps=steps,
    )


@pytest.fixture
def world(db):
    province = AgencyFactory(kind=Agency.Kind.PROVINCE, name="UBND tỉnh Thử", code="000.00.00.H99")
    district = AgencyFactory(
        kind=Agency.Kind.DISTRICT, name="UBND huyện Thử", code="000.00.25.H99", parent=province
    )
    justice = AgencyFactory(
        kind=Agency.Kind.DEPARTMENT,
        name="Phòng Tư pháp",
        abbreviation="TP",
        code="000.04.25.H99",
        parent=district,
    )
    district_desk = AgencyFactory(
        kind=Agency.Kind.ONESTOP,
        name="Bộ phận một cửa huyện",
        abbreviation="BPMC",
        code="000.13.25.H99",
        parent=district,
    )
    commune = AgencyFactory(
        kind=Agency.Kind.COMMUNE, name="UBND xã Đỗ Thử", code="002.00.25.H99", parent=district
    )
    commune_desk = AgencyFactory(
        kind=Agency.Kind.ONESTOP,
        name="Bộ phận một cửa xã Đỗ Thử",
        abbreviation="BPMC",
        code="002.01.25.H99",
        parent=commune,
    )
    other = AgencyFactory(
        kind=Agency.Kind.COMMUNE, name="UBND xã Khác", code="003.00.25.H99", parent=district
    )

    def officer(agency, role, name):
        user = UserFactory(username=name, full_name=name.replace(".", " ").title())
        MembershipFactory(user=user, agency=agency, role=role)
        return user

    w = SimpleNamespace(
        province=province,
        district=district,
        justice=justice,
        district_desk=district_desk,
        commune=commune,
        commune_desk=commune_desk,
        other=other,
        desk=officer(commune_desk, "onestop", "motcua.xa"),
        specialist=officer(commune, "specialist", "chuyenvien.xa"),
        leader=officer(commune, "leader", "lanhdao.xa"),
        district_deskman=officer(district_desk, "onestop", "motcua.huyen"),
        district_specialist=officer(justice, "specialist", "chuyenvien.tp"),
        district_leader=officer(district, "leader", "lanhdao.huyen"),
        outsider=officer(other, "onestop", "motcua.khac"),
        commune_version=make_version("1.000001", "commune", commune_steps()),
        district_version=make_version("1.000002", "district", district_steps(), time=5),
    )
    return w


def intake(version, **overrides):
    applicant = services.Applicant(
        name=overrides.pop("name", "Nguyễn Thị Ánh Tuyết"),
        id_number=overrides.pop("id_number", "025090000123"),
        phone="0912 345 678",
        email="tuyet@example.vn",
        address="Thôn Đồng, xã Đỗ Thử",
    )
    return services.Intake(
        procedure_version=version,
        applicant=applicant,
        papers_received=overrides.pop("papers", (1, 2)),
        **overrides,
    )


def result_pdf(name="ket-qua.pdf") -> StoredFile:
    return StoredFile(
        name=f"dossiers/results/{name}",
        size=1000,
        sha256="0" * 64,
        kind="pdf",
        original_name=name,
        page_count=1,
    )


@pytest.fixture
def receive(world):
    def _receive(at=None, version=None, desk=None, agency=None, **overrides):
        version = version or world.commune_version
        with services.simulated_clock(at or vn(2026, 3, 2, 9, 0)):
            return services.receive(
                intake(version, **overrides), agency or world.commune_desk, by=desk or world.desk
            )

    return _receive
