"""Admin of the agency tree. Saves go through ``organizations.services`` so that every change
is validated the same way and written to the audit log; merges are made with the merge
service (``merge_agencies`` / ``dissolve_agency``), so they are read-only here."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from egov.organizations import services
from egov.organizations.models import Agency, AgencyMerge, BridgePoint


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "parent", "effective_from", "effective_to", "successor")
    list_filter = ("kind", ("parent", admin.RelatedOnlyFieldListFilter), "effective_to")
    search_fields = ("name", "short_name", "code", "abbreviation")
    list_select_related = ("parent", "successor")
    autocomplete_fields = ("parent",)
    readonly_fields = ("successor", "path", "depth")
    ordering = ("path",)
    fieldsets = (
        (None, {"fields": ("kind", "name", "short_name", "abbreviation", "code", "parent")}),
        (_("Liên hệ"), {"fields": ("address", "phone", "email")}),
        (_("Hiệu lực"), {"fields": ("effective_from", "effective_to", "successor")}),
        (_("Cây cơ quan"), {"classes": ("collapse",), "fields": ("path", "depth")}),
    )

    def save_model(self, request, obj, form, change):
        if change:
            changes = {
                f: form.cleaned_data[f] for f in form.changed_data if f in services.AGENCY_FIELDS
            }
            services.update_agency(obj, by=request.user, **changes)
        else:
            data = {f: form.cleaned_data.get(f) for f in services.AGENCY_FIELDS}
            created = services.create_agency(**data, by=request.user)
            obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth

    def has_delete_permission(self, request, obj=None):
        # Agencies are never deleted: end them (hiệu lực đến) or merge them, so history stays.
        return False


@admin.register(BridgePoint)
class BridgePointAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "location", "equipment_status", "is_active")
    list_filter = ("equipment_status", "is_active")
    search_fields = ("name", "location", "agency__name", "agency__code")
    list_select_related = ("agency",)
    autocomplete_fields = ("agency",)

    def get_readonly_fields(self, request, obj=None):
        # Moving a bridge point to another agency happens through a merge.
        return ("agency",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if change:
            changes = {
                f: form.cleaned_data[f]
                for f in form.changed_data
                if f in services.BRIDGE_POINT_FIELDS
            }
            services.update_bridge_point(obj, by=request.user, **changes)
        else:
            created = services.create_bridge_point(
                agency=form.cleaned_data["agency"],
                **{f: form.cleaned_data[f] for f in services.BRIDGE_POINT_FIELDS},
                by=request.user,
            )
            obj.pk = created.pk


@admin.register(AgencyMerge)
class AgencyMergeAdmin(admin.ModelAdmin):
    list_display = ("target", "effective_date", "decision", "moved_open_work", "created_at")
    list_filter = ("effective_date",)
    search_fields = ("decision", "target__name", "target__code", "sources__name")
    list_select_related = ("target",)
    readonly_fields = (
        "target",
        "sources",
        "effective_date",
        "decision",
        "moved_open_work",
        "summary",
        "created_at",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
