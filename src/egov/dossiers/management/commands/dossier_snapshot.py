"""``manage.py dossier_snapshot [--day dd/mm/yyyy] [--schedule]``."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from egov.dossiers import statistics, tasks


class Command(BaseCommand):
    help = "Record the in-progress dossiers (on time / overdue) of a day for the statistics, or schedule the nightly job."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="dd/mm/yyyy (default: today)")
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="make sure the nightly job is queued, and do nothing else",
        )

    def handle(self, *args, day=None, schedule=False, **options):
        if schedule:
            job = tasks.schedule_nightly_snapshot()
            self.stdout.write(
                "nightly snapshot already scheduled"
                if job is None
                else f"nightly snapshot scheduled for {job.next_attempt_at:%d/%m/%Y %H:%M}"
            )
            return
        try:
            when = dt.datetime.strptime(day, "%d/%m/%Y").date() if day else None
        except ValueError:
            raise CommandError("--day must be dd/mm/yyyy") from None
        count = statistics.take_snapshot(when)
        self.stdout.write(f"snapshot written for {count} agencies")
