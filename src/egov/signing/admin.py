from django.contrib import admin

from .models import SignatureReport, SignerKey, TrustedRoot


@admin.register(TrustedRoot)
class TrustedRootAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(SignerKey)
class SignerKeyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "agency", "backend", "is_active", "is_demo"]
    list_filter = ["kind", "backend", "is_active", "is_demo"]
    search_fields = ["user__username", "user__full_name", "agency__name"]
    raw_id_fields = ["user", "agency"]


@admin.register(SignatureReport)
class SignatureReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "signature_count", "checked_at", "checked_by"]
    list_filter = ["status"]
    search_fields = ["original_name", "sha256", "storage_name"]
    raw_id_fields = ["checked_by"]
    readonly_fields = ["report", "sha256", "storage_name", "checked_at"]
