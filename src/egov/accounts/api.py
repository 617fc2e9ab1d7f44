"""REST endpoints of this app; ``egov.api.urls`` registers ``ROUTES`` on the API router."""

ROUTES: list[tuple[str, type, str]] = []  # (prefix, viewset, basename)
