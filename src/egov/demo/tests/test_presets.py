"""Demo presets: counts, logins that work, idempotent loading, the 2025 reform."""

from __future__ import annotations

import datetime as dt
import io
import re

import pyotp
import pytest
from django.core.management import CommandError, call_command

from egov.accounts.models import Membership, Role, TOTPDevice, User
from egov.core import audit
from egov.core.models import AuditEvent
from egov.demo import loader
from egov.demo.presets import DEMO_PASSWORD, DEMO_TOTP_SECRET, phu_tho_2025, thanh_ba_2021
from egov.organizations.models import Agency, AgencyMerge, BridgePoint
from egov.organizations.validators import validate_agency_code

pytestmark = pytest.mark.django_db

DISTRICT = thanh_ba_2021.DISTRICT_CODE
THANH_BA_2025 = phu_tho_2025.THANH_BA_CODE


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Argon2 is slow on purpose; the flows under test are the same with any hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, "--dossiers", "0", stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {
        "agencies": Agency.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "active_memberships": Membership.objects.filter(is_active=True).count(),
        "bridge_points": BridgePoint.objects.count(),
        "merges": AgencyMerge.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }


def printed_logins(output: str) -> list[tuple[str, str, str, str]]:
    """(username, role, agency, password) rows of the printed table(s)."""
    rows, in_table = [], False
    for line in output.splitlines():
        if set(line.strip()) == {"-"}:
            in_table = True
            continue
        if in_table and not line.strip():
            in_table = False
            continue
        if in_table:
            rows.append(tuple(re.split(r"\s{2,}", line.strip())))
    return rows


def log_in(client, username: str, password: str) -> str:
    """Log in through the real forms (TOTP step included); returns where the user lands."""
    client.logout()
    resp = client.post("/accounts/login/", {"username": username, "password": password})
    assert resp.status_code == 302, f"{username}: login form refused"
    if resp.url.startswith("/accounts/login/2fa"):
        device = TOTPDevice.objects.get(user__username=username)
        assert device.secret == DEMO_TOTP_SECRET
        code = pyotp.TOTP(DEMO_TOTP_SECRET).now()
        resp = client.post("/accounts/login/2fa/", {"code": code})
        assert resp.status_code == 302, f"{username}: TOTP refused"
    return resp.url


# --- thanh-ba-2021 ----------------------------------------------------------------------------


def test_thanh_ba_has_the_article_structure():
    output = run("thanh-ba-2021")
    district = Agency.objects.get(code=DISTRICT)
    assert district.kind == "district" and district.parent.code == "000.00.00.H42"
    assert district.address == "Thị trấn Thanh Ba, huyện Thanh Ba, tỉnh Phú Thọ"
    governments = district.children.filter(kind__in=["commune", "town"])
    assert governments.count() == 19
    assert governments.filter(kind="town").count() == 1
    for commune in governments:
        assert commune.children.filter(kind="onestop").count() == 1
    departments = district.children.filter(kind="department")
    assert departments.count() == 12
    assert set(departments.values_list("abbreviation", flat=True)) == {
        "VP", "NV", "TCKH", "TP", "TNMT", "KTHT", "NN", "LĐTBXH", "VHTT", "GDĐT", "YT", "TTr",
    }  # fmt: skip
    assert district.children.filter(kind="onestop").count() == 1
    assert BridgePoint.objects.count() == 22
    assert BridgePoint.objects.values("equipment_status").distinct().count() == 4
    for code in Agency.objects.values_list("code", flat=True):
        validate_agency_code(code)
    assert not Agency.objects.filter(kind="province").exclude(code="000.00.00.H42").exists()
    assert "0 created" not in output and audit.verify()[1] is None


