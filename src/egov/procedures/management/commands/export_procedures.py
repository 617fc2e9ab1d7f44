"""``python manage.py export_procedures catalog.xlsx`` (or ``.csv``, or ``-`` for CSV on
stdout): every version of every active procedure, in the import format (docs/procedures.md)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from egov.procedures import importexport


class Command(BaseCommand):
    help = "Export the procedure catalog as Excel (.xlsx) or CSV (UTF-8 with BOM)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="output file ending in .xlsx or .csv; - = CSV on stdout")

    def handle(self, *args, path: str, **options):
        if path == "-":
            for chunk in importexport.iter_csv():
                sys.stdout.write(chunk)
            return
        if path.endswith(".xlsx"):
            with open(path, "wb") as fh:
                importexport.write_xlsx(fh)
        elif path.endswith(".csv"):
            with open(path, "w", encoding="utf-8", newline="") as fh:
                for chunk in importexport.iter_csv():
                    fh.write(chunk)
        else:
            raise CommandError("the file name must end in .xlsx or .csv")
        count = importexport.export_queryset().count()
        self.stdout.write(f"{count} procedure versions written to {path}")
