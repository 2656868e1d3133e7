"""Settings shared by every environment; values that differ per machine come from the environment."""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from . import identity

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _data_dir() -> Path:
    """Where the laptop installation keeps its database and generated secret key (outside the repository)."""
    configured = os.environ.get("KUNDENNETZ_HOME")
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "kundennetz"


DATA_DIR = _data_dir()


def _private_dir(path: Path) -> None:
    """A directory only its owner may read (0700): it holds the database and the secret key."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_uid == os.getuid():
        os.chmod(path, 0o700)


def _private_file(path: Path) -> None:
    """The SQLite file, created empty and private (0600) before SQLite opens it; SQLite gives its WAL and
    shared-memory files the same permissions."""
    _private_dir(path.parent) if path.parent == DATA_DIR else path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    elif path.stat().st_uid == os.getuid():
        os.chmod(path, 0o600)


def _secret_key() -> str:
    """Take the key from the environment, or generate one on first run and keep it in the data directory."""
    key = os.environ.get("KUNDENNETZ_SECRET_KEY")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    _private_dir(DATA_DIR)
    key = secrets.token_urlsafe(64)
    # A private file: the key signs sessions and password-reset tokens.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


SECRET_KEY = _secret_key()
DEBUG = False
ALLOWED_HOSTS = env_list("KUNDENNETZ_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("KUNDENNETZ_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "kundennetz.core",
    "kundennetz.accounts",
    "kundennetz.qualification",
    "kundennetz.portfolio",
    "kundennetz.interactions",
    "kundennetz.planning",
    "kundennetz.imports",
    "kundennetz.winloss",
    "kundennetz.network",
    "kundennetz.sample",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kundennetz.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "kundennetz.core.security.SecurityHeadersMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "kundennetz.core.idempotency.IdempotencyMiddleware",
    "kundennetz.core.concurrency.ApiWriteMiddleware",
    "axes.middleware.AxesMiddleware",
    "kundennetz.core.busy.BusyDatabaseMiddleware",
]

ROOT_URLCONF = "kundennetz.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kundennetz.core.context_processors.kundennetz",
            ],
            # {% form_token %} in every form guards against double submission (see core.idempotency).
            "builtins": ["kundennetz.core.templatetags.form_tokens"],
        },
    },
]

WSGI_APPLICATION = "kundennetz.wsgi.application"

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'kundennetz.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:") and not str(DATABASES["default"]["NAME"]).startswith("file:"):
        _private_file(Path(DATABASES["default"]["NAME"]))
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets readers work while one writer commits; IMMEDIATE avoids lock upgrades failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
    }

# Long work (imports, undo, recomputes, scenarios, exports, reminders) runs as tasks: queued in the
# database, run by `kundennetz worker` (one is started by `kundennetz serve`). See core/jobs.py.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Scheduled by the workers themselves (no cron): the daily reminders; weekly jobs take `"every": "weekly"`
# and a `"weekday"` (0 = Monday), e.g. a re-fit of the win model.
KUNDENNETZ_SCHEDULE = [
    {"name": "reminders", "task": "kundennetz.interactions.tasks.send_daily_reminders", "every": "daily",
     "at": os.environ.get("KUNDENNETZ_REMINDERS_AT", "06:00")},
    # The stored per-account strategy and planned figures follow the calendar (a new year, a new quarter).
    {"name": "stored_figures", "task": "kundennetz.planning.tasks.refresh_stored_figures", "every": "daily",
     "at": os.environ.get("KUNDENNETZ_FIGURES_AT", "01:30")},
    # Networks larger than the management view recomputes on the spot get fresh figures every night.
    {"name": "consistency", "task": "kundennetz.interactions.tasks.refresh_consistency", "every": "daily",
     "at": os.environ.get("KUNDENNETZ_CONSISTENCY_AT", "02:00")},
    # Customer groups and stages changed without being saved (bulk updates): their sort keys onto their rows.
    {"name": "sort_keys", "task": "kundennetz.accounts.tasks.pass_on_all_sort_keys", "every": "daily",
     "at": os.environ.get("KUNDENNETZ_SORT_KEYS_AT", "01:00")},
    {"name": "win_model", "task": "kundennetz.winloss.tasks.refit_win_model", "every": "weekly", "weekday": 0,
     "at": os.environ.get("KUNDENNETZ_WIN_MODEL_AT", "05:00")},
]
# Files the background work produces (exports) and uploads waiting for a worker.
MEDIA_ROOT = os.environ.get("KUNDENNETZ_MEDIA_ROOT") or str(DATA_DIR / "files")
# Uploads up to 100 MB, streamed to disk above 2.5 MB (never read whole into memory).
KUNDENNETZ_UPLOAD_MAX_BYTES = int(os.environ.get("KUNDENNETZ_UPLOAD_MAX_MB", "100")) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o600

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures for the same user name from the same address lock it for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address, not the reverse proxy's: behind a proxy every request comes from the proxy, and
# five bad logins from anyone would lock the user for everyone. Name the proxies (addresses or networks,
# comma-separated) whose X-Forwarded-For is believed; see core.security.client_ip and the README.
KUNDENNETZ_TRUSTED_PROXIES = env_list("KUNDENNETZ_TRUSTED_PROXIES", [])
AXES_CLIENT_IP_CALLABLE = "kundennetz.core.security.client_ip"

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts, styles, images and connections from this site only; no
# inline script, no eval, no framing, forms post only here. Inline style attributes (bars, chart widths) stay allowed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        # blob: for the portfolio picture drawn into a PNG in the browser (portfolio.js).
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Further headers set by core.security.SecurityHeadersMiddleware.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"

LANGUAGE_CODE = identity.LANGUAGE_CODE
LANGUAGES = [("de-ch", _("German")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["kundennetz.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("KUNDENNETZ_TIME_ZONE", "Europe/Zurich")
# Grouping happens in the number/money filters only: a bare {{ id }} in a link must stay 1008, not 1'008.
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]  # the project-wide CSS and htmx live outside any app
# Without collected files (laptop, tests) WhiteNoise serves straight from the apps; production collects them.
STATIC_ROOT = os.environ.get("KUNDENNETZ_STATIC_ROOT") or None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The app ships its static files inside the package; serving them through the finders needs no collectstatic step.
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = os.environ.get("KUNDENNETZ_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("KUNDENNETZ_FROM_EMAIL", "kundennetz@localhost")

# /api/docs and /api/openapi.json without a login (the laptop); the production settings require one.
KUNDENNETZ_API_DOCS_PUBLIC = env_bool("KUNDENNETZ_API_DOCS_PUBLIC", True)

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Our own company's name as it appears in the checklist ("Liegt die … Lösung innerhalb des Budgets?").
KUNDENNETZ_COMPANY_NAME = identity.company_name()
KUNDENNETZ_PAGE_SIZE = 25

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KUNDENNETZ_LOG_LEVEL", "WARNING")},
}
