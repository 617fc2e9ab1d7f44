"""REST endpoints of the procedure catalog; ``egov.api.urls`` registers ``ROUTES``.

The catalog is public information (the citizen portal reads it too), so every endpoint is
read-only and open to anonymous users. The catalog changes through ``procedures.services``
(admin, import, demo loader), never here.

- ``GET /api/procedures/``: active procedures in national-code order (keyset pagination), with
  filters ``q`` (diacritics-insensitive, on code, name and field), ``level``, ``field``,
  ``online_level``;
- ``GET /api/procedures/<id>/`` and ``GET /api/procedures/by-code/<national code>/``: one
  procedure with the version in force today (``?on=YYYY-MM-DD`` for another day) — papers,
  fees, internal steps — and the list of its versions with their effective dates.
"""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from egov.api.pagination import KeysetPagination
from egov.procedures.models import (
    AgencyLevel,
    Fee,
    Field,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    RequiredPaper,
)
from egov.procedures.selectors import search_procedures


class NationalCodePagination(KeysetPagination):
    """Keyset pagination in catalog order: ``national_code`` is unique and indexed."""

    ordering = "national_code"


class FieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = Field
        fields = ["id", "code", "name"]
        read_only_fields = fields


class PaperSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = RequiredPaper
        fields = ["order", "name", "kind", "kind_label", "count", "required", "template", "template_name"]  # fmt: skip
        read_only_fields = fields


class FeeSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Fee
        fields = ["kind", "kind_label", "name", "amount", "note"]
        read_only_fields = fields


class StepSerializer(serializers.ModelSerializer):
    unit_label = serializers.CharField(source="get_unit_display", read_only=True)

    class Meta:
        model = ProcessStep
        fields = ["order", "name", "unit", "unit_label", "department_abbreviation", "role", "duration"]  # fmt: skip
        read_only_fields = fields


class VersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcedureVersion
        fields = ["id", "effective_from", "effective_to", "name"]
        read_only_fields = fields


