"""Shared pytest fixtures. Tests run on SQLite by default and on PostgreSQL with DATABASE_URL."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test writes uploads into its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings, request):
    """Argon2 is slow by design; tests that are not about hashing use a fast hasher."""
    if request.node.get_closest_marker("real_hashers") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Overrides written by a test are rolled back with it; the calendar cache must forget them."""
    from egov.core import calendar

    calendar.invalidate(rebuild=True)
    yield
    calendar.invalidate(rebuild=True)


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: run with DATABASE_URL=postgres://… (the CI's second pass does)"
        )
    return True
