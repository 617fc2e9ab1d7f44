"""Core tables: gap-free sequences, the hash-chained audit log, calendar overrides, background
jobs and the worker heartbeat. No domain knowledge lives here: agencies and users are referred
to by id so that the log outlives anything it speaks of."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.accounts.scoping import ScopedQuerySet


class Sequence(models.Model):
    """One gap-free counter per (scope, period), e.g. ("dossier:000.00.25.H42", "260213")."""

    scope = models.CharField(_("phạm vi"), max_length=120)
    period = models.CharField(_("kỳ"), max_length=20, default="")
    last_value = models.PositiveBigIntegerField(_("số cuối đã cấp"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dãy số")
        verbose_name_plural = _("dãy số")
        constraints = [
            models.UniqueConstraint(fields=["scope", "period"], name="core_sequence_scope_period")
        ]

    def __str__(self) -> str:
        return f"{self.scope} [{self.period}] = {self.last_value}"


class AuditEventQuerySet(ScopedQuerySet):
    agency_field = "agency_id"


class AuditEvent(models.Model):
    """An append-only event; ``hash`` = SHA-256 over the previous hash and this event's content."""

    seq = models.PositiveBigIntegerField(_("số thứ tự"), unique=True)
    occurred_at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    actor_id = models.BigIntegerField(_("mã người thực hiện"), null=True, blank=True)
    actor_label = models.CharField(_("người thực hiện"), max_length=200, blank=True)
    agency_id = models.BigIntegerField(_("mã cơ quan"), null=True, blank=True, db_index=True)
    action = models.CharField(_("hành động"), max_length=100, db_index=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=100, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=100, blank=True)
    data = models.JSONField(_("dữ liệu"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("sự kiện nhật ký")
        verbose_name_plural = _("nhật ký kiểm tra")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "seq"], name="core_audit_object"),
            models.Index(fields=["agency_id", "seq"], name="core_audit_agency_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only")


class AuditHead(models.Model):
    """Single row: the last sequence number and hash of the chain. Locked to append."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"


class CalendarOverride(models.Model):
    """A day that the yearly notice makes different from the holidays package's baseline."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ thêm")
        WORK_DAY = "work_day", _("Ngày làm việc bù")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("tên"), max_length=200, blank=True)
    notice = models.CharField(
        _("văn bản quyết định"),
        max_length=200,
        help_text=_("Số, ký hiệu của thông báo, ví dụ TB 9441/TB-BNV"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ngày nghỉ/làm bù")
        verbose_name_plural = _("lịch nghỉ, làm bù theo thông báo")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()} ({self.notice})"


class Job(models.Model):
    """A background hand-off as officers see it: state, attempts and the last error."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang chạy")
        RETRYING = "retrying", _("Chờ thử lại")
        SUCCEEDED = "succeeded", _("Thành công")
        FAILED = "failed", _("Thất bại")

    task_path = models.CharField(_("tác vụ"), max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=State.choices, default=State.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(_("số lần chạy"), default=0)
    max_attempts = models.PositiveIntegerField(_("số lần tối đa"), default=5)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    next_attempt_at = models.DateTimeField(_("lần chạy tiếp"), null=True, blank=True)
    result_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)

    class Meta:
        verbose_name = _("tác vụ nền")
        verbose_name_plural = _("tác vụ nền")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.task_path} #{self.pk} ({self.state})"


class WorkerHeartbeat(models.Model):
    worker = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("nhịp worker")

    def __str__(self) -> str:
        return f"{self.worker} @ {self.seen_at:%H:%M:%S}"
