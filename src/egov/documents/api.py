"""REST endpoints of the official documents (văn bản đến, văn bản đi); ``egov.api.urls``
registers ``ROUTES``.

Officers only. What an officer sees is ``IncomingDocument.objects.visible_to(user)`` /
``OutgoingDocument.objects.visible_to(user)`` (confidentiality included): a document outside
it answers 404. Every state change is a call to one function of ``documents.services``; the
API only parses input and maps errors:

- bad input (``ValidationError``) → 400 ``invalid`` with the offending ``fields``;
- the service's "not your role" (code ``forbidden``) → 403 ``forbidden``;
- an action not allowed in the current state (``TransitionError``) → 409
  ``transition_not_allowed``;
- a stale ``version`` (``ConflictError``) → 409 ``conflict``;
- a duplicate incoming document (``DuplicateWarning``) → 409 ``duplicate`` with
  ``error.existing.id``; repeat the request with ``confirm_duplicate=true`` to register anyway.

Transitions of a document carry ``version``, the document version the client saw (passed to
the service as ``expected_version``). The actions on one unit's part of an incoming document
(assign, progress, complete) name the part (``assignment``); the service locks that row.

Lists are keyset pages, newest first: ``{"next": <url or null>, "results": [...]}``; follow
``next`` (it carries ``cursor``) to read on. Filters and search go through
``documents.selectors.search_incoming`` / ``search_outgoing`` (diacritics-insensitive).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.storage import storages
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from egov.accounts.models import User
from egov.organizations.models import Agency

from . import selectors, services
from .models import (
    Amendment,
    Assignment,
    Direction,
    DocumentEvent,
    DocumentFile,
    IncomingDocument,
    InState,
    OutgoingDocument,
    OutState,
    Recipient,
    Secrecy,
    Source,
    Urgency,
)

# --- errors ----------------------------------------------------------------------------------


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = gettext_lazy("Xung đột trạng thái văn bản.")


def api_error(exc: DjangoValidationError) -> APIException:
    """The API exception for an error raised by ``documents.services``."""
    message = " ".join(exc.messages)
    if isinstance(exc, services.ConflictError):
        return Conflict(message, code="conflict")
    if isinstance(exc, services.TransitionError):
        return Conflict(message, code="transition_not_allowed")
    if hasattr(exc, "error_dict"):
        fields = {
            ("non_field_errors" if name == "__all__" else name): messages
            for name, messages in exc.message_dict.items()
        }
        return ValidationError(fields)
    if "forbidden" in {e.code for e in exc.error_list}:
        return PermissionDenied(message, code="forbidden")
    return ValidationError({"non_field_errors": exc.messages})


def duplicate_response(exc: services.DuplicateWarning) -> Response:
    """409 ``duplicate``: the structured error body plus the document already registered."""
    existing = exc.existing
    return Response(
        {
            "error": {
                "code": "duplicate",
                "message": " ".join(exc.messages),
                "fields": {},
                "existing": {
                    "id": existing.pk,
                    "arrival_number": existing.arrival_number,
                    "arrival_year": existing.arrival_year,
                    "number_symbol": existing.number_symbol,
                    "state": existing.state,
                },
            }
        },
        status=status.HTTP_409_CONFLICT,
    )


def _call(fn: Callable, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except services.DuplicateWarning:
        raise
    except DjangoValidationError as exc:
        raise api_error(exc) from exc


class IsOfficer(permissions.BasePermission):
    message = gettext_lazy("Chỉ cán bộ, công chức mới làm việc với văn bản đến, văn bản đi.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_officer)


# --- output ----------------------------------------------------------------------------------


def _name(user) -> str:
    return "" if user is None else (user.get_full_name() or user.get_username())


class FileSerializer(serializers.ModelSerializer):
    role = serializers.CharField(
        read_only=True, help_text="Loại tệp: " + ", ".join(DocumentFile.Role.values)
    )
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    signature_status = serializers.SerializerMethodField()

    class Meta:
        model = DocumentFile
        fields = [
            "id",
            "role",
            "role_label",
            "file_version",
            "original_name",
            "kind",
            "size",
            "sha256",
            "page_count",
            "signature_report",
            "signature_status",
            "uploaded_at",
        ]
        read_only_fields = fields

    def get_signature_status(self, f: DocumentFile) -> str:
        return f.signature_report.status if f.signature_report_id else ""


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentEvent
        fields = ["action", "at", "actor", "actor_label", "note", "data"]
        read_only_fields = fields


class DirectionSerializer(serializers.ModelSerializer):
    directed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Direction
        fields = ["id", "directed_by", "directed_by_name", "directed_at", "opinion"]
        read_only_fields = fields

    def get_directed_by_name(self, d: Direction) -> str:
        return _name(d.directed_by)


class AssignmentSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    role = serializers.CharField(
        read_only=True, help_text="lead (chủ trì) hoặc coordinate (phối hợp)"
    )
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    state = serializers.CharField(
        read_only=True, help_text="Trạng thái phần việc: " + ", ".join(Assignment.State.values)
    )
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    assignee_name = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "unit",
            "unit_name",
            "role",
            "role_label",
            "due_at",
            "state",
            "state_label",
            "assignee",
            "assignee_name",
            "assigned_at",
            "unit_opinion",
            "progress",
            "completed_at",
            "result",
            "is_overdue",
        ]
        read_only_fields = fields

    def get_assignee_name(self, a: Assignment) -> str:
        return _name(a.assignee)

    def get_is_overdue(self, a: Assignment) -> bool:
        return selectors.is_overdue(a)


class IncomingSerializer(serializers.ModelSerializer):
    """An incoming document (văn bản đến) with the metadata of Phụ lục VI Phần II."""

    agency_name = serializers.CharField(source="agency.name", read_only=True)
    state = serializers.CharField(
        read_only=True, help_text="Trạng thái: " + ", ".join(InState.values)
    )
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    source = serializers.CharField(read_only=True, help_text=", ".join(Source.values))
    number_symbol = serializers.CharField(read_only=True)
    urgency = serializers.IntegerField(
        read_only=True, help_text="0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc"
    )
    urgency_label = serializers.CharField(source="get_urgency_display", read_only=True)
    secrecy = serializers.IntegerField(
        read_only=True, help_text="0 thường, 1 mật, 2 tối mật, 3 tuyệt mật"
    )
    secrecy_label = serializers.CharField(source="get_secrecy_display", read_only=True)
    amendment = serializers.CharField(
        read_only=True, help_text="recall, correction, replacement hoặc rỗng"
    )
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = IncomingDocument
        fields = [
            "id",
            "agency",
            "agency_name",
            "state",
            "state_label",
            "source",
            "arrival_year",
            "arrival_number",
            "arrived_at",
            "registered_at",
            "issuer_name",
            "issuer_code",
            "number_symbol",
            "code_number",
            "code_notation",
            "issued_date",
            "doc_type",
            "type_name",
            "subject",
            "language",
            "page_count",
            "description",
            "signer_name",
            "signer_position",
            "urgency",
            "urgency_label",
            "secrecy",
            "secrecy_label",
            "due_at",
            "to_places",
            "directed_at",
            "completed_at",
            "reply",
            "origin",
            "amendment",
            "signature_status",
            "is_overdue",
            "version",
        ]
        read_only_fields = fields

    def get_is_overdue(self, doc: IncomingDocument) -> bool:
        return selectors.is_overdue(doc)


class IncomingDetailSerializer(IncomingSerializer):
    """With the direction slip, the units' parts, the files and the timeline."""

    directions = DirectionSerializer(many=True, read_only=True)
    assignments = AssignmentSerializer(many=True, read_only=True)
    files = FileSerializer(many=True, read_only=True)
    timeline = serializers.SerializerMethodField()

    class Meta(IncomingSerializer.Meta):
        fields = [*IncomingSerializer.Meta.fields, "directions", "assignments", "files", "timeline"]
        read_only_fields = fields

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, doc) -> list:
        return EventSerializer(selectors.timeline(doc), many=True).data


