"""OpenID Connect login (VNeID-ready). Implemented in full by the OIDC work; see docs/accounts.md."""

from django.http import HttpResponseNotFound


def oidc_login(request):
    return HttpResponseNotFound("OIDC is not configured")


def oidc_callback(request):
    return HttpResponseNotFound("OIDC is not configured")