def test_every_role_has_a_demo_user():
    run("thanh-ba-2021")
    usernames = [o["username"] for o in thanh_ba_2021.OFFICERS]
    district_roles = set(
        Membership.objects.filter(
            user__username__in=usernames,
            is_active=True,
            agency__path__startswith=Agency.objects.get(code=DISTRICT).path,
        ).values_list("role", flat=True)
    )
    assert district_roles == set(Role.values)
    doson = Agency.objects.get(code=thanh_ba_2021.DOSON_CODE)
    doson_roles = set(
        Membership.objects.filter(
            agency__path__startswith=doson.path, user__username__in=usernames
        ).values_list("role", flat=True)
    )
    assert doson_roles == {"onestop", "leader", "clerk"}
    citizen = User.objects.get(phone="0912345678")
    assert (
        citizen.is_citizen
        and citizen.email == "dan@example.vn"
        and citizen.citizen_id == "025090000123"
    )
    assert User.objects.get(username="quantri").totp_device.confirmed


def test_every_printed_login_works_with_the_printed_password(client):
    output = run("thanh-ba-2021")
    rows = printed_logins(output)
    assert {r[0] for r in rows} == {o["username"] for o in thanh_ba_2021.OFFICERS} | {"0912345678"}
    assert DEMO_TOTP_SECRET in output and "python manage.py demo_totp quantri" in output
    assert "otpauth://totp/" in output
    for username, _role, _agency, password in rows:
        assert password == DEMO_PASSWORD
        landed = log_in(client, username, password)
        assert landed == ("/accounts/me/" if username == "0912345678" else "/")
    # the citizen also logs in with the e-mail address
    assert log_in(client, "dan@example.vn", DEMO_PASSWORD) == "/accounts/me/"


def test_the_printed_table_matches_the_roles():
    rows = {r[0]: r for r in printed_logins(run("thanh-ba-2021", "--quiet"))}
    assert rows["lanhdao"][1:3] == ("Lãnh đạo", "UBND huyện Thanh Ba")
    assert rows["chuyenvien"][1:3] == ("Chuyên viên", "Phòng Tư pháp huyện Thanh Ba")
    assert rows["motcua.doson"][1] == "Cán bộ một cửa"


def test_quiet_prints_only_the_table():
    output = run("thanh-ba-2021", "--quiet")
    assert "created" not in output
    assert output.lstrip().startswith("Tên đăng nhập")


def test_loading_twice_changes_nothing():
    run("thanh-ba-2021")
    before = counts()
    output = run()  # the default preset is thanh-ba-2021
    assert counts() == before
    assert "thanh-ba-2021: 0 created" in output


# --- phu-tho-2025 and the reform --------------------------------------------------------------


def test_phu_tho_2025_alone_has_no_district(client):
    output = run("phu-tho-2025")
    assert not Agency.objects.filter(kind="district").exists()
    province = Agency.objects.get(code="000.00.00.H42")
    communes = province.children.filter(kind__in=["commune", "ward"])
    assert communes.count() == len(phu_tho_2025.COMMUNES)
    assert communes.filter(kind="ward").exists()
    assert set(communes.values_list("effective_from", flat=True)) == {dt.date(2025, 7, 1)}
    assert province.children.filter(kind="onestop").count() == 1
    assert not AgencyMerge.objects.exists()
    users = [o["username"] for o in phu_tho_2025.OFFICERS]
    assert set(
        Membership.objects.filter(user__username__in=users).values_list("role", flat=True)
    ) == set(Role.values)
    for username, _role, _agency, password in printed_logins(output):
        log_in(client, username, password)
    before = counts()
    assert "phu-tho-2025: 0 created" in run("phu-tho-2025")
    assert counts() == before


