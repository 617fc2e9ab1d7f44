"""``manage.py verify_audit``: walk the hash chain; report the first tampered event."""

from django.core.management.base import BaseCommand, CommandError

from egov.core import audit


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and report the first event that was edited, deleted or inserted out of order."

    def handle(self, *args, **options):
        checked, problem = audit.verify()
        if problem is not None:
            raise CommandError(f"Audit log NOT intact after {checked} good events — {problem}")
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {checked} events verified."))
