"""Test URLconf: the project's URLs with the printed-form views inside the "dossiers"
namespace, as ``dossiers/urls.py`` will include them (``path("", include(urls_forms))``)."""

from django.urls import URLResolver, include, path

from egov import urls as root
from egov.dossiers import urls as dossier_urls
from egov.dossiers import urls_forms


def _with_forms(pattern):
    if isinstance(pattern, URLResolver) and pattern.namespace == "dossiers":
        return path(
            "dossiers/",
            include(([*urls_forms.urlpatterns, *dossier_urls.urlpatterns], "dossiers")),
        )
    return pattern


urlpatterns = [_with_forms(p) for p in root.urlpatterns]
