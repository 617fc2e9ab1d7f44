"""Create the demo PKI: a root CA and certificates for the demo leaders and agencies.

Idempotent: existing files are kept. The demo root is added to the trust store (TrustedRoot)
so demo signatures validate as trusted. Demo certificates have no legal value. Also writes the
certificate of the reference timestamp server (``tsa.p12``); with
``EGOV_SIGNING_CRL_BASE_URL`` set, new certificates carry a CRL distribution point there.
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
        crl_base_url = getattr(settings, "EGOV_SIGNING_CRL_BASE_URL", "")
        ca = pki.ensure_root_ca(folder, password)
        pki.ensure_tsa_certificate(folder, password, ca, crl_base_url=crl_base_url)
        count = 0
        for agency in Agency.objects.all().order_by("pk"):
            pki.ensure_certificate(
                folder, password, ca, agency.name, kind="agency", crl_base_url=crl_base_url
            )
            count += 1
        leaders = Membership.objects.filter(role=Role.LEADER, is_active=True).select_related(
            "user", "agency"
        )
        for m in leaders:
            full_name = m.user.get_full_name() or m.user.username
            pki.ensure_certificate(
                folder,
                password,
                ca,
                full_name,
                organization=m.agency.name,
                kind="person",
                crl_base_url=crl_base_url,
            )
            count += 1
        # signer keys (PKCS#12 of the files above) with demo signature and seal images
        from egov.signing.signers import ensure_demo_keys

        ensure_demo_keys(folder, ca)
        if not options["no_trust"]:
            pem = ca.cert_pem().decode()
            TrustedRoot.objects.get_or_create(
                pem=pem, defaults={"name": pki.ROOT_CN, "is_active": True}
            )
        self.stdout.write(
            f"demo PKI in {folder}: root CA + {count} certificates + timestamp server "
            "certificate (DEMO only)"
        )
