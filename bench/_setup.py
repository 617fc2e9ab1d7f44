"""Shared set-up of the benchmarks: Django on a dedicated database (never the demo's).

SQLite by default (``var/bench.sqlite3``, recreated each run); PostgreSQL when
``BENCH_DATABASE_URL`` is given (the database is dropped and recreated by the benchmark).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> str:
    sys.path.insert(0, str(ROOT / "src"))
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url:
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["EGOV_VAR_DIR"] = str(ROOT / "var" / "bench")
        db = ROOT / "var" / "bench" / "egov.sqlite3"
        db.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    os.environ.setdefault("EGOV_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    return connection.vendor


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def report(name: str, samples: list[float], unit_count: int = 1) -> None:
    samples_ms = sorted(s * 1000 for s in samples)
    p50 = statistics.median(samples_ms)
    p95 = samples_ms[min(len(samples_ms) - 1, int(len(samples_ms) * 0.95))]
    total = sum(samples)
    rate = unit_count * len(samples) / total if total else float("inf")
    print(f"{name:<48} p50 {p50:8.3f} ms   p95 {p95:8.3f} ms   {rate:10.0f} /s")
