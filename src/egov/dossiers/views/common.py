"""Helpers shared by the officers' views."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import NoReverseMatch, reverse


def officer_required(view):
    """Logged-in officers only (citizens have the portal)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_superuser or getattr(request.user, "is_officer", False)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def apply_errors(form, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
    """Put a service's ``ValidationError`` on the form: on the field it names when the form
    has it, else at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            name = (rename or {}).get(field, field)
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


def safe_reverse(name: str, *args) -> str | None:
    """A URL of another module that may not be installed yet (the PDF forms)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None
