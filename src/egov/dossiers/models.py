"""Dossiers of the one-stop shop (hồ sơ một cửa): from intake to the returned result.

State changes happen only in ``dossiers.services``; every one is in the audit log, which is
also the dossier's timeline. The deadline rules are those of NĐ 61/2018 (now NĐ 118/2025) and
TT 01/2018 / TT 03/2025 (STANDARDS.md §3.4): working days from the receipt of a complete
dossier, paused while the applicant supplements it, extended by an apology letter (form 04).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from egov.accounts.scoping import ScopedQuerySet, visible_agency_ids


class State(models.TextChoices):
    WAITING_INTAKE = "waiting_intake", _("Chờ tiếp nhận")
    RECEIVED = "received", _("Mới tiếp nhận")
    IN_PROCESS = "in_process", _("Đang xử lý")
    SUPPLEMENT = "supplement", _("Chờ bổ sung")
    RESULT_READY = "result_ready", _("Chờ trả kết quả")
    RETURNED = "returned", _("Đã trả kết quả")
    REFUSED = "refused", _("Từ chối tiếp nhận")
    STOPPED = "stopped", _("Dừng xử lý")
    WITHDRAWN = "withdrawn", _("Rút hồ sơ")


OPEN_STATES = (State.RECEIVED, State.IN_PROCESS, State.SUPPLEMENT)
FINISHED_STATES = (
    State.RESULT_READY,
    State.RETURNED,
    State.REFUSED,
    State.STOPPED,
    State.WITHDRAWN,
)


class Timing(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class Channel(models.TextChoices):
    COUNTER = "counter", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POST = "post", _("Bưu chính")


class ReturnMethod(models.TextChoices):
    COUNTER = "counter", _("Nhận tại bộ phận một cửa")
    POST = "post", _("Qua dịch vụ bưu chính công ích")
    ONLINE = "online", _("Nhận trực tuyến")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Cá nhân")
    ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")


class DossierQuerySet(ScopedQuerySet):
    """Visible to officers of the deciding government, of the receiving one-stop unit, and of any
    agency holding one of its steps (a department, or the higher agency in một cửa liên thông)."""

    def visible_to(self, user):
        ids = visible_agency_ids(user)
        if ids is None:
            return self.all()
        if not ids:
            return self.none()
        steps = DossierStep.objects.filter(dossier=OuterRef("pk"), agency_id__in=ids)
        return self.filter(Q(agency_id__in=ids) | Q(intake_agency_id__in=ids) | Exists(steps))

    def open(self):
        return self.filter(state__in=OPEN_STATES)


class Dossier(models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True, null=True, blank=True)
    pin = models.CharField(_("mã tra cứu"), max_length=8, blank=True)
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan giải quyết"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    intake_agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("bộ phận tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="received_dossiers",
    )
    procedure_version = models.ForeignKey(
        "procedures.ProcedureVersion",
        verbose_name=_("thủ tục"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    procedure = models.ForeignKey(
        "procedures.Procedure",
        verbose_name=_("thủ tục"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    regulation = models.CharField(
        _("bộ biểu mẫu"),
        max_length=20,
        help_text=_("Văn bản quy định biểu mẫu áp dụng, theo ngày tiếp nhận"),
    )
    state = models.CharField(_("trạng thái"), max_length=16, choices=State.choices, db_index=True)
    channel = models.CharField(
        _("hình thức nộp"), max_length=10, choices=Channel.choices, default=Channel.COUNTER
    )
    return_method = models.CharField(
        _("hình thức nhận kết quả"),
        max_length=10,
        choices=ReturnMethod.choices,
        default=ReturnMethod.COUNTER,
    )
    # applicant
    applicant_kind = models.CharField(
        _("loại người nộp"),
        max_length=12,
        choices=ApplicantKind.choices,
        default=ApplicantKind.PERSON,
    )
    applicant_name = models.CharField(_("họ tên người nộp / tên tổ chức"), max_length=255)
    applicant_id_number = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)
    applicant_tax_code = models.CharField(_("mã số thuế"), max_length=14, blank=True)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dossiers",
    )
    subject = models.CharField(_("nội dung yêu cầu"), max_length=500, blank=True)
    # time
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"), null=True, blank=True)
    counted_from = models.DateTimeField(_("bắt đầu tính thời hạn"), null=True, blank=True)
    original_due_at = models.DateTimeField(_("hạn trả kết quả ban đầu"), null=True, blank=True)
    due_at = models.DateTimeField(_("hạn trả kết quả"), null=True, blank=True, db_index=True)
    #: the due moment results are judged against: the original one moved only by pauses for
    #: supplements; an apology letter (form 04) changes ``due_at`` but a late dossier stays late
    counted_due_at = models.DateTimeField(_("hạn tính đúng hạn"), null=True, blank=True)
    paused_at = models.DateTimeField(_("tạm dừng từ"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("thời điểm có kết quả"), null=True, blank=True)
    returned_at = models.DateTimeField(_("thời điểm trả kết quả"), null=True, blank=True)
    timing = models.CharField(
        _("kết quả đúng hạn"), max_length=8, choices=Timing.choices, blank=True
    )
    # result
    result_file = models.CharField(_("tệp kết quả"), max_length=300, blank=True)
    result_note = models.CharField(_("ghi chú kết quả"), max_length=500, blank=True)
    result_signed_at = models.DateTimeField(_("ký số kết quả lúc"), null=True, blank=True)
    returned_to = models.CharField(_("người nhận kết quả"), max_length=255, blank=True)
    closing_reason = models.TextField(
        _("lý do"), blank=True, help_text=_("Lý do từ chối, dừng, rút hồ sơ")
    )
    #: where the result is posted when the applicant chose the public postal service
    postal_address = models.CharField(
        _("địa chỉ nhận kết quả qua bưu chính"), max_length=500, blank=True
    )
    #: the idempotency token of an online submission: a double click or a resubmitted form
    #: cannot make a second dossier (unique; NULL for counter dossiers)
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: optimistic concurrency: a form carries the version it saw; a stale one is refused
    version = models.PositiveIntegerField(default=1)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["agency", "state", "due_at"], name="dossier_agency_state_due"),
            models.Index(fields=["intake_agency", "received_at"], name="dossier_intake_received"),
            models.Index(fields=["agency", "received_at"], name="dossier_agency_received"),
            models.Index(fields=["applicant_id_number"], name="dossier_applicant_id"),
            models.Index(
                fields=["intake_agency", "state", "due_at"], name="dossier_intake_state_due"
            ),
        ]

    def __str__(self) -> str:
        return self.code or f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class DossierPaper(models.Model):
    """The checklist of papers ticked at intake, with the scans attached."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="papers")
    order = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    kind = models.CharField(_("loại bản"), max_length=40, blank=True)
    count = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    required = models.BooleanField(default=True)
    received = models.BooleanField(_("đã nhận"), default=False)

    class Meta:
        ordering = ["dossier_id", "order"]
        verbose_name = _("giấy tờ trong hồ sơ")
        verbose_name_plural = _("giấy tờ trong hồ sơ")

    def __str__(self) -> str:
        return self.name


