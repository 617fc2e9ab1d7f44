"""Health check for load balancers and monitoring: database, storage, task worker."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from egov.core.models import WorkerHeartbeat


def _check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, connection.vendor
    except Exception as exc:  # a health check reports, it does not raise
        return False, str(exc)


def _check_storage() -> tuple[bool, str]:
    name = f"healthz/{uuid.uuid4().hex}.txt"
    try:
        saved = default_storage.save(name, ContentFile(b"ok"))
        with default_storage.open(saved) as fh:
            ok = fh.read() == b"ok"
        default_storage.delete(saved)
        return ok, "read/write ok" if ok else "read back differs"
    except Exception as exc:
        return False, str(exc)


def _check_worker() -> tuple[bool, str]:
    try:
        last = (
            WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
        )
    except Exception as exc:
        return False, str(exc)
    if last is None:
        return False, "no worker has reported"
    age = timezone.now() - last
    limit = dt.timedelta(seconds=settings.EGOV_WORKER_HEARTBEAT_SECONDS * 4)
    return age <= limit, f"last heartbeat {int(age.total_seconds())} s ago"


@never_cache
def healthz(request):
    checks = {}
    for name, check in (
        ("database", _check_database),
        ("storage", _check_storage),
        ("worker", _check_worker),
    ):
        ok, detail = check()
        checks[name] = {"ok": ok, "detail": detail}
    healthy = all(c["ok"] for c in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503
    )
