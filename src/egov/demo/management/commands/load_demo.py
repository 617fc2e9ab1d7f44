"""``python manage.py load_demo [preset ...] [--quiet]``: load demo data and print the logins.

Idempotent: a second run creates nothing and reports "0 created". ``--quiet`` prints only the
login table (``scripts/run.sh`` shows it when egov starts).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from egov.demo import loader
from egov.demo.presets import DEFAULT_PRESET, PRESETS


class Command(BaseCommand):
    help = "Load a demo preset (agencies, bridge points, accounts) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "presets",
            nargs="*",
            metavar="preset",
            help=f"one or more of: {', '.join(PRESETS)} (default {DEFAULT_PRESET})",
        )
        parser.add_argument("--quiet", action="store_true", help="print only the login table")
        parser.add_argument(
            "--dossiers",
            type=int,
            default=300,
            help="demo dossiers to replay through the one-stop services (0 for none; default 300)",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="load even with EGOV_PRODUCTION=1 (the demo password and TOTP secret are public)",
        )

    def handle(self, *args, **options):
        names = options["presets"] or [DEFAULT_PRESET]
        unknown = [n for n in names if n not in PRESETS]
        if unknown:
            raise CommandError(
                f"unknown preset {', '.join(unknown)}; choose from: {', '.join(PRESETS)}"
            )
        if getattr(settings, "PRODUCTION", False) and not options["allow_production"]:
            raise CommandError(
                "refusing to load demo accounts with EGOV_PRODUCTION=1: their password and TOTP "
                "secret are public (use --allow-production for a throw-away demo server)"
            )
        quiet = options["quiet"]
        for name in names:
            result = loader.load(name, dossiers=max(0, options["dossiers"]))
            if not quiet:
                self.stdout.write(f"{result.title}")
                self.stdout.write(result.summary())
                for reform in result.reforms:
                    self.stdout.write(f"  applied: {reform}")
                self.stdout.write("")
            self.stdout.write(loader.format_logins(result.logins))
            if len(names) > 1:
                self.stdout.write("")
