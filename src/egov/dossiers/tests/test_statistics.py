"""The statistics report, read from fact tables, equals a recount over the dossier table."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from egov.dossiers import services, statistics
from egov.dossiers.models import Dossier, OpenSnapshot, State

from .conftest import intake, vn
from .test_services import act, walk_to_ready

pytestmark = pytest.mark.django_db


def recount(agency_id, start, end, today):
    """Straight from the dossier table: what the report must say."""

    def local(d):
        return d.astimezone(vn(2026, 1, 1).tzinfo).date()

    row = statistics.Row(agency_id=agency_id)
    for d in Dossier.objects.filter(agency_id=agency_id):
        if d.state == State.REFUSED:
            if start <= local(d.received_at) <= end:
                row.refused += 1
            continue
        received = local(d.received_at)
        finished = local(d.resolved_at) if d.resolved_at else None
        if received < start and (finished is None or finished >= start):
            row.carried_over += 1
        if start <= received <= end:
            setattr(row, f"received_{d.channel}", getattr(row, f"received_{d.channel}") + 1)
        if finished and start <= finished <= end:
            if d.state in (State.STOPPED, State.WITHDRAWN):
                row.closed_without_result += 1
            else:
                setattr(row, f"resolved_{d.timing}", getattr(row, f"resolved_{d.timing}") + 1)
        if d.returned_at and start <= local(d.returned_at) <= end:
            row.returned += 1
        if d.state == State.SUPPLEMENT:
            row.in_progress_on_time += 1  # the clock is paused: not overdue
        elif d.state in (State.RECEIVED, State.IN_PROCESS):
            if local(d.counted_due_at) < today:
                row.in_progress_overdue += 1
            else:
                row.in_progress_on_time += 1
    return row


def test_report_matches_a_recount(world, receive):
    rng = random.Random(7)
    start_day = dt.date(2026, 3, 2)
    for _ in range(60):
        day = start_day + dt.timedelta(days=rng.randrange(0, 28))
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        at = vn(day.year, day.month, day.day, 8 + rng.randrange(0, 8), rng.randrange(0, 60))
        d = receive(at=at, channel=rng.choice(["counter", "online", "post"]))
        fate = rng.random()
        later = at + dt.timedelta(days=rng.randrange(0, 8), hours=1)
        if fate < 0.55:
            walk_to_ready(world, d, later)
            if rng.random() < 0.7:
                act(
                    later + dt.timedelta(hours=2),
                    services.return_result,
                    d,
                    by=world.desk,
                    received_by="Người nhận",
                )
        elif fate < 0.65:
            act(later, services.stop, d, "Dừng", by=world.leader)
        elif fate < 0.7:
            act(later, services.withdraw, d, "Rút", by=world.desk)
        elif fate < 0.8:
            act(later, services.request_supplement, d, "Bổ sung", by=world.desk)
        elif fate < 0.85:
            new_due = services.calendar.add_working_days(d.due_at, 5)
            act(later, services.apologize_and_extend, d, new_due, "Chậm", by=world.leader)
    for _ in range(3):
        services.refuse_intake(
            intake(world.commune_version), world.commune_desk, "Thiếu", by=world.desk
        )

    today = dt.date(2026, 4, 20)  # after every event above
    for start, end in [
        (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
        (dt.date(2026, 3, 9), dt.date(2026, 3, 15)),
        (dt.date(2026, 3, 16), dt.date(2026, 4, 30)),
    ]:
        got = statistics.report([world.commune.pk], start, end, today=today).rows[world.commune.pk]
        want = recount(world.commune.pk, start, end, today)
        for name in (
            "carried_over",
            "received_counter",
            "received_online",
            "received_post",
            "resolved_early",
            "resolved_on_time",
            "resolved_late",
            "closed_without_result",
            "returned",
            "refused",
        ):
            assert getattr(got, name) == getattr(want, name), (name, start, end)
        if end >= today:
            assert (got.in_progress_on_time, got.in_progress_overdue) == (
                want.in_progress_on_time,
                want.in_progress_overdue,
            )
            assert got.in_progress == want.in_progress_on_time + want.in_progress_overdue


def test_past_period_uses_the_nightly_snapshot(world, receive):
    receive(at=vn(2026, 3, 2, 9, 0))  # due 05/03
    assert statistics.take_snapshot(dt.date(2026, 3, 4)) == 1
    assert statistics.take_snapshot(dt.date(2026, 3, 6)) == 1
    assert OpenSnapshot.objects.get(day=dt.date(2026, 3, 4)).on_time == 1
    assert OpenSnapshot.objects.get(day=dt.date(2026, 3, 6)).overdue == 1
    past = statistics.report(
        [world.commune.pk], dt.date(2026, 3, 1), dt.date(2026, 3, 6), today=dt.date(2026, 4, 1)
    )
    assert past.split_source == "snapshot"
    row = past.rows[world.commune.pk]
    assert (row.in_progress_on_time, row.in_progress_overdue, row.in_progress) == (0, 1, 1)
    unknown = statistics.report(
        [world.commune.pk], dt.date(2026, 3, 1), dt.date(2026, 3, 10), today=dt.date(2026, 4, 1)
    )
    assert unknown.rows[world.commune.pk].in_progress_overdue is None


def test_totals_add_up_over_agencies(world, receive):
    receive(at=vn(2026, 3, 2, 9, 0))
    receive(
        at=vn(2026, 3, 2, 9, 0),
        version=world.district_version,
        desk=world.district_deskman,
        agency=world.district_desk,
    )
    rep = statistics.report(
        [world.commune.pk, world.district.pk],
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
        today=dt.date(2026, 3, 3),
    )
    assert rep.total.received_counter == 2 and len(rep.rows) == 2
    assert rep.total.in_progress_on_time == 2


@pytest.mark.django_db(transaction=True)
def test_nightly_snapshot_job_is_scheduled_once_and_reschedules_itself(world):
    from egov.core.models import Job
    from egov.dossiers import tasks

    first = tasks.schedule_nightly_snapshot()
    assert first is not None and tasks.schedule_nightly_snapshot() is None
    assert timezone_local(first.next_attempt_at).time() == dt.time(23, 50)
    tasks.nightly_snapshot()
    assert Job.objects.filter(task_path=tasks.SNAPSHOT_TASK).count() == 2


def timezone_local(moment):
    from django.utils import timezone

    return timezone.localtime(moment)