class RecipientSerializer(serializers.ModelSerializer):
    channel = serializers.CharField(
        read_only=True, help_text="internal (trong hệ thống), email, paper (bản giấy)"
    )
    state = serializers.CharField(
        read_only=True, help_text="Trạng thái gửi: " + ", ".join(Recipient.State.values)
    )
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Recipient
        fields = ["id", "channel", "agency", "email", "name", "state", "state_label", "sent_at"]
        read_only_fields = fields


class AmendmentSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="recall, correction, replacement")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Amendment
        fields = ["id", "kind", "kind_label", "reason", "replacement", "at"]
        read_only_fields = fields


class OutgoingSerializer(serializers.ModelSerializer):
    """An outgoing document (văn bản đi): draft, review, signature, number, dispatch."""

    agency_name = serializers.CharField(source="agency.name", read_only=True)
    drafting_unit_name = serializers.CharField(source="drafting_unit.name", read_only=True)
    state = serializers.CharField(
        read_only=True, help_text="Trạng thái: " + ", ".join(OutState.values)
    )
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    number_symbol = serializers.CharField(read_only=True)
    urgency = serializers.IntegerField(
        read_only=True, help_text="0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc"
    )
    urgency_label = serializers.CharField(source="get_urgency_display", read_only=True)
    secrecy = serializers.IntegerField(
        read_only=True, help_text="0 thường, 1 mật, 2 tối mật, 3 tuyệt mật"
    )
    secrecy_label = serializers.CharField(source="get_secrecy_display", read_only=True)
    reviewer_name = serializers.SerializerMethodField()
    created_by_name = serializers.SerializerMethodField()

    class Meta:
        model = OutgoingDocument
        fields = [
            "id",
            "agency",
            "agency_name",
            "drafting_unit",
            "drafting_unit_name",
            "state",
            "state_label",
            "doc_type",
            "type_name",
            "subject",
            "body",
            "recipients_text",
            "urgency",
            "urgency_label",
            "secrecy",
            "secrecy_label",
            "due_date",
            "page_count",
            "issued_amount",
            "reply_to",
            "replaces",
            "reviewer",
            "reviewer_name",
            "signer",
            "signer_name",
            "signer_position",
            "authority",
            "signed_at",
            "year",
            "number",
            "number_symbol",
            "code_number",
            "code_notation",
            "issued_date",
            "issued_at",
            "created_by",
            "created_by_name",
            "created_at",
            "version",
        ]
        read_only_fields = fields

    def get_reviewer_name(self, doc: OutgoingDocument) -> str:
        return _name(doc.reviewer)

    def get_created_by_name(self, doc: OutgoingDocument) -> str:
        return _name(doc.created_by)


