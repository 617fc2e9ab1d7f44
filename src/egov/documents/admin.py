from django.contrib import admin

from .models import (
    Amendment,
    Assignment,
    DocumentEvent,
    DocumentFile,
    IncomingDocument,
    NumberSeries,
    OutgoingDocument,
    Recipient,
)


@admin.register(NumberSeries)
class NumberSeriesAdmin(admin.ModelAdmin):
    """Separate series of outgoing numbers are configured here (Điều 15.1)."""

    list_display = ["name", "agency", "key", "secret", "is_active"]
    list_filter = ["secret", "is_active"]
    search_fields = ["name", "key", "agency__name"]
    autocomplete_fields = ["agency"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Documents change only through ``documents.services`` (audit, numbering, timeline):
    the admin shows them read-only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FileInline(admin.TabularInline):
    model = DocumentFile
    extra = 0
    fields = [
        "role",
        "file_version",
        "original_name",
        "kind",
        "size",
        "page_count",
        "signature_report",
    ]
    readonly_fields = fields
    can_delete = False


class EventInline(admin.TabularInline):
    model = DocumentEvent
    extra = 0
    fields = ["at", "action", "actor_label", "note"]
    readonly_fields = fields
    can_delete = False


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["unit", "role", "due_at", "state", "assignee", "completed_at"]
    readonly_fields = fields
    can_delete = False


class RecipientInline(admin.TabularInline):
    model = Recipient
    extra = 0
    fields = ["channel", "name", "email", "state", "sent_at", "incoming"]
    readonly_fields = fields
    can_delete = False


class AmendmentInline(admin.TabularInline):
    model = Amendment
    fk_name = "outgoing"
    extra = 0
    fields = ["kind", "reason", "replacement", "at", "by"]
    readonly_fields = fields
    can_delete = False


@admin.register(IncomingDocument)
class IncomingAdmin(ReadOnlyAdmin):
    list_display = [
        "arrival_number",
        "arrival_year",
        "code_number",
        "code_notation",
        "issuer_name",
        "subject",
        "state",
        "agency",
    ]
    list_filter = ["state", "urgency", "secrecy", "source"]
    search_fields = ["code_notation", "subject", "issuer_name"]
    inlines = [AssignmentInline, FileInline, EventInline]


@admin.register(OutgoingDocument)
class OutgoingAdmin(ReadOnlyAdmin):
    list_display = ["code_number", "code_notation", "issued_date", "subject", "state", "agency"]
    list_filter = ["state", "urgency", "secrecy", "doc_type"]
    search_fields = ["code_notation", "subject"]
    inlines = [RecipientInline, AmendmentInline, FileInline, EventInline]
