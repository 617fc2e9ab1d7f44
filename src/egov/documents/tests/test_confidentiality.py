"""Mật and above: seen only by the people assigned, the agency's leaders and the registering
clerk (incoming); by the drafter, reviewers, leaders and, once signed, the clerks (outgoing).
Normal documents follow the agency scoping, plus the units they were directed to."""

from __future__ import annotations

import pytest

from egov.documents import selectors, services
from egov.documents.models import IncomingDocument, OutgoingDocument, Secrecy

from .conftest import approved, draft_data, register, vn

pytestmark = pytest.mark.django_db


def visible(model, user) -> set[int]:
    return set(model.objects.visible_to(user).values_list("pk", flat=True))


def test_secret_incoming_is_seen_only_by_assigned_people_and_leaders(world, pdf_bytes):
    normal = register(world, pdf_bytes, subject="Về việc bình thường")
    secret = register(
        world,
        pdf_bytes,
        number_symbol="5/UBND-NC",
        subject="Về việc tuyệt mật",
        secrecy=Secrecy.TOP_SECRET,
    )
    everyone = [
        world.clerk,
        world.clerk2,
        world.leader,
        world.vx_head,
        world.vx_spec,
        world.vx_other,
        world.tp_head,
        world.tp_spec,
        world.district_spec,
        world.commune_clerk,
    ]
    before = {u.full_name: visible(IncomingDocument, u) for u in everyone}
    assert before["Lê Thị Văn Thư"] == {normal.pk, secret.pk}  # the registering clerk
    assert before["Nguyễn Thị Hằng"] == {normal.pk, secret.pk}  # the leader
    assert before["Phạm Văn Thư Hai"] == {normal.pk}  # another clerk
    assert before["Ngô Văn Ngoài"] == {normal.pk}  # a specialist of the agency
    assert before["Hoàng Văn Chuyên"] == set()  # a department, nothing directed to it yet
    assert before["Mai Thị Xã"] == set()

    for doc in (normal, secret):
        with services.simulated_clock(vn(2026, 3, 3, 10)):
            services.direct(doc, lead=services.UnitOrder(world.vx, days=5), by=world.leader)
        services.assign_specialist(doc.assignments.get(), world.vx_spec, by=world.vx_head)
    after = {u.full_name: visible(IncomingDocument, u) for u in everyone}
    assert after["Hoàng Văn Chuyên"] == {normal.pk, secret.pk}  # assigned
    assert after["Trần Văn Trưởng"] == {normal.pk, secret.pk}  # head of the directed unit
    assert after["Đỗ Thị Khác"] == {normal.pk}  # same unit, not assigned
    assert after["Vũ Văn Pháp"] == set()  # another unit
    assert after["Ngô Văn Ngoài"] == {normal.pk}
    assert after["Phạm Văn Thư Hai"] == {normal.pk}
    # search goes through the same scoping
    assert [d.pk for d in selectors.search_incoming(world.vx_other, "mat").items] == []
    assert [d.pk for d in selectors.search_incoming(world.vx_spec, "tuyet mat").items] == [
        secret.pk
    ]


def test_secret_outgoing_is_seen_only_by_the_people_on_its_way(world):
    normal = approved(world)
    secret = services.create_draft(world.vx, draft_data(secrecy=Secrecy.SECRET), by=world.vx_spec)
    assert world.vx_other not in () and secret.pk not in visible(OutgoingDocument, world.vx_other)
    assert secret.pk not in visible(OutgoingDocument, world.vx_head)
    assert secret.pk not in visible(OutgoingDocument, world.clerk)
    assert secret.pk in visible(OutgoingDocument, world.leader)
    assert secret.pk in visible(OutgoingDocument, world.vx_spec)
    services.send_for_review(secret, by=world.vx_spec, reviewer=world.vx_head)
    assert secret.pk in visible(OutgoingDocument, world.vx_head)
    services.approve_review(secret, by=world.vx_head)
    assert secret.pk in visible(OutgoingDocument, world.vx_head)  # reviewed it
    assert secret.pk not in visible(OutgoingDocument, world.clerk)  # not signed yet
    services.approve_and_sign(secret, by=world.leader)
    assert secret.pk in visible(OutgoingDocument, world.clerk)  # to number it
    assert secret.pk not in visible(OutgoingDocument, world.vx_other)
    assert secret.pk not in visible(OutgoingDocument, world.district_spec)
    assert secret.pk not in visible(OutgoingDocument, world.tp_head)
    assert normal.pk in visible(OutgoingDocument, world.vx_other)
    assert normal.pk in visible(OutgoingDocument, world.district_spec)
    assert normal.pk not in visible(OutgoingDocument, world.commune_clerk)