class OutgoingDetailSerializer(OutgoingSerializer):
    recipients = RecipientSerializer(many=True, read_only=True)
    amendments = AmendmentSerializer(many=True, read_only=True)
    files = FileSerializer(many=True, read_only=True)
    timeline = serializers.SerializerMethodField()

    class Meta(OutgoingSerializer.Meta):
        fields = [*OutgoingSerializer.Meta.fields, "recipients", "amendments", "files", "timeline"]
        read_only_fields = fields

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, doc) -> list:
        return EventSerializer(selectors.timeline(doc), many=True).data


class IncomingPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="Trang tiếp theo (null: hết)")
    results = IncomingSerializer(many=True)


class OutgoingPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="Trang tiếp theo (null: hết)")
    results = OutgoingSerializer(many=True)


class DocumentErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="invalid, forbidden, not_found, transition_not_allowed, conflict, duplicate, …"
    )
    message = serializers.CharField(help_text="Thông báo cho người dùng (tiếng Việt)")
    fields = serializers.DictField(
        child=serializers.JSONField(), help_text="Lỗi theo từng trường: tên trường → thông báo"
    )


class DocumentErrorSerializer(serializers.Serializer):
    error = DocumentErrorBodySerializer()


class ExistingSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Id văn bản đến đã có trong sổ")
    arrival_number = serializers.IntegerField(allow_null=True)
    arrival_year = serializers.IntegerField(allow_null=True)
    number_symbol = serializers.CharField()
    state = serializers.CharField()


class DuplicateBodySerializer(DocumentErrorBodySerializer):
    existing = ExistingSerializer()


class DuplicateSerializer(serializers.Serializer):
    error = DuplicateBodySerializer()


# --- input -----------------------------------------------------------------------------------


def _officer_field(**kwargs) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(kind=User.Kind.OFFICER, is_active=True), **kwargs
    )


def _agency_field(**kwargs) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), **kwargs)


def _text(**kwargs) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, default="", **kwargs)


class VersionedSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="Phiên bản văn bản mà người dùng đang xem (chống ghi đè)"
    )


class IncomingCreateSerializer(serializers.Serializer):
    """Vào sổ văn bản đến (multipart: the file and its metadata)."""

    agency = _agency_field(help_text="Cơ quan nhận, vào sổ (id)")
    source = serializers.ChoiceField(
        choices=[(Source.UPLOAD, Source.UPLOAD.label), (Source.SCAN, Source.SCAN.label)],
        default=Source.UPLOAD,
    )
    issuer_name = serializers.CharField(max_length=200, help_text="Tên cơ quan ban hành")
    issuer_code = _text(max_length=13, help_text="Mã định danh cơ quan ban hành")
    number_symbol = serializers.CharField(max_length=60, help_text="Số, ký hiệu: 05/QĐ-UBND")
    issued_date = serializers.DateField(help_text="Ngày văn bản (YYYY-MM-DD)")
    doc_type = serializers.CharField(max_length=30, help_text="Mã loại văn bản: cong_van, …")
    subject = serializers.CharField(max_length=500, help_text="Trích yếu nội dung")
    signer_name = _text(max_length=50)
    signer_position = _text(max_length=100)
    page_count = serializers.IntegerField(required=False, allow_null=True, default=None)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    secrecy = serializers.ChoiceField(choices=Secrecy.choices, default=Secrecy.NORMAL)
    due_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Thời hạn giải quyết"
    )
    due_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text="Hoặc: thời hạn tính bằng ngày làm việc kể từ khi vào sổ",
    )
    description = _text(max_length=500)
    main_file = serializers.FileField(help_text="Tệp văn bản (PDF, bản quét)")
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="Phụ lục"
    )
    confirm_duplicate = serializers.BooleanField(
        default=False, help_text="Xác nhận vào sổ dù trùng văn bản đã có (sau lỗi duplicate)"
    )

    def incoming_data(self) -> services.IncomingData:
        d = self.validated_data
        return services.IncomingData(
            issuer_name=d["issuer_name"],
            number_symbol=d["number_symbol"],
            issued_date=d["issued_date"],
            doc_type=d["doc_type"],
            subject=d["subject"],
            issuer_code=d["issuer_code"],
            signer_name=d["signer_name"],
            signer_position=d["signer_position"],
            page_count=d["page_count"],
            urgency=d["urgency"],
            secrecy=d["secrecy"],
            due_at=d["due_at"],
            due_days=d["due_days"],
            description=d["description"],
        )


class RegisterPendingSerializer(VersionedSerializer):
    confirm_duplicate = serializers.BooleanField(default=False)
    due_days = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class DocumentReasonSerializer(VersionedSerializer):
    reason = serializers.CharField()


