"""A team server behind HTTPS: secrets and hosts from the environment, secure cookies, HSTS."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import env_bool, env_list

if not os.environ.get("KUNDENNETZ_SECRET_KEY"):
    raise ImproperlyConfigured("Set KUNDENNETZ_SECRET_KEY for production (a long random string).")

ALLOWED_HOSTS = env_list("KUNDENNETZ_ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set KUNDENNETZ_ALLOWED_HOSTS for production (comma-separated host names).")

STATIC_ROOT = os.environ.get("KUNDENNETZ_STATIC_ROOT") or str(DATA_DIR / "static")  # noqa: F405

# The API description names every endpoint and field: for signed-in users only.
KUNDENNETZ_API_DOCS_PUBLIC = env_bool("KUNDENNETZ_API_DOCS_PUBLIC", False)

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("KUNDENNETZ_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("KUNDENNETZ_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
