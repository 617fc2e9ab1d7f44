from django.urls import path

from egov.accounts import oidc, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/2fa/", views.two_factor_view, name="two_factor"),
    path("login/2fa/setup/", views.totp_setup_view, name="totp_setup"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.citizen_home, name="citizen_home"),
    path("security/", views.security_view, name="security"),
    path("oidc/login/", oidc.oidc_login, name="oidc_login"),
    path("oidc/callback/", oidc.oidc_callback, name="oidc_callback"),
]
