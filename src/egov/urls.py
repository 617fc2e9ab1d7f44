from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from egov.core.views import healthz

admin.site.site_header = _("egov – Quản trị hệ thống")
admin.site.site_title = "egov"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", include("egov.api.urls")),
    path("accounts/", include("egov.accounts.urls")),
    path("procedures/", include("egov.procedures.urls")),
    path("dossiers/", include("egov.dossiers.urls")),
    path("signing/", include("egov.signing.urls")),
    path("documents/", include("egov.documents.urls")),
    path("notifications/", include("egov.notifications.urls")),
    path("", include("egov.portal.urls")),
    path("", include("egov.office.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