class VersionSerializer(serializers.ModelSerializer):
    field = FieldSerializer(read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    online_level_label = serializers.CharField(source="get_online_level_display", read_only=True)
    processing_label = serializers.CharField(read_only=True)
    papers = PaperSerializer(many=True, read_only=True)
    fees = FeeSerializer(many=True, read_only=True)
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = ProcedureVersion
        fields = [
            "id",
            "effective_from",
            "effective_to",
            "name",
            "field",
            "level",
            "level_label",
            "online_level",
            "online_level_label",
            "processing_time",
            "time_unit",
            "processing_label",
            "cutoff_time",
            "legal_basis",
            "result_type",
            "applicant_kinds",
            "form_schema",
            "note",
            "papers",
            "fees",
            "steps",
        ]
        read_only_fields = fields


class ProcedureListSerializer(serializers.ModelSerializer):
    field = FieldSerializer(read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    online_level_label = serializers.CharField(source="get_online_level_display", read_only=True)

    class Meta:
        model = Procedure
        fields = [
            "id",
            "national_code",
            "name",
            "field",
            "level",
            "level_label",
            "online_level",
            "online_level_label",
            "is_active",
        ]
        read_only_fields = fields


class ProcedureDetailSerializer(ProcedureListSerializer):
    current_version = serializers.SerializerMethodField(
        help_text="Phiên bản có hiệu lực hôm nay (hoặc vào ngày ?on=); null nếu không có"
    )
    versions = serializers.SerializerMethodField(help_text="Mọi phiên bản, mới nhất trước")

    class Meta(ProcedureListSerializer.Meta):
        fields = [*ProcedureListSerializer.Meta.fields, "current_version", "versions"]
        read_only_fields = fields

    @extend_schema_field(VersionSerializer(allow_null=True))
    def get_current_version(self, procedure: Procedure) -> dict | None:
        on = self.context.get("on") or timezone.localdate()
        version = procedure.version_on(on)
        if version is None:
            return None
        version = (
            ProcedureVersion.objects.select_related("field")
            .prefetch_related("papers", "fees", "steps")
            .get(pk=version.pk)
        )
        return VersionSerializer(version, context=self.context).data

    @extend_schema_field(VersionSummarySerializer(many=True))
    def get_versions(self, procedure: Procedure) -> list[dict]:
        versions = procedure.versions.order_by("-effective_from")
        return VersionSummarySerializer(versions, many=True, context=self.context).data


def _choice(request, name: str, choices: list[str]) -> str:
    value = request.query_params.get(name, "").strip()
    if value and value not in choices:
        raise ValidationError(
            {
                name: [
                    _("Giá trị không hợp lệ: %(bad)s. Chọn trong: %(choices)s.")
                    % {"bad": value, "choices": ", ".join(choices)}
                ]
            }
        )
    return value


def _date_param(request, name: str) -> dt.date | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({name: [_("Ngày phải theo dạng YYYY-MM-DD.")]}) from exc


PROCEDURE_FILTERS = [
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description="Tìm theo mã, tên thủ tục, tên lĩnh vực (không phân biệt dấu)",
    ),
    OpenApiParameter(
        "level",
        OpenApiTypes.STR,
        description="Cấp thực hiện (" + ", ".join(AgencyLevel.values) + ")",
    ),
    OpenApiParameter("field", OpenApiTypes.INT, description="Lĩnh vực (id)"),
    OpenApiParameter(
        "online_level",
        OpenApiTypes.STR,
        description="Mức độ dịch vụ công (" + ", ".join(OnlineLevel.values) + ")",
    ),
]
ON_PARAMETER = OpenApiParameter(
    "on",
    OpenApiTypes.DATE,
    description="Lấy phiên bản có hiệu lực vào ngày này (YYYY-MM-DD); mặc định hôm nay",
)


@extend_schema_view(
    list=extend_schema(
        summary="Danh mục thủ tục hành chính đang áp dụng", parameters=PROCEDURE_FILTERS
    ),
    retrieve=extend_schema(
        summary="Một thủ tục, với phiên bản đang có hiệu lực", parameters=[ON_PARAMETER]
    ),
)
class ProcedureViewSet(viewsets.ReadOnlyModelViewSet):
    """The procedure catalog (thủ tục hành chính): public, read-only."""

    permission_classes = [permissions.AllowAny]
    pagination_class = NationalCodePagination
    lookup_value_regex = r"\d+"

    def get_serializer_class(self):
        return ProcedureListSerializer if self.action == "list" else ProcedureDetailSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action in ("retrieve", "by_code") and self.request is not None:
            context["on"] = _date_param(self.request, "on")
        return context

    def get_queryset(self):
        if self.action != "list":
            return Procedure.objects.select_related("field")
        request = self.request
        field = request.query_params.get("field", "").strip()
        field_id = None
        if field:
            try:
                field_id = int(field)
            except ValueError as exc:
                raise ValidationError({"field": [_("Mã lĩnh vực phải là số.")]}) from exc
        return search_procedures(
            request.query_params.get("q", ""),
            level=_choice(request, "level", AgencyLevel.values),
            field_id=field_id,
            online_level=_choice(request, "online_level", OnlineLevel.values),
        )

    @extend_schema(
        summary="Tra cứu thủ tục theo mã thủ tục quốc gia",
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="Mã thủ tục quốc gia, ví dụ 1.001234",
            ),
            ON_PARAMETER,
        ],
        responses=ProcedureDetailSerializer,
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=r"by-code/(?P<code>[^/]+)",
        pagination_class=None,
    )
    def by_code(self, request, code: str):
        procedure = get_object_or_404(self.get_queryset(), national_code=code.strip())
        return Response(self.get_serializer(procedure).data)


ROUTES: list[tuple[str, type, str]] = [  # (prefix, viewset, basename)
    ("procedures", ProcedureViewSet, "procedure"),
]
