"""``python manage.py demo_totp <username>``: print the current TOTP code of a demo account.

Works only for accounts whose authenticator secret is the public demo secret
(``egov.demo.presets.DEMO_TOTP_SECRET``); it refuses every other account.
"""

from __future__ import annotations

import time

import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from egov.accounts.models import TOTPDevice
from egov.demo.presets import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current two-factor (TOTP) code of a demo account that uses the demo secret."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("demo_totp does not run with EGOV_PRODUCTION=1")
        device = TOTPDevice.objects.filter(user__username=username).select_related("user").first()
        if device is None:
            raise CommandError(f"{username}: no such account with a two-factor device")
        if device.secret != DEMO_TOTP_SECRET:
            raise CommandError(
                f"{username}: not a demo account (its TOTP secret is not the demo secret); refusing"
            )
        totp = pyotp.TOTP(device.secret)
        remaining = totp.interval - int(time.time()) % totp.interval
        self.stdout.write(totp.now())
        if options["verbosity"] > 1:
            self.stdout.write(f"valid for {remaining} more seconds; each code is accepted once")