class UnitOrderSerializer(serializers.Serializer):
    unit = _agency_field(help_text="Đơn vị (id)")
    days = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text="Hạn: số ngày làm việc",
    )
    due_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Hoặc: hạn cụ thể"
    )

    def order(self, data: dict) -> services.UnitOrder:
        return services.UnitOrder(unit=data["unit"], due_at=data["due_at"], days=data["days"])


class DirectSerializer(VersionedSerializer):
    lead = UnitOrderSerializer(help_text="Đơn vị chủ trì")
    coordinating = UnitOrderSerializer(
        many=True, required=False, default=list, help_text="Đơn vị phối hợp"
    )
    opinion = _text(help_text="Ý kiến chỉ đạo")


class DocumentNoteSerializer(VersionedSerializer):
    note = _text()


class AssignSpecialistSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(help_text="Phần việc của đơn vị (id trong assignments)")
    specialist = _officer_field(help_text="Chuyên viên xử lý (id)")
    opinion = _text(help_text="Ý kiến của lãnh đạo đơn vị")


class ProgressSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(help_text="Phần việc của đơn vị (id)")
    note = serializers.CharField(help_text="Tiến độ, ý kiến, đề xuất")


class CompleteSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(help_text="Phần việc của đơn vị (id)")
    result = _text(help_text="Kết quả giải quyết")
    reply = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Văn bản đi trả lời (id)"
    )


class RecipientInSerializer(serializers.Serializer):
    channel = serializers.CharField(help_text="internal (cơ quan trong hệ thống), email, paper")
    agency = _agency_field(required=False, allow_null=True, default=None)
    email = _text(max_length=254)
    name = _text(max_length=200)

    def validate_channel(self, value: str) -> str:
        if value not in Recipient.Channel.values:
            raise serializers.ValidationError(
                _("Hình thức gửi phải là một trong: %(c)s.")
                % {"c": ", ".join(Recipient.Channel.values)}
            )
        return value


@extend_schema_field(RecipientInSerializer(many=True))
class RecipientsField(serializers.Field):
    """Nơi nhận: a list of recipients (JSON), or the same list JSON-encoded in a form field."""

    default_error_messages = {"not_a_list": gettext_lazy("Nơi nhận phải là một danh sách.")}

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else []
            except ValueError:
                self.fail("not_a_list")
        if not isinstance(data, list):
            self.fail("not_a_list")
        inner = RecipientInSerializer(data=data, many=True)
        if not inner.is_valid():
            raise serializers.ValidationError(inner.errors)
        return [services.RecipientSpec(**r) for r in inner.validated_data]

    def to_representation(self, value):
        return [
            {
                "channel": r.channel,
                "agency": r.agency.pk if r.agency else None,
                "email": r.email,
                "name": r.name,
            }
            for r in value
        ]


class DraftFieldsSerializer(serializers.Serializer):
    """The fields of a draft (optional here: an update changes the fields given)."""

    doc_type = serializers.CharField(
        max_length=30, required=False, help_text="Mã loại: quyet_dinh, cong_van, …"
    )
    subject = serializers.CharField(max_length=500, required=False)
    body = serializers.CharField(required=False, allow_blank=True)
    recipients = RecipientsField(required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    secrecy = serializers.ChoiceField(choices=Secrecy.choices, required=False)
    due_date = serializers.DateField(required=False, allow_null=True, help_text="Hạn trả lời")
    reply_to = serializers.IntegerField(
        required=False, allow_null=True, help_text="Trả lời văn bản đến (id)"
    )
    replaces = serializers.IntegerField(
        required=False, allow_null=True, help_text="Thay thế văn bản đi đã ban hành (id)"
    )
    signer_position = serializers.CharField(max_length=100, required=False, allow_blank=True)
    authority = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="TM. ỦY BAN NHÂN DÂN, KT. …"
    )
    issued_amount = serializers.IntegerField(min_value=1, max_value=999, required=False)


class DraftCreateSerializer(DraftFieldsSerializer):
    drafting_unit = _agency_field(help_text="Đơn vị soạn thảo (id)")
    agency = _agency_field(
        required=False,
        allow_null=True,
        default=None,
        help_text="Cơ quan ban hành (id); mặc định: UBND của đơn vị soạn thảo",
    )
    doc_type = serializers.CharField(max_length=30, help_text="Mã loại: quyet_dinh, cong_van, …")
    subject = serializers.CharField(max_length=500)
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text="Tệp dự thảo (phiên bản 1, 2, …)",
    )
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="Phụ lục"
    )


class DraftUpdateSerializer(VersionedSerializer, DraftFieldsSerializer):
    new_version = serializers.FileField(
        required=False, allow_null=True, default=None, help_text="Tệp dự thảo mới"
    )


class SendForReviewSerializer(VersionedSerializer):
    reviewer = _officer_field(
        required=False, allow_null=True, default=None, help_text="Lãnh đạo duyệt (id)"
    )
    note = _text()


class ApproveReviewSerializer(VersionedSerializer):
    leader = _officer_field(
        required=False, allow_null=True, default=None, help_text="Lãnh đạo cơ quan ký (id)"
    )
    note = _text()


class ReturnDraftSerializer(VersionedSerializer):
    comments = serializers.CharField(help_text="Ý kiến khi trả lại")


class SignSerializer(VersionedSerializer):
    signer_position = _text(max_length=100)
    authority = _text(max_length=100)


