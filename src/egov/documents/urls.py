from django.urls import include, path

from egov.documents import views
from egov.documents.views import incoming, outgoing

app_name = "documents"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("search/", views.search, name="search"),
    path("alerts/<int:pk>/read/", views.alert_read, name="alert_read"),
    path("files/<int:file_pk>/", incoming.download_file, name="file"),
    path("incoming/register/", incoming.register, name="register"),
    path("incoming/<int:pk>/", incoming.detail, name="incoming"),
    *[
        path(
            f"incoming/<int:pk>/{action}/",
            incoming.act,
            {"action": action},
            name=f"incoming_{action}",
        )
        for action in incoming.ACTIONS
    ],
    path("outgoing/new/", outgoing.draft_new, name="draft_new"),
    path("outgoing/<int:pk>/", outgoing.detail, name="outgoing"),
    path("outgoing/<int:pk>/edit/", outgoing.draft_edit, name="draft_edit"),
    *[
        path(
            f"outgoing/<int:pk>/{action}/",
            outgoing.act,
            {"action": action},
            name=f"outgoing_{action}",
        )
        for action in outgoing.ACTIONS
    ],
]

# The registers and reports (Phụ lục IV) live in their own module, added when it exists.
try:
    import egov.documents.urls_registers  # noqa: F401
except ModuleNotFoundError as exc:
    if exc.name != "egov.documents.urls_registers":
        raise
else:
    urlpatterns.append(path("", include("egov.documents.urls_registers")))
