"""Request id and log context: every log line of a request carries its id and the user."""

from __future__ import annotations

import re
import uuid

import structlog
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
log = structlog.get_logger("egov.request")


class RequestIdMiddleware:
    """Takes X-Request-ID from the proxy when it is well-formed, else makes one; echoes it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request.request_id, path=request.path)
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class LogContextMiddleware:
    """Binds the authenticated user after AuthenticationMiddleware, and logs each request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            structlog.contextvars.bind_contextvars(user=user.get_username())
        response = self.get_response(request)
        log.info("request", method=request.method, status=response.status_code)
        return response


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Vietnamese unless the user chose another language (the language cookie set by the
    switcher). The browser's Accept-Language is ignored on purpose: officers on English-language
    computers still work in Vietnamese by default."""

    def process_request(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
