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


class SignerKey(models.Model):
    """Which key signs for whom, and with which backend (chosen per signer by configuration).

    A *person* key belongs to an officer with signing authority (a leader); an *agency* key is
    the agency's own certificate (its seal). Secrets are never stored here: ``secret_env``
    names the environment variable holding the PKCS#12 password or the token PIN."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Người có thẩm quyền")
        AGENCY = "agency", _("Cơ quan, tổ chức")

    class Backend(models.TextChoices):
        PKCS12 = "pkcs12", _("Tệp PKCS#12")
        PKCS11 = "pkcs11", _("Token/HSM PKCS#11")
        REMOTE = "remote", _("Ký số từ xa")

    kind = models.CharField(_("loại chữ ký"), max_length=8, choices=Kind.choices)
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("người ký"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signer_keys",
    )
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan"),
        on_delete=models.CASCADE,
        related_name="signer_keys",
    )
    backend = models.CharField(_("nơi giữ khóa"), max_length=8, choices=Backend.choices)
    pkcs12_path = models.CharField(_("đường dẫn tệp PKCS#12"), max_length=500, blank=True)
    secret_env = models.CharField(
        _("biến môi trường chứa mật khẩu/PIN"),
        max_length=100,
        blank=True,
        help_text=_("Để trống với tệp PKCS#12 demo: dùng EGOV_SIGNING_PKCS12_PASSWORD."),
    )
    module_path = models.CharField(_("thư viện PKCS#11"), max_length=500, blank=True)
    token_label = models.CharField(_("nhãn token"), max_length=100, blank=True)
    key_label = models.CharField(_("nhãn khóa"), max_length=100, blank=True)
    cert_label = models.CharField(_("nhãn chứng thư"), max_length=100, blank=True)
    cert_file = models.CharField(_("tệp chứng thư (PEM)"), max_length=500, blank=True)
    remote_provider = models.CharField(
        _("lớp dịch vụ ký số từ xa"),
        max_length=200,
        blank=True,
        help_text=_("Đường dẫn Python tới lớp RemoteSigner, ví dụ egov.signing.backends.X"),
    )
    image_path = models.CharField(
        _("ảnh chữ ký/con dấu (PNG)"),
        max_length=500,
        blank=True,
        help_text=_("Chữ ký màu xanh của người ký, hoặc con dấu màu đỏ của cơ quan."),
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    is_demo = models.BooleanField(_("demo (không có giá trị pháp lý)"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("khóa ký số")
        verbose_name_plural = _("khóa ký số")
        ordering = ["agency_id", "kind", "id"]
        indexes = [
            models.Index(fields=["user", "is_active"], name="signerkey_user_idx"),
            models.Index(fields=["agency", "kind", "is_active"], name="signerkey_agency_idx"),
        ]

    def __str__(self) -> str:
        who = self.user.get_full_name() if self.user_id else self.agency.name
        return f"{self.get_kind_display()}: {who}"

    def clean(self) -> None:
        errors = {}
        if self.kind == self.Kind.PERSON and not self.user_id:
            errors["user"] = _("Chữ ký của người có thẩm quyền cần chọn người ký.")
        if self.kind == self.Kind.AGENCY and self.user_id:
            errors["user"] = _("Chữ ký của cơ quan không gắn với một người.")
        if self.backend == self.Backend.PKCS12 and not self.pkcs12_path:
            errors["pkcs12_path"] = _("Nhập đường dẫn tệp PKCS#12.")
        if self.backend == self.Backend.PKCS11:
            if not self.module_path:
                errors["module_path"] = _("Nhập đường dẫn thư viện PKCS#11.")
            if not self.token_label:
                errors["token_label"] = _("Nhập nhãn token.")
            if not self.secret_env:
                errors["secret_env"] = _("Token cần mã PIN: nhập tên biến môi trường chứa PIN.")
        if self.backend == self.Backend.REMOTE and not self.remote_provider:
            errors["remote_provider"] = _("Nhập lớp dịch vụ ký số từ xa.")
        if errors:
            raise ValidationError(errors)


class SignatureReport(models.Model):
    """The validation report of a stored PDF, kept with it (one row per file content)."""

    class Status(models.TextChoices):
        VALID = "valid", _("Hợp lệ")
        UNTRUSTED = "untrusted", _("Chưa tin cậy")
        INVALID = "invalid", _("Không hợp lệ")

    storage_name = models.CharField(max_length=300, db_index=True)
    original_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(_("kết quả"), max_length=10, choices=Status.choices)
    signature_count = models.PositiveSmallIntegerField(_("số chữ ký"), default=0)
    report = models.JSONField(_("báo cáo kiểm tra"))
    checked_at = models.DateTimeField(_("thời điểm kiểm tra"), auto_now_add=True)
    checked_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("báo cáo kiểm tra chữ ký số")
        verbose_name_plural = _("báo cáo kiểm tra chữ ký số")
        ordering = ["-id"]
        indexes = [models.Index(fields=["checked_by", "id"], name="sigreport_user_idx")]

    def __str__(self) -> str:
        return f"{self.original_name or self.storage_name}: {self.get_status_display()}"
