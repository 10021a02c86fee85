"""One settings file for every mode, driven by environment variables.

Default (nothing set): DEBUG, SQLite under ``var/``, Celery tasks run eagerly, files on local
disk under ``var/media`` (never served by URL), console e-mail.

Production (``APP_ENV=production``): ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL``
(PostgreSQL) and ``CELERY_BROKER_URL`` (Redis) are required; secure cookies, HSTS, CSP and
WhiteNoise's manifest storage are on. See ``.env.example`` for every variable.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def gettext_noop(message: str) -> str:
    """Marks a default for the message catalogue (``makemessages``) without translating it:
    settings cannot import Django's translation machinery."""
    return message


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env(name, default).split(",") if part.strip()]


def weak_secret(value: str) -> str:
    """Why ``value`` is too weak for a production secret ("" if it is not): the thresholds of
    Django's ``check --deploy`` (security.W009), refused at start instead of warned about."""
    from django.core.checks.security import base as deploy

    if len(value) < deploy.SECRET_KEY_MIN_LENGTH:
        return f"{len(value)} characters, fewer than {deploy.SECRET_KEY_MIN_LENGTH}"
    if len(set(value)) < deploy.SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return (
            f"{len(set(value))} distinct characters, "
            f"fewer than {deploy.SECRET_KEY_MIN_UNIQUE_CHARACTERS}"
        )
    if value.startswith(deploy.SECRET_KEY_INSECURE_PREFIX):
        return f"it starts with {deploy.SECRET_KEY_INSECURE_PREFIX!r} (Django's throw-away key)"
    return ""


APP_ENV = env("APP_ENV", "development").lower()
PRODUCTION = APP_ENV == "production"

