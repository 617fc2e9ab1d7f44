"""URLs of the printed forms, included by ``dossiers/urls.py`` inside the "dossiers"
namespace: ``dossiers:form_pdf`` and ``dossiers:register``."""

from django.urls import path

from egov.dossiers import views_forms

urlpatterns = [
    path("<int:pk>/forms/<str:number>.pdf", views_forms.form_pdf, name="form_pdf"),
    path("register/", views_forms.register, name="register"),
]
