"""The trust store: root certificates whose chains make a signature trusted."""

from __future__ import annotations

from cryptography import x509
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class TrustedRoot(models.Model):
    """A root CA certificate trusted for signature validation (managed by the administrator:
    the Vietnamese national root CA, the government CA, licensed commercial CAs, the demo CA)."""

    name = models.CharField(_("tên"), max_length=255)
    pem = models.TextField(_("chứng thư số gốc (PEM)"))
    is_active = models.BooleanField(_("đang tin cậy"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư số gốc tin cậy")
        verbose_name_plural = _("chứng thư số gốc tin cậy")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.pem.encode())

    def clean(self) -> None:
        try:
            self.certificate()
        except ValueError:
            raise ValidationError(
                {"pem": _("Không đọc được chứng thư số (cần định dạng PEM).")}
            ) from None
