from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from egov.core import calendar, tasks
from egov.core.models import AuditEvent, CalendarOverride, Job, Sequence


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "notice")
    list_filter = ("kind",)
    search_fields = ("name", "notice")
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        if change and "date" in form.changed_data:
            calendar.delete_override(form.initial["date"], actor=request.user)
        saved = calendar.set_override(
            obj.date, obj.kind, obj.notice, name=obj.name, actor=request.user
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        calendar.delete_override(obj.date, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            calendar.delete_override(obj.date, actor=request.user)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "task_path",
        "state",
        "attempts",
        "max_attempts",
        "next_attempt_at",
        "updated_at",
    )
    list_filter = ("state",)
    search_fields = ("task_path",)
    readonly_fields = [f.name for f in Job._meta.fields]
    actions = ["resend"]

    @admin.action(description=_("Gửi lại các tác vụ đã chọn"))
    def resend(self, request, queryset):
        for job in queryset:
            tasks.retry(job, by=request.user)
        messages.success(request, _("Đã gửi lại %(n)d tác vụ.") % {"n": queryset.count()})

    def has_add_permission(self, request):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("seq", "occurred_at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action",)
    search_fields = ("action", "object_id", "actor_label")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Sequence)
class SequenceAdmin(admin.ModelAdmin):
    list_display = ("scope", "period", "last_value", "updated_at")
    search_fields = ("scope",)

    def has_change_permission(self, request, obj=None):
        return False
