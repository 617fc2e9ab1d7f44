"""The merge service: history kept, open work moved by the registered movers, validation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from egov.accounts.models import Membership
from egov.accounts.tests.factories import MembershipFactory
from egov.core import audit
from egov.core.models import AuditEvent
from egov.organizations import services
from egov.organizations.models import Agency, AgencyMerge, BridgePoint

pytestmark = pytest.mark.django_db

DATE = dt.date(2025, 7, 1)
DECISION = "Nghị quyết 1676/NQ-UBTVQH15 (minh họa)"


def make(kind, name, code, parent=None, **extra):
    return services.create_agency(kind=kind, name=name, code=code, parent=parent, **extra)


@pytest.fixture
def org():
    province = make("province", "UBND tỉnh Phú Thọ", "000.00.00.H42")
    district = make("district", "UBND huyện Thanh Ba", "000.00.25.H42", province)
    dept = make("department", "Phòng Tư pháp", "000.04.25.H42", district, abbreviation="TP")
    a = make("commune", "UBND xã Đỗ Sơn", "002.00.25.H42", district)
    a_onestop = make(
        "onestop", "Bộ phận một cửa xã Đỗ Sơn", "002.01.25.H42", a, abbreviation="BPMC"
    )
    b = make("town", "UBND thị trấn Thanh Ba", "001.00.25.H42", district)
    for agency in (a, b, district):
        services.create_bridge_point(agency=agency, name=f"Hội trường {agency.name}")
    return {
        "province": province,
        "district": district,
        "dept": dept,
        "a": a,
        "a1": a_onestop,
        "b": b,
    }


def refreshed(*agencies):
    for agency in agencies:
        agency.refresh_from_db()


def test_merge_into_a_new_commune_keeps_history_and_moves_open_work(org):
    a, b, a1 = org["a"], org["b"], org["a1"]
    leader = MembershipFactory(agency=a, role="leader")
    counter = MembershipFactory(agency=a1, role="onestop")
    merge = services.merge_agencies(
        [a, b],
        {
            "kind": "commune",
            "name": "UBND xã Thanh Ba",
            "code": "001.00.00.H42",
            "parent": org["province"],
        },
        DATE,
        DECISION,
    )
    target = merge.target
    refreshed(a, b, a1)
    # the target is new, from the effective date
    assert target.effective_from == DATE and target.parent == org["province"]
    # sources end the day before, point to the target, and are otherwise untouched
    for source, name, code in (
        (a, "UBND xã Đỗ Sơn", "002.00.25.H42"),
        (b, "UBND thị trấn Thanh Ba", "001.00.25.H42"),
    ):
        assert source.effective_to == dt.date(2025, 6, 30)
        assert source.successor == target
        assert (source.name, source.code, source.parent) == (name, code, org["district"])
    # the one-stop unit of a source ends with it (no successor: the target has its own units)
    assert a1.effective_to == dt.date(2025, 6, 30) and a1.successor is None
    assert set(merge.sources.all()) == {a, b}
    assert merge.moved_open_work is True
    assert merge.summary == {"bridge_points": 2, "memberships": 2}
    assert set(BridgePoint.objects.filter(agency=target).values_list("name", flat=True)) == {
        "Hội trường UBND xã Đỗ Sơn",
        "Hội trường UBND thị trấn Thanh Ba",
    }
    # roles: a copy in the target, the old ones kept but inactive
    leader.refresh_from_db()
    counter.refresh_from_db()
    assert not leader.is_active and not counter.is_active
    assert Membership.objects.get(user=leader.user, agency=target, role="leader").is_active
    assert Membership.objects.get(user=counter.user, agency=target, role="onestop").is_active
    assert leader.user.roles() == {"leader"}
    # audited, and the chain still verifies
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"agency.merge", "agency.merged", "agency.closed", "bridge_point.moved"} <= actions
    event = AuditEvent.objects.get(action="agency.merge")
    assert event.agency_id == target.pk and event.data["summary"] == merge.summary
    assert audit.verify()[1] is None


def test_merge_into_an_existing_agency(org):
    a, b = org["a"], org["b"]
    merge = services.merge_agencies([a], b, DATE, DECISION)
    refreshed(a, b)
    assert merge.target == b and a.successor == b
    assert b.effective_to is None and b.successor is None
    assert BridgePoint.objects.filter(agency=b).count() == 2
    assert list(b.predecessors.all()) == [a]


def test_a_bridge_point_name_clash_gets_the_old_agency_name(org):
    a, b = org["a"], org["b"]
    services.create_bridge_point(agency=a, name="Hội trường")
    services.create_bridge_point(agency=b, name="Hội trường")
    services.merge_agencies([a], b, DATE, DECISION)
    names = set(BridgePoint.objects.filter(agency=b).values_list("name", flat=True))
    assert {"Hội trường", "Hội trường (UBND xã Đỗ Sơn)"} <= names


def test_without_moving_open_work(org):
    a, b = org["a"], org["b"]
    m = MembershipFactory(agency=a, role="clerk")
    merge = services.merge_agencies([a], b, DATE, DECISION, move_open_work=False)
    assert merge.summary == {} and merge.moved_open_work is False
    assert BridgePoint.objects.filter(agency=a).count() == 1
    m.refresh_from_db()
    assert m.is_active


def test_registered_movers_run_in_the_same_transaction(org):
    calls = []

    def documents(sources, target, effective_date):
        calls.append(({s.code for s in sources}, target.code, effective_date))
        return 7

    services.register_open_work_mover("documents", documents)
    try:
        merge = services.merge_agencies([org["a"]], org["b"], DATE, DECISION)
    finally:
        services.unregister_open_work_mover("documents")
    assert merge.summary["documents"] == 7
    # the mover also sees the units that ended with the source (the one-stop unit)
    assert calls == [({"002.00.25.H42", "002.01.25.H42"}, "001.00.25.H42", DATE)]


def test_a_failing_mover_rolls_the_whole_merge_back(org):
    def broken(sources, target, effective_date):
        raise RuntimeError("hub down")

    services.register_open_work_mover("broken", broken)
    try:
        with pytest.raises(RuntimeError):
            services.merge_agencies([org["a"]], org["b"], DATE, DECISION)
    finally:
        services.unregister_open_work_mover("broken")
    org["a"].refresh_from_db()
    assert org["a"].effective_to is None and org["a"].successor is None
    assert not AgencyMerge.objects.exists()
    assert BridgePoint.objects.filter(agency=org["a"]).count() == 1


def errors_of(exc_info) -> str:
    return " ".join(exc_info.value.messages)


def test_cannot_merge_into_itself(org):
    with pytest.raises(ValidationError) as exc:
        services.merge_agencies([org["a"], org["b"]], org["a"], DATE, DECISION)
    assert "vào chính nó" in errors_of(exc)


def test_cannot_merge_into_a_descendant(org):
    with pytest.raises(ValidationError) as exc:
        services.merge_agencies([org["district"]], org["a"], DATE, DECISION)
    assert "đơn vị trực thuộc của nó" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.merge_agencies(
            [org["a"]],
            {"kind": "commune", "name": "X", "code": "050.00.25.H42", "parent": org["a"]},
            DATE,
            DECISION,
        )
    assert "đơn vị trực thuộc của nó" in errors_of(exc)
    assert not Agency.objects.filter(code="050.00.25.H42").exists()


def test_sources_must_be_active_at_the_date(org):
    services.update_agency(org["a"], effective_to=dt.date(2024, 12, 31))
    with pytest.raises(ValidationError) as exc:
        services.merge_agencies([org["a"]], org["b"], DATE, DECISION)
    assert "không còn hiệu lực vào ngày 01/07/2025" in errors_of(exc)


def test_an_agency_merges_only_once(org):
    services.merge_agencies([org["a"]], org["b"], DATE, DECISION)
    with pytest.raises(ValidationError) as exc:
        services.merge_agencies([org["a"]], org["b"], DATE + dt.timedelta(days=1), DECISION)
    assert "đã được hợp nhất vào" in errors_of(exc)


def test_target_must_be_of_a_compatible_kind_and_active(org):
    with pytest.raises(ValidationError) as exc:
        services.merge_agencies([org["a"]], org["dept"], DATE, DECISION)
    assert "khác cấp hoặc khác loại" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.merge_agencies([org["district"]], org["province"], DATE, DECISION)
    assert "khác cấp hoặc khác loại" in errors_of(exc)
    late = make(
        "commune",
        "UBND xã Sau",
        "030.00.25.H42",
        org["district"],
        effective_from=dt.date(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as exc:
        services.merge_agencies([org["a"]], late, DATE, DECISION)
    assert "không có hiệu lực vào ngày 01/07/2025" in errors_of(exc)


def test_a_decision_is_required(org):
    with pytest.raises(ValidationError) as exc:
        services.merge_agencies([org["a"]], org["b"], DATE, "  ")
    assert "căn cứ" in errors_of(exc)


def test_merging_districts_moves_their_communes_under_the_new_one(org):
    other = make("district", "UBND huyện Hạ Hòa", "000.00.26.H42", org["province"])
    commune = make("commune", "UBND xã Ấm Hạ", "001.00.26.H42", other)
    merge = services.merge_agencies(
        [org["district"], other],
        {
            "kind": "district",
            "name": "UBND huyện Mới",
            "code": "000.00.90.H42",
            "parent": org["province"],
        },
        DATE,
        DECISION,
    )
    refreshed(commune, org["a"], org["dept"])
    assert commune.parent == merge.target and commune.path.startswith(merge.target.path)
    assert org["a"].parent == merge.target and org["a"].effective_to is None
    assert org["dept"].effective_to == dt.date(2025, 6, 30)
    # the one-stop unit under the moved commune moved with it and is still active
    org["a1"].refresh_from_db()
    assert org["a1"].path.startswith(merge.target.path) and org["a1"].effective_to is None


def test_dissolving_a_district_moves_its_communes_under_the_province(org):
    district, province = org["district"], org["province"]
    clerk = MembershipFactory(agency=district, role="admin")
    merge = services.dissolve_agency(district, DATE, province, DECISION)
    refreshed(district, org["a"], org["b"], org["dept"], org["a1"])
    assert district.effective_to == dt.date(2025, 6, 30) and district.successor is None
    assert org["a"].parent == province and org["b"].parent == province
    assert org["a1"].path == f"{province.path}{org['a'].pk}/{org['a1'].pk}/"
    assert org["a"].effective_to is None  # the communes go on
    assert org["dept"].effective_to == dt.date(2025, 6, 30)
    assert merge.target == province and list(merge.sources.all()) == [district]
    # work goes to the province, but officers do not become province officers
    assert BridgePoint.objects.filter(agency=province).count() == 1
    clerk.refresh_from_db()
    assert not clerk.is_active
    assert not Membership.objects.filter(agency=province).exists()
    assert merge.summary == {"bridge_points": 1, "memberships": 0}
    assert Agency.objects.active(DATE).filter(kind="district").count() == 0
    assert AuditEvent.objects.filter(action="agency.dissolved", agency_id=province.pk).exists()


def test_dissolving_with_a_successor_moves_work_there(org):
    target = make(
        "commune", "UBND xã Thanh Ba", "001.00.00.H42", org["province"], effective_from=DATE
    )
    leader = MembershipFactory(agency=org["district"], role="leader")
    specialist = MembershipFactory(agency=org["dept"], role="specialist")
    merge = services.dissolve_agency(
        org["district"], DATE, org["province"], DECISION, successor=target
    )
    org["district"].refresh_from_db()
    assert org["district"].successor == target and merge.target == target
    assert Membership.objects.filter(agency=target, is_active=True).count() == 2
    assert {leader.user.pk, specialist.user.pk} == set(
        Membership.objects.filter(agency=target).values_list("user_id", flat=True)
    )


def test_dissolve_validates_the_new_parent(org):
    with pytest.raises(ValidationError) as exc:
        services.dissolve_agency(org["district"], DATE, org["a"], DECISION)
    assert "đơn vị trực thuộc" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.dissolve_agency(org["a"], DATE, org["dept"], DECISION)
    assert "phải là một cấp chính quyền" in errors_of(exc)


def test_a_sub_unit_merged_into_its_parent_unit_keeps_its_roles(org):
    team = make("department", "Tổ hộ tịch", "000.41.25.H42", org["dept"], abbreviation="HT")
    member = MembershipFactory(agency=team, role="specialist")
    merge = services.merge_agencies([team], org["dept"], DATE, DECISION)
    assert merge.summary["memberships"] == 1
    assert Membership.objects.get(user=member.user, agency=org["dept"]).is_active
