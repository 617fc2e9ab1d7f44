"""Citizen accounts: registration with a confirmation code, profile, my dossiers, ratings
(views_account.py). Login is accounts:login / accounts:oidc_login."""

from django.urls import path

from . import views_account

urlpatterns = [
    path("dich-vu-cong/dang-ky/", views_account.register, name="register"),
    path("dich-vu-cong/dang-ky/xac-nhan/", views_account.register_confirm, name="register_confirm"),
    path(
        "dich-vu-cong/dang-ky/mat-khau/", views_account.register_password, name="register_password"
    ),
    path("dich-vu-cong/tai-khoan/", views_account.profile, name="profile"),
    path("dich-vu-cong/ho-so-cua-toi/", views_account.my_dossiers, name="my_dossiers"),
    path("dich-vu-cong/ho-so-cua-toi/<int:pk>/", views_account.my_dossier, name="my_dossier"),
    path("dich-vu-cong/ho-so-cua-toi/<int:pk>/ket-qua/", views_account.my_result, name="my_result"),
    path("dich-vu-cong/ho-so-cua-toi/<int:pk>/danh-gia/", views_account.rate, name="rate"),
]
