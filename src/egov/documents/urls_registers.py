"""URLs of the registers (Phụ lục IV) and the resolution report, included by
``documents/urls.py`` inside the "documents" namespace: ``documents:register_page``,
``documents:register_pdf``, ``documents:register_xlsx``, ``documents:resolution_report``,
``documents:resolution_xlsx``."""

from django.urls import path

from egov.documents import views_registers

urlpatterns = [
    path("registers/", views_registers.register_page, name="register_page"),
    path("registers/pdf/", views_registers.register_pdf, name="register_pdf"),
    path("registers/xlsx/", views_registers.register_xlsx, name="register_xlsx"),
    path("reports/resolution/", views_registers.resolution_report, name="resolution_report"),
    path("reports/resolution/xlsx/", views_registers.resolution_xlsx, name="resolution_xlsx"),
]
