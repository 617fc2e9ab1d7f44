"""REST endpoints of the signing service: validate a PDF's signatures and read kept reports."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from egov.core import audit
from egov.core.files import store_upload
from egov.dossiers.api import IsOfficer

from .models import SignatureReport
from .reports import validate_and_keep


class SignatureSerializer(serializers.Serializer):
    field_name = serializers.CharField()
    signer_name = serializers.CharField()
    signer_organization = serializers.CharField()
    issuer = serializers.CharField()
    serial_number = serializers.CharField()
    signing_time = serializers.CharField(allow_null=True)
    timestamp_time = serializers.CharField(allow_null=True)
    intact = serializers.BooleanField()
    signature_valid = serializers.BooleanField()
    covers_whole_file = serializers.BooleanField()
    coverage = serializers.CharField()
    modification_level = serializers.CharField()
    chain_trusted = serializers.BooleanField()
    revocation = serializers.CharField()
    status = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())


class SignatureReportSerializer(serializers.ModelSerializer):
    # declared, so that the schema does not depend on the database's integer ranges
    signature_count = serializers.IntegerField(read_only=True, help_text="Số chữ ký")
    signatures = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = SignatureReport
        fields = [
            "id",
            "original_name",
            "sha256",
            "status",
            "signature_count",
            "signatures",
            "reasons",
            "checked_at",
        ]

    @extend_schema_field(SignatureSerializer(many=True))
    def get_signatures(self, obj) -> list[dict]:
        return SignatureSerializer(obj.report.get("signatures", []), many=True).data

    def get_reasons(self, obj) -> list[str]:
        return list(obj.report.get("reasons", []))


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="Tệp PDF cần kiểm tra chữ ký số")


class SignatureReportViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Kiểm tra chữ ký số của một tệp PDF; báo cáo được lưu lại (đọc lại bằng id)."""

    permission_classes = [IsOfficer]
    serializer_class = SignatureReportSerializer
    queryset = SignatureReport.objects.all()
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        user = self.request.user
        qs = SignatureReport.objects.all()
        if getattr(self, "swagger_fake_view", False) or user.is_superuser:
            return qs
        return qs.filter(checked_by=user)

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={201: SignatureReportSerializer},
        summary="Kiểm tra chữ ký số của tệp PDF",
    )
    def create(self, request, *args, **kwargs):
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        try:
            stored = store_upload(file, folder="signing/checked", allowed=("pdf",))
        except DjangoValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        file.seek(0)
        report = validate_and_keep(
            file.read(),
            storage_name=stored.name,
            original_name=stored.original_name,
            by=request.user,
        )
        audit.record(
            "signing.validated",
            actor=request.user,
            obj=report,
            data={"file": stored.original_name, "sha256": stored.sha256, "status": report.status},
        )
        return Response(SignatureReportSerializer(report).data, status=status.HTTP_201_CREATED)


ROUTES: list[tuple[str, type, str]] = [
    ("signature-reports", SignatureReportViewSet, "signature-report"),
]
