from django.contrib import admin

from egov.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "created_at",
        "channel",
        "recipient",
        "template",
        "dossier_code",
        "state",
        "attempts",
    )
    list_filter = ("state", "channel", "template")
    search_fields = ("dossier_code", "recipient")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
