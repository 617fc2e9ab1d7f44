from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from egov.accounts import api as accounts_api
from egov.documents import api as documents_api
from egov.dossiers import api as dossiers_api
from egov.organizations import api as organizations_api
from egov.procedures import api as procedures_api
from egov.signing import api as signing_api

app_name = "api"

router = DefaultRouter()
for module in (
    organizations_api,
    accounts_api,
    procedures_api,
    dossiers_api,
    signing_api,
    documents_api,
):
    for prefix, viewset, basename in module.ROUTES:
        router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("token/", accounts_api.ObtainTokenView.as_view(), name="token"),
    path("", include(router.urls)),
]
