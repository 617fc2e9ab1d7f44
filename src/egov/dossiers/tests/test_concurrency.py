"""Two officers at once: codes stay unique and gap-free per agency per day; on the same
dossier one wins and the other gets a clear conflict, nothing half-written. PostgreSQL only."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from egov.dossiers import services
from egov.dossiers.models import Dossier, DossierDailyStat, State

from .conftest import intake, vn

pytestmark = pytest.mark.django_db(transaction=True)


def run_threads(n, target):
    errors, barrier = [], threading.Barrier(n)

    def wrapper(i):
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrapper, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_intake_gives_consecutive_codes(world, on_postgres):
    def receive_five(i):
        for _ in range(5):
            with services.simulated_clock(vn(2026, 3, 2, 9, i)):
                services.receive(intake(world.commune_version), world.commune_desk, by=world.desk)

    assert run_threads(8, receive_five) == []
    codes = sorted(Dossier.objects.values_list("code", flat=True))
    assert codes == [f"{world.commune.code}-260302-{n:04d}" for n in range(1, 41)]
    assert DossierDailyStat.objects.get(agency=world.commune).received_counter == 40


def test_two_officers_on_one_dossier_one_wins(world, on_postgres):
    with services.simulated_clock(vn(2026, 3, 2, 9, 0)):
        dossier = services.receive(intake(world.commune_version), world.commune_desk, by=world.desk)
    seen = dossier.version
    outcomes: list[str] = []

    def act(i):
        try:
            if i % 2:
                services.withdraw(
                    dossier, "Người nộp xin rút", by=world.desk, expected_version=seen
                )
                outcomes.append("withdrawn")
            else:
                services.hand_over(dossier, by=world.desk, expected_version=seen)
                outcomes.append("handed_over")
        except services.ConflictError as exc:
            assert "vừa được người khác cập nhật" in exc.messages[0]
            outcomes.append("conflict")
        except ValidationError as exc:  # pragma: no cover - reported by the assertion below
            outcomes.append(f"error: {exc.messages}")

    assert run_threads(6, act) == []
    assert sorted(outcomes).count("conflict") == 5, outcomes
    dossier.refresh_from_db()
    assert dossier.version == seen + 1
    assert dossier.state in (State.WITHDRAWN, State.IN_PROCESS)