class IssueSerializer(VersionedSerializer):
    send = serializers.BooleanField(default=True, help_text="Phát hành ngay cho nơi nhận")


class CorrectSerializer(VersionedSerializer):
    note = serializers.CharField(help_text="Nội dung đính chính")
    file = serializers.FileField(
        required=False, allow_null=True, default=None, help_text="Văn bản đính chính"
    )


class PaperSentSerializer(serializers.Serializer):
    recipient = serializers.IntegerField(help_text="Nơi nhận bản giấy (id)")


# --- filters ---------------------------------------------------------------------------------


def _int_param(params, name: str) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise ValidationError({name: [_("Giá trị phải là số.")]}) from exc


def _date_param(params, name: str) -> dt.date | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({name: [_("Ngày phải theo dạng YYYY-MM-DD.")]}) from exc


def _common_filters(params, states) -> dict:
    state = params.get("state", "").strip()
    if state and state not in states:
        raise ValidationError({"state": [_("Chọn một trong: %(c)s.") % {"c": ", ".join(states)}]})
    date_from, date_to = _date_param(params, "date_from"), _date_param(params, "date_to")
    if date_from and date_to and date_from > date_to:
        raise ValidationError({"date_to": [_("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.")]})
    size = _int_param(params, "page_size")
    size = 50 if size is None else size
    if not 1 <= size <= selectors.MAX_PAGE:
        raise ValidationError({"page_size": [_("Từ 1 đến %(n)s.") % {"n": selectors.MAX_PAGE}]})
    return {
        "query": params.get("q", "").strip(),
        "agency_id": _int_param(params, "agency"),
        "date_from": date_from,
        "date_to": date_to,
        "doc_type": params.get("doc_type", "").strip(),
        "unit_id": _int_param(params, "unit"),
        "state": state,
        "cursor": _int_param(params, "cursor"),
        "size": size,
    }


def _filter_parameters(states, period: str, extra=()) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            "q",
            OpenApiTypes.STR,
            description="Tìm theo số ký hiệu, trích yếu, nội dung (không dấu)",
        ),
        OpenApiParameter("agency", OpenApiTypes.INT, description="Cơ quan (id)"),
        OpenApiParameter("date_from", OpenApiTypes.DATE, description=f"{period} từ (YYYY-MM-DD)"),
        OpenApiParameter(
            "date_to", OpenApiTypes.DATE, description=f"{period} đến hết (YYYY-MM-DD)"
        ),
        *extra,
        OpenApiParameter("doc_type", OpenApiTypes.STR, description="Mã loại văn bản"),
        OpenApiParameter("unit", OpenApiTypes.INT, description="Đơn vị xử lý / soạn thảo (id)"),
        OpenApiParameter("state", OpenApiTypes.STR, description="Trạng thái: " + ", ".join(states)),
        OpenApiParameter("cursor", OpenApiTypes.INT, description="Con trỏ trang (từ next)"),
        OpenApiParameter("page_size", OpenApiTypes.INT, description="Số dòng một trang (≤ 200)"),
    ]


def _page_response(request, page, serializer_class, context) -> Response:
    next_url = None
    if page.next_cursor is not None:
        next_url = replace_query_param(
            request.build_absolute_uri(), "cursor", str(page.next_cursor)
        )
    return Response(
        {"next": next_url, "results": serializer_class(page.items, many=True, context=context).data}
    )


_ERRORS = {
    400: OpenApiResponse(
        DocumentErrorSerializer, description="Dữ liệu không hợp lệ (error.fields)"
    ),
    403: OpenApiResponse(
        DocumentErrorSerializer, description="Không có quyền (error.code = forbidden)"
    ),
    404: OpenApiResponse(
        DocumentErrorSerializer, description="Không có văn bản, hoặc người dùng không được xem"
    ),
    409: OpenApiResponse(
        DocumentErrorSerializer,
        description="error.code = transition_not_allowed (trạng thái không cho phép) "
        "hoặc conflict (văn bản đã được người khác cập nhật: tải lại và thử lại)",
    ),
}
_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Id văn bản")
_FILE_ID = OpenApiParameter(
    "file_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Id tệp"
)
_MULTIPART = [MultiPartParser, FormParser]


def _transition_schema(summary: str, request, responses):
    return extend_schema(
        summary=summary,
        request=request,
        responses={200: responses, **_ERRORS},
        parameters=[_ID],
    )


def _in_schema(summary: str, request):
    return _transition_schema(summary, request, IncomingDetailSerializer)


def _out_schema(summary: str, request):
    return _transition_schema(summary, request, OutgoingDetailSerializer)


def _file_response(doc, file_id: int) -> FileResponse:
    f = get_object_or_404(doc.files.all(), pk=file_id)
    try:
        handle = storages["default"].open(f.storage_name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=f.original_name)
    response["Cache-Control"] = "private, no-store"
    return response