def check_reform():
    district = Agency.objects.get(code=DISTRICT)
    thanh_ba = Agency.objects.get(code=THANH_BA_2025)
    assert district.effective_to == dt.date(2025, 6, 30)
    assert district.successor == thanh_ba
    assert not Agency.objects.active().filter(kind="district").exists()
    assert Agency.objects.active(dt.date(2025, 6, 30)).filter(kind="district").count() == 1
    doson = Agency.objects.get(code=thanh_ba_2021.DOSON_CODE)
    assert doson.successor == thanh_ba and doson.effective_to == dt.date(2025, 6, 30)
    assert doson.name == "UBND xã Đỗ Sơn" and doson.parent == district  # history not rewritten
    hoang_cuong = Agency.objects.get(code=phu_tho_2025.HOANG_CUONG_CODE)
    assert Agency.objects.filter(successor=hoang_cuong).count() == 9
    assert Agency.objects.filter(successor=thanh_ba).count() == 11  # 10 communes + the district
    # 19 communes/towns + their one-stop units + 12 departments + one-stop centre + the district
    assert Agency.objects.filter(effective_to=dt.date(2025, 6, 30)).count() == 19 * 2 + 12 + 1 + 1
    merges = AgencyMerge.objects.all()
    assert merges.count() == 3
    assert {m.decision for m in merges} == {phu_tho_2025.REFORM_DECISION}
    # open work followed: bridge points and officers' roles
    assert BridgePoint.objects.count() == 22 + len(phu_tho_2025.BRIDGE_POINTS)
    assert not BridgePoint.objects.filter(agency__effective_to__isnull=False).exists()
    assert Membership.objects.get(
        user__username="lanhdao", agency=thanh_ba, role="leader"
    ).is_active
    assert not Membership.objects.get(user__username="lanhdao", agency=district).is_active
    assert Membership.objects.get(user__username="motcua.doson", agency=thanh_ba).is_active
    assert audit.verify()[1] is None


@pytest.mark.parametrize(
    "order", [("thanh-ba-2021", "phu-tho-2025"), ("phu-tho-2025", "thanh-ba-2021")]
)
def test_both_presets_show_the_2025_reform_in_either_order(client, order):
    run(order[0])
    output = run(order[1])
    assert "applied: Sắp xếp đơn vị hành chính huyện Thanh Ba" in output
    check_reform()
    before = counts()
    again = run(*order)
    assert "thanh-ba-2021: 0 created" in again and "phu-tho-2025: 0 created" in again
    assert counts() == before
    # the district's officers now work for xã Thanh Ba and still log in
    rows = {r[0]: r for r in printed_logins(run("thanh-ba-2021", "--quiet"))}
    assert rows["vanthu"][2] == "UBND xã Thanh Ba"
    for username in ("vanthu", "quantri", "motcua.doson"):
        assert log_in(client, username, DEMO_PASSWORD) == "/"


# --- commands ---------------------------------------------------------------------------------


def test_demo_totp_prints_the_current_code():
    run("thanh-ba-2021")
    out = io.StringIO()
    call_command("demo_totp", "quantri", stdout=out)
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    assert pyotp.TOTP(DEMO_TOTP_SECRET).verify(code, valid_window=1)


def test_demo_totp_refuses_other_secrets():
    run("thanh-ba-2021")
    TOTPDevice.objects.filter(user__username="quantri").update(secret=pyotp.random_base32())
    with pytest.raises(CommandError, match="not a demo account"):
        call_command("demo_totp", "quantri", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("demo_totp", "vanthu", stdout=io.StringIO())


def test_load_demo_refuses_unknown_presets_and_production(settings):
    with pytest.raises(CommandError, match="unknown preset"):
        run("hanoi-1990")
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="EGOV_PRODUCTION"):
        run("thanh-ba-2021")
    assert not Agency.objects.exists()


def test_format_logins_is_plain_text():
    table = loader.format_logins([loader.Login("a", "Văn thư", "UBND xã Đỗ Sơn", DEMO_PASSWORD)])
    assert "\t" not in table and "\x1b" not in table
    assert table.splitlines()[2].split() == [
        "a",
        "Văn",
        "thư",
        "UBND",
        "xã",
        "Đỗ",
        "Sơn",
        DEMO_PASSWORD,
    ]
