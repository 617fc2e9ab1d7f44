"""Official documents (quản lý văn bản và điều hành, Nghị định 30/2020/NĐ-CP).

- :class:`IncomingDocument` (văn bản đến) with the Phụ lục VI metadata, the số đến, the
  direction slip (:class:`Direction`) and one :class:`Assignment` per unit (lead or
  coordinating), each with its deadline and its specialist.
- :class:`OutgoingDocument` (văn bản đi): draft → review → approval and signature → issue
  (number from a series) → dispatch to :class:`Recipient` s; recall / update / replacement as
  :class:`Amendment` rows.
- :class:`DocumentFile`: every file of both kinds (main file, attachments, draft versions,
  signed and issued PDFs), with the PDF text layer for search and the signature report.
- :class:`DocumentEvent`: the timeline of a document (also written to the audit log).
- :class:`DocumentAlert`: the in-app flag of a document for an officer (urgent, assigned …).
- :class:`NumberSeries`: the configurable separate series of outgoing numbers.

State changes happen only in ``documents.services``. Confidential documents (mật and above)
are scoped by ``visible_to`` to the people they are assigned to (see the querysets).
"""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from egov.accounts.scoping import ScopedQuerySet, visible_agency_ids


class Urgency(models.IntegerChoices):
    """Mức độ khẩn (Phụ lục I III.2.b); the values are edXML's Priority codes."""

    NORMAL = 0, _("Thường")
    URGENT = 1, _("Khẩn")
    VERY_URGENT = 2, _("Thượng khẩn")
    FLASH = 3, _("Hỏa tốc")


class Secrecy(models.IntegerChoices):
    """Độ mật (Phụ lục I III.2.a; Luật Bảo vệ bí mật nhà nước)."""

    NORMAL = 0, _("Thường")
    SECRET = 1, _("Mật")
    TOP_SECRET = 2, _("Tối mật")
    ABSOLUTE = 3, _("Tuyệt mật")


class Source(models.TextChoices):
    UPLOAD = "upload", _("Văn bản điện tử (tải lên)")
    SCAN = "scan", _("Văn bản giấy (bản quét)")
    INTERNAL = "internal", _("Văn bản điện tử trong hệ thống")
    HUB = "hub", _("Trục liên thông văn bản")


class InState(models.TextChoices):
    PENDING = "pending", _("Chờ vào sổ")
    REGISTERED = "registered", _("Chờ chỉ đạo")
    IN_PROCESS = "in_process", _("Đang xử lý")
    DONE = "done", _("Đã giải quyết")
    CANCELLED = "cancelled", _("Đã thu hồi, hủy")


