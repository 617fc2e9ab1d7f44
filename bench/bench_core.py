"""Benchmark of the foundation's hot paths on a generated dataset.

    .venv/bin/python bench/bench_core.py [--events 500000]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_bench .venv/bin/python bench/bench_core.py

Measures: a gap-free number (one transaction each), an audit append, a page of the audit
log (50 rows) for one agency at the newest and at a deep cursor, and the chain verification
rate. Prints one line per measurement; docs/performance.md records the results.
"""

from __future__ import annotations

import argparse
import random
import time

from _setup import report, setup_django, timed


def generate_audit(n: int, agencies: int) -> None:
    from egov.core import audit
    from egov.core.models import AuditEvent, AuditHead

    rng = random.Random(42)
    prev = audit.GENESIS
    batch = []
    start = time.perf_counter()
    from django.utils import timezone

    now = timezone.now()
    for seq in range(1, n + 1):
        ev = AuditEvent(
            seq=seq,
            occurred_at=now,
            actor_id=rng.randint(1, 500),
            actor_label="Cán bộ",
            agency_id=rng.randint(1, agencies),
            action=rng.choice(
                ["dossier.received", "dossier.step_done", "document.registered", "account.login"]
            ),
            object_type="dossier",
            object_id=str(seq),
            data={"code": f"000.00.25.H42-260213-{seq:04d}"},
            prev_hash=prev,
        )
        ev.hash = audit.compute_hash(prev, ev)
        prev = ev.hash
        batch.append(ev)
        if len(batch) == 5000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    if batch:
        AuditEvent.objects.bulk_create(batch)
    AuditHead.objects.update_or_create(pk=1, defaults={"last_seq": n, "last_hash": prev})
    print(
        f"generated {n} chained audit events over {agencies} agencies in {time.perf_counter() - start:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--agencies", type=int, default=120)
    args = parser.parse_args()
    vendor = setup_django()
    print(f"database: {vendor}")
    from django.db import transaction

    from egov.core import audit, numbering
    from egov.core.models import AuditEvent
    from egov.core.pagination import keyset_page

    generate_audit(args.events, args.agencies)

    def one_number():
        with transaction.atomic():
            numbering.next_number("bench:000.00.25.H42", "2026")

    report("next_number (own transaction)", timed(one_number, 2000))

    def one_append():
        audit.record("bench.append", agency=7, obj=("dossier", "x"), data={"step": 1})

    report("audit.record (own transaction)", timed(one_append, 2000))

    ids = frozenset(range(1, 6))  # an officer of 5 agencies
    qs = AuditEvent.objects.filter(agency_id__in=ids)
    report(
        "audit page, newest 50 of 5 agencies",
        timed(lambda: keyset_page(qs, key="seq", size=50).items, 200),
    )
    deep = args.events // 10
    report(
        "audit page, 50 rows below a deep cursor",
        timed(lambda: keyset_page(qs, key="seq", cursor=deep, size=50).items, 200),
    )

    start = time.perf_counter()
    checked, problem = audit.verify()
    elapsed = time.perf_counter() - start
    assert problem is None, problem
    print(
        f"{'verify_audit':<48} {checked} events in {elapsed:.1f} s = {checked / elapsed:,.0f} events/s"
    )


if __name__ == "__main__":
    main()