class DossierFile(models.Model):
    class Purpose(models.TextChoices):
        SCAN = "scan", _("Bản quét hồ sơ")
        SUPPLEMENT = "supplement", _("Giấy tờ bổ sung")
        RESULT = "result", _("Kết quả giải quyết")
        FORM = "form", _("Biểu mẫu")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="files")
    paper = models.ForeignKey(
        DossierPaper, null=True, blank=True, on_delete=models.SET_NULL, related_name="files"
    )
    purpose = models.CharField(_("loại tệp"), max_length=12, choices=Purpose.choices)
    storage_name = models.CharField(max_length=300)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=10)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dossier_id", "id"]
        verbose_name = _("tệp hồ sơ")
        verbose_name_plural = _("tệp hồ sơ")

    def __str__(self) -> str:
        return self.original_name


class StepState(models.TextChoices):
    PENDING = "pending", _("Chưa đến")
    ACTIVE = "active", _("Đang xử lý")
    DONE = "done", _("Đã xong")
    SKIPPED = "skipped", _("Bỏ qua")


class DossierStepQuerySet(ScopedQuerySet):
    agency_field = "agency_id"


class DossierStep(models.Model):
    """One step of the internal process for one dossier; a hand-over closes it (form 06 row)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(_("bước"), max_length=300)
    agency = models.ForeignKey(
        "organizations.Agency", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("vai trò"), max_length=12)
    duration = models.DecimalField(max_digits=6, decimal_places=2)
    time_unit = models.CharField(max_length=5, default="days")
    is_transfer = models.BooleanField(_("liên thông"), default=False)
    state = models.CharField(
        _("trạng thái"), max_length=8, choices=StepState.choices, default=StepState.PENDING
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xử lý"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("nhận lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("hạn bước"), null=True, blank=True)
    completed_at = models.DateTimeField(_("giao lúc"), null=True, blank=True)
    received_from = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người giao"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    timing = models.CharField(_("kết quả"), max_length=8, choices=Timing.choices, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    objects = DossierStepQuerySet.as_manager()

    class Meta:
        ordering = ["dossier_id", "order"]
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "order"], name="dossier_step_order_unique")
        ]
        indexes = [
            models.Index(fields=["agency", "state", "due_at"], name="step_agency_state_due"),
            models.Index(fields=["assignee", "state", "due_at"], name="step_assignee_state_due"),
            models.Index(
                fields=["agency", "role", "due_at"],
                name="step_unassigned_due",
                condition=Q(state="active", assignee__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier} – {self.order}. {self.name}"


class SupplementRequest(models.Model):
    """Form 02: the applicant must supplement the dossier; the clock stops until they do."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplements")
    requested_at = models.DateTimeField(_("yêu cầu lúc"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("lý do"))
    papers = models.JSONField(_("giấy tờ cần bổ sung"), default=list)
    resumed_at = models.DateTimeField(_("đã bổ sung lúc"), null=True, blank=True)
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["dossier_id", "requested_at"]
        verbose_name = _("yêu cầu bổ sung")
        verbose_name_plural = _("yêu cầu bổ sung")

    def __str__(self) -> str:
        return f"{self.dossier} {self.requested_at:%d/%m/%Y}"


class DeadlineChange(models.Model):
    """Form 04: the apology letter and the new due date (history of the deadline)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="deadline_changes")
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    old_due_at = models.DateTimeField()
    new_due_at = models.DateTimeField()
    reason = models.TextField(_("lý do"))
    kind = models.CharField(
        max_length=12, default="apology", help_text="apology (form 04) or pause (supplement)"
    )

    class Meta:
        ordering = ["dossier_id", "changed_at"]
        verbose_name = _("thay đổi hạn")
        verbose_name_plural = _("thay đổi hạn")

    def __str__(self) -> str:
        return f"{self.dossier}: {self.old_due_at:%d/%m/%Y} → {self.new_due_at:%d/%m/%Y}"


class DossierDailyStat(models.Model):
    """Fact table of the statistics report, one row per (agency, day), updated by the services
    as events happen (never counted from the dossier table on page load). Flow counters only;
    stock figures (carried over, in progress) are derived from cumulative flows."""

    agency = models.ForeignKey("organizations.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    received_counter = models.PositiveIntegerField(default=0)
    received_online = models.PositiveIntegerField(default=0)
    received_post = models.PositiveIntegerField(default=0)
    resolved_early = models.PositiveIntegerField(default=0)
    resolved_on_time = models.PositiveIntegerField(default=0)
    resolved_late = models.PositiveIntegerField(default=0)
    #: stopped, withdrawn after intake: leave the "in progress" stock without a result
    closed_without_result = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="dossier_stat_agency_day")
        ]
        verbose_name = _("thống kê hồ sơ theo ngày")
        verbose_name_plural = _("thống kê hồ sơ theo ngày")

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}"


class OpenDueCount(models.Model):
    """Open dossiers per (agency, due day): lets the report say how many in-progress dossiers
    are on time or overdue *now* without scanning the dossier table."""

    agency = models.ForeignKey("organizations.Agency", on_delete=models.CASCADE, related_name="+")
    due_day = models.DateField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "due_day"], name="dossier_open_due_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.due_day}: {self.count}"


class OpenSnapshot(models.Model):
    """In-progress dossiers of an agency at the end of a day, split on time / overdue: written
    nightly from ``OpenDueCount`` so that reports for past periods keep the split."""

    agency = models.ForeignKey("organizations.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    on_time = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="dossier_open_snapshot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}: {self.on_time}+{self.overdue}"


class OnlineDraft(models.Model):
    """A citizen's online submission in the making (hồ sơ nháp), saved and resumed at will;
    once submitted it stays as the record of what was declared online and links the dossier.

    ``data``: the values of the procedure's form (its JSON Schema, ``form_schema``), kept as
    typed, valid or not, so nothing is lost. ``applicant``: name, ID number, phone, e-mail,
    address (pre-filled from the citizen's profile). ``files``: paper order (as a string) →
    list of stored files (``core.files.StoredFile`` fields)."""

    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="online_drafts"
    )
    procedure_version = models.ForeignKey(
        "procedures.ProcedureVersion",
        verbose_name=_("thủ tục"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    intake_agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("nơi tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    data = models.JSONField(_("thông tin khai"), default=dict, blank=True)
    applicant = models.JSONField(_("người nộp"), default=dict, blank=True)
    files = models.JSONField(_("tệp đính kèm"), default=dict, blank=True)
    return_method = models.CharField(
        _("hình thức nhận kết quả"),
        max_length=10,
        choices=ReturnMethod.choices,
        default=ReturnMethod.ONLINE,
    )
    postal_address = models.CharField(_("địa chỉ nhận kết quả"), max_length=500, blank=True)
    #: the idempotency token carried by the submit form; becomes ``Dossier.submission_token``
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.OneToOneField(
        Dossier,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="online_draft",
    )
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("lưu lúc"), auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("hồ sơ nộp trực tuyến")
        verbose_name_plural = _("hồ sơ nộp trực tuyến")
        indexes = [models.Index(fields=["citizen", "-updated_at"], name="online_draft_citizen")]

    def __str__(self) -> str:
        return f"{self.procedure_version} – {self.citizen}"

    @property
    def is_submitted(self) -> bool:
        return self.dossier_id is not None