class OutState(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    UNIT_REVIEW = "unit_review", _("Chờ lãnh đạo đơn vị duyệt")
    LEADER_REVIEW = "leader_review", _("Chờ lãnh đạo ký")
    RETURNED = "returned", _("Trả lại để sửa")
    APPROVED = "approved", _("Đã ký, chờ ban hành")
    ISSUED = "issued", _("Đã ban hành")
    RECALLED = "recalled", _("Đã thu hồi")
    REPLACED = "replaced", _("Đã bị thay thế")


class AmendmentKind(models.TextChoices):
    RECALL = "recall", _("Thu hồi")
    CORRECTION = "correction", _("Đính chính")
    REPLACEMENT = "replacement", _("Thay thế")


class SearchBranch(NamedTuple):
    """One part of what ``visible_to`` lets a user see, shaped for search: the documents of
    ``qs`` or, with ``via`` (a ``values_list`` of document ids, e.g. from assignments), those of
    ``qs`` among the ids ``via`` yields. ``indexed``: the words may use the trigram indexes
    (False when ``qs`` is driven by a small index that the trigram index would only slow)."""

    qs: models.QuerySet
    via: models.QuerySet | None = None
    indexed: bool = True


def _leader_agency_ids(user) -> list[int]:
    from egov.accounts.models import Membership

    return list(
        Membership.objects.filter(user=user, is_active=True, role="leader").values_list(
            "agency_id", flat=True
        )
    )


def _clerk_agency_ids(user) -> list[int]:
    from egov.accounts.models import Membership

    return list(
        Membership.objects.filter(user=user, is_active=True, role="clerk").values_list(
            "agency_id", flat=True
        )
    )


# --- incoming -----------------------------------------------------------------------------------


class IncomingQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Normal documents: the receiving agency's officers (usual scoping) and the officers of
        the units they were directed to. Mật and above (Điều 22.4): only the agency's leaders,
        the clerk who registered it, the leaders of the units it was directed to and the
        specialists assigned to it."""
        ids = visible_agency_ids(user)
        if ids is None:
            return self.all()
        if not user or not user.is_authenticated:
            return self.none()
        leader_ids = _leader_agency_ids(user)
        units = Assignment.objects.filter(incoming=OuterRef("pk"), unit_id__in=ids)
        mine = Assignment.objects.filter(incoming=OuterRef("pk")).filter(
            Q(assignee=user) | Q(unit_id__in=leader_ids)
        )
        normal = Q(secrecy=Secrecy.NORMAL) & (Q(agency_id__in=ids) | Exists(units))
        secret = Q(secrecy__gt=Secrecy.NORMAL) & (
            Q(agency_id__in=leader_ids) | Q(registered_by=user) | Exists(mine)
        )
        return self.filter(normal | secret)

    def search_branches(self, user) -> list[SearchBranch] | None:
        """``visible_to(user)`` cut into :class:`SearchBranch` es whose union is exactly it, each
        one servable by its own index (search reads the newest rows of each and merges them by
        id, see ``selectors.search_incoming``); ``None`` when the user sees everything. Keep in
        step with :meth:`visible_to`."""
        ids = visible_agency_ids(user)
        if ids is None:
            return None
        if not user or not user.is_authenticated:
            return []
        leader_ids = _leader_agency_ids(user)
        normal, secret = Q(secrecy=Secrecy.NORMAL), Q(secrecy__gt=Secrecy.NORMAL)
        branches = []
        if ids or leader_ids:
            # the agencies' own documents (secret ones for their leaders): (agency, text) GIN
            branches.append(
                SearchBranch(
                    self.filter(agency_id__in=set(ids) | set(leader_ids)).filter(
                        (normal & Q(agency_id__in=ids)) | (secret & Q(agency_id__in=leader_ids))
                    )
                )
            )
        if ids:
            units = Assignment.objects.filter(unit_id__in=ids)
            branches.append(SearchBranch(self.filter(normal), via=units.values_list("incoming_id")))
        branches.append(SearchBranch(self.filter(secret, registered_by=user), indexed=False))
        # secret documents assigned to the user or to units they lead (two branches: an OR
        # of the two would keep PostgreSQL from reading each on its own index)
        secret_parts = Assignment.objects.filter(incoming__secrecy__gt=Secrecy.NORMAL)
        parts = [secret_parts.filter(assignee=user)]
        if leader_ids:
            parts.append(secret_parts.filter(unit_id__in=leader_ids))
        branches += [
            SearchBranch(self.filter(secret), via=part.values_list("incoming_id")) for part in parts
        ]
        return branches


class IncomingDocument(models.Model):
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan nhận"),
        on_delete=models.PROTECT,
        related_name="incoming_documents",
    )
    state = models.CharField(
        _("trạng thái"), max_length=12, choices=InState.choices, default=InState.PENDING
    )
    source = models.CharField(_("nguồn"), max_length=10, choices=Source.choices)
    # arrival (Phụ lục VI II.12-13)
    arrival_year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)
    arrival_number = models.PositiveIntegerField(_("số đến"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("ngày đến"))
    registered_at = models.DateTimeField(_("vào sổ lúc"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("văn thư vào sổ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # the document itself (Phụ lục VI I.3-11, II.14-15, 18)
    issuer_name = models.CharField(_("cơ quan ban hành"), max_length=200)  # OrganName
    issuer_code = models.CharField(_("mã định danh cơ quan ban hành"), max_length=13, blank=True)
    issuer_agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan ban hành (trong hệ thống)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    code_number = models.CharField(_("số"), max_length=11)  # CodeNumber
    code_notation = models.CharField(_("ký hiệu"), max_length=30)  # CodeNotation
    issued_date = models.DateField(_("ngày văn bản"))  # IssuedDate
    doc_type = models.CharField(_("loại văn bản"), max_length=30)
    type_name = models.CharField(_("tên loại văn bản"), max_length=100)  # TypeName
    subject = models.CharField(_("trích yếu"), max_length=500)  # Subject
    language = models.CharField(_("ngôn ngữ"), max_length=30, default="Tiếng Việt")
    page_count = models.PositiveSmallIntegerField(_("số trang"), null=True, blank=True)
    description = models.CharField(_("ghi chú"), max_length=500, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=50, blank=True)
    signer_position = models.CharField(_("chức vụ người ký"), max_length=100, blank=True)
    urgency = models.PositiveSmallIntegerField(
        _("độ khẩn"), choices=Urgency.choices, default=Urgency.NORMAL
    )
    secrecy = models.PositiveSmallIntegerField(
        _("độ mật"), choices=Secrecy.choices, default=Secrecy.NORMAL
    )
    due_at = models.DateTimeField(_("thời hạn giải quyết"), null=True, blank=True)
    to_places = models.CharField(_("đơn vị, người nhận"), max_length=1000, blank=True)
    # processing
    directed_at = models.DateTimeField(_("chỉ đạo lúc"), null=True, blank=True)
    completed_at = models.DateTimeField(_("giải quyết xong lúc"), null=True, blank=True)
    reply = models.ForeignKey(
        "OutgoingDocument",
        verbose_name=_("văn bản trả lời"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
    )
    # internal dispatch: the outgoing document and recipient row this copy came from
    origin = models.ForeignKey(
        "OutgoingDocument",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="internal_copies",
    )
    amendment = models.CharField(
        _("thu hồi, đính chính, thay thế"), max_length=12, choices=AmendmentKind.choices, blank=True
    )
    signature_status = models.CharField(_("chữ ký số"), max_length=10, blank=True)
    #: fold(issuer code or name) | fold(number/symbol) | date: the duplicate check (Phụ lục VI III.1)
    dup_key = models.CharField(max_length=300, editable=False, default="")
    #: fold() of the metadata and of the text layer of its PDFs: diacritics-insensitive search
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = IncomingQuerySet.as_manager()

    class Meta:
        verbose_name = _("văn bản đến")
        verbose_name_plural = _("văn bản đến")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "arrival_year", "arrival_number"],
                condition=Q(arrival_number__isnull=False),
                name="doc_in_arrival_unique",
            )
        ]
        indexes = [
            models.Index(fields=["agency", "state", "due_at"], name="doc_in_agency_state_due"),
            models.Index(fields=["agency", "dup_key"], name="doc_in_dup"),
            models.Index(fields=["agency", "arrived_at"], name="doc_in_agency_arrived"),
            models.Index(fields=["agency", "id"], name="doc_in_agency_id"),
        ]

    def __str__(self) -> str:
        return f"{self.number_symbol} ({self.issuer_name})"

    @property
    def number_symbol(self) -> str:
        return f"{self.code_number}/{self.code_notation}"

    @property
    def is_secret(self) -> bool:
        return self.secrecy > Secrecy.NORMAL

    @property
    def is_urgent(self) -> bool:
        return self.urgency >= Urgency.URGENT


class Direction(models.Model):
    """Phiếu giải quyết văn bản đến, part 1 (Phụ lục IV): the agency leader's opinion."""

    incoming = models.ForeignKey(
        IncomingDocument, on_delete=models.CASCADE, related_name="directions"
    )
    directed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    directed_at = models.DateTimeField(_("ngày chỉ đạo"))
    opinion = models.TextField(_("ý kiến chỉ đạo"), blank=True)

    class Meta:
        ordering = ["incoming_id", "directed_at"]
        verbose_name = _("phiếu giải quyết văn bản đến")
        verbose_name_plural = _("phiếu giải quyết văn bản đến")

    def __str__(self) -> str:
        return f"{self.incoming_id} {self.directed_at:%d/%m/%Y}"


class AssignmentQuerySet(ScopedQuerySet):
    agency_field = "unit_id"


class Assignment(models.Model):
    """One unit's part of the handling: lead (chủ trì) or coordinating (phối hợp), with its
    deadline; the unit head assigns a specialist, who records progress and completion."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Chủ trì")
        COORDINATE = "coordinate", _("Phối hợp")

    class State(models.TextChoices):
        WAITING = "waiting", _("Chờ phân công")
        IN_PROCESS = "in_process", _("Đang xử lý")
        DONE = "done", _("Hoàn thành")
        CANCELLED = "cancelled", _("Đã hủy")

    incoming = models.ForeignKey(
        IncomingDocument, on_delete=models.CASCADE, related_name="assignments"
    )
    direction = models.ForeignKey(Direction, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        "organizations.Agency", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices)
    due_at = models.DateTimeField(_("hạn xử lý"), null=True, blank=True)
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=State.choices, default=State.WAITING
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chuyên viên xử lý"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="document_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    unit_opinion = models.TextField(_("ý kiến lãnh đạo đơn vị"), blank=True)
    progress = models.TextField(_("tiến độ, đề xuất"), blank=True)
    completed_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    result = models.TextField(_("kết quả"), blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["incoming_id", "id"]
        verbose_name = _("đơn vị xử lý")
        verbose_name_plural = _("đơn vị xử lý")
        indexes = [
            models.Index(fields=["assignee", "state", "due_at"], name="doc_asg_assignee_due"),
            models.Index(fields=["unit", "state", "due_at"], name="doc_asg_unit_due"),
        ]

    def __str__(self) -> str:
        return f"{self.incoming_id} → {self.unit_id} ({self.role})"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.WAITING, self.State.IN_PROCESS)


# --- outgoing ---------------------------------------------------------------------------------


class OutgoingQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Normal documents: the usual scoping of the issuing agency and of the drafting unit.
        Mật and above: the drafter, the reviewers it was sent to, the agency's leaders and,
        once signed, the agency's clerks (who number and dispatch it)."""
        ids = visible_agency_ids(user)
        if ids is None:
            return self.all()
        if not user or not user.is_authenticated:
            return self.none()
        leader_ids = _leader_agency_ids(user)
        clerk_ids = _clerk_agency_ids(user)
        reviewed = DocumentEvent.objects.filter(outgoing=OuterRef("pk"), actor=user)
        normal = Q(secrecy=Secrecy.NORMAL) & (Q(agency_id__in=ids) | Q(drafting_unit_id__in=ids))
        secret = Q(secrecy__gt=Secrecy.NORMAL) & (
            Q(created_by=user)
            | Q(reviewer=user)
            | Q(agency_id__in=leader_ids)
            | Q(
                agency_id__in=clerk_ids,
                state__in=[
                    OutState.APPROVED,
                    OutState.ISSUED,
                    OutState.RECALLED,
                    OutState.REPLACED,
                ],
            )
            | Exists(reviewed)
        )
        return self.filter(normal | secret)

    def search_branches(self, user) -> list[SearchBranch] | None:
        """``visible_to(user)`` cut into :class:`SearchBranch` es whose union is exactly it (see
        :meth:`IncomingQuerySet.search_branches`); ``None`` when the user sees everything. Keep
        in step with :meth:`visible_to`."""
        ids = visible_agency_ids(user)
        if ids is None:
            return None
        if not user or not user.is_authenticated:
            return []
        leader_ids = _leader_agency_ids(user)
        clerk_ids = _clerk_agency_ids(user)
        normal, secret = Q(secrecy=Secrecy.NORMAL), Q(secrecy__gt=Secrecy.NORMAL)
        signed = [OutState.APPROVED, OutState.ISSUED, OutState.RECALLED, OutState.REPLACED]
        branches = []
        if ids or leader_ids or clerk_ids:
            # the agencies' own documents (secret ones for their leaders and, once signed, their
            # clerks): the (agency, drafting unit, text) GIN
            own = set(ids) | set(leader_ids) | set(clerk_ids)
            branches.append(
                SearchBranch(
                    self.filter(agency_id__in=own).filter(
                        (normal & Q(agency_id__in=ids))
                        | (secret & Q(agency_id__in=leader_ids))
                        | (secret & Q(agency_id__in=clerk_ids, state__in=signed))
                    )
                )
            )
        if ids:
            branches.append(SearchBranch(self.filter(normal, drafting_unit_id__in=ids)))
        branches.append(SearchBranch(self.filter(secret, created_by=user), indexed=False))
        branches.append(SearchBranch(self.filter(secret, reviewer=user), indexed=False))
        reviewed = DocumentEvent.objects.filter(actor=user, outgoing__secrecy__gt=Secrecy.NORMAL)
        branches.append(SearchBranch(self.filter(secret), via=reviewed.values_list("outgoing_id")))
        return branches


class NumberSeries(models.Model):
    """A separate series of outgoing numbers (Điều 15.1: several series per agency allowed; each
    legal normative type has its own; Điều 15.2: secret documents have their own). Without any
    row, an agency numbers everything in one series (and secret ones in a secret series)."""

    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.SlugField(_("mã sổ"), max_length=40)
    name = models.CharField(_("tên sổ"), max_length=200)
    doc_types = models.JSONField(
        _("loại văn bản"),
        default=list,
        blank=True,
        help_text=_("Mã loại văn bản dùng sổ này; để trống: sổ chung của cơ quan."),
    )
    secret = models.BooleanField(_("sổ văn bản mật"), default=False)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("sổ văn bản đi")
        verbose_name_plural = _("sổ văn bản đi")
        constraints = [
            models.UniqueConstraint(fields=["agency", "key"], name="doc_series_agency_key")
        ]

    def __str__(self) -> str:
        return self.name


class OutgoingDocument(models.Model):
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan ban hành"),
        on_delete=models.PROTECT,
        related_name="outgoing_documents",
    )
    drafting_unit = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("đơn vị soạn thảo"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("trạng thái"), max_length=14, choices=OutState.choices, default=OutState.DRAFT
    )
    doc_type = models.CharField(_("loại văn bản"), max_length=30)
    type_name = models.CharField(_("tên loại văn bản"), max_length=100)
    subject = models.CharField(_("trích yếu"), max_length=500)
    body = models.TextField(_("nội dung"), blank=True)
    recipients_text = models.CharField(_("nơi nhận"), max_length=1000, blank=True)
    urgency = models.PositiveSmallIntegerField(
        _("độ khẩn"), choices=Urgency.choices, default=Urgency.NORMAL
    )
    secrecy = models.PositiveSmallIntegerField(
        _("độ mật"), choices=Secrecy.choices, default=Secrecy.NORMAL
    )
    due_date = models.DateField(_("hạn trả lời"), null=True, blank=True)
    page_count = models.PositiveSmallIntegerField(_("số trang"), null=True, blank=True)
    issued_amount = models.PositiveSmallIntegerField(_("số lượng bản"), default=1)
    reply_to = models.ForeignKey(
        IncomingDocument,
        verbose_name=_("trả lời văn bản đến"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("thay thế văn bản"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
    )
    # review and signature
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đang duyệt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ký"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signer_name = models.CharField(_("họ tên người ký"), max_length=50, blank=True)
    signer_position = models.CharField(_("chức vụ người ký"), max_length=100, blank=True)
    authority = models.CharField(
        _("thẩm quyền ký"),
        max_length=100,
        blank=True,
        help_text=_(
            "Dòng thẩm quyền, ví dụ “TM. ỦY BAN NHÂN DÂN”, “KT. CHỦ TỊCH” (TM., Q., KT., TL., TUQ.)"
        ),
    )
    signed_at = models.DateTimeField(_("ký lúc"), null=True, blank=True)
    # issue (Phụ lục VI I.4-6)
    series_scope = models.CharField(max_length=120, blank=True)
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)
    number = models.PositiveIntegerField(_("số"), null=True, blank=True)
    code_number = models.CharField(_("số"), max_length=11, blank=True)
    code_notation = models.CharField(_("ký hiệu"), max_length=30, blank=True)
    issued_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issued_at = models.DateTimeField(_("ban hành lúc"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("văn thư ban hành"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người soạn thảo"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = OutgoingQuerySet.as_manager()

    class Meta:
        verbose_name = _("văn bản đi")
        verbose_name_plural = _("văn bản đi")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series_scope", "year", "number"],
                condition=Q(number__isnull=False),
                name="doc_out_number_unique",
            )
        ]
        indexes = [
            models.Index(fields=["agency", "state", "id"], name="doc_out_agency_state"),
            models.Index(fields=["reviewer", "state"], name="doc_out_reviewer_state"),
            models.Index(fields=["agency", "year", "number"], name="doc_out_register"),
            models.Index(fields=["agency", "issued_at"], name="doc_out_agency_issued"),
            models.Index(fields=["agency", "id"], name="doc_out_agency_id"),
        ]

    def __str__(self) -> str:
        return self.number_symbol or f"Dự thảo #{self.pk}"

    @property
    def number_symbol(self) -> str:
        return f"{self.code_number}/{self.code_notation}" if self.code_number else ""

    @property
    def is_secret(self) -> bool:
        return self.secrecy > Secrecy.NORMAL


class Recipient(models.Model):
    """One place an issued document goes (Nơi nhận): an agency in egov (arrives as incoming),
    an e-mail address, or a paper copy by post or by hand."""

    class Channel(models.TextChoices):
        INTERNAL = "internal", _("Trong hệ thống")
        EMAIL = "email", _("Thư điện tử")
        PAPER = "paper", _("Bản giấy")

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi lỗi")
        PAPER = "paper", _("Chờ chuyển bản giấy")

    outgoing = models.ForeignKey(
        OutgoingDocument, on_delete=models.CASCADE, related_name="recipients"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    agency = models.ForeignKey(
        "organizations.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField(blank=True)
    name = models.CharField(_("tên nơi nhận"), max_length=200)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    incoming = models.ForeignKey(
        IncomingDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["outgoing_id", "id"]
        verbose_name = _("nơi nhận")
        verbose_name_plural = _("nơi nhận")

    def __str__(self) -> str:
        return self.name


class Amendment(models.Model):
    """Thu hồi, đính chính, thay thế an issued document (Điều 18.4; Phụ lục VI III.1)."""

    outgoing = models.ForeignKey(
        OutgoingDocument, on_delete=models.CASCADE, related_name="amendments"
    )
    kind = models.CharField(max_length=12, choices=AmendmentKind.choices)
    reason = models.TextField(_("lý do, nội dung"))
    replacement = models.ForeignKey(
        OutgoingDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["outgoing_id", "at", "id"]
        verbose_name = _("thu hồi, đính chính, thay thế")
        verbose_name_plural = _("thu hồi, đính chính, thay thế")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.outgoing_id}"


# --- files, events, alerts --------------------------------------------------------------------


class DocumentFile(models.Model):
    class Role(models.TextChoices):
        MAIN = "main", _("Tệp văn bản")
        ATTACHMENT = "attachment", _("Phụ lục, tệp đính kèm")
        DRAFT = "draft", _("Dự thảo")
        SIGNED = "signed", _("Bản đã ký duyệt")
        ISSUED = "issued", _("Bản phát hành")

    incoming = models.ForeignKey(
        IncomingDocument, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    outgoing = models.ForeignKey(
        OutgoingDocument, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    #: draft versions are numbered 1, 2, …; earlier versions are kept
    file_version = models.PositiveSmallIntegerField(default=1)
    storage_name = models.CharField(max_length=300)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=10)
    page_count = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(_("lớp chữ"), blank=True)
    signature_report = models.ForeignKey(
        "signing.SignatureReport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("tệp văn bản")
        verbose_name_plural = _("tệp văn bản")
        constraints = [
            models.CheckConstraint(
                condition=Q(incoming__isnull=False) ^ Q(outgoing__isnull=False),
                name="doc_file_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class DocumentEvent(models.Model):
    """One step of a document's life, shown as its timeline (TraceHeaderList of Phụ lục VI)."""

    incoming = models.ForeignKey(
        IncomingDocument, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    outgoing = models.ForeignKey(
        OutgoingDocument, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(max_length=40)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["incoming", "at"], name="doc_event_in"),
            models.Index(fields=["outgoing", "at"], name="doc_event_out"),
            models.Index(fields=["actor", "outgoing"], name="doc_event_actor_out"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action}"


class DocumentAlert(models.Model):
    """An in-app flag for one officer (urgent document to direct, assignment, document to sign,
    recall of a received document …); read by the inbox and the notification bell."""

    class Kind(models.TextChoices):
        URGENT = "urgent", _("Văn bản khẩn")
        ARRIVED = "arrived", _("Văn bản chờ vào sổ")
        ASSIGNED = "assigned", _("Được giao xử lý")
        TO_REVIEW = "to_review", _("Chờ duyệt")
        RETURNED = "returned", _("Trả lại")
        TO_ISSUE = "to_issue", _("Chờ ban hành")
        AMENDED = "amended", _("Thu hồi, đính chính, thay thế")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="document_alerts"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    incoming = models.ForeignKey(
        IncomingDocument, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    outgoing = models.ForeignKey(
        OutgoingDocument, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "read_at", "id"], name="doc_alert_user_unread")]

    def __str__(self) -> str:
        return self.message
