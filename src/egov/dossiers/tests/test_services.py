"""The dossier state machine: every transition, allowed and refused; deadlines across Tết and
Giỗ Tổ; the pause for supplements; per-step timing; statistics facts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError

from egov.core.models import AuditEvent
from egov.dossiers import services
from egov.dossiers.models import (
    DeadlineChange,
    Dossier,
    DossierDailyStat,
    OpenDueCount,
    State,
    StepState,
    Timing,
)

from .conftest import intake, result_pdf, vn

pytestmark = pytest.mark.django_db


def act(moment, fn, *args, **kwargs):
    with services.simulated_clock(moment):
        return fn(*args, **kwargs)


def walk_to_ready(world, dossier, start):
    """Steps 1–3 of the commune process, each on the day it is handed over."""
    act(start, services.hand_over, dossier, by=world.desk, note="Đủ hồ sơ")
    act(
        start + dt.timedelta(minutes=10),
        services.attach_result,
        dossier,
        result_pdf(),
        by=world.specialist,
    )
    act(start + dt.timedelta(minutes=20), services.hand_over, dossier, by=world.specialist)
    act(start + dt.timedelta(minutes=30), services.hand_over, dossier, by=world.leader)
    return Dossier.objects.get(pk=dossier.pk)


# --- intake --------------------------------------------------------------------------------


def test_intake_issues_code_pin_due_and_first_step(world, receive):
    d = receive(at=vn(2026, 3, 2, 9, 0))
    assert d.code == "000.00.00.H99-260302-0001".replace("000.00.00.H99", world.commune.code)
    assert re.fullmatch(r"\d{6}", d.pin)
    assert (
        d.state == State.RECEIVED
        and d.agency == world.commune
        and d.intake_agency == world.commune_desk
    )
    assert d.due_at == vn(2026, 3, 5, 9, 0)  # 3 working days
    assert d.regulation == "tt03-2025"
    steps = list(d.steps.order_by("order"))
    assert [s.agency for s in steps] == [
        world.commune_desk,
        world.commune,
        world.commune,
        world.commune_desk,
    ]
    assert steps[0].state == StepState.ACTIVE and steps[0].assignee == world.desk
    assert steps[0].due_at == vn(
        2026, 3, 2, 14, 45
    )  # half a day = 3 h 45 min of office time, lunch skipped
    assert list(d.papers.values_list("received", flat=True)) == [True, True, False]
    assert AuditEvent.objects.filter(
        action="dossier.received", object_id=str(d.pk), agency_id=world.commune.pk
    ).exists()


def test_code_sequence_is_per_agency_per_day(world, receive):
    a = receive(at=vn(2026, 3, 2, 9, 0))
    b = receive(at=vn(2026, 3, 2, 10, 0))
    c = receive(at=vn(2026, 3, 3, 9, 0))
    d = receive(
        at=vn(2026, 3, 2, 11, 0),
        version=world.district_version,
        desk=world.district_deskman,
        agency=world.district_desk,
    )
    assert [x.code[-11:] for x in (a, b, c)] == ["260302-0001", "260302-0002", "260303-0001"]
    assert d.code == f"{world.district.code}-260302-0001"


def test_due_moment_across_tet_and_gio_to(world, receive):
    """Received Friday 13/02/2026 10:00, 3 working days → Wednesday 25/02/2026 (Tết 16–20/02);
    Friday 24/04/2026 + 3 → Thursday 30/04 is a holiday, so Monday 04/05 (Giỗ Tổ observed 27/04)."""
    tet = receive(at=vn(2026, 2, 13, 10, 0))
    assert tet.due_at == vn(2026, 2, 25, 10, 0)
    gio_to = receive(at=vn(2026, 4, 24, 10, 0))
    assert gio_to.due_at == vn(2026, 5, 4, 10, 0)


def test_cutoff_counts_from_next_working_day(world, receive):
    version = world.commune_version
    version.cutoff_time = dt.time(15, 0)
    version.save()
    late_afternoon = receive(at=vn(2026, 3, 6, 16, 0))  # Friday after 15:00
    assert late_afternoon.counted_from == vn(2026, 3, 9, 7, 30)
    assert late_afternoon.due_at == vn(
        2026, 3, 11, 17, 0
    )  # 3rd working day from Monday, by its close


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": "12345"}, "applicant_id_number"),
        ({"name": "   "}, "applicant_name"),
        ({"papers": (1,)}, "papers"),
    ],
)
def test_bad_intake_is_refused_and_changes_nothing(world, overrides, field):
    with pytest.raises(ValidationError) as err:
        services.receive(
            intake(world.commune_version, **overrides), world.commune_desk, by=world.desk
        )
    assert field in err.value.message_dict
    assert (
        not Dossier.objects.exists()
        and not AuditEvent.objects.filter(action="dossier.received").exists()
    )


def test_bad_phone_email_and_tax_code(world):
    bad = intake(world.commune_version)
    bad.applicant.phone, bad.applicant.email = "12345", "not-an-email"
    with pytest.raises(ValidationError) as err:
        services.receive(bad, world.commune_desk, by=world.desk)
    assert {"applicant_phone", "applicant_email"} <= set(err.value.message_dict)
    org = intake(world.commune_version)
    org.applicant.kind, org.applicant.tax_code = "organisation", "12AB"
    with pytest.raises(ValidationError) as err:
        services.receive(org, world.commune_desk, by=world.desk)
    assert "applicant_tax_code" in err.value.message_dict
    org.applicant.tax_code = "0101234567"
    assert (
        services.receive(org, world.commune_desk, by=world.desk).applicant_tax_code == "0101234567"
    )


def test_wrong_level_and_wrong_officer_are_refused(world):
    with pytest.raises(ValidationError, match="thuộc cấp huyện"):
        services.receive(intake(world.district_version), world.commune_desk, by=world.desk)
    with pytest.raises(ValidationError, match="không có quyền"):
        services.receive(intake(world.commune_version), world.commune_desk, by=world.outsider)


def test_refuse_at_intake(world):
    d = services.refuse_intake(
        intake(world.commune_version, papers=(1,)),
        world.commune_desk,
        "Thiếu giấy tờ tùy thân",
        by=world.desk,
    )
    assert (
        d.state == State.REFUSED and d.code is None and d.closing_reason == "Thiếu giấy tờ tùy thân"
    )
    assert DossierDailyStat.objects.get(agency=world.commune).refused == 1
    with pytest.raises(ValidationError):
        services.refuse_intake(
            intake(world.commune_version), world.commune_desk, " ", by=world.desk
        )


# --- processing ----------------------------------------------------------------------------


def test_full_walk_with_per_step_timing(world, receive):
    d = receive(at=vn(2026, 3, 2, 9, 0))
    act(vn(2026, 3, 2, 10, 0), services.hand_over, d, by=world.desk, to_user=world.specialist)
    d.refresh_from_db()
    assert d.state == State.IN_PROCESS
    step2 = d.steps.get(order=2)
    assert (
        step2.state == StepState.ACTIVE
        and step2.assignee == world.specialist
        and step2.received_from == world.desk
    )
    # the result is required before the dossier can go to the return step
    act(vn(2026, 3, 3, 9, 0), services.hand_over, d, by=world.specialist)  # to the leader (step 3)
    with pytest.raises(ValidationError, match="đính kèm văn bản kết quả"):
        act(vn(2026, 3, 4, 9, 0), services.hand_over, d, by=world.leader)
    act(vn(2026, 3, 4, 8, 0), services.attach_result, d, result_pdf(), by=world.leader)
    act(vn(2026, 3, 4, 9, 0), services.hand_over, d, by=world.leader)
    d.refresh_from_db()
    assert d.state == State.RESULT_READY and d.timing == Timing.EARLY  # due 05/03 09:00
    act(
        vn(2026, 3, 5, 8, 0),
        services.return_result,
        d,
        by=world.desk,
        received_by="Nguyễn Thị Ánh Tuyết",
    )
    d.refresh_from_db()
    assert d.state == State.RETURNED and d.returned_to == "Nguyễn Thị Ánh Tuyết"
    timings = list(d.steps.order_by("order").values_list("state", "timing"))
    # step 1 due 02/03 12:45 done 10:00 same day (on time); step 2 due 03/03 (1.5 days from 02/03 10:00) done 03/03 09:00;
    # step 3 started 03/03 09:00 due 03/03 12:45 done 04/03 (late); step 4 returned the next day, due 04/03 12:45 → late
    assert timings == [("done", "on_time"), ("done", "on_time"), ("done", "late"), ("done", "late")]
    actions = list(
        AuditEvent.objects.filter(object_id=str(d.pk), object_type="dossiers.dossier")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "dossier.received",
        "dossier.handed_over",
        "dossier.handed_over",
        "dossier.result_attached",
        "dossier.result_not_signed",  # the test leader has no signing key
        "dossier.handed_over",
        "dossier.returned",
    ]


def test_resolution_timing_early_on_time_late(world, receive):
    early = walk_to_ready(world, receive(at=vn(2026, 3, 2, 9, 0)), vn(2026, 3, 3, 8, 0))
    on_time = walk_to_ready(world, receive(at=vn(2026, 3, 2, 9, 0)), vn(2026, 3, 5, 8, 0))
    late = walk_to_ready(world, receive(at=vn(2026, 3, 2, 9, 0)), vn(2026, 3, 5, 10, 0))
    assert (early.timing, on_time.timing, late.timing) == ("early", "on_time", "late")
    stats = DossierDailyStat.objects.filter(agency=world.commune)
    assert (
        sum(s.resolved_early for s in stats) == 1
        and sum(s.resolved_on_time for s in stats) == 1
        and sum(s.resolved_late for s in stats) == 1
    )


def test_only_the_step_officer_may_hand_over(world, receive):
    d = receive()
    with pytest.raises(ValidationError, match="không phải người xử lý"):
        services.hand_over(d, by=world.specialist)
    with pytest.raises(ValidationError, match="không thuộc đơn vị"):
        services.hand_over(d, by=world.desk, to_user=world.district_specialist)


def test_assign_by_the_unit_leader(world, receive):
    d = receive()
    services.hand_over(d, by=world.desk)
    with pytest.raises(ValidationError, match="không có quyền"):
        services.assign(d, 2, world.specialist, by=world.desk)
    step = services.assign(d, 2, world.specialist, by=world.leader)
    assert step.assignee == world.specialist
    with pytest.raises(ValidationError):
        services.assign(d, 2, world.district_specialist, by=world.leader)


def test_stale_version_is_a_conflict_and_changes_nothing(world, receive):
    d = receive()
    seen = d.version
    services.hand_over(d, by=world.desk, expected_version=seen)
    with pytest.raises(services.ConflictError, match="vừa được người khác cập nhật"):
        services.request_supplement(d, "Bổ sung ảnh", by=world.specialist, expected_version=seen)
    d.refresh_from_db()
    assert d.state == State.IN_PROCESS and not d.supplements.exists()


# --- supplements -------------------------------------------------------------------------------


def test_supplement_pauses_the_clock(world, receive):
    d = receive(at=vn(2026, 3, 2, 9, 0))  # due Thu 05/03 09:00
    act(vn(2026, 3, 2, 10, 0), services.hand_over, d, by=world.desk)
    act(
        vn(2026, 3, 3, 9, 0),
        services.request_supplement,
        d,
        "Thiếu bản sao giấy khai sinh",
        ["Bản sao giấy khai sinh"],
        by=world.specialist,
    )
    d.refresh_from_db()
    assert d.state == State.SUPPLEMENT and d.paused_at == vn(2026, 3, 3, 9, 0)
    step_due_before = d.steps.get(order=2).due_at
    # papers arrive Monday 09/03 09:00: paused Tue 09:00 → Mon 09:00 = 4 working days = 30 office hours
    act(vn(2026, 3, 9, 9, 0), services.receive_supplement, d, by=world.desk)
    d.refresh_from_db()
    assert d.state == State.IN_PROCESS and d.paused_at is None
    assert d.due_at == vn(2026, 3, 11, 9, 0)
    assert d.original_due_at == vn(2026, 3, 5, 9, 0)
    assert d.steps.get(order=2).due_at == services.calendar.add_working_hours(
        step_due_before, dt.timedelta(hours=30)
    )
    change = DeadlineChange.objects.get(dossier=d)
    assert (change.kind, change.old_due_at, change.new_due_at) == (
        "pause",
        vn(2026, 3, 5, 9, 0),
        vn(2026, 3, 11, 9, 0),
    )
    # the open-dossier counter moved with the due day
    assert OpenDueCount.objects.get(agency=world.commune, due_day=dt.date(2026, 3, 11)).count == 1
    assert OpenDueCount.objects.get(agency=world.commune, due_day=dt.date(2026, 3, 5)).count == 0


def test_supplement_at_intake_stage_returns_to_received(world, receive):
    d = receive()
    services.request_supplement(d, "Thiếu tờ khai", by=world.desk)
    services.receive_supplement(d, by=world.desk)
    d.refresh_from_db()
    assert d.state == State.RECEIVED


# --- extension, transfer, closing ------------------------------------------------------------


def test_late_dossier_gets_apology_and_new_due(world, receive):
    d = receive(at=vn(2026, 3, 2, 9, 0))
    act(vn(2026, 3, 2, 10, 0), services.hand_over, d, by=world.desk)
    with pytest.raises(ValidationError, match="Hạn mới phải sau"):
        services.apologize_and_extend(d, vn(2026, 3, 4, 9, 0), "Cần xác minh", by=world.leader)
    with pytest.raises(ValidationError, match="ngày làm việc"):
        services.apologize_and_extend(
            d, vn(2026, 3, 7, 9, 0), "Cần xác minh", by=world.leader
        )  # Saturday
    act(
        vn(2026, 3, 5, 16, 0),
        services.apologize_and_extend,
        d,
        vn(2026, 3, 10, 16, 0),
        "Cần xác minh thêm tại thôn",
        by=world.leader,
    )
    d.refresh_from_db()
    assert d.due_at == vn(2026, 3, 10, 16, 0) and d.original_due_at == vn(2026, 3, 5, 9, 0)
    assert d.deadline_changes.get().kind == "apology"
    # the result comes after the original due moment but before the new one: still late
    act(vn(2026, 3, 9, 8, 0), services.attach_result, d, result_pdf(), by=world.specialist)
    act(vn(2026, 3, 9, 8, 30), services.hand_over, d, by=world.specialist)
    act(vn(2026, 3, 9, 9, 0), services.hand_over, d, by=world.leader)
    d.refresh_from_db()
    assert d.state == State.RESULT_READY and d.timing == Timing.LATE
    assert d.counted_due_at == vn(2026, 3, 5, 9, 0)


def test_transfer_to_the_district(world, receive):
    d = receive()
    services.hand_over(d, by=world.desk)
    step = services.transfer(d, world.district, 2, by=world.specialist, note="Liên thông lên huyện")
    assert step.agency == world.district_desk and step.is_transfer and step.order == 3
    orders = list(d.steps.order_by("order").values_list("order", "name"))
    assert [o for o, _ in orders] == [1, 2, 3, 4, 5]
    # the district's one-stop officer now holds it and hands it back into the commune's process
    services.hand_over(d, by=world.district_deskman)
    assert services.active_step(d).order == 4 and services.active_step(d).agency == world.commune
    with pytest.raises(ValidationError):
        services.transfer(d, world.commune, 2, by=world.leader)


def test_stop_and_withdraw(world, receive):
    a, b = receive(), receive()
    with pytest.raises(ValidationError, match="không có quyền"):
        services.stop(a, "Không bổ sung đúng hạn", by=world.desk)
    services.stop(a, "Không bổ sung đúng hạn", by=world.leader)
    services.withdraw(b, "Người nộp xin rút", by=world.desk)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.state, b.state) == (State.STOPPED, State.WITHDRAWN)
    assert not a.steps.filter(state__in=["active", "pending"]).exists()
    assert (
        sum(
            DossierDailyStat.objects.filter(agency=world.commune).values_list(
                "closed_without_result", flat=True
            )
        )
        == 2
    )


# --- the transition table: every action from every state -------------------------------------

ACTIONS = {
    "hand_over": lambda w, d: services.hand_over(d, by=w.desk),
    "attach_result": lambda w, d: services.attach_result(d, result_pdf(), by=w.desk),
    "request_supplement": lambda w, d: services.request_supplement(d, "Bổ sung", by=w.desk),
    "receive_supplement": lambda w, d: services.receive_supplement(d, by=w.desk),
    "extend": lambda w, d: services.apologize_and_extend(
        d, vn(2026, 12, 31, 9, 0), "Chậm", by=w.leader
    ),
    "return_result": lambda w, d: services.return_result(d, by=w.desk, received_by="Người nhận"),
    "stop": lambda w, d: services.stop(d, "Dừng", by=w.leader),
    "withdraw": lambda w, d: services.withdraw(d, "Rút", by=w.desk),
    "transfer": lambda w, d: services.transfer(d, w.district, 2, by=w.desk),
}
ALLOWED = {
    "received": {
        "hand_over",
        "attach_result",
        "request_supplement",
        "extend",
        "stop",
        "withdraw",
        "transfer",
    },
    "supplement": {"receive_supplement", "extend", "stop", "withdraw"},
    "result_ready": {"return_result"},
    "returned": set(),
    "stopped": set(),
    "withdrawn": set(),
}


def _dossier_in(world, receive, state):
    d = receive(at=vn(2026, 3, 2, 9, 0))
    if state == "supplement":
        services.request_supplement(d, "Bổ sung", by=world.desk)
    elif state in ("result_ready", "returned"):
        walk_to_ready(world, d, vn(2026, 3, 2, 10, 0))
        if state == "returned":
            services.return_result(d, by=world.desk, received_by="Người nhận")
    elif state == "stopped":
        services.stop(d, "Dừng", by=world.leader)
    elif state == "withdrawn":
        services.withdraw(d, "Rút", by=world.desk)
    d.refresh_from_db()
    assert d.state == state
    return d


@pytest.mark.parametrize("state", sorted(ALLOWED))
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_transition_table(world, receive, state, action):
    d = _dossier_in(world, receive, state)
    before = (d.state, d.version)
    if action in ALLOWED[state]:
        ACTIONS[action](world, d)
        d.refresh_from_db()
        assert d.version > before[1]
    else:
        with pytest.raises(services.TransitionError):
            ACTIONS[action](world, d)
        d.refresh_from_db()
        assert (d.state, d.version) == before


# --- statistics facts ----------------------------------------------------------------------


def test_facts_track_received_and_open_dossiers(world, receive):
    receive(at=vn(2026, 3, 2, 9, 0))
    receive(at=vn(2026, 3, 2, 10, 0), channel="post")
    stat = DossierDailyStat.objects.get(agency=world.commune, day=dt.date(2026, 3, 2))
    assert (stat.received_counter, stat.received_post, stat.received_online) == (1, 1, 0)
    assert OpenDueCount.objects.get(agency=world.commune, due_day=dt.date(2026, 3, 5)).count == 2


def test_whole_dossier_actions_need_the_desk_or_a_leader(world, receive):
    d = receive()
    services.request_supplement(d, "Bổ sung", by=world.desk)
    with pytest.raises(ValidationError, match="không có quyền"):
        services.receive_supplement(d, by=world.district_specialist)
    with pytest.raises(ValidationError, match="không có quyền"):
        services.apologize_and_extend(d, vn(2026, 3, 20, 9, 0), "Chậm", by=world.specialist)
    services.receive_supplement(d, by=world.desk)
    with pytest.raises(ValidationError, match="Chỉ người đang xử lý"):
        services.attach_result(d, result_pdf(), by=world.outsider)