class _DocumentViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsOfficer]
    lookup_value_regex = r"\d+"
    pagination_class = None

    def _detail_response(self, pk: int, code=status.HTTP_200_OK) -> Response:
        doc = get_object_or_404(self._base(detail=True), pk=pk)
        return Response(
            self.detail_serializer(doc, context=self.get_serializer_context()).data, status=code
        )

    def retrieve(self, request, *args, **kwargs):
        return self._detail_response(self.get_object().pk)

    def _transition(self, request, serializer_class, call) -> Response:
        doc = self.get_object()
        serializer = serializer_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        _call(call, doc, serializer.validated_data)
        return self._detail_response(doc.pk)


# --- incoming ----------------------------------------------------------------------------------

_IN_FILTERS = _filter_parameters(
    InState.values,
    "Ngày đến",
    extra=[
        OpenApiParameter(
            "issuer", OpenApiTypes.STR, description="Cơ quan ban hành: mã định danh hoặc tên"
        )
    ],
)


@extend_schema_view(
    list=extend_schema(
        summary="Văn bản đến người dùng được xem (tìm kiếm, lọc)",
        parameters=_IN_FILTERS,
        responses={200: IncomingPageSerializer, 400: _ERRORS[400]},
    ),
    retrieve=extend_schema(
        summary="Một văn bản đến: phiếu giải quyết, tệp, diễn biến",
        parameters=[_ID],
        responses={200: IncomingDetailSerializer, 404: _ERRORS[404]},
    ),
)
class IncomingViewSet(_DocumentViewSet):
    """Văn bản đến visible to the officer."""

    serializer_class = IncomingSerializer
    detail_serializer = IncomingDetailSerializer

    def _base(self, detail: bool = False):
        qs = IncomingDocument.objects.visible_to(self.request.user).select_related("agency")
        if detail:
            qs = qs.prefetch_related(
                Prefetch(
                    "assignments",
                    queryset=Assignment.objects.select_related("unit", "assignee").order_by("id"),
                ),
                Prefetch("directions", queryset=Direction.objects.select_related("directed_by")),
                Prefetch("files", queryset=DocumentFile.objects.select_related("signature_report")),
            )
        return qs

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return IncomingDocument.objects.none()
        return self._base()

    def list(self, request, *args, **kwargs):
        filters = _common_filters(request.query_params, InState.values)
        query = filters.pop("query")
        page = selectors.search_incoming(
            request.user, query, issuer=request.query_params.get("issuer", "").strip(), **filters
        )
        return _page_response(request, page, IncomingSerializer, self.get_serializer_context())

    @extend_schema(
        summary="Vào sổ văn bản đến (tải tệp lên)",
        request={"multipart/form-data": IncomingCreateSerializer},
        responses={
            201: IncomingDetailSerializer,
            400: _ERRORS[400],
            403: _ERRORS[403],
            409: OpenApiResponse(
                DuplicateSerializer,
                description="error.code = duplicate: văn bản đã có trong sổ (error.existing); "
                "gửi lại với confirm_duplicate=true để vẫn vào sổ",
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        serializer = IncomingCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            doc = _call(
                services.register_incoming,
                data["agency"],
                serializer.incoming_data(),
                source=data["source"],
                main_file=data["main_file"],
                attachments=data["attachments"],
                by=request.user,
                confirm_duplicate=data["confirm_duplicate"],
            )
        except services.DuplicateWarning as exc:
            return duplicate_response(exc)
        return self._detail_response(doc.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Tải một tệp của văn bản đến",
        parameters=[_ID, _FILE_ID],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: _ERRORS[404]},
    )
    @action(detail=True, methods=["get"], url_path=r"files/(?P<file_id>\d+)", url_name="file")
    def file(self, request, pk=None, file_id=None):
        return _file_response(self.get_object(), int(file_id))

    # -- transitions -------------------------------------------------------------------------

    @extend_schema(
        summary="Vào sổ văn bản điện tử đang chờ (liên thông trong hệ thống)",
        request=RegisterPendingSerializer,
        responses={200: IncomingDetailSerializer, **_ERRORS, 409: _ERRORS[409]},
        parameters=[_ID],
    )
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        doc = self.get_object()
        serializer = RegisterPendingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            _call(
                services.register_pending,
                doc,
                by=request.user,
                confirm_duplicate=data["confirm_duplicate"],
                expected_version=data["version"],
                due_days=data["due_days"],
            )
        except services.DuplicateWarning as exc:
            return duplicate_response(exc)
        return self._detail_response(doc.pk)

    @_in_schema("Trả lại văn bản điện tử không đúng (Điều 21.2.b)", DocumentReasonSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._transition(
            request,
            DocumentReasonSerializer,
            lambda d, data: services.reject_pending(
                d, data["reason"], by=request.user, expected_version=data["version"]
            ),
        )

    @_in_schema("Chỉ đạo giải quyết: đơn vị chủ trì, phối hợp, thời hạn", DirectSerializer)
    @action(detail=True, methods=["post"])
    def direct(self, request, pk=None):
        def call(d, data):
            orders = UnitOrderSerializer()
            return services.direct(
                d,
                lead=orders.order(data["lead"]),
                coordinating=[orders.order(o) for o in data["coordinating"]],
                opinion=data["opinion"],
                by=request.user,
                expected_version=data["version"],
            )

        return self._transition(request, DirectSerializer, call)

    def _assignment(self, doc: IncomingDocument, pk: int) -> Assignment:
        a = doc.assignments.filter(pk=pk).first()
        if a is None:
            raise ValidationError(
                {"assignment": [_("Văn bản này không có phần việc %(id)s.") % {"id": pk}]}
            )
        return a

    @_in_schema("Lãnh đạo đơn vị phân công chuyên viên xử lý", AssignSpecialistSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        return self._transition(
            request,
            AssignSpecialistSerializer,
            lambda d, data: services.assign_specialist(
                self._assignment(d, data["assignment"]),
                data["specialist"],
                by=request.user,
                opinion=data["opinion"],
            ),
        )

    @_in_schema("Cập nhật tiến độ, ý kiến, đề xuất", ProgressSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        return self._transition(
            request,
            ProgressSerializer,
            lambda d, data: services.record_progress(
                self._assignment(d, data["assignment"]), data["note"], by=request.user
            ),
        )

    @_in_schema("Hoàn thành phần việc (kèm văn bản trả lời)", CompleteSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        def call(d, data):
            reply = None
            if data["reply"] is not None:
                reply = (
                    OutgoingDocument.objects.visible_to(request.user)
                    .filter(pk=data["reply"])
                    .first()
                )
                if reply is None:
                    raise ValidationError({"reply": [_("Không tìm thấy văn bản trả lời.")]})
            return services.complete_assignment(
                self._assignment(d, data["assignment"]),
                data["result"],
                by=request.user,
                reply=reply,
            )

        return self._transition(request, CompleteSerializer, call)

    @_in_schema("Kết thúc văn bản không cần xử lý (lưu, để biết)", DocumentNoteSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._transition(
            request,
            DocumentNoteSerializer,
            lambda d, data: services.close_incoming(
                d, data["note"], by=request.user, expected_version=data["version"]
            ),
        )


# --- outgoing ----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Văn bản đi người dùng được xem (tìm kiếm, lọc)",
        parameters=_filter_parameters(OutState.values, "Ngày ban hành"),
        responses={200: OutgoingPageSerializer, 400: _ERRORS[400]},
    ),
    retrieve=extend_schema(
        summary="Một văn bản đi: nơi nhận, tệp, diễn biến",
        parameters=[_ID],
        responses={200: OutgoingDetailSerializer, 404: _ERRORS[404]},
    ),
)
class OutgoingViewSet(_DocumentViewSet):
    """Văn bản đi visible to the officer."""

    serializer_class = OutgoingSerializer
    detail_serializer = OutgoingDetailSerializer

    def _base(self, detail: bool = False):
        qs = OutgoingDocument.objects.visible_to(self.request.user).select_related(
            "agency", "drafting_unit", "reviewer", "created_by"
        )
        if detail:
            qs = qs.prefetch_related(
                "recipients",
                "amendments",
                Prefetch("files", queryset=DocumentFile.objects.select_related("signature_report")),
            )
        return qs

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return OutgoingDocument.objects.none()
        return self._base()

    def list(self, request, *args, **kwargs):
        filters = _common_filters(request.query_params, OutState.values)
        query = filters.pop("query")
        page = selectors.search_outgoing(request.user, query, **filters)
        return _page_response(request, page, OutgoingSerializer, self.get_serializer_context())

    def _linked(self, data: dict, current: OutgoingDocument | None = None) -> dict:
        """``reply_to`` / ``replaces`` ids → documents the user may see (400 otherwise)."""
        out = {}
        for name, model in (("reply_to", IncomingDocument), ("replaces", OutgoingDocument)):
            if name not in data:
                out[name] = getattr(current, name) if current is not None else None
                continue
            if data[name] is None:
                out[name] = None
                continue
            found = model.objects.visible_to(self.request.user).filter(pk=data[name]).first()
            if found is None:
                raise ValidationError(
                    {name: [_("Không tìm thấy văn bản %(id)s.") % {"id": data[name]}]}
                )
            out[name] = found
        return out

    def _draft_data(self, data: dict, current: OutgoingDocument | None = None):
        def pick(name, default):
            if name in data:
                return data[name]
            return getattr(current, name) if current is not None else default

        if current is not None:
            recipients = data.get("recipients")
            if recipients is None:
                recipients = [
                    services.RecipientSpec(
                        channel=r.channel, agency=r.agency, email=r.email, name=r.name
                    )
                    for r in current.recipients.select_related("agency")
                ]
        else:
            recipients = data.get("recipients", [])
        return services.DraftData(
            doc_type=pick("doc_type", ""),
            subject=pick("subject", ""),
            body=pick("body", ""),
            recipients=recipients,
            urgency=pick("urgency", Urgency.NORMAL),
            secrecy=pick("secrecy", Secrecy.NORMAL),
            due_date=pick("due_date", None),
            signer_position=pick("signer_position", ""),
            authority=pick("authority", ""),
            issued_amount=pick("issued_amount", 1),
            **self._linked(data, current),
        )

    @extend_schema(
        summary="Soạn dự thảo văn bản đi",
        request={
            "application/json": DraftCreateSerializer,
            "multipart/form-data": DraftCreateSerializer,
        },
        responses={201: OutgoingDetailSerializer, 400: _ERRORS[400], 403: _ERRORS[403]},
    )
    def create(self, request, *args, **kwargs):
        serializer = DraftCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        doc = _call(
            services.create_draft,
            data["drafting_unit"],
            self._draft_data(data),
            by=request.user,
            files=data["files"],
            attachments=data["attachments"],
            agency=data["agency"],
        )
        return self._detail_response(doc.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Tải một tệp của văn bản đi",
        parameters=[_ID, _FILE_ID],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: _ERRORS[404]},
    )
    @action(detail=True, methods=["get"], url_path=r"files/(?P<file_id>\d+)", url_name="file")
    def file(self, request, pk=None, file_id=None):
        return _file_response(self.get_object(), int(file_id))

    # -- transitions -------------------------------------------------------------------------

    @_out_schema(
        "Sửa dự thảo (các trường gửi lên; tệp mới là phiên bản mới)",
        {"application/json": DraftUpdateSerializer, "multipart/form-data": DraftUpdateSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="update",
        url_name="update",
        parser_classes=[JSONParser, *_MULTIPART],
    )
    def edit(self, request, pk=None):
        def call(d, data):
            fields = set(data) - {"version", "new_version"}
            return services.update_draft(
                d,
                by=request.user,
                data=self._draft_data(data, d) if fields else None,
                new_version=data["new_version"],
                expected_version=data["version"],
            )

        return self._transition(request, DraftUpdateSerializer, call)

    @_out_schema("Trình dự thảo (lãnh đạo đơn vị hoặc lãnh đạo cơ quan)", SendForReviewSerializer)
    @action(detail=True, methods=["post"], url_path="send-for-review")
    def send_for_review(self, request, pk=None):
        return self._transition(
            request,
            SendForReviewSerializer,
            lambda d, data: services.send_for_review(
                d,
                by=request.user,
                reviewer=data["reviewer"],
                note=data["note"],
                expected_version=data["version"],
            ),
        )

    @_out_schema("Lãnh đạo đơn vị duyệt, trình lãnh đạo cơ quan", ApproveReviewSerializer)
    @action(detail=True, methods=["post"], url_path="approve-review")
    def approve_review(self, request, pk=None):
        return self._transition(
            request,
            ApproveReviewSerializer,
            lambda d, data: services.approve_review(
                d,
                by=request.user,
                leader=data["leader"],
                note=data["note"],
                expected_version=data["version"],
            ),
        )

    @_out_schema("Trả lại dự thảo cho người soạn (kèm ý kiến)", ReturnDraftSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_draft(self, request, pk=None):
        return self._transition(
            request,
            ReturnDraftSerializer,
            lambda d, data: services.return_draft(
                d, data["comments"], by=request.user, expected_version=data["version"]
            ),
        )

    @_out_schema("Lãnh đạo duyệt và ký số", SignSerializer)
    @action(detail=True, methods=["post"], url_path="approve-and-sign")
    def approve_and_sign(self, request, pk=None):
        return self._transition(
            request,
            SignSerializer,
            lambda d, data: services.approve_and_sign(
                d,
                by=request.user,
                signer_position=data["signer_position"],
                authority=data["authority"],
                expected_version=data["version"],
            ),
        )

    @_out_schema("Văn thư cấp số, ngày và ban hành (ký số của cơ quan)", IssueSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        return self._transition(
            request,
            IssueSerializer,
            lambda d, data: services.issue(
                d, by=request.user, send=data["send"], expected_version=data["version"]
            ),
        )

    @_out_schema("Phát hành (lại) cho nơi nhận chưa nhận được", None)
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def send_out(self, request, pk=None):
        doc = self.get_object()
        _call(services.dispatch, doc, by=request.user)
        return self._detail_response(doc.pk)

    @_out_schema("Ghi nhận đã chuyển bản giấy cho một nơi nhận", PaperSentSerializer)
    @action(detail=True, methods=["post"], url_path="paper-sent")
    def paper_sent(self, request, pk=None):
        def call(d, data):
            recipient = d.recipients.filter(pk=data["recipient"]).first()
            if recipient is None:
                raise ValidationError({"recipient": [_("Văn bản này không có nơi nhận này.")]})
            return services.mark_paper_sent(recipient, by=request.user)

        return self._transition(request, PaperSentSerializer, call)

    @_out_schema("Thu hồi văn bản đã ban hành", DocumentReasonSerializer)
    @action(detail=True, methods=["post"])
    def recall(self, request, pk=None):
        return self._transition(
            request,
            DocumentReasonSerializer,
            lambda d, data: services.recall(
                d, data["reason"], by=request.user, expected_version=data["version"]
            ),
        )

    @_out_schema(
        "Đính chính văn bản đã ban hành",
        {"multipart/form-data": CorrectSerializer, "application/json": CorrectSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, *_MULTIPART])
    def correct(self, request, pk=None):
        return self._transition(
            request,
            CorrectSerializer,
            lambda d, data: services.correct(
                d,
                data["note"],
                by=request.user,
                file=data["file"],
                expected_version=data["version"],
            ),
        )


ROUTES: list[tuple[str, type, str]] = [  # (prefix, viewset, basename)
    ("documents/incoming", IncomingViewSet, "incoming-document"),
    ("documents/outgoing", OutgoingViewSet, "outgoing-document"),
]
