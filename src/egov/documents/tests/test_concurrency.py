"""Two clerks issuing at once never get the same number; registrations at once get
consecutive số đến. PostgreSQL only (SQLite serialises writers)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from egov.documents import services
from egov.documents.models import IncomingDocument, OutgoingDocument

from .conftest import approved, incoming_data, pdf_file, vn

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


def test_two_clerks_issuing_at_once_get_distinct_consecutive_numbers(world, on_postgres):
    docs = [approved(world) for _ in range(12)]
    clerks = [world.clerk, world.clerk2]

    def work(i):
        for doc in docs[i::2]:
            with services.simulated_clock(vn(2026, 3, 4, 9, i)):
                services.issue(doc, by=clerks[i])

    assert run_threads(2, work) == []
    got = sorted(OutgoingDocument.objects.values_list("number", flat=True))
    assert got == list(range(1, 13))
    symbols = set(OutgoingDocument.objects.values_list("code_number", flat=True))
    assert len(symbols) == 12


def test_concurrent_registration_gives_consecutive_arrival_numbers(world, pdf_bytes, on_postgres):
    def work(i):
        for k in range(4):
            with services.simulated_clock(vn(2026, 3, 3, 9, i)):
                services.register_incoming(
                    world.district,
                    incoming_data(number_symbol=f"{i * 10 + k}/TB-UBND", doc_type="thong_bao"),
                    source="scan",
                    main_file=pdf_file(pdf_bytes),
                    by=world.clerk if i % 2 else world.clerk2,
                )

    assert run_threads(4, work) == []
    numbers = sorted(IncomingDocument.objects.values_list("arrival_number", flat=True))
    assert numbers == list(range(1, 17))
