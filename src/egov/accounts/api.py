"""REST endpoints of this app; ``egov.api.urls`` registers ``ROUTES`` on the API router.

``/api/users/`` is the read-only directory of officers: those holding an active role in an
agency the requesting user can see (``Membership.objects.visible_to(user)``), each with the
roles held there. ``/api/users/me/`` answers the requesting user, officer or citizen, with their
roles per agency. Accounts change through ``accounts.services`` (admin, demo loader), never here.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import permissions, serializers, viewsets
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.response import Response

from egov.accounts import services
from egov.accounts.models import Membership, Role, User
from egov.core import audit


class IsOfficer(permissions.BasePermission):
    message = gettext_lazy("Chỉ cán bộ, công chức mới xem được danh bạ cán bộ.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_officer)


class MembershipSerializer(serializers.ModelSerializer):
    agency_code = serializers.CharField(source="agency.code", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["agency", "agency_code", "agency_name", "role", "role_label"]
        read_only_fields = fields


class AgencyRolesSerializer(serializers.Serializer):
    agency = serializers.IntegerField(help_text="Mã (id) cơ quan")
    agency_code = serializers.CharField(help_text="Mã định danh cơ quan")
    agency_name = serializers.CharField()
    roles = serializers.ListField(
        child=serializers.CharField(), help_text="Mã vai trò: " + ", ".join(Role.values)
    )


def _roles_per_agency(memberships) -> list[dict]:
    grouped: dict[int, dict] = {}
    for m in memberships:
        entry = grouped.setdefault(
            m.agency_id,
            {
                "agency": m.agency_id,
                "agency_code": m.agency.code,
                "agency_name": m.agency.name,
                "roles": [],
            },
        )
        entry["roles"].append(m.role)
    return list(grouped.values())


class OfficerSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(source="visible_memberships", many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "position", "email", "phone", "memberships"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    two_factor_enabled = serializers.SerializerMethodField()
    agencies = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "kind",
            "full_name",
            "position",
            "email",
            "phone",
            "citizen_id",
            "is_superuser",
            "two_factor_enabled",
            "agencies",
        ]
        read_only_fields = fields

    def get_two_factor_enabled(self, user: User) -> bool:
        device = getattr(user, "totp_device", None)
        return bool(device and device.confirmed)

    @extend_schema_field(AgencyRolesSerializer(many=True))
    def get_agencies(self, user: User) -> list[dict]:
        memberships = (
            user.memberships.filter(is_active=True)
            .select_related("agency")
            .order_by("agency__path", "role")
        )
        return _roles_per_agency(memberships)


USER_FILTERS = [
    OpenApiParameter(
        "agency", OpenApiTypes.INT, description="Chỉ cán bộ có vai trò tại cơ quan này"
    ),
    OpenApiParameter(
        "role",
        OpenApiTypes.STR,
        description="Chỉ cán bộ có vai trò này (" + ", ".join(Role.values) + ")",
    ),
]


@extend_schema_view(
    list=extend_schema(
        summary="Danh bạ cán bộ các cơ quan mà người dùng được xem", parameters=USER_FILTERS
    ),
    retrieve=extend_schema(summary="Một cán bộ"),
)
class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Officers with an active role in an agency the requesting user can see."""

    serializer_class = OfficerSerializer
    permission_classes = [IsOfficer]

    def _visible_memberships(self):
        return Membership.objects.visible_to(self.request.user).filter(is_active=True)

    def get_queryset(self):
        memberships = self._visible_memberships()
        if self.action == "list":
            params = self.request.query_params
            if params.get("agency"):
                try:
                    memberships = memberships.filter(agency_id=int(params["agency"]))
                except ValueError as exc:
                    raise ValidationError({"agency": [_("Mã cơ quan phải là số.")]}) from exc
            if params.get("role"):
                if params["role"] not in Role.values:
                    raise ValidationError(
                        {
                            "role": [
                                _("Vai trò không hợp lệ. Chọn trong: %(choices)s.")
                                % {"choices": ", ".join(Role.values)}
                            ]
                        }
                    )
                memberships = memberships.filter(role=params["role"])
        return User.objects.filter(
            kind=User.Kind.OFFICER, is_active=True, pk__in=memberships.values("user_id")
        ).prefetch_related(
            Prefetch(
                "memberships",
                queryset=self._visible_memberships()
                .select_related("agency")
                .order_by("agency__path", "role"),
                to_attr="visible_memberships",
            )
        )

    @extend_schema(
        summary="Tài khoản đang đăng nhập, với vai trò tại từng cơ quan",
        description="The requesting user (officer or citizen) with their active roles grouped per agency.",
        responses=MeSerializer,
    )
    @action(
        detail=False,
        methods=["get"],
        permission_classes=[permissions.IsAuthenticated],
        pagination_class=None,
    )
    def me(self, request):
        return Response(MeSerializer(request.user, context=self.get_serializer_context()).data)


ROUTES: list[tuple[str, type, str]] = [  # (prefix, viewset, basename)
    ("users", UserViewSet, "user"),
]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Mã TOTP 6 chữ số (bắt buộc với tài khoản dùng xác thực hai lớp)",
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class ObtainTokenView(ObtainAuthToken):
    """API token for scripts and integrations. Same rules as the login page: lock-out after
    repeated failures, and the TOTP code for accounts that use two-factor login."""

    serializer_class = TokenRequestSerializer
    # Failed credentials answer 401 with a WWW-Authenticate header, not a CSRF-flavoured 403.
    authentication_classes = [TokenAuthentication]

    @extend_schema(request=TokenRequestSerializer, responses=TokenResponseSerializer)
    def post(self, request, *args, **kwargs):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None:
            if getattr(request._request, "egov_login_locked", None):
                raise AuthenticationFailed(
                    _("Tài khoản đang tạm khóa do nhập sai mật khẩu nhiều lần."),
                    code="account_locked",
                )
            raise AuthenticationFailed(
                _("Tên đăng nhập hoặc mật khẩu không đúng."), code="invalid_credentials"
            )
        if user.requires_two_factor() and not services.verify_totp(user, data.get("otp", "")):
            raise AuthenticationFailed(
                _("Cần mã xác thực hai lớp (otp) hợp lệ."), code="otp_required"
            )
        token, _created = Token.objects.get_or_create(user=user)
        audit.record("account.api_token_issued", actor=user, obj=user)
        return Response({"token": token.key})
