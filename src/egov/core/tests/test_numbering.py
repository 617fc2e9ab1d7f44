import threading

import pytest
from django.db import close_old_connections, connection, transaction

from egov.core import numbering
from egov.core.models import Sequence


@pytest.mark.django_db
def test_numbers_are_consecutive_per_scope_and_period():
    with transaction.atomic():
        assert [numbering.next_number("den:1", "2026") for _ in range(3)] == [1, 2, 3]
        assert numbering.next_number("den:1", "2027") == 1
        assert numbering.next_number("den:2", "2026") == 1
    assert numbering.peek("den:1", "2026") == 3


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_is_refused():
    with pytest.raises(numbering.NumberingError):
        numbering.next_number("x")


@pytest.mark.django_db
def test_rolled_back_transaction_does_not_burn_a_number():
    with transaction.atomic():
        assert numbering.next_number("di:1", "2026") == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert numbering.next_number("di:1", "2026") == 2
        raise RuntimeError("the record could not be saved")
    with transaction.atomic():
        assert numbering.next_number("di:1", "2026") == 2


@pytest.mark.django_db(transaction=True)
def test_32_threads_take_3200_numbers_without_gaps_or_duplicates(on_postgres):
    """Nghị định 30/2020 Điều 15: numbers are consecutive; two clerks never share one."""
    taken: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    start = threading.Barrier(32)

    def worker():
        try:
            start.wait()
            mine = []
            for _ in range(100):
                with transaction.atomic():
                    mine.append(numbering.next_number("concurrency", "2026"))
            with lock:
                taken.extend(mine)
        except BaseException as exc:  # report in the main thread
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert sorted(taken) == list(range(1, 3201))
    assert Sequence.objects.get(scope="concurrency", period="2026").last_value == 3200


@pytest.mark.django_db(transaction=True)
def test_concurrent_rollbacks_leave_no_gaps(on_postgres):
    """Half the transactions roll back after taking a number: the committed ones are 1..N."""
    committed: list[int] = []
    lock = threading.Lock()

    def worker(i):
        try:
            for j in range(20):
                try:
                    with transaction.atomic():
                        n = numbering.next_number("rollback", "")
                        if (i + j) % 2:
                            raise ValueError
                    with lock:
                        committed.append(n)
                except ValueError:
                    pass
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(committed) == list(range(1, len(committed) + 1))
    assert len(committed) == 80
