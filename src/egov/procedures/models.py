"""The catalog of administrative procedures (thủ tục hành chính, TTHC), versioned.

A ``Procedure`` is the stable identity (national code, e.g. ``1.001234``). Everything the law
may change — name, time limit, papers, fees, internal steps — lives on a ``ProcedureVersion``
with effective dates; a dossier keeps the version it was received under (ARCHITECTURE: legal
data with effective dates, never constants).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

national_code_validator = RegexValidator(
    r"^\d\.\d{6}(\.\d{1,3})?$",
    _("Mã thủ tục quốc gia có dạng 1.001234 (hoặc 1.001234.000.00)."),
    code="invalid_procedure_code",
)


class AgencyLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class OnlineLevel(models.TextChoices):
    """NĐ 42/2022/NĐ-CP: toàn trình / một phần; "2" = not online (the old level 2)."""

    OFFLINE = "2", _("Dịch vụ công (không trực tuyến)")
    PARTIAL = "partial", _("DVCTT một phần")
    FULL = "full", _("DVCTT toàn trình")


class Field(models.Model):
    """Lĩnh vực (e.g. Hộ tịch, Chứng thực, Đất đai)."""

    code = models.CharField(_("mã lĩnh vực"), max_length=30, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255)
    name_folded = models.CharField(max_length=255, editable=False, default="")

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        from egov.core.text import fold

        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)


class ProcedureQuerySet(models.QuerySet):
    def for_level(self, level: str):
        return self.filter(level=level)


class Procedure(models.Model):
    national_code = models.CharField(
        _("mã thủ tục"), max_length=20, unique=True, validators=[national_code_validator]
    )
    level = models.CharField(
        _("cấp thực hiện"), max_length=10, choices=AgencyLevel.choices, db_index=True
    )
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    #: denormalised from the version in force today, for lists and search (refreshed by services)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    search_text = models.TextField(
        editable=False, default="", help_text="fold(code + name + field)"
    )
    field = models.ForeignKey(
        Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="procedures"
    )
    online_level = models.CharField(
        _("mức độ DVC"), max_length=10, choices=OnlineLevel.choices, default=OnlineLevel.OFFLINE
    )

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["national_code"]
        indexes = [
            models.Index(
                fields=["level", "is_active", "national_code"], name="proc_level_active_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.national_code} – {self.name}"

    def version_on(self, moment: dt.datetime | dt.date | None = None) -> ProcedureVersion | None:
        """The version in force at ``moment`` (default: now)."""
        day = (
            moment
            if isinstance(moment, dt.date) and not isinstance(moment, dt.datetime)
            else timezone.localdate(moment)
        )
        return (
            self.versions.filter(effective_from__lte=day)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
            .order_by("-effective_from")
            .first()
        )


class ProcedureVersion(models.Model):
    class TimeUnit(models.TextChoices):
        DAYS = "days", pgettext_lazy("deadline unit", "ngày làm việc")
        HOURS = "hours", pgettext_lazy("deadline unit", "giờ làm việc")

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    effective_from = models.DateField(_("hiệu lực từ"))
    effective_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(
        Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("cấp thực hiện"), max_length=10, choices=AgencyLevel.choices)
    online_level = models.CharField(
        _("mức độ DVC"), max_length=10, choices=OnlineLevel.choices, default=OnlineLevel.OFFLINE
    )
    processing_time = models.DecimalField(
        _("thời hạn giải quyết"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    time_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=5, choices=TimeUnit.choices, default=TimeUnit.DAYS
    )
    cutoff_time = models.TimeField(
        _("giờ chốt nhận trong ngày"),
        null=True,
        blank=True,
        help_text=_("Hồ sơ nhận sau giờ này tính từ ngày làm việc tiếp theo"),
    )
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    result_type = models.CharField(_("kết quả thực hiện"), max_length=500, blank=True)
    applicant_kinds = models.CharField(
        _("đối tượng thực hiện"), max_length=200, blank=True, default="Công dân Việt Nam"
    )
    form_schema = models.JSONField(
        _("trường thông tin nộp trực tuyến"), default=dict, blank=True, help_text="JSON Schema"
    )
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        ordering = ["procedure", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "effective_from"], name="proc_version_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.national_code} từ {self.effective_from:%d/%m/%Y}"

    @property
    def processing_label(self) -> str:
        value = self.processing_time.normalize()
        return f"{value:f} {self.get_time_unit_display()}"


class RequiredPaper(models.Model):
    class Kind(models.TextChoices):
        ORIGINAL = "original", _("Bản chính")
        COPY = "copy", _("Bản sao")
        CERTIFIED_COPY = "certified_copy", _("Bản sao chứng thực")
        ORIGINAL_OR_COPY = "original_or_copy", _("Bản chính hoặc bản sao")

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="papers")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    kind = models.CharField(
        _("loại bản"), max_length=20, choices=Kind.choices, default=Kind.ORIGINAL
    )
    count = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    required = models.BooleanField(_("bắt buộc"), default=True)
    template = models.FileField(
        _("mẫu đơn, tờ khai"), upload_to="procedures/templates/%Y/", blank=True
    )
    template_name = models.CharField(
        _("tên mẫu"), max_length=200, blank=True, help_text=_("Ví dụ: Tờ khai đăng ký khai sinh")
    )

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["version", "order"]

    def __str__(self) -> str:
        return self.name


class Fee(models.Model):
    class Kind(models.TextChoices):
        FEE = "fee", _("Phí")
        CHARGE = "charge", _("Lệ phí")

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.CHARGE)
    name = models.CharField(_("tên khoản thu"), max_length=300)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"), default=0)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")

    def __str__(self) -> str:
        return f"{self.name}: {self.amount:,} đ".replace(",", ".")


class ProcessStep(models.Model):
    """One step of the internal process (quy trình nội bộ). ``unit`` says where it happens,
    resolved against the receiving government when a dossier is received:

    - ``onestop``: the one-stop unit that received the dossier;
    - ``department``: the department of that government whose abbreviation is
      ``department_abbreviation`` (e.g. TP = Phòng Tư pháp; at a commune, the committee itself);
    - ``government``: the People's Committee itself (its leaders sign);
    - ``higher``: the government above (một cửa liên thông, e.g. commune → district).
    """

    class Unit(models.TextChoices):
        ONESTOP = "onestop", _("Bộ phận một cửa")
        DEPARTMENT = "department", _("Phòng chuyên môn")
        GOVERNMENT = "government", _("Lãnh đạo UBND")
        HIGHER = "higher", _("Cơ quan cấp trên (liên thông)")

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=300)
    unit = models.CharField(_("đơn vị thực hiện"), max_length=12, choices=Unit.choices)
    department_abbreviation = models.CharField(_("chữ viết tắt phòng"), max_length=20, blank=True)
    role = models.CharField(_("vai trò thực hiện"), max_length=12)
    duration = models.DecimalField(
        _("thời gian"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Phần thời hạn của bước, cùng đơn vị với thời hạn thủ tục"),
    )

    class Meta:
        verbose_name = _("bước quy trình")
        verbose_name_plural = _("quy trình nội bộ")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="proc_step_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class ImportJob(models.Model):
    """One upload of the catalog (Excel or CSV) and its processing by a background job: how
    far it got (for the progress bar) and what went wrong, row by row."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Đang chờ xử lý")
        RUNNING = "running", _("Đang xử lý")
        DONE = "done", _("Hoàn thành")
        FAILED = "failed", _("Không đọc được tệp")

    file = models.FileField(_("tệp đã tải lên"), upload_to="procedures/imports/%Y/")
    original_name = models.CharField(_("tên tệp"), max_length=255)
    file_kind = models.CharField(_("loại tệp"), max_length=5)  # "xlsx" or "csv"
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("tổng số dòng"), default=0)
    processed_rows = models.PositiveIntegerField(_("số dòng đã xử lý"), default=0)
    saved_rows = models.PositiveIntegerField(_("số dòng đã lưu"), default=0)
    #: [{"row": 5, "column": "Cấp thực hiện", "message": "…"}], row 0 = the whole file
    errors = models.JSONField(_("lỗi theo dòng"), default=list, blank=True)
    report = models.TextField(_("kết quả"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần nhập danh mục")
        verbose_name_plural = _("các lần nhập danh mục")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.original_name} #{self.pk} ({self.state})"

    @property
    def percent(self) -> int:
        if self.state in (self.State.DONE, self.State.FAILED):
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def failed_rows(self) -> int:
        return len({e["row"] for e in self.errors if e.get("row")})
