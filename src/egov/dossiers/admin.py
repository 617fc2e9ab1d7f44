"""Dossiers in the Django admin: read only. Every change of a dossier goes through
``dossiers.services`` (and its audit log), never through the admin."""

from __future__ import annotations

from django.contrib import admin

from egov.dossiers.models import (
    DeadlineChange,
    Dossier,
    DossierFile,
    DossierPaper,
    DossierStep,
    SupplementRequest,
)


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class StepInline(ReadOnlyInline):
    model = DossierStep
    fields = (
        "order",
        "name",
        "agency",
        "role",
        "state",
        "assignee",
        "started_at",
        "due_at",
        "completed_at",
        "completed_by",
        "timing",
        "note",
    )
    readonly_fields = fields
    ordering = ("order",)


class PaperInline(ReadOnlyInline):
    model = DossierPaper
    fields = ("order", "name", "kind", "count", "required", "received")
    readonly_fields = fields


class FileInline(ReadOnlyInline):
    model = DossierFile
    fields = ("purpose", "original_name", "kind", "size", "sha256", "uploaded_by", "uploaded_at")
    readonly_fields = fields


class SupplementInline(ReadOnlyInline):
    model = SupplementRequest
    fields = ("requested_at", "requested_by", "reason", "papers", "resumed_at", "resumed_by")
    readonly_fields = fields


class DeadlineChangeInline(ReadOnlyInline):
    model = DeadlineChange
    fields = ("changed_at", "changed_by", "kind", "old_due_at", "new_due_at", "reason")
    readonly_fields = fields


@admin.register(Dossier)
class DossierAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "code",
        "procedure",
        "applicant_name",
        "agency",
        "state",
        "received_at",
        "due_at",
        "timing",
    )
    list_filter = ("state", "channel", "timing")
    search_fields = ("=code", "=applicant_id_number", "applicant_name")
    list_select_related = ("procedure", "agency")
    show_full_result_count = False  # no COUNT(*) over the dossier table
    date_hierarchy = None
    inlines = (PaperInline, StepInline, FileInline, SupplementInline, DeadlineChangeInline)
    exclude = ("pin",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "pin"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
