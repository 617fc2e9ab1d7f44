"""The agency tree (province → district → commune, departments, one-stop centres), merges
with effective dates, and bridge points for video conferences."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.accounts.scoping import ScopedQuerySet
from egov.organizations.validators import validate_agency_code


class AgencyQuerySet(ScopedQuerySet):
    agency_field = "id"

    def active(self, on: dt.date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(effective_from__isnull=True) | Q(effective_from__lte=on)).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=on)
        )

    def subtree(self, agency: Agency):
        return self.filter(path__startswith=agency.path)


class Agency(models.Model):
    class Kind(models.TextChoices):
        PROVINCE = "province", _("Tỉnh, thành phố")
        DISTRICT = "district", _("Huyện, quận, thị xã")
        COMMUNE = "commune", _("Xã")
        WARD = "ward", _("Phường")
        TOWN = "town", _("Thị trấn")
        SPECIAL_ZONE = "special_zone", _("Đặc khu")
        DEPARTMENT = "department", _("Phòng, ban, sở")
        ONESTOP = "onestop", _("Bộ phận một cửa")
        OTHER = "other", _("Đơn vị khác")

    #: kinds that are local governments (have a People's Committee); the others are units.
    GOVERNMENT_KINDS = {
        Kind.PROVINCE,
        Kind.DISTRICT,
        Kind.COMMUNE,
        Kind.WARD,
        Kind.TOWN,
        Kind.SPECIAL_ZONE,
    }

    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên ngắn"), max_length=120, blank=True)
    abbreviation = models.CharField(
        _("chữ viết tắt"),
        max_length=20,
        help_text=_("Dùng trong ký hiệu văn bản, ví dụ UBND, VP, TP"),
    )
    code = models.CharField(
        _("mã định danh"), max_length=13, unique=True, validators=[validate_agency_code]
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    effective_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    effective_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("hợp nhất vào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan, đơn vị")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        depth = path.count("/") - 2
        if path != self.path or depth != self.depth:
            old = self.path
            self.path, self.depth = path, depth
            Agency.objects.filter(pk=self.pk).update(path=path, depth=depth)
            if old:
                for child in (
                    Agency.objects.filter(path__startswith=old)
                    .exclude(pk=self.pk)
                    .order_by("depth")
                ):
                    child.save()

    def is_active(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return (self.effective_from is None or self.effective_from <= on) and (
            self.effective_to is None or self.effective_to >= on
        )

    def ancestors(self):
        ids = [int(x) for x in self.path.strip("/").split("/") if x][:-1]
        return Agency.objects.filter(pk__in=ids).order_by("depth")

    def government(self) -> Agency:
        """The People's Committee this unit belongs to (itself when it is one)."""
        node = self
        while node.kind not in self.GOVERNMENT_KINDS and node.parent_id:
            node = node.parent
        return node


class AgencyMerge(models.Model):
    """Agencies merged into one from a date (e.g. the 2025 commune mergers, Nghị quyết của UBTVQH)."""

    sources = models.ManyToManyField(
        Agency, verbose_name=_("cơ quan bị hợp nhất"), related_name="merged_away"
    )
    target = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan sau hợp nhất"),
        on_delete=models.PROTECT,
        related_name="merged_in",
    )
    effective_date = models.DateField(_("ngày hiệu lực"))
    decision = models.CharField(
        _("căn cứ"), max_length=255, help_text=_("Nghị quyết, quyết định sáp nhập")
    )
    moved_open_work = models.BooleanField(_("đã chuyển công việc đang xử lý"), default=False)
    summary = models.JSONField(_("kết quả chuyển"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hợp nhất cơ quan")
        verbose_name_plural = _("hợp nhất cơ quan")
        ordering = ["-effective_date"]

    def __str__(self) -> str:
        return f"→ {self.target} ({self.effective_date:%d/%m/%Y})"


class BridgePointQuerySet(ScopedQuerySet):
    agency_field = "agency_id"


class BridgePoint(models.Model):
    """Điểm cầu hội nghị truyền hình trực tuyến."""

    class Equipment(models.TextChoices):
        READY = "ready", _("Sẵn sàng")
        DEGRADED = "degraded", _("Hoạt động hạn chế")
        BROKEN = "broken", _("Hỏng, chờ sửa")
        UNKNOWN = "unknown", _("Chưa kiểm tra")

    name = models.CharField(_("tên điểm cầu"), max_length=255)
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="bridge_points"
    )
    location = models.CharField(_("địa điểm"), max_length=255, blank=True)
    equipment_status = models.CharField(
        _("tình trạng thiết bị"),
        max_length=10,
        choices=Equipment.choices,
        default=Equipment.UNKNOWN,
    )
    equipment_note = models.CharField(_("ghi chú thiết bị"), max_length=255, blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    objects = BridgePointQuerySet.as_manager()

    class Meta:
        verbose_name = _("điểm cầu")
        verbose_name_plural = _("điểm cầu")
        ordering = ["agency__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="org_bridgepoint_agency_name")
        ]

    def __str__(self) -> str:
        return self.name
