"""Accounts: officers (roles per agency) and citizens in one user table, TOTP devices."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.accounts.scoping import ScopedQuerySet

citizen_id_validator = RegexValidator(
    r"^\d{12}$",
    _("Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số."),
    code="invalid_citizen_id",
)
phone_validator = RegexValidator(
    r"^(0|\+84)(3|5|7|8|9)\d{8}$",
    _("Số điện thoại di động không hợp lệ (ví dụ 0912345678)."),
    code="invalid_phone",
)


class Role(models.TextChoices):
    CLERK = "clerk", _("Văn thư")
    LEADER = "leader", _("Lãnh đạo")
    SPECIALIST = "specialist", _("Chuyên viên")
    ONESTOP = "onestop", _("Cán bộ một cửa")
    FEE = "fee", _("Thu phí, kế toán")
    ADMIN = "admin", _("Quản trị")


class User(AbstractUser):
    class Kind(models.TextChoices):
        OFFICER = "officer", _("Cán bộ, công chức")
        CITIZEN = "citizen", _("Người dân, doanh nghiệp")

    kind = models.CharField(
        _("loại tài khoản"),
        max_length=10,
        choices=Kind.choices,
        default=Kind.OFFICER,
        db_index=True,
    )
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    position = models.CharField(_("chức vụ"), max_length=200, blank=True)
    phone = models.CharField(
        _("số điện thoại"),
        max_length=15,
        blank=True,
        null=True,
        unique=True,
        validators=[phone_validator],
    )
    citizen_id = models.CharField(
        _("số định danh cá nhân"),
        max_length=12,
        blank=True,
        null=True,
        unique=True,
        validators=[citizen_id_validator],
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    oidc_subject = models.CharField(
        _("định danh OIDC"), max_length=255, blank=True, null=True, unique=True
    )
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=models.Q(kind="citizen") & ~models.Q(email=""),
                name="accounts_citizen_email_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()

    @property
    def is_officer(self) -> bool:
        return self.kind == self.Kind.OFFICER

    @property
    def is_citizen(self) -> bool:
        return self.kind == self.Kind.CITIZEN

    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()

    def roles(self) -> set[str]:
        return set(self.memberships.filter(is_active=True).values_list("role", flat=True))

    def has_role(self, role: str, agency=None) -> bool:
        qs = self.memberships.filter(is_active=True, role=role)
        if agency is not None:
            qs = qs.filter(agency=agency)
        return qs.exists()

    def requires_two_factor(self) -> bool:
        """Administrators must use TOTP; any officer who enrolled a device uses it too."""
        if not self.is_officer:
            return False
        return (
            self.is_superuser
            or self.has_role(Role.ADMIN)
            or hasattr(self, "totp_device")
            and self.totp_device.confirmed
        )


class MembershipQuerySet(ScopedQuerySet):
    agency_field = "agency_id"


class Membership(models.Model):
    """One role held by one officer in one agency."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("cán bộ")
    )
    agency = models.ForeignKey(
        "organizations.Agency",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("cơ quan"),
    )
    role = models.CharField(_("vai trò"), max_length=12, choices=Role.choices)
    is_active = models.BooleanField(_("đang hiệu lực"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("vai trò tại cơ quan")
        verbose_name_plural = _("vai trò tại cơ quan")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="accounts_membership_unique"
            )
        ]
        indexes = [models.Index(fields=["agency", "role"], name="acc_membership_agency_role")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.agency}"


class TOTPDevice(models.Model):
    """RFC 6238 time-based one-time passwords (authenticator app)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)
    confirmed = models.BooleanField(default=False)
    last_used_step = models.BigIntegerField(
        default=0, help_text="Time step of the last accepted code; a code is never accepted twice"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thiết bị xác thực hai lớp")
        verbose_name_plural = _("thiết bị xác thực hai lớp")

    def __str__(self) -> str:
        suffix = "" if self.confirmed else _(" (chưa xác nhận)")
        return f"TOTP {self.user}{suffix}"
