"""``manage.py worker``: django-tasks-db's db_worker plus a heartbeat that /healthz reads."""

from __future__ import annotations

import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from egov.core.models import WorkerHeartbeat


def beat(name: str) -> None:
    WorkerHeartbeat.objects.update_or_create(worker=name, defaults={"seen_at": timezone.now()})


def _heartbeat_loop(name: str, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            beat(name)
        except Exception:  # the database may be busy; try at the next beat
            pass
        finally:
            close_old_connections()
        stop.wait(settings.EGOV_WORKER_HEARTBEAT_SECONDS)


class Command(DbWorkerCommand):
    help = "Run the background task worker (with a heartbeat for /healthz)."

    def handle(self, *args, **options):
        name = f"{socket.gethostname()}:{os.getpid()}"
        stop = threading.Event()
        thread = threading.Thread(
            target=_heartbeat_loop, args=(name, stop), daemon=True, name="egov-heartbeat"
        )
        thread.start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
