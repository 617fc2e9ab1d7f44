from django.contrib import admin

from egov.portal.models import ConfirmationCode, Rating, RatingCriterion, RatingScore


@admin.register(RatingCriterion)
class RatingCriterionAdmin(admin.ModelAdmin):
    list_display = ("order", "name", "code", "is_active")
    list_display_links = ("name",)
    list_editable = ("order", "is_active")
    search_fields = ("name", "code")


class RatingScoreInline(admin.TabularInline):
    model = RatingScore
    extra = 0
    can_delete = False
    readonly_fields = ("criterion", "score")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    """Ratings are read-only: they are the citizens' words (and feed the statistics)."""

    list_display = ("dossier", "agency", "citizen", "created_at")
    list_filter = ("agency",)
    search_fields = ("dossier__code",)
    readonly_fields = ("dossier", "citizen", "agency", "comment", "created_at")
    inlines = [RatingScoreInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ConfirmationCode)
class ConfirmationCodeAdmin(admin.ModelAdmin):
    list_display = ("address", "channel", "sends", "tries", "created_at", "confirmed_at", "used_at")
    search_fields = ("address",)
    exclude = ("code_hash",)
    readonly_fields = (
        "purpose",
        "channel",
        "address",
        "full_name",
        "sends",
        "tries",
        "sent_at",
        "expires_at",
        "confirmed_at",
        "used_at",
    )

    def has_add_permission(self, request):
        return False
