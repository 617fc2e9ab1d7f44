"""Online submission (included under the "portal" namespace by ``portal.urls``)."""

from django.urls import path

from . import views_online as v

urlpatterns = [
    path("truc-tuyen/thu-tuc/<int:pk>/", v.start, name="online_start"),
    path("truc-tuyen/nhap/<int:pk>/", v.draft_view, name="online_draft"),
    path("truc-tuyen/nhap/<int:pk>/tai-len/<int:order>/", v.upload, name="online_upload"),
    path("truc-tuyen/nhap/<int:pk>/xem-lai/", v.review, name="online_review"),
    path("truc-tuyen/nhap/<int:pk>/nop/", v.submit, name="online_submit"),
    path("truc-tuyen/ho-so/<int:pk>/", v.dossier_view, name="online_dossier"),
    path("truc-tuyen/ho-so/<int:pk>/ket-qua/", v.result_download, name="online_result"),
    path("truc-tuyen/ho-so/<int:pk>/bo-sung/", v.supplement, name="online_supplement"),
    path("truc-tuyen/ho-so/<int:pk>/nhan-ket-qua/", v.return_method, name="online_return_method"),
]
