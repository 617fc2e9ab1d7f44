from django.urls import path

from egov.procedures import views

app_name = "procedures"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/versions/new/", views.new_version, name="new_version"),
    path("<int:pk>/versions/<int:version_pk>/edit/", views.edit_version, name="edit_version"),
    path("<int:pk>/active/", views.set_active, name="set_active"),
    path("papers/<int:pk>/template/", views.paper_template, name="paper_template"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("import/", views.import_page, name="import"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("import/<int:pk>/errors.csv", views.import_errors, name="import_errors"),
]
