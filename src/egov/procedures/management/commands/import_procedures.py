"""``python manage.py import_procedures catalog.xlsx [--user quantri]``: the same import as the
office page (same checks, one transaction per row through ``services.save_version``), run in
the foreground with the progress and the per-row errors printed. Exit status 1 when any row
failed."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import override

from egov.accounts.models import User
from egov.procedures import importexport


class Command(BaseCommand):
    help = "Import a procedure catalog file (.xlsx or UTF-8 CSV) and print a per-row report."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--user", help="user name recorded in the audit log as the actor")

    def handle(self, *args, path: str, user: str | None = None, **options):
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"no user {user!r}")
        with override("vi"), open(path, "rb") as fh:
            upload = File(fh, name=Path(path).name)
            try:
                checked = importexport.check_catalog_upload(upload)
                _mapping, rows = importexport.read_table(fh, checked.kind)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            except importexport.FileError as exc:
                raise CommandError(exc.message) from exc
            step = max(1, len(rows) // 20)

            def progress(done, saved, errors):
                if done % step == 0 or done == len(rows):
                    self.stdout.write(f"  {done}/{len(rows)} rows, {saved} saved")

            result = importexport.import_rows(rows, by=actor, progress=progress)
        for error in result.errors:
            column = f" [{error.column}]" if error.column else ""
            self.stdout.write(f"dòng {error.row}{column}: {error.message}")
        failed = len({e.row for e in result.errors})
        self.stdout.write(f"{result.total} rows: {result.saved} saved, {failed} with errors")
        if failed:
            raise SystemExit(1)