if PRODUCTION:
    _missing = [
        name
        for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL")
        if not env(name)
    ]
    if _missing:
        raise ImproperlyConfigured(
            "APP_ENV=production requires these environment variables, which are not set: "
            + ", ".join(_missing)
            + ". See .env.example."
        )
    if not env("DATABASE_URL").startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured("APP_ENV=production requires a PostgreSQL DATABASE_URL.")
    if not env("CELERY_BROKER_URL").startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured("APP_ENV=production requires a Redis CELERY_BROKER_URL.")
    if not env("INTEGRITY_KEY"):
        raise ImproperlyConfigured(
            "APP_ENV=production requires INTEGRITY_KEY (the key that seals 확정 sheets, the score "
            "audit trail and backup manifests; keep it outside the database). See .env.example."
        )
    if weak_secret(env("INTEGRITY_KEY")) or env("INTEGRITY_KEY") == env("SECRET_KEY"):
        raise ImproperlyConfigured(
            "APP_ENV=production refuses a weak INTEGRITY_KEY: "
            + (weak_secret(env("INTEGRITY_KEY")) or "it equals SECRET_KEY")
            + ". Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if weak_secret(env("SECRET_KEY")):
        raise ImproperlyConfigured(
            "APP_ENV=production refuses a weak SECRET_KEY: "
            + weak_secret(env("SECRET_KEY"))
            + ". Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = env("SECRET_KEY") or "dev-only-insecure-key-not-for-production-use-0123456789"
# Keyed tamper evidence (evaluation/integrity.py, ADR 014): 확정 sheet hashes, the score audit
# chain and backup manifests are HMACs under this key, which never enters the database or a
# backup. Rotation: put the previous key(s) in INTEGRITY_KEYS_OLD (verification only).
INTEGRITY_KEY = env("INTEGRITY_KEY") or "dev-only-integrity-key-not-for-production-0123456789ab"
INTEGRITY_KEYS_OLD = env_list("INTEGRITY_KEYS_OLD")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "bootstrap",  # django-bootstrap-static: Bootstrap's own files, collected by collectstatic
    "axes",
    "csp",
    # second factor (TOTP + recovery codes) for the people who hold the data (issue 15)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "institutions",
    "indicators",
    "evaluation",
    "reports",
    "notifications",
    "operations",  # backup/restore and demo data of every app (docs/decisions/019)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language comes from the switcher's cookie only, never from Accept-Language: Korean
    # stays the default (docs/decisions/020-languages.md).
    "config.middleware.CookieLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # request.user.is_verified(); then REQUIRE_2FA sends staff to enrol or enter a code.
    "django_otp.middleware.OTPMiddleware",
    "institutions.second_factor.SecondFactorMiddleware",
    # Staff and evaluators: logged out after SESSION_IDLE_TIMEOUT minutes without a request.
    "institutions.sessions.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # A view that fails because the database is unreachable answers 503 in Korean, not 500.
    "config.middleware.DatabaseUnavailableMiddleware",
]

if PRODUCTION:
    # WhiteNoise serves the collected, hashed static files; in development runserver does.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "institutions.context_processors.roles",
                "institutions.context_processors.site",
                "notifications.context_processors.unread",
                "config.js_messages.js_messages",  # the scripts' messages in English (ADR 020)
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
if not env("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded SQLite default lives here
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default behaves like PostgreSQL under concurrent writes: every transaction
    # takes the write lock at BEGIN (IMMEDIATE) and a second writer waits for it (timeout, s)
    # instead of failing with "database is locked" when both try to upgrade a read lock. Two
    # tabs saving one item then get 200 and 409 (stale version), not 200 and 503 (issue 14).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": env_int("SQLITE_TIMEOUT_SECONDS", 20)}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and log-in -----------------------------------------------------------------------
AUTH_USER_MODEL = "institutions.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must come first: it counts failures and locks out
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock a username out after repeated failures, whatever the address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# By username only: agencies sit behind one NAT address, and an address lock-out would lock out
# a whole office after one person's typos (hence axes.W006 is silenced below).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The address axes records comes from the same rule as the access logs: X-Forwarded-For only
# through TRUSTED_PROXY_COUNT reverse proxies, REMOTE_ADDR otherwise (institutions/client_ip.py).
AXES_CLIENT_IP_CALLABLE = "institutions.client_ip.client_ip"
# Reverse proxies in front of the application that append to X-Forwarded-For (nginx's
# $proxy_add_x_forwarded_for). 0: REMOTE_ADDR is the client. The documented compose set-up with
# one nginx in front: 1. Never more than the proxies there are: an extra one trusts the client.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Staff (관리자, 관리책임자) and evaluators are logged out after this many minutes without a
# request (a warning and a 연장 button come a minute before), and their session ends when the
# browser closes (institutions/sessions.py). 0 turns the idle time-out off.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30)
# Second factor (TOTP, django-otp; institutions/second_factor.py): admins and managers enrol an
# authenticator and enter a code after the password -- evaluators too with
# REQUIRE_2FA_EVALUATORS. On by default in production, off in the embedded default so the demo
# accounts work without a phone (README: how to try it).
REQUIRE_2FA = env_bool("REQUIRE_2FA", default=PRODUCTION)
REQUIRE_2FA_EVALUATORS = env_bool("REQUIRE_2FA_EVALUATORS", default=False)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "인증평가시스템")

# --- Internationalisation -------------------------------------------------------------------
# Korean is the source language and the default; English is a translation chosen with the
# switcher (the django_language cookie), never by the browser's Accept-Language. Message ids are
# the Korean strings; catalogues: <app>/locale/en/ and locale/en/ for templates/ and config/.
# PDF reports and e-mails are Korean whatever the page language (docs/decisions/020-languages.md).
LANGUAGE_CODE = "ko-kr"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers follow the language through Django's own locale formats (an unformatted
# date is "2026년 3월 5일" in Korean, "March 5, 2026" in English); the explicit formats in the
# templates are ISO ("Y-m-d H:i"), the same in both languages.
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files live outside the web root and are never served from a URL of their own:
# every download goes through a permission-checked view.
MEDIA_ROOT = Path(env("MEDIA_ROOT") or VAR_DIR / "media")
# No URL serves MEDIA_ROOT: no urlpattern or web-server rule maps this prefix, so a storage
# .url() (which falls back to MEDIA_URL) yields a path that 404s (tested in test_evidence.py).
# Files are only ever streamed by permission-checked views. The prefix exists because Django's
# test live server insists on a string here.
MEDIA_URL = "/media-is-never-served/"

STORAGE_BACKEND = env("STORAGE_BACKEND", "local").lower()
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env("AWS_S3_REGION_NAME") or None,
            "access_key": env("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploads larger than this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = env("FILE_UPLOAD_TEMP_DIR") or None

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or None
# With no broker configured, tasks run in-process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = env_bool(
    "CELERY_TASK_ALWAYS_EAGER", default=not (PRODUCTION or bool(CELERY_BROKER_URL))
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 200)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
# A late-acked task whose worker died is redelivered after this many seconds. A publish (a
# report request) gives up after bounded waits when Redis is down or hung, instead of blocking
# the request for ever: connect and socket timeouts (the socket one must exceed kombu's 1 s
# BRPOP) and at most two retries. The report then waits for a sweep (docs/decisions/010).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    "socket_connect_timeout": env_int("CELERY_BROKER_CONNECT_TIMEOUT", 2),
    "socket_timeout": env_int("CELERY_BROKER_SOCKET_TIMEOUT", 5),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Backups ---------------------------------------------------------------------------------
# A Fernet key (python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key()
# .decode())"): with it, ``manage.py backup`` encrypts the archive and ``restore`` needs it.
# Keep it apart from the archives (a password manager or the secret store), never beside them.
BACKUP_ENCRYPTION_KEY = env("BACKUP_ENCRYPTION_KEY")

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "certeval@localhost")
# Seconds an SMTP connect/read may take before the send fails and is retried (Django's own
# setting, read by the SMTP back end; notifications pass it explicitly too).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)

