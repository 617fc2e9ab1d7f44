"""visible_to(user): no role sees another agency's records (ARCHITECTURE rule 2).

Tree: province P → district D → communes A, B and department T of D. Every role is tried at
commune A and at district D, against every agency-scoped model that exists in the foundation.
"""

import datetime as dt

import pytest

from egov.accounts.models import Membership, Role
from egov.accounts.tests.factories import CitizenFactory, MembershipFactory, UserFactory
from egov.core import audit
from egov.core.models import AuditEvent
from egov.organizations.models import Agency, BridgePoint
from egov.organizations.tests.factories import AgencyFactory, BridgePointFactory

SUBTREE_ROLES = {Role.LEADER, Role.ADMIN}


@pytest.fixture
def tree(db):
    p = AgencyFactory(kind=Agency.Kind.PROVINCE, name="UBND tỉnh P")
    d = AgencyFactory(kind=Agency.Kind.DISTRICT, name="UBND huyện D", parent=p)
    a = AgencyFactory(kind=Agency.Kind.COMMUNE, name="UBND xã A", parent=d)
    b = AgencyFactory(kind=Agency.Kind.COMMUNE, name="UBND xã B", parent=d)
    t = AgencyFactory(kind=Agency.Kind.DEPARTMENT, name="Phòng Tư pháp D", parent=d)
    agencies = {"P": p, "D": d, "A": a, "B": b, "T": t}
    for key, agency in agencies.items():
        BridgePointFactory(agency=agency, name=f"Điểm cầu {key}")
        audit.record("test.event", agency=agency, obj=("thing", key))
        MembershipFactory(agency=agency, role=Role.SPECIALIST, user__username=f"staff_{key}")
    return agencies


def visible_keys(user, tree):
    by_id = {agency.pk: key for key, agency in tree.items()}
    seen = {
        "agency": {
            by_id[pk] for pk in Agency.objects.visible_to(user).values_list("pk", flat=True)
        },
        "bridge_point": {
            by_id[pk]
            for pk in BridgePoint.objects.visible_to(user).values_list("agency_id", flat=True)
        },
        "audit": {
            by_id[pk]
            for pk in AuditEvent.objects.visible_to(user).values_list("agency_id", flat=True)
        },
        "membership": {
            by_id[pk]
            for pk in Membership.objects.visible_to(user).values_list("agency_id", flat=True)
        },
    }
    return seen


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("home", ["A", "D"])
def test_each_role_sees_only_its_agencies(tree, role, home):
    user = UserFactory()
    MembershipFactory(user=user, agency=tree[home], role=role)
    if role in SUBTREE_ROLES:
        expected = {"A"} if home == "A" else {"D", "A", "B", "T"}
    else:
        expected = {home}
    for model, keys in visible_keys(user, tree).items():
        assert keys == expected, (
            f"{role}@{home} sees {sorted(keys)} of {model}, expected {sorted(expected)}"
        )


def test_roles_in_two_agencies_add_up(tree):
    user = UserFactory()
    MembershipFactory(user=user, agency=tree["A"], role=Role.ONESTOP)
    MembershipFactory(user=user, agency=tree["B"], role=Role.CLERK)
    assert all(keys == {"A", "B"} for keys in visible_keys(user, tree).values())


def test_inactive_membership_gives_nothing(tree):
    user = UserFactory()
    MembershipFactory(user=user, agency=tree["A"], role=Role.LEADER, is_active=False)
    assert all(keys == set() for keys in visible_keys(user, tree).values())


def test_citizens_and_anonymous_see_no_agency_records(tree):
    from django.contrib.auth.models import AnonymousUser

    for user in (CitizenFactory(), AnonymousUser()):
        assert all(keys == set() for keys in visible_keys(user, tree).values())


def test_superuser_sees_everything(tree):
    user = UserFactory(is_superuser=True)
    assert all(keys == set(tree) for keys in visible_keys(user, tree).values())


def test_successor_officers_see_records_of_merged_agencies(tree):
    from egov.organizations import services

    target = AgencyFactory(kind=Agency.Kind.COMMUNE, name="UBND xã C", parent=tree["D"])
    audit.record("test.event", agency=tree["A"], obj=("thing", "old-A"))
    services.merge_agencies([tree["A"], tree["B"]], target, dt.date(2025, 7, 1), "NQ minh họa")
    officer = UserFactory()
    MembershipFactory(user=officer, agency=target, role=Role.SPECIALIST)
    seen = visible_keys(officer, {**tree, "C": target})
    assert seen["audit"] == {"A", "B", "C"}
    # …but an officer of the unrelated sibling department still sees only its own.
    other = UserFactory()
    MembershipFactory(user=other, agency=tree["T"], role=Role.SPECIALIST)
    assert visible_keys(other, {**tree, "C": target})["audit"] == {"T"}
