"""The one settings module of egov. Every value comes from the environment through the typed
helpers in ``egov.env``; the defaults are the embedded set-up (SQLite file, local media folder,
one web process and one task worker). ``EGOV_PRODUCTION=1`` turns on the security settings.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from egov import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # the checkout
VAR_DIR = Path(
    env.get_str(
        "EGOV_VAR_DIR",
        str(BASE_DIR / "var"),
        "Folder for the SQLite file, media and logs in the embedded set-up",
    )
)

PRODUCTION = env.get_bool(
    "EGOV_PRODUCTION", False, "Production mode: security settings on, DEBUG off"
)
DEBUG = env.get_bool("EGOV_DEBUG", not PRODUCTION, "Django DEBUG (never on in production)")
if PRODUCTION:
    DEBUG = False

_DEV_SECRET = "egov-development-secret-key-not-for-production-use-0123456789"
SECRET_KEY = env.get_str(
    "EGOV_SECRET_KEY",
    "" if PRODUCTION else _DEV_SECRET,
    "Django SECRET_KEY (required in production)",
)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET):
    raise RuntimeError("EGOV_SECRET_KEY must be set to a secret value when EGOV_PRODUCTION=1")

ALLOWED_HOSTS = env.get_list(
    "EGOV_ALLOWED_HOSTS",
    [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"],
    "Host names the site answers to (strict in production)",
)
CSRF_TRUSTED_ORIGINS = env.get_list(
    "EGOV_CSRF_TRUSTED_ORIGINS", [], "Origins trusted for CSRF, e.g. https://egov.example.vn"
)
SITE_URL = env.get_str(
    "EGOV_SITE_URL",
    "http://127.0.0.1:8000",
    "Public base URL, used in links, QR codes and OIDC redirects",
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "csp",
    # foundation
    "egov.core",
    "egov.organizations",
    "egov.accounts",
    # domains
    "egov.signing",
    "egov.procedures",
    "egov.dossiers",
    "egov.notifications",
    "egov.documents",
    # faces
    "egov.office",
    "egov.portal",
    "egov.api",
    "egov.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "egov.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "egov.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "egov.core.middleware.LogContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "egov.urls"
WSGI_APPLICATION = "egov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "egov.office.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env.get_str(
    "DATABASE_URL",
    "",
    "Database URL; empty = embedded SQLite file in EGOV_VAR_DIR (postgres://user@host:5432/name for PostgreSQL)",
)
# Every variable is read whatever the branch, so that all are registered (and documented).
_conn_max_age = env.get_int(
    "EGOV_DB_CONN_MAX_AGE", 60, "Seconds a PostgreSQL connection is kept open"
)
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=_conn_max_age)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "egov.sqlite3",
            "OPTIONS": {
                # WAL lets the web server and the task worker read while the other writes;
                # IMMEDIATE makes writers queue instead of failing on lock upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["egov.accounts.backends.EgovBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "office:home"
LOGOUT_REDIRECT_URL = "accounts:login"
EGOV_LOGIN_MAX_FAILURES = env.get_int(
    "EGOV_LOGIN_MAX_FAILURES", 5, "Failed logins in a row before an account is locked"
)
EGOV_LOGIN_LOCK_MINUTES = env.get_int(
    "EGOV_LOGIN_LOCK_MINUTES", 15, "Minutes an account stays locked after too many failed logins"
)
EGOV_LOGIN_RATE_LIMIT = env.get_int(
    "EGOV_LOGIN_RATE_LIMIT",
    50,
    "Failed logins allowed per client address per 15 minutes; after that every login from it is refused until the window ends",
)
EGOV_TOTP_ISSUER = env.get_str(
    "EGOV_TOTP_ISSUER", "egov", "Issuer name shown in authenticator apps"
)

# OpenID Connect (the national identity provider VNeID, or any OIDC provider).
OIDC_ENABLED = env.get_bool(
    "EGOV_OIDC_ENABLED", False, "Show the OpenID Connect (VNeID) login button"
)
OIDC_PROVIDER_NAME = env.get_str(
    "EGOV_OIDC_PROVIDER_NAME", "VNeID", "Name of the OIDC provider shown on the login button"
)
OIDC_DISCOVERY_URL = env.get_str(
    "EGOV_OIDC_DISCOVERY_URL",
    "",
    "OIDC discovery document URL (…/.well-known/openid-configuration)",
)
OIDC_CLIENT_ID = env.get_str(
    "EGOV_OIDC_CLIENT_ID", "", "OIDC client id registered with the provider"
)
OIDC_CLIENT_SECRET = env.get_str("EGOV_OIDC_CLIENT_SECRET", "", "OIDC client secret")
OIDC_SCOPES = env.get_str(
    "EGOV_OIDC_SCOPES", "openid profile email phone", "Scopes asked of the OIDC provider"
)
OIDC_CITIZEN_ID_CLAIM = env.get_str(
    "EGOV_OIDC_CITIZEN_ID_CLAIM", "citizen_id", "Claim that carries the 12-digit citizen ID number"
)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "src" / "egov" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
FORMAT_MODULE_PATH = ["egov.formats"]

# --- Working-day calendar ---------------------------------------------------------------------
EGOV_OFFICE_HOURS = env.get_str(
    "EGOV_OFFICE_HOURS",
    "07:30-11:30,13:30-17:00",
    "Office hours of a working day, comma-separated HH:MM-HH:MM intervals",
)
EGOV_HOLIDAY_COUNTRY = env.get_str(
    "EGOV_HOLIDAY_COUNTRY", "VN", "Country code for the holidays package"
)
EGOV_CALENDAR_RECHECK_SECONDS = env.get_int(
    "EGOV_CALENDAR_RECHECK_SECONDS",
    10,
    "How often a process re-reads the calendar overrides entered by other processes",
)

# --- One-stop shop ---------------------------------------------------------------------------
EGOV_DOSSIER_CODE_FORMAT = env.get_str(
    "EGOV_DOSSIER_CODE_FORMAT",
    "{agency}-{date:%y%m%d}-{seq:04d}",
    "Dossier code: {agency} = receiving agency code, {date} = day of receipt, {seq} = number of the day (TT 01/2018, TT 03/2025)",
)
EGOV_DOSSIER_DUE_SOON_HOURS = env.get_int(
    "EGOV_DOSSIER_DUE_SOON_HOURS",
    16,
    "Working hours before the due moment from which a dossier is shown as due soon",
)
EGOV_DOSSIER_SIGN_RESULTS = env.get_str(
    "EGOV_DOSSIER_SIGN_RESULTS",
    "when_configured",
    "Sign results at the leader's approval: required (refuse without a key), when_configured (sign when the leader has a key), off",
)
EGOV_PORTAL_TRACKING_LIMIT = env.get_int(
    "EGOV_PORTAL_TRACKING_LIMIT",
    10,
    "Tracking lookups (code + PIN) allowed per client address per 15 minutes; more are refused",
)
EGOV_PORTAL_CODE_LIMIT = env.get_int(
    "EGOV_PORTAL_CODE_LIMIT",
    10,
    "Confirmation codes (citizen registration) sent per client address per 15 minutes",
)
if EGOV_DOSSIER_SIGN_RESULTS not in ("required", "when_configured", "off"):
    raise ValueError("EGOV_DOSSIER_SIGN_RESULTS must be required, when_configured or off")

# --- Official documents ----------------------------------------------------------------------
EGOV_DOCUMENTS_SIGNING = env.get_str(
    "EGOV_DOCUMENTS_SIGNING",
    "when_configured",
    "Sign outgoing documents at approval and issue: required (refuse without keys), when_configured (sign when the leader and the agency have keys), off",
)
if EGOV_DOCUMENTS_SIGNING not in ("required", "when_configured", "off"):
    raise ValueError("EGOV_DOCUMENTS_SIGNING must be required, when_configured or off")
EGOV_DOCUMENTS_TYPE_ABBREVIATIONS = env.get_list(
    "EGOV_DOCUMENTS_TYPE_ABBREVIATIONS",
    [],
    "Override or add document-type abbreviations (NĐ 30/2020 Phụ lục III) as code=ABBR pairs, e.g. quy_dinh=QyĐ",
)
# OCR pre-fill of scanned incoming documents (documents/ocr.py, docs/ocr.md)
EGOV_OCR_TESSERACT = env.get_str("EGOV_OCR_TESSERACT", "tesseract", "Tesseract program")
EGOV_OCR_LANGUAGES = env.get_str(
    "EGOV_OCR_LANGUAGES", "vie", "Tesseract languages (vie alone keeps diacritics best)"
)
EGOV_OCR_DPI = env.get_int("EGOV_OCR_DPI", 300, "Resolution for rasterising scanned PDF pages")
EGOV_OCR_MAX_PAGES = env.get_int(
    "EGOV_OCR_MAX_PAGES", 3, "Pages read from the start of a scan (the last page is read too)"
)
EGOV_OCR_TIMEOUT = env.get_int("EGOV_OCR_TIMEOUT", 120, "Seconds allowed per OCR program run")
EGOV_OCR_PSM = env.get_int("EGOV_OCR_PSM", 3, "Tesseract page segmentation mode")

# --- Files and storage ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(
    env.get_str(
        "EGOV_MEDIA_ROOT",
        str(VAR_DIR / "media"),
        "Folder for uploaded files with the local storage",
    )
)
EGOV_STORAGE = env.get_str(
    "EGOV_STORAGE",
    "local",
    "Where uploads are kept: local (MEDIA_ROOT) or s3 (S3-compatible object storage)",
)
_s3_options = {
    "bucket_name": env.get_str("EGOV_S3_BUCKET", "egov", "S3 bucket name"),
    "endpoint_url": env.get_str(
        "EGOV_S3_ENDPOINT_URL", "", "S3 endpoint URL (MinIO, Ceph, a cloud provider)"
    )
    or None,
    "access_key": env.get_str("EGOV_S3_ACCESS_KEY", "", "S3 access key"),
    "secret_key": env.get_str("EGOV_S3_SECRET_KEY", "", "S3 secret key"),
    "region_name": env.get_str("EGOV_S3_REGION", "", "S3 region") or None,
    "default_acl": None,
    "file_overwrite": False,
}
if EGOV_STORAGE == "s3":
    _default_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}
elif EGOV_STORAGE == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise RuntimeError(f"EGOV_STORAGE must be 'local' or 's3', got {EGOV_STORAGE!r}")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
EGOV_MAX_UPLOAD_MB = env.get_int("EGOV_MAX_UPLOAD_MB", 20, "Largest accepted upload, in MB")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Signing (egov.signing) -----------------------------------------------------------------
EGOV_SIGNING_PKI_DIR = Path(
    env.get_str(
        "EGOV_SIGNING_PKI_DIR",
        str(VAR_DIR / "pki"),
        "Folder of the demo PKI (make_demo_pki): root CA and PKCS#12 files",
    )
)
EGOV_SIGNING_PKCS12_PASSWORD = env.get_str(
    "EGOV_SIGNING_PKCS12_PASSWORD",
    "egov-demo",
    "Password of the PKCS#12 files; the default is for the demo PKI only",
)
EGOV_SIGNING_TSA_URL = env.get_str(
    "EGOV_SIGNING_TSA_URL", "", "RFC 3161 timestamp authority URL; set = PAdES B-T signatures"
)
EGOV_SIGNING_MAX_MB = env.get_int(
    "EGOV_SIGNING_MAX_MB", 50, "Largest PDF accepted for signing, in MB"
)
EGOV_SIGNING_FETCH_REVOCATION = env.get_bool(
    "EGOV_SIGNING_FETCH_REVOCATION",
    False,
    "Validation fetches CRLs/OCSP from the certificates' addresses to show revocation status",
)
EGOV_SIGNING_EMBED_REVOCATION = env.get_bool(
    "EGOV_SIGNING_EMBED_REVOCATION",
    False,
    "Signing fetches revocation data and embeds it in the PDF (DSS): PAdES B-LT",
)
EGOV_SIGNING_CRL_BASE_URL = env.get_str(
    "EGOV_SIGNING_CRL_BASE_URL",
    "",
    "Base URL of the demo CA's CRL put into demo certificates (empty: no distribution point)",
)

# --- Background tasks -----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env.get_str(
            "EGOV_TASKS_BACKEND",
            "django_tasks_db.DatabaseBackend",
            "Tasks backend (django_tasks.backends.immediate.ImmediateBackend runs tasks inline)",
        ),
        "QUEUES": ["default"],
    }
}
EGOV_TASK_MAX_ATTEMPTS = env.get_int(
    "EGOV_TASK_MAX_ATTEMPTS", 5, "Attempts of a background job before it is marked failed"
)
EGOV_TASK_BACKOFF_SECONDS = env.get_int(
    "EGOV_TASK_BACKOFF_SECONDS", 30, "First retry delay; doubles with each attempt"
)
EGOV_WORKER_HEARTBEAT_SECONDS = env.get_int(
    "EGOV_WORKER_HEARTBEAT_SECONDS", 15, "How often the task worker reports it is alive"
)

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "egov.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "egov.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "egov API",
    "DESCRIPTION": "REST API of egov, the open-source e-government platform for Vietnamese local government.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
_ssl_redirect = env.get_bool("EGOV_SSL_REDIRECT", True, "Redirect HTTP to HTTPS in production")
_hsts_seconds = env.get_int("EGOV_HSTS_SECONDS", 31536000, "HSTS max-age in production")
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _ssl_redirect
    SECURE_HSTS_SECONDS = _hsts_seconds
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env.get_str(
    "EGOV_REDIS_URL",
    "",
    "Redis URL for cache and rate limits when several web nodes run; empty = local memory",
)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- Email ----------------------------------------------------------------------------------
EMAIL_HOST = env.get_str("EGOV_EMAIL_HOST", "127.0.0.1", "SMTP server")
EMAIL_PORT = env.get_int("EGOV_EMAIL_PORT", 25, "SMTP port")
EMAIL_BACKEND = env.get_str(
    "EGOV_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend", "Django email backend"
)
DEFAULT_FROM_EMAIL = env.get_str(
    "EGOV_FROM_EMAIL", "egov@localhost", "Sender address of egov's email"
)

# --- Notifications (egov.notifications) ---------------------------------------------------------
EGOV_NOTIFY_SMS_PROVIDER = env.get_str(
    "EGOV_NOTIFY_SMS_PROVIDER",
    "console",
    "How SMS leave egov: console (development: written to the log, not sent) or http (an HTTP SMS gateway)",
)
if EGOV_NOTIFY_SMS_PROVIDER not in ("console", "http"):
    raise ValueError("EGOV_NOTIFY_SMS_PROVIDER must be console or http")
EGOV_NOTIFY_SMS_URL = env.get_str(
    "EGOV_NOTIFY_SMS_URL", "", "URL the HTTP SMS gateway receives messages at (POST JSON)"
)
EGOV_NOTIFY_SMS_TOKEN = env.get_str(
    "EGOV_NOTIFY_SMS_TOKEN", "", "Bearer token of the HTTP SMS gateway (secret, never logged)"
)
EGOV_NOTIFY_SMS_SENDER = env.get_str(
    "EGOV_NOTIFY_SMS_SENDER", "EGOV", "Sender name (brandname) of SMS notifications"
)
EGOV_NOTIFY_EMAIL_FROM = env.get_str(
    "EGOV_NOTIFY_EMAIL_FROM", "", "Sender address of notification email; empty = EGOV_FROM_EMAIL"
)
EGOV_NOTIFY_MAX_ATTEMPTS = env.get_int(
    "EGOV_NOTIFY_MAX_ATTEMPTS",
    6,
    "Attempts to deliver one email or SMS before it is given up (temporary errors only)",
)

# --- Logging (structlog) ----------------------------------------------------------------------
LOG_JSON = env.get_bool(
    "EGOV_LOG_JSON", PRODUCTION, "Write logs as JSON lines (default in production)"
)
LOG_LEVEL = env.get_str("EGOV_LOG_LEVEL", "INFO", "Log level")
from egov.core.logging import configure_logging  # noqa: E402

LOGGING_CONFIG = None
configure_logging(json=LOG_JSON, level=LOG_LEVEL)