# --- Notifications (issue 13, docs/decisions/012-notifications-outbox.md) --------------------
# Names in every message's subject, greeting and signature; never hard-coded in templates.
# The defaults are in the English catalogue (the layout shows them translated); a name set in
# the environment is shown as written, in both languages.
SITE_NAME = env("SITE_NAME", gettext_noop("고용서비스 우수기관 인증평가시스템"))
ORGANIZATION_NAME = env("ORGANIZATION_NAME", gettext_noop("인증평가 사무국"))
# Local hour from which send_pending_notifications computes the day's reminders and digest.
NOTIFICATIONS_SCHEDULE_HOUR = env_int("NOTIFICATIONS_SCHEDULE_HOUR", 8)

# --- People: registration, invitations, reset, retention (issue 19, ADR 016) -----------------
# The address links in e-mails point to (no request is at hand when a service sends mail).
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
# Whom an institution contacts when its 사업자등록번호 is already registered, and for help.
SUPPORT_EMAIL = env("SUPPORT_EMAIL", "certeval-help@localhost")
# Password-reset requests: at most N per address per window (seconds), 4N per client address.
PASSWORD_RESET_RATE_LIMIT = (
    env_int("PASSWORD_RESET_PER_ADDRESS", 3),
    env_int("PASSWORD_RESET_WINDOW_SECONDS", 3600),
)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_SECONDS", 24 * 3600)
# How long a registration's confirmation link and an invitation link stay valid.
REGISTRATION_CONFIRM_MAX_AGE = env_int("REGISTRATION_CONFIRM_MAX_AGE_SECONDS", 3 * 24 * 3600)
INVITATION_MAX_AGE = env_int("INVITATION_MAX_AGE_SECONDS", 7 * 24 * 3600)
# The version of the 개인정보 수집·이용 동의 text a registration agreed to.
PRIVACY_CONSENT_VERSION = "2026-12"
# 제척: an evaluator affiliated with an institution within this many years (before today) may
# not evaluate it (manual and automatic assignment refuse, the conflicts page shows why).
CONFLICT_AFFILIATION_YEARS = env_int("CONFLICT_AFFILIATION_YEARS", 3)
# Retention periods in days (개인정보 보유기간); ``manage.py purge_expired`` applies them.
RETENTION = {
    # evidence files and their rows, counted from the cycle's 확정
    "evidence_after_final": env_int("RETENTION_EVIDENCE_DAYS", 5 * 365),
    # evidence and report access logs
    "access_log": env_int("RETENTION_ACCESS_LOG_DAYS", 2 * 365),
    # rejected registrations (and their contact data), from the rejection
    "rejected_registration": env_int("RETENTION_REJECTED_REGISTRATION_DAYS", 365),
    # unconfirmed registrations whose link was never used, from the sign-up
    "unconfirmed_registration": env_int("RETENTION_UNCONFIRMED_REGISTRATION_DAYS", 30),
    # deactivated accounts' personal data (name, e-mail), from the deactivation
    "inactive_account": env_int("RETENTION_INACTIVE_ACCOUNT_DAYS", 3 * 365),
}

# --- Forms ----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Nothing is framed, except evidence previews, which opt in to same-origin framing per view.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # /healthz is probed over plain HTTP by the load balancer and docker-compose.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# django-csp 4: everything from our own origin, no inline script, nothing framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Product settings -----------------------------------------------------------------------
# Evidence upload limits (bytes); see evaluation/evidence handling.
EVIDENCE_MAX_FILE_BYTES = env_int("EVIDENCE_MAX_FILE_BYTES", 50 * 1024 * 1024)
EVIDENCE_MAX_APPLICATION_BYTES = env_int("EVIDENCE_MAX_APPLICATION_BYTES", 1024 * 1024 * 1024)
# Files on one item and in one upload request (evaluation/services/evidence.py).
EVIDENCE_MAX_FILES_PER_ITEM = env_int("EVIDENCE_MAX_FILES_PER_ITEM", 30)
EVIDENCE_MAX_FILES_PER_REQUEST = env_int("EVIDENCE_MAX_FILES_PER_REQUEST", 20)
# ZIP-based documents (HWPX, DOCX, XLSX, PPTX), judged from the central directory without
# extracting: declared uncompressed total, compression ratio, number of members.
EVIDENCE_ZIP_MAX_UNCOMPRESSED_BYTES = env_int(
    "EVIDENCE_ZIP_MAX_UNCOMPRESSED_BYTES", 512 * 1024 * 1024
)
EVIDENCE_ZIP_MAX_RATIO = env_int("EVIDENCE_ZIP_MAX_RATIO", 100)
EVIDENCE_ZIP_MAX_MEMBERS = env_int("EVIDENCE_ZIP_MAX_MEMBERS", 10_000)
# Demo data may never be loaded into a production database.
SEED_DEMO_ALLOWED = not PRODUCTION
# 인증서 (ADR 017): an institution whose certification of a programme ends within this many
# days of a new cycle's reference date applies to it as 재인증.
RENEWAL_WINDOW_DAYS = env_int("RENEWAL_WINDOW_DAYS", 365)
# The public /verify/<code>/ page: at most N requests per client address per window (seconds).
VERIFY_RATE_LIMIT = (env_int("VERIFY_RATE_LIMIT", 30), env_int("VERIFY_RATE_WINDOW_SECONDS", 60))
