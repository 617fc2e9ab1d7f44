from django.urls import include, path

from egov.dossiers import views, views_statistics

app_name = "dossiers"

ACTION_NAMES = (
    "hand_over",
    "assign",
    "attach_result",
    "request_supplement",
    "receive_supplement",
    "extend",
    "transfer",
    "stop",
    "withdraw",
    "return_result",
    "accept_online",
    "refuse_online",
)

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("intake/", views.intake, name="intake"),
    path("intake/<int:procedure_pk>/", views.intake_form, name="intake_form"),
    path("statistics/", views_statistics.statistics_view, name="statistics"),
    path("files/<int:file_pk>/", views.download_file, name="file"),
    path("<int:pk>/", views.detail, name="detail"),
    *[
        path(f"<int:pk>/{action}/", views.act, {"action": action}, name=action)
        for action in ACTION_NAMES
    ],
    # the printed forms: dossiers:form_pdf (pk, number) and dossiers:register
    path("", include("egov.dossiers.urls_forms")),
]
