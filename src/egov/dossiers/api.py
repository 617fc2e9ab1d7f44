"""REST endpoints of the one-stop shop; ``egov.api.urls`` registers ``ROUTES``.

Officers only (citizens get 403; the portal has its own views). What an officer sees is
``Dossier.objects.visible_to(user)``; a dossier outside it answers 404. Every state change is a
call to one function of ``dossiers.services`` — the API only parses input and maps errors:

- bad input (``ValidationError``) → 400 ``invalid`` with the offending ``fields``;
- the service's "not your step / not your role" (code ``forbidden``) → 403 ``forbidden``;
- a transition not allowed from the current state (``TransitionError``) → 409
  ``transition_not_allowed``;
- a stale ``version`` (someone changed the dossier since the client read it,
  ``ConflictError``) → 409 ``conflict``.

Every transition body carries ``version``, the dossier version the client saw; it is passed to
the service as ``expected_version``, so two officers acting at once cannot both win.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.storage import storages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
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
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from egov.accounts.models import User
from egov.core.files import store_upload
from egov.core.models import AuditEvent
from egov.core.text import search
from egov.dossiers import online, services
from egov.dossiers.models import (
    ApplicantKind,
    Channel,
    Dossier,
    DossierFile,
    DossierPaper,
    DossierStep,
    ReturnMethod,
    State,
    StepState,
)
from egov.organizations.models import Agency
from egov.procedures.models import Procedure, national_code_validator

# --- errors ----------------------------------------------------------------------------------


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = gettext_lazy("Xung đột trạng thái hồ sơ.")


#: service error codes raised without a field, shown on the API field they are about
_CODE_FIELDS = {
    "wrong_level": "procedure",
    "procedure_inactive": "procedure",
    "agency_inactive": "intake_agency",
    "no_step": "step",
    "result_not_pdf": "file",
}
#: service field names → API field names
_FIELD_NAMES = {"papers": "papers_received", "duration": "duration_days"}


def _api_fields(message_dict: dict[str, list[str]]) -> dict:
    """Service field errors in the shape of the API body: ``applicant_x`` → ``applicant.x``."""
    fields: dict = {}
    for name, messages in message_dict.items():
        if name.startswith("applicant_"):
            fields.setdefault("applicant", {})[name.removeprefix("applicant_")] = messages
        elif name == "__all__":
            fields.setdefault("non_field_errors", []).extend(messages)
        else:
            fields[_FIELD_NAMES.get(name, name)] = messages
    return fields


def api_error(exc: DjangoValidationError) -> APIException:
    """The API exception for an error raised by ``dossiers.services``."""
    message = " ".join(exc.messages)
    if isinstance(exc, services.ConflictError):
        return Conflict(message, code="conflict")
    if isinstance(exc, services.TransitionError):
        return Conflict(message, code="transition_not_allowed")
    if hasattr(exc, "error_dict"):
        return ValidationError(_api_fields(exc.message_dict))
    codes = {e.code for e in exc.error_list}
    if "forbidden" in codes:
        return PermissionDenied(message, code="forbidden")
    field = next((_CODE_FIELDS[c] for c in codes if c in _CODE_FIELDS), "non_field_errors")
    return ValidationError({field: exc.messages})


def _call(fn: Callable, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except DjangoValidationError as exc:
        raise api_error(exc) from exc


class IsOfficer(permissions.BasePermission):
    message = gettext_lazy("Chỉ cán bộ, công chức mới làm việc với hồ sơ một cửa.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_officer)


# --- output ----------------------------------------------------------------------------------


class ApplicantOutSerializer(serializers.Serializer):
    kind = serializers.CharField(source="applicant_kind")
    name = serializers.CharField(source="applicant_name")
    id_number = serializers.CharField(source="applicant_id_number")
    tax_code = serializers.CharField(source="applicant_tax_code")
    phone = serializers.CharField(source="applicant_phone")
    email = serializers.CharField(source="applicant_email")
    address = serializers.CharField(source="applicant_address")


class DossierStepSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    # A plain string in the schema: an enum here would collide with the dossier's ``state``
    # enum (drf-spectacular names enums by field name).
    state = serializers.CharField(
        read_only=True, help_text="Trạng thái bước: " + ", ".join(StepState.values)
    )
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    assignee_name = serializers.SerializerMethodField()

    class Meta:
        model = DossierStep
        fields = [
            "order",
            "name",
            "agency",
            "agency_name",
            "role",
            "state",
            "state_label",
            "assignee",
            "assignee_name",
            "is_transfer",
            "started_at",
            "due_at",
            "completed_at",
            "timing",
            "note",
        ]
        read_only_fields = fields

    def get_assignee_name(self, step: DossierStep) -> str:
        user = step.assignee
        return "" if user is None else (user.get_full_name() or user.get_username())


class DossierPaperSerializer(serializers.ModelSerializer):
    class Meta:
        model = DossierPaper
        fields = ["order", "name", "kind", "count", "required", "received"]
        read_only_fields = fields


class DossierFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = DossierFile
        fields = ["id", "purpose", "original_name", "kind", "size", "sha256", "uploaded_at"]
        read_only_fields = fields


class DossierSerializer(serializers.ModelSerializer):
    """A dossier with its steps (the timeline is at ``/api/dossiers/<id>/timeline/``)."""

    state_label = serializers.CharField(source="get_state_display", read_only=True)
    procedure_code = serializers.CharField(source="procedure.national_code", read_only=True)
    procedure_name = serializers.CharField(source="procedure_version.name", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    intake_agency_name = serializers.CharField(source="intake_agency.name", read_only=True)
    applicant = ApplicantOutSerializer(source="*", read_only=True)
    has_result = serializers.SerializerMethodField()
    steps = DossierStepSerializer(many=True, read_only=True)

    class Meta:
        model = Dossier
        fields = [
            "id",
            "code",
            "state",
            "state_label",
            "procedure_code",
            "procedure_name",
            "procedure_version",
            "agency",
            "agency_name",
            "intake_agency",
            "intake_agency_name",
            "regulation",
            "channel",
            "return_method",
            "applicant",
            "subject",
            "received_at",
            "counted_from",
            "original_due_at",
            "due_at",
            "paused_at",
            "resolved_at",
            "returned_at",
            "timing",
            "has_result",
            "result_note",
            "returned_to",
            "closing_reason",
            "version",
            "steps",
        ]
        read_only_fields = fields

    def get_has_result(self, dossier: Dossier) -> bool:
        return bool(dossier.result_file)


class DossierDetailSerializer(DossierSerializer):
    papers = DossierPaperSerializer(many=True, read_only=True)
    files = DossierFileSerializer(many=True, read_only=True)

    class Meta(DossierSerializer.Meta):
        fields = [*DossierSerializer.Meta.fields, "papers", "files"]
        read_only_fields = fields


class IntakeResponseSerializer(DossierDetailSerializer):
    """The new dossier, with the lookup PIN printed on form 01."""

    class Meta(DossierDetailSerializer.Meta):
        fields = [*DossierDetailSerializer.Meta.fields, "pin"]
        read_only_fields = fields


class TimelineEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["seq", "action", "actor_label", "occurred_at", "data"]
        read_only_fields = fields


# --- input -----------------------------------------------------------------------------------


class ApplicantSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ApplicantKind.choices, default=ApplicantKind.PERSON)
    name = serializers.CharField(max_length=255, help_text="Họ tên người nộp hoặc tên tổ chức")
    id_number = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Số định danh cá nhân, 12 chữ số"
    )
    tax_code = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Mã số thuế (tổ chức)"
    )
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    email = serializers.CharField(required=False, allow_blank=True, default="", max_length=254)
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


@extend_schema_field(OpenApiTypes.STR)
class ProcedureRefField(serializers.Field):
    """A procedure by national code (``1.001234``) or id; resolves to the version in force."""

    default_error_messages = {
        "not_found": gettext_lazy("Không tìm thấy thủ tục “%(value)s”."),
        "no_version": gettext_lazy("Thủ tục “%(value)s” không có phiên bản đang có hiệu lực."),
    }

    def to_internal_value(self, data):
        value = str(data).strip()
        procedure = None
        if value.isdigit():
            procedure = Procedure.objects.filter(pk=int(value)).first()
        else:
            try:
                national_code_validator(value)
            except DjangoValidationError:
                procedure = None
            else:
                procedure = Procedure.objects.filter(national_code=value).first()
        if procedure is None:
            self.fail("not_found", value=value)
        version = procedure.version_on(timezone.localdate())
        if version is None:
            self.fail("no_version", value=value)
        return version

    def to_representation(self, value):
        return value.procedure.national_code


class IntakeSerializer(serializers.Serializer):
    intake_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), help_text="Bộ phận một cửa tiếp nhận (id)"
    )
    procedure = ProcedureRefField(help_text="Mã thủ tục quốc gia (1.001234) hoặc id thủ tục")
    applicant = ApplicantSerializer()
    papers_received = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        help_text="Số thứ tự các thành phần hồ sơ đã nhận",
    )
    return_method = serializers.ChoiceField(
        choices=ReturnMethod.choices, default=ReturnMethod.COUNTER
    )
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.COUNTER)
    subject = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)

    def intake(self) -> services.Intake:
        data = self.validated_data
        return services.Intake(
            procedure_version=data["procedure"],
            applicant=services.Applicant(**data["applicant"]),
            papers_received=data["papers_received"],
            return_method=data["return_method"],
            channel=data["channel"],
            subject=data["subject"],
        )


class RefuseSerializer(IntakeSerializer):
    reason = serializers.CharField(help_text="Lý do từ chối tiếp nhận (mẫu 03)")


class VersionedSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="Phiên bản hồ sơ mà người dùng đang xem (chống ghi đè)"
    )


def _officer_field(**kwargs) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(kind=User.Kind.OFFICER, is_active=True), **kwargs
    )


class HandOverSerializer(VersionedSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    to_user = _officer_field(
        required=False, allow_null=True, default=None, help_text="Người nhận bước tiếp theo (id)"
    )


class AssignSerializer(VersionedSerializer):
    step = serializers.IntegerField(min_value=1, help_text="Thứ tự bước")
    assignee = _officer_field(help_text="Cán bộ được phân công (id)")


class SupplementRequestSerializer(VersionedSerializer):
    reason = serializers.CharField()
    papers = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, default=list
    )


class NoteSerializer(VersionedSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ExtendSerializer(VersionedSerializer):
    new_due_at = serializers.DateTimeField(help_text="Hạn mới, ISO 8601")
    reason = serializers.CharField()


class TransferSerializer(VersionedSerializer):
    to_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    duration_days = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=Decimal("0.01")
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(VersionedSerializer):
    reason = serializers.CharField()


class ReturnSerializer(VersionedSerializer):
    received_by = serializers.CharField(max_length=255, help_text="Họ tên người nhận kết quả")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ResultUploadSerializer(VersionedSerializer):
    file = serializers.FileField(help_text="Văn bản kết quả (PDF)")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


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


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


DOSSIER_FILTERS = [
    OpenApiParameter(
        "state",
        OpenApiTypes.STR,
        description="Trạng thái; nhiều trạng thái cách nhau bằng dấu phẩy ("
        + ", ".join(State.values)
        + ")",
    ),
    OpenApiParameter("procedure", OpenApiTypes.STR, description="Mã thủ tục quốc gia"),
    OpenApiParameter("agency", OpenApiTypes.INT, description="Cơ quan giải quyết (id)"),
    OpenApiParameter("intake_agency", OpenApiTypes.INT, description="Bộ phận tiếp nhận (id)"),
    OpenApiParameter(
        "received_from", OpenApiTypes.DATE, description="Tiếp nhận từ ngày (YYYY-MM-DD)"
    ),
    OpenApiParameter(
        "received_to", OpenApiTypes.DATE, description="Tiếp nhận đến hết ngày (YYYY-MM-DD)"
    ),
    OpenApiParameter(
        "applicant_id_number", OpenApiTypes.STR, description="Số định danh cá nhân người nộp"
    ),
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description="Tìm theo tên người nộp hoặc mã hồ sơ (không phân biệt dấu)",
    ),
]


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="invalid, forbidden, not_found, transition_not_allowed, conflict, …"
    )
    message = serializers.CharField(help_text="Thông báo cho người dùng (tiếng Việt)")
    fields = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Lỗi theo từng trường: tên trường → danh sách thông báo (lồng nhau với applicant)",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Id hồ sơ")
_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Dữ liệu không hợp lệ (error.fields)"),
    403: OpenApiResponse(ErrorSerializer, description="Không có quyền (error.code = forbidden)"),
    404: OpenApiResponse(
        ErrorSerializer, description="Không có hồ sơ, hoặc người dùng không được xem"
    ),
    409: OpenApiResponse(
        ErrorSerializer,
        description="error.code = transition_not_allowed (trạng thái không cho phép) "
        "hoặc conflict (hồ sơ đã được người khác cập nhật: tải lại và thử lại)",
    ),
}


def _transition_schema(summary: str, request, responses=DossierDetailSerializer, **kwargs):
    return extend_schema(
        summary=summary,
        request=request,
        responses={200: responses, **_ERRORS},
        parameters=[_ID],
        **kwargs,
    )


# --- viewset ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Danh sách hồ sơ người dùng được xem", parameters=DOSSIER_FILTERS),
    retrieve=extend_schema(summary="Một hồ sơ", parameters=[_ID]),
    create=extend_schema(
        summary="Tiếp nhận hồ sơ tại bộ phận một cửa",
        request=IntakeSerializer,
        responses={201: IntakeResponseSerializer, 400: _ERRORS[400], 403: _ERRORS[403]},
    ),
)
class DossierViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Dossiers of the one-stop shop (hồ sơ một cửa) visible to the officer."""

    permission_classes = [IsOfficer]
    lookup_value_regex = r"\d+"

    def get_serializer_class(self):
        if self.action == "list":
            return DossierSerializer
        if self.action == "create":
            return IntakeSerializer
        return DossierDetailSerializer

    def _base(self):
        qs = Dossier.objects.visible_to(self.request.user).select_related(
            "agency", "intake_agency", "procedure", "procedure_version"
        )
        steps = DossierStep.objects.select_related("agency", "assignee").order_by("order")
        qs = qs.prefetch_related(Prefetch("steps", queryset=steps))
        if self.action != "list":
            qs = qs.prefetch_related("papers", "files")
        return qs

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Dossier.objects.none()
        qs = self._base()
        if self.action != "list":
            return qs
        params = self.request.query_params
        raw_states = [s.strip() for s in params.get("state", "").split(",") if s.strip()]
        bad = [s for s in raw_states if s not in State.values]
        if bad:
            raise ValidationError(
                {
                    "state": [
                        _("Giá trị không hợp lệ: %(bad)s. Chọn trong: %(choices)s.")
                        % {"bad": ", ".join(bad), "choices": ", ".join(State.values)}
                    ]
                }
            )
        if raw_states:
            qs = qs.filter(state__in=raw_states)
        if params.get("procedure", "").strip():
            qs = qs.filter(procedure__national_code=params["procedure"].strip())
        agency = _int_param(params, "agency")
        if agency is not None:
            qs = qs.filter(agency_id=agency)
        intake_agency = _int_param(params, "intake_agency")
        if intake_agency is not None:
            qs = qs.filter(intake_agency_id=intake_agency)
        received_from = _date_param(params, "received_from")
        received_to = _date_param(params, "received_to")
        if received_from and received_to and received_from > received_to:
            raise ValidationError(
                {"received_to": [_("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.")]}
            )
        if received_from:
            qs = qs.filter(received_at__gte=_start_of(received_from))
        if received_to:
            qs = qs.filter(received_at__lt=_start_of(received_to + dt.timedelta(days=1)))
        if params.get("applicant_id_number", "").strip():
            qs = qs.filter(applicant_id_number=params["applicant_id_number"].strip())
        if params.get("q", "").strip():
            qs = search(qs, params["q"], ["applicant_name", "code"])
        return qs

    def _detail(self, pk: int, serializer=DossierDetailSerializer) -> dict:
        dossier = self._base().get(pk=pk)
        return serializer(dossier, context=self.get_serializer_context()).data

    # -- intake ------------------------------------------------------------------------------

    def create(self, request, *args, **kwargs):
        serializer = IntakeSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        dossier = _call(
            services.receive,
            serializer.intake(),
            serializer.validated_data["intake_agency"],
            by=request.user,
        )
        return Response(
            self._detail(dossier.pk, IntakeResponseSerializer), status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Từ chối tiếp nhận hồ sơ (mẫu 03)",
        request=RefuseSerializer,
        responses={201: DossierDetailSerializer, 400: _ERRORS[400], 403: _ERRORS[403]},
    )
    @action(detail=False, methods=["post"])
    def refuse(self, request):
        serializer = RefuseSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        dossier = _call(
            services.refuse_intake,
            serializer.intake(),
            data["intake_agency"],
            data["reason"],
            by=request.user,
        )
        return Response(self._detail(dossier.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Tra cứu hồ sơ theo mã hồ sơ",
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="Mã hồ sơ, ví dụ 002.00.25.H42-260302-0001",
            )
        ],
        responses={200: DossierDetailSerializer, 404: _ERRORS[404]},
    )
    @action(detail=False, methods=["get"], url_path=r"by-code/(?P<code>[^/]+)")
    def by_code(self, request, code: str):
        dossier = get_object_or_404(self.get_queryset(), code=code.strip())
        return Response(
            DossierDetailSerializer(dossier, context=self.get_serializer_context()).data
        )

    # -- timeline ----------------------------------------------------------------------------

    @extend_schema(
        summary="Diễn biến xử lý hồ sơ (nhật ký)",
        parameters=[_ID],
        responses={200: TimelineEventSerializer(many=True), 404: _ERRORS[404]},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request, pk=None):
        dossier = self.get_object()
        events = AuditEvent.objects.filter(
            object_type=Dossier._meta.label_lower, object_id=str(dossier.pk)
        ).order_by("seq")
        return Response(TimelineEventSerializer(events, many=True).data)

    # -- transitions -------------------------------------------------------------------------

    def _transition(self, request, serializer_class, call) -> Response:
        dossier = self.get_object()
        serializer = serializer_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _call(call, dossier, data)
        return Response(self._detail(dossier.pk))

    @_transition_schema(
        "Tiếp nhận hồ sơ nộp trực tuyến: cấp mã hồ sơ, mã tra cứu và ngày hẹn trả",
        VersionedSerializer,
    )
    @action(detail=True, methods=["post"], url_path="accept-online")
    def accept_online(self, request, pk=None):
        return self._transition(
            request,
            VersionedSerializer,
            lambda d, data: online.accept_online(
                d, by=request.user, expected_version=data["version"]
            ),
        )

    @_transition_schema("Từ chối tiếp nhận hồ sơ nộp trực tuyến (mẫu 03)", ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="refuse-online")
    def refuse_online(self, request, pk=None):
        return self._transition(
            request,
            ReasonSerializer,
            lambda d, data: online.refuse_online(
                d, data["reason"], by=request.user, expected_version=data["version"]
            ),
        )

    @_transition_schema("Chuyển bước xử lý tiếp theo (bàn giao)", HandOverSerializer)
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request, pk=None):
        return self._transition(
            request,
            HandOverSerializer,
            lambda d, data: services.hand_over(
                d,
                by=request.user,
                note=data["note"],
                to_user=data["to_user"],
                expected_version=data["version"],
            ),
        )

    @_transition_schema("Phân công cán bộ xử lý một bước", AssignSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        return self._transition(
            request,
            AssignSerializer,
            lambda d, data: services.assign(
                d, data["step"], data["assignee"], by=request.user, expected_version=data["version"]
            ),
        )

    @_transition_schema("Yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02)", SupplementRequestSerializer)
    @action(detail=True, methods=["post"], url_path="request-supplement")
    def request_supplement(self, request, pk=None):
        return self._transition(
            request,
            SupplementRequestSerializer,
            lambda d, data: services.request_supplement(
                d, data["reason"], data["papers"], by=request.user, expected_version=data["version"]
            ),
        )

    @_transition_schema("Nhận hồ sơ bổ sung: tiếp tục tính thời hạn", NoteSerializer)
    @action(detail=True, methods=["post"], url_path="receive-supplement")
    def receive_supplement(self, request, pk=None):
        return self._transition(
            request,
            NoteSerializer,
            lambda d, data: services.receive_supplement(
                d, by=request.user, note=data["note"], expected_version=data["version"]
            ),
        )

    @_transition_schema("Xin lỗi và gia hạn (mẫu 04): hạn trả kết quả mới", ExtendSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        return self._transition(
            request,
            ExtendSerializer,
            lambda d, data: services.apologize_and_extend(
                d,
                data["new_due_at"],
                data["reason"],
                by=request.user,
                expected_version=data["version"],
            ),
        )

    @_transition_schema("Chuyển liên thông sang cơ quan khác", TransferSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        return self._transition(
            request,
            TransferSerializer,
            lambda d, data: services.transfer(
                d,
                data["to_agency"],
                data["duration_days"],
                by=request.user,
                note=data["note"],
                expected_version=data["version"],
            ),
        )

    @_transition_schema("Dừng giải quyết hồ sơ (mẫu 05)", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        return self._transition(
            request,
            ReasonSerializer,
            lambda d, data: services.stop(
                d, data["reason"], by=request.user, expected_version=data["version"]
            ),
        )

    @_transition_schema("Người nộp rút hồ sơ", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._transition(
            request,
            ReasonSerializer,
            lambda d, data: services.withdraw(
                d, data["reason"], by=request.user, expected_version=data["version"]
            ),
        )

    @_transition_schema("Trả kết quả cho người nộp", ReturnSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_result(self, request, pk=None):
        return self._transition(
            request,
            ReturnSerializer,
            lambda d, data: services.return_result(
                d,
                by=request.user,
                received_by=data["received_by"],
                note=data["note"],
                expected_version=data["version"],
            ),
        )

    @_transition_schema(
        "Đính kèm văn bản kết quả (PDF)", {"multipart/form-data": ResultUploadSerializer}
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def result(self, request, pk=None):
        dossier = self.get_object()
        serializer = ResultUploadSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            stored = store_upload(data["file"], folder="dossiers/results", allowed=("pdf",))
        except DjangoValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        try:
            services.attach_result(
                dossier,
                stored,
                by=request.user,
                note=data["note"],
                expected_version=data["version"],
            )
        except DjangoValidationError as exc:
            storages["default"].delete(stored.name)  # nothing half-written
            raise api_error(exc) from exc
        return Response(self._detail(dossier.pk))


ROUTES: list[tuple[str, type, str]] = [  # (prefix, viewset, basename)
    ("dossiers", DossierViewSet, "dossier"),
]
