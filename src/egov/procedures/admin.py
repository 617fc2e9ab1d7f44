"""Admin of the procedure catalog, read-mostly: versions are made with
``services.save_version`` (office UI, import, demo), so here they are shown with their papers,
fees and steps but not edited. What can change here goes through the services too: a field's
name (``get_or_create_field``) and whether a procedure is in use (``set_active``)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from egov.procedures import services
from egov.procedures.models import (
    Fee,
    Field,
    ImportJob,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    RequiredPaper,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PaperInline(ReadOnlyInline):
    model = RequiredPaper
    fields = ("order", "name", "kind", "count", "required", "template_name", "template")
    readonly_fields = fields


class FeeInline(ReadOnlyInline):
    model = Fee
    fields = ("name", "kind", "amount", "note")
    readonly_fields = fields


class StepInline(ReadOnlyInline):
    model = ProcessStep
    fields = ("order", "name", "unit", "department_abbreviation", "role", "duration")
    readonly_fields = fields


class VersionInline(ReadOnlyInline):
    model = ProcedureVersion
    fields = ("effective_from", "effective_to", "name", "online_level", "processing_time")
    readonly_fields = fields
    show_change_link = True
    ordering = ("-effective_from",)


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")

    def get_readonly_fields(self, request, obj=None):
        # The code is the field's identity in imports and exports.
        return ("code",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        saved = services.get_or_create_field(obj.code, obj.name)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("national_code", "name", "field", "level", "online_level", "is_active")
    list_filter = ("level", "online_level", "is_active", "field")
    search_fields = ("national_code", "name", "search_text")
    list_select_related = ("field",)
    readonly_fields = ("national_code", "name", "field", "level", "online_level", "office_link")
    fields = ("national_code", "name", "field", "level", "online_level", "is_active", "office_link")
    inlines = [VersionInline]
    actions = ["activate", "deactivate"]

    @admin.display(description=_("Sửa trong giao diện cán bộ"))
    def office_link(self, obj):
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("procedures:detail", args=[obj.pk]),
            _("Mở trang thủ tục"),
        )

    def has_add_permission(self, request):
        return False  # new procedures: office UI or import (through save_version)

    def has_delete_permission(self, request, obj=None):
        return False  # stop using it instead (dossiers keep their version)

    def save_model(self, request, obj, form, change):
        if "is_active" in form.changed_data:
            services.set_active(obj, form.cleaned_data["is_active"], by=request.user)

    def _set(self, request, queryset, active: bool) -> None:
        count = 0
        for procedure in queryset:
            if procedure.is_active != active:
                services.set_active(procedure, active, by=request.user)
                count += 1
        self.message_user(
            request,
            ngettext("Đã cập nhật %(n)d thủ tục.", "Đã cập nhật %(n)d thủ tục.", count)
            % {"n": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Áp dụng các thủ tục đã chọn"))
    def activate(self, request, queryset):
        self._set(request, queryset, True)

    @admin.action(description=_("Ngừng áp dụng các thủ tục đã chọn"))
    def deactivate(self, request, queryset):
        self._set(request, queryset, False)


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = ("procedure", "name", "effective_from", "effective_to", "processing_time")
    list_filter = ("level", "online_level", "time_unit")
    search_fields = ("procedure__national_code", "name")
    list_select_related = ("procedure",)
    inlines = [PaperInline, FeeInline, StepInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # view only; edits: the office UI editor (services.save_version)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = (
        "original_name",
        "state",
        "total_rows",
        "saved_rows",
        "created_by",
        "created_at",
    )
    list_filter = ("state",)
    search_fields = ("original_name",)
    list_select_related = ("created_by",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
