"""The agency tree: materialised paths kept right by the services, subtrees, effective dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from egov.accounts.tests.factories import MembershipFactory, UserFactory
from egov.core.models import AuditEvent
from egov.organizations import selectors, services
from egov.organizations.models import Agency

pytestmark = pytest.mark.django_db


def make(kind, name, code, parent=None, **extra):
    return services.create_agency(kind=kind, name=name, code=code, parent=parent, **extra)


@pytest.fixture
def tree():
    province = make("province", "UBND tỉnh Phú Thọ", "000.00.00.H42")
    district_a = make("district", "UBND huyện Thanh Ba", "000.00.25.H42", province)
    district_b = make("district", "UBND huyện Hạ Hòa", "000.00.26.H42", province)
    commune = make("commune", "UBND xã Đỗ Sơn", "002.00.25.H42", district_a)
    onestop = make(
        "onestop", "Bộ phận một cửa xã Đỗ Sơn", "002.01.25.H42", commune, abbreviation="BPMC"
    )
    dept = make("department", "Phòng Tư pháp", "000.04.25.H42", district_a, abbreviation="TP")
    return {
        "province": province,
        "a": district_a,
        "b": district_b,
        "commune": commune,
        "onestop": onestop,
        "dept": dept,
    }


def test_paths_and_depths_follow_the_parents(tree):
    p, a, c, o = tree["province"], tree["a"], tree["commune"], tree["onestop"]
    assert p.path == f"/{p.pk}/" and p.depth == 0
    assert a.path == f"/{p.pk}/{a.pk}/" and a.depth == 1
    assert o.path == f"/{p.pk}/{a.pk}/{c.pk}/{o.pk}/" and o.depth == 3
    assert [x.pk for x in o.ancestors()] == [p.pk, a.pk, c.pk]
    assert o.government() == c and tree["dept"].government() == a


def test_moving_an_agency_rewrites_the_paths_of_its_whole_subtree(tree):
    p, a, b, c, o = (tree[k] for k in ("province", "a", "b", "commune", "onestop"))
    services.update_agency(c, parent=b)
    c.refresh_from_db()
    o.refresh_from_db()
    assert c.path == f"/{p.pk}/{b.pk}/{c.pk}/"
    assert o.path == f"/{p.pk}/{b.pk}/{c.pk}/{o.pk}/" and o.depth == 3
    assert set(Agency.objects.subtree(b)) == {b, c, o}
    assert set(Agency.objects.subtree(a)) == {a, tree["dept"]}
    event = AuditEvent.objects.filter(action="agency.updated").latest("seq")
    assert event.data["changes"]["parent"] == [a.code, b.code]
    assert event.agency_id == c.pk


def test_an_agency_cannot_move_under_itself_or_its_descendant(tree):
    with pytest.raises(ValidationError) as exc:
        services.update_agency(tree["a"], parent=tree["commune"])
    assert "parent" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.update_agency(tree["a"], parent=tree["a"])
    tree["a"].refresh_from_db()
    assert tree["a"].parent == tree["province"]


def test_a_government_sits_under_a_higher_level_only(tree):
    with pytest.raises(ValidationError) as exc:
        make("district", "UBND huyện Sai", "000.00.27.H42", tree["commune"])
    assert "cấp chính quyền cao hơn" in " ".join(exc.value.message_dict["parent"])
    with pytest.raises(ValidationError):
        make("commune", "UBND xã Sai", "009.00.25.H42", tree["dept"])


def test_codes_are_validated_and_unique(tree):
    with pytest.raises(ValidationError) as exc:
        make("commune", "UBND xã Sai mã", "25.H42", tree["a"])
    assert "000.00.00.H00" in " ".join(exc.value.message_dict["code"])
    with pytest.raises(ValidationError):
        make("commune", "UBND xã Trùng mã", "002.00.25.H42", tree["a"])


def test_update_with_no_change_writes_nothing(tree):
    before = AuditEvent.objects.count()
    services.update_agency(tree["commune"], name="UBND xã Đỗ Sơn")
    assert AuditEvent.objects.count() == before


def test_active_on_a_date(tree):
    old = make(
        "commune", "UBND xã Cũ", "020.00.25.H42", tree["a"], effective_to=dt.date(2025, 6, 30)
    )
    new = make(
        "commune", "UBND xã Mới", "021.00.25.H42", tree["a"], effective_from=dt.date(2025, 7, 1)
    )
    before = set(Agency.objects.active(dt.date(2025, 6, 30)))
    after = set(Agency.objects.active(dt.date(2025, 7, 1)))
    assert old in before and new not in before
    assert new in after and old not in after
    assert old.is_active(dt.date(2025, 6, 30)) and not old.is_active(dt.date(2025, 7, 1))
    with pytest.raises(ValidationError):
        make(
            "commune",
            "UBND xã Ngược",
            "022.00.25.H42",
            tree["a"],
            effective_from=dt.date(2025, 7, 1),
            effective_to=dt.date(2025, 1, 1),
        )


def test_visible_agencies_follow_roles(tree):
    leader = MembershipFactory(agency=tree["a"], role="leader").user
    clerk = MembershipFactory(agency=tree["commune"], role="clerk").user
    names = [a.name for a in selectors.visible_agencies(leader)]
    assert names == [a.name for a in Agency.objects.subtree(tree["a"]).order_by("path")]
    assert list(selectors.visible_agencies(clerk)) == [tree["commune"]]
    superuser = UserFactory(is_superuser=True)
    assert selectors.visible_agencies(superuser).count() == Agency.objects.count()
    assert list(selectors.visible_agencies(UserFactory())) == []


def test_visible_agencies_hide_ended_ones_unless_asked(tree):
    leader = MembershipFactory(agency=tree["a"], role="leader").user
    services.update_agency(tree["dept"], effective_to=dt.date(2020, 1, 1))
    assert tree["dept"] not in selectors.visible_agencies(leader)
    assert tree["dept"] in selectors.visible_agencies(leader, include_inactive=True)
    assert tree["dept"] in selectors.visible_agencies(leader, on=dt.date(2019, 12, 31))


def test_tree_nests_under_the_nearest_visible_ancestor_and_rows_balance(tree):
    leader = MembershipFactory(agency=tree["a"], role="leader").user
    roots, hits = selectors.agency_tree(leader)
    assert hits == 4
    assert [n.agency for n in roots] == [tree["a"]]
    assert {n.agency for n in roots[0].children} == {tree["commune"], tree["dept"]}
    rows = selectors.tree_rows(roots)
    # lists: the roots, the district's children, the commune's one-stop unit
    assert sum("open" in r for r in rows) == sum("close" in r for r in rows) == 3
    assert sum("node" in r for r in rows) == sum("end" in r for r in rows) == 4


def test_tree_search_ignores_diacritics_and_keeps_ancestors_as_context(tree):
    leader = MembershipFactory(agency=tree["a"], role="leader").user
    roots, hits = selectors.agency_tree(leader, q="do son")
    assert hits == 2  # the commune and its one-stop unit
    assert roots[0].agency == tree["a"] and not roots[0].matched
    commune = roots[0].children[0]
    assert commune.agency == tree["commune"] and commune.matched


def test_agency_history_lists_predecessors_and_successors(tree):
    c2 = make("commune", "UBND xã Đỗ Xuyên", "003.00.25.H42", tree["a"])
    merge = services.merge_agencies(
        [tree["commune"], c2],
        {"kind": "commune", "name": "UBND xã Mới", "code": "100.00.25.H42", "parent": tree["a"]},
        dt.date(2025, 7, 1),
        "Nghị quyết thử",
    )
    history = selectors.agency_history(merge.target)
    assert set(history.predecessors) == {tree["commune"], c2}
    assert history.merges == [merge]
    old = selectors.agency_history(tree["commune"])
    assert old.successors == [merge.target] and old.merges == [merge]
