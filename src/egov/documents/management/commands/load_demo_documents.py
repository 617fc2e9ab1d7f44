"""``python manage.py load_demo_documents``: demo incoming and outgoing documents for the
thanh-ba-2021 preset (after ``load_demo`` and ``make_demo_pki``). Idempotent and quick."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from egov.documents.demo import load_demo_documents


class Command(BaseCommand):
    help = "Create demo official documents (incoming and outgoing) through the real services."

    def handle(self, *args, **options):
        if getattr(settings, "EGOV_PRODUCTION", False):
            raise CommandError("Demo documents are not loaded in production.")
        started = time.perf_counter()
        created = load_demo_documents()
        self.stdout.write(
            f"{created['incoming']} incoming, {created['outgoing']} outgoing documents created "
            f"in {time.perf_counter() - started:.1f} s."
        )
