"""Settings: every environment variable is documented; production turns security on."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from egov import env

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_variable_is_documented():
    documented = set(
        re.findall(r"^\| `([A-Z0-9_]+)` \|", (ROOT / "docs" / "configuration.md").read_text(), re.M)
    )
    in_code = set(env.REGISTRY)
    assert in_code - documented == set(), (
        "add these to docs/configuration.md (python manage.py env_doc --write)"
    )
    assert documented - in_code == set(), (
        "docs/configuration.md lists variables the code no longer reads"
    )


def _settings_in_subprocess(extra_env: dict[str, str], expr: str) -> subprocess.CompletedProcess:
    code = f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='egov.settings'; from django.conf import settings; print(repr(({expr})))"
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith("EGOV_") and k != "DATABASE_URL"
    }
    environ.update(extra_env)
    environ["PYTHONPATH"] = str(ROOT / "src")
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, cwd=ROOT
    )


def test_production_requires_a_secret_key():
    result = _settings_in_subprocess({"EGOV_PRODUCTION": "1"}, "settings.DEBUG")
    assert result.returncode != 0 and "EGOV_SECRET_KEY must be set" in result.stderr


def test_production_turns_on_security_settings():
    expr = "settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS, settings.ALLOWED_HOSTS"
    result = _settings_in_subprocess(
        {
            "EGOV_PRODUCTION": "1",
            "EGOV_SECRET_KEY": "x" * 50,
            "EGOV_ALLOWED_HOSTS": "egov.example.vn",
        },
        expr,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(False, True, True, 31536000, ['egov.example.vn'])"


def test_database_url_switches_to_postgresql_and_storage_to_s3():
    expr = "settings.DATABASES['default']['ENGINE'], settings.STORAGES['default']['BACKEND']"
    result = _settings_in_subprocess(
        {
            "DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
            "EGOV_STORAGE": "s3",
            "EGOV_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        },
        expr,
    )
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip()
        == "('django.db.backends.postgresql', 'storages.backends.s3.S3Storage')"
    )


def test_defaults_are_the_embedded_set_up():
    result = _settings_in_subprocess(
        {}, "settings.DATABASES['default']['ENGINE'], settings.STORAGES['default']['BACKEND']"
    )
    assert (
        result.stdout.strip()
        == "('django.db.backends.sqlite3', 'django.core.files.storage.FileSystemStorage')"
    )


def test_bad_values_give_clear_errors():
    result = _settings_in_subprocess({"EGOV_STORAGE": "ftp"}, "settings.DEBUG")
    assert "EGOV_STORAGE must be 'local' or 's3'" in result.stderr
    result = _settings_in_subprocess({"EGOV_LOGIN_MAX_FAILURES": "many"}, "settings.DEBUG")
    assert "EGOV_LOGIN_MAX_FAILURES must be an integer" in result.stderr


@pytest.mark.real_hashers
@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2():
    from egov.accounts.tests.factories import UserFactory

    assert UserFactory().password.startswith("argon2$")
