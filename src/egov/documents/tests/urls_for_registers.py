"""Test URLconf: the project's URLs with the register views inside the "documents" namespace,
as ``documents/urls.py`` includes them (``path("", include("egov.documents.urls_registers"))``).
When the project already mounts the documents app, its URLs are used as they are."""

from django.urls import URLResolver, include, path

from egov import urls as root
from egov.documents import urls_registers

_mounted = any(isinstance(p, URLResolver) and p.namespace == "documents" for p in root.urlpatterns)

urlpatterns = (
    list(root.urlpatterns)
    if _mounted
    else [
        path("documents/", include((urls_registers.urlpatterns, "documents"))),
        *root.urlpatterns,
    ]
)
