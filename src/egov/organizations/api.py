"""REST endpoints of this app; ``egov.api.urls`` registers ``ROUTES`` on the API router.

Both endpoints are read-only: the agency tree changes through ``organizations.services``
(admin, merge service, demo loader). What a user sees is decided by ``visible_to(user)``.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from egov.api.pagination import KeysetPagination
from egov.core.text import search
from egov.organizations.models import Agency, BridgePoint


class PathPagination(KeysetPagination):
    """Keyset pagination in tree order: ``path`` is unique and indexed."""

    ordering = "path"


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "abbreviation",
            "kind",
            "parent",
            "address",
            "depth",
            "effective_from",
            "effective_to",
            "successor",
        ]
        read_only_fields = fields


class BridgePointSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = BridgePoint
        fields = [
            "id",
            "name",
            "agency",
            "agency_name",
            "location",
            "equipment_status",
            "equipment_note",
            "is_active",
        ]
        read_only_fields = fields


def _choice_list(request, name: str, choices: list[str]) -> list[str]:
    raw = request.query_params.get(name, "")
    values = [v.strip() for v in raw.split(",") if v.strip()]
    bad = [v for v in values if v not in choices]
    if bad:
        raise ValidationError(
            {
                name: [
                    _("Giá trị không hợp lệ: %(bad)s. Chọn trong: %(choices)s.")
                    % {"bad": ", ".join(bad), "choices": ", ".join(choices)}
                ]
            }
        )
    return values


AGENCY_FILTERS = [
    OpenApiParameter(
        "kind",
        OpenApiTypes.STR,
        description="Loại cơ quan; nhiều loại cách nhau bằng dấu phẩy ("
        + ", ".join(Agency.Kind.values)
        + ")",
    ),
    OpenApiParameter(
        "active_on",
        OpenApiTypes.DATE,
        description="Chỉ các cơ quan có hiệu lực vào ngày này (YYYY-MM-DD)",
    ),
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description="Tìm theo tên, tên ngắn, mã định danh (không phân biệt dấu)",
    ),
    OpenApiParameter("parent", OpenApiTypes.INT, description="Chỉ các đơn vị trực thuộc trực tiếp"),
]


@extend_schema_view(
    list=extend_schema(summary="Danh sách cơ quan, đơn vị", parameters=AGENCY_FILTERS),
    retrieve=extend_schema(summary="Một cơ quan, đơn vị"),
)
class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    """Agencies visible to the user, in tree order."""

    serializer_class = AgencySerializer
    pagination_class = PathPagination

    def get_queryset(self):
        qs = Agency.objects.visible_to(self.request.user)
        if self.action != "list":
            return qs
        params = self.request.query_params
        kinds = _choice_list(self.request, "kind", Agency.Kind.values)
        if kinds:
            qs = qs.filter(kind__in=kinds)
        if params.get("active_on"):
            try:
                on = dt.date.fromisoformat(params["active_on"])
            except ValueError as exc:
                raise ValidationError(
                    {"active_on": [_("Ngày phải theo dạng YYYY-MM-DD.")]}
                ) from exc
            qs = qs.active(on)
        if params.get("parent"):
            try:
                qs = qs.filter(parent_id=int(params["parent"]))
            except ValueError as exc:
                raise ValidationError({"parent": [_("Mã cơ quan cấp trên phải là số.")]}) from exc
        if params.get("q"):
            qs = search(qs, params["q"], ["name", "short_name", "code"])
        return qs


@extend_schema_view(
    list=extend_schema(
        summary="Danh sách điểm cầu",
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                description="Tình trạng thiết bị (" + ", ".join(BridgePoint.Equipment.values) + ")",
            ),
            OpenApiParameter("agency", OpenApiTypes.INT, description="Cơ quan quản lý điểm cầu"),
        ],
    ),
    retrieve=extend_schema(summary="Một điểm cầu"),
)
class BridgePointViewSet(viewsets.ReadOnlyModelViewSet):
    """Bridge points (điểm cầu) of the agencies visible to the user."""

    serializer_class = BridgePointSerializer

    def get_queryset(self):
        qs = BridgePoint.objects.visible_to(self.request.user).select_related("agency")
        if self.action != "list":
            return qs
        statuses = _choice_list(self.request, "status", BridgePoint.Equipment.values)
        if statuses:
            qs = qs.filter(equipment_status__in=statuses)
        agency = self.request.query_params.get("agency")
        if agency:
            try:
                qs = qs.filter(agency_id=int(agency))
            except ValueError as exc:
                raise ValidationError({"agency": [_("Mã cơ quan phải là số.")]}) from exc
        return qs


ROUTES: list[tuple[str, type, str]] = [  # (prefix, viewset, basename)
    ("agencies", AgencyViewSet, "agency"),
    ("bridge-points", BridgePointViewSet, "bridge-point"),
]
