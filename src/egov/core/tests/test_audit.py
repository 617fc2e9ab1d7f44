import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from egov.core import audit
from egov.core.models import AuditEvent


def _table():
    return connection.ops.quote_name(AuditEvent._meta.db_table)


@pytest.fixture
def chain(db):
    return [
        audit.record(
            "dossier.received",
            obj=("dossier", i),
            agency=7,
            data={"n": i, "ten": "Hồ sơ số " + str(i)},
        )
        for i in range(1, 6)
    ]


def test_events_are_chained(chain):
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == audit.GENESIS
    for prev, cur in zip(chain, chain[1:], strict=False):
        assert cur.prev_hash == prev.hash
    assert audit.verify() == (5, None)


def test_events_cannot_be_changed_through_the_orm(chain):
    event = AuditEvent.objects.get(seq=2)
    event.action = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_editing_a_row_in_the_database_is_detected(chain):
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {_table()} SET action = %s WHERE seq = 3", ["dossier.returned"])
    checked, problem = audit.verify()
    assert checked == 2
    assert problem.seq == 3 and "edited" in problem.reason
    with pytest.raises(CommandError, match="event #3: content was edited"):
        call_command("verify_audit")


def test_editing_the_data_json_is_detected(chain):
    AuditEvent.objects.filter(seq=4).update(data={"n": 4, "ten": "Hồ sơ giả"})
    assert audit.verify()[1].seq == 4


def test_deleting_a_middle_row_is_detected(chain):
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {_table()} WHERE seq = 2")
    checked, problem = audit.verify()
    assert (checked, problem.seq) == (1, 2)
    assert "missing" in problem.reason


def test_deleting_the_newest_rows_is_detected(chain):
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {_table()} WHERE seq >= 4")
    checked, problem = audit.verify()
    assert checked == 3 and "newest events were deleted" in problem.reason


def test_an_event_inserted_out_of_order_is_detected(chain):
    """Someone renumbers events to slip one in: its prev_hash cannot match."""
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {_table()} SET seq = seq + 100 WHERE seq >= 3")
        cur.execute(f"UPDATE {_table()} SET seq = seq - 99 WHERE seq >= 103")
    forged = AuditEvent(seq=3, action="dossier.forged", prev_hash="f" * 64, hash="0" * 64)
    forged.save()
    checked, problem = audit.verify()
    assert problem.seq == 3 and "does not follow" in problem.reason


def test_verify_command_reports_success(chain, capsys):
    call_command("verify_audit")
    assert "5 events verified" in capsys.readouterr().out


def test_hash_is_stable_after_reading_back(db):
    event = audit.record(
        "x", data={"when": "2026-02-13", "amount": 150000, "nested": {"a": [1, "đ"]}}
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert audit.compute_hash(stored.prev_hash, stored) == stored.hash
