"""Create the demo PKI: a root CA and certificates for the demo leaders and agencies.

Idempotent: existing files are kept. The demo root is added to the trust store (TrustedRoot)
so demo signatures validate as trusted. Demo certificates have no legal value.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from egov.signing import pki


class Command(BaseCommand):
    help = "Create the demo certificate authority and demo certificates (DEMO only)."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=None, help="folder (default EGOV_SIGNING_PKI_DIR)")
        parser.add_argument(
            "--no-trust", action="store_true", help="do not add the demo root to the trust store"
        )

    def handle(self, *args, **options):
        from egov.accounts.models import Membership, Role
        from egov.organizations.models import Agency
        from egov.signing.models import TrustedRoot

        folder = options["dir"] or settings.EGOV_SIGNING_PKI_DIR
        password = settings.EGOV_SIGNING_PKCS12_PASSWORD
        ca = pki.ensure_root_ca(folder, password)
        count = 0
        for agency in Agency.objects.all().order_by("pk"):
            pki.ensure_certificate(folder, password, ca, agency.name, kind="agency")
            count += 1
        leaders = Membership.objects.filter(role=Role.LEADER, is_active=True).select_related(
            "user", "agency"
        )
        for m in leaders:
            full_name = m.user.get_full_name() or m.user.username
            pki.ensure_certificate(
                folder, password, ca, full_name, organization=m.agency.name, kind="person"
            )
            count += 1
        if not options["no_trust"]:
            pem = ca.cert_pem().decode()
            TrustedRoot.objects.get_or_create(
                pem=pem, defaults={"name": pki.ROOT_CN, "is_active": True}
            )
        self.stdout.write(f"demo PKI in {folder}: root CA + {count} certificates (DEMO only)")
