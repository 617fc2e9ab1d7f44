"""The citizen portal. Each part has its own URLconf module (one owner per file):

- ``urls_tracking``: tracking by code + PIN, the result download (views.py)
- ``urls_public``: home, procedure catalog and pages, public statistics
- ``urls_account``: citizen registration, confirmation codes, profile, my dossiers, ratings
- ``urls_online``: online submission (drafts, uploads, review, submit), online supplements,
  return method
"""

from importlib import import_module

from django.urls import include, path

app_name = "portal"

urlpatterns = []
for name in ("urls_tracking", "urls_public", "urls_account", "urls_online"):
    try:
        module = import_module(f"egov.portal.{name}")
    except ModuleNotFoundError as exc:  # a part not built yet
        if exc.name != f"egov.portal.{name}":
            raise
        continue
    urlpatterns.append(path("", include(module.urlpatterns)))
