"""Production settings: `DJANGO_SETTINGS_MODULE=jianfu.settings_production` (deploy/README.md).

Everything of `jianfu.settings`, plus what a production site needs. What is missing or unsafe stops
the process at start-up with a message naming the variable, instead of a site that half works.

Required environment (each also as NAME_FILE, a file holding the value, for systemd credentials):
  SECRET_KEY        at least 50 random characters
  ALLOWED_HOSTS     the site's host names, comma-separated
  DATABASE_URL      postgres://user:password@host:port/name — PostgreSQL only: row locks
                    (select_for_update), COPY for bulk imports, concurrent writers
  JIANFU_PII_KEYS   keys that encrypt ID numbers and phones (jianfu/core/crypto.py)
Optional:
  DB_CONN_MAX_AGE   seconds a worker keeps its database connection (default 60; 0 closes after each request)
  STATIC_ROOT       where `collectstatic` writes and WhiteNoise serves from (default var/static)
  MEDIA_ROOT        uploaded files (default var/media) — the only local state; back it up with the database
  LOG_LEVEL         default INFO; everything goes to stdout (journald under systemd)
  SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS  as in jianfu.settings

The site is served over HTTPS by a reverse proxy (deploy/nginx.conf) that sets X-Forwarded-Proto;
plain HTTP is never allowed here (JIANFU_INSECURE_HTTP is refused).

No read replica: the burden monitor and reports read materialised figures (a few rows per community
and month), so the primary serves them cheaply, and a lagging replica would show figures older than
the page that just changed them. README "Production and scaling" says more.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from jianfu.settings import *  # noqa: F403
from jianfu.settings import CACHES, DATABASES, MIDDLEWARE, PII_KEYS, SECRET_KEY, STORAGES, VAR_DIR, env, env_bool


def _require(condition: object, message: str) -> None:
    if not condition:
        raise ImproperlyConfigured(f"jianfu.settings_production: {message}")


_require(not env_bool("DJANGO_DEBUG"), "DJANGO_DEBUG must be off in production.")
_require(not env_bool("JIANFU_INSECURE_HTTP"), "JIANFU_INSECURE_HTTP is for tests; production is served over HTTPS.")
DEBUG = False
# The scale generator writes benchmark data and accounts with a published password: never here.
# Nor the demo district (load_demo), for the same reason: its accounts share a published password.
INSTALLED_APPS = [app for app in INSTALLED_APPS if app not in ("jianfu.demo", "jianfu.scale")]  # noqa: F405

_require(
    len(SECRET_KEY) >= 50 and len(set(SECRET_KEY)) >= 5 and not SECRET_KEY.startswith("django-insecure"),
    "SECRET_KEY must be at least 50 random characters, e.g. "
    '`python -c "from django.core.management.utils import get_random_secret_key as k; print(k())"`.',
)

ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS").split(",") if h.strip()]
_require(ALLOWED_HOSTS, "ALLOWED_HOSTS must name the site's host names (comma-separated).")

_require(env("DATABASE_URL"), "DATABASE_URL must point to PostgreSQL (postgres://user:password@host:port/name).")
_require(
    DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql",
    "DATABASE_URL must be a PostgreSQL URL (postgres://…); SQLite is for one machine and the demo.",
)
# Each gunicorn worker keeps one connection, checked before reuse so a restarted or failed-over
# server costs one retry instead of an error page.
DATABASES["default"]["CONN_MAX_AGE"] = int(env("DB_CONN_MAX_AGE", "60"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

_require(PII_KEYS, "JIANFU_PII_KEYS must hold the keys that encrypt ID numbers and phones (jianfu/core/crypto.py).")

# Static files: collected once per release (`manage.py collectstatic`), served by WhiteNoise from
# STATIC_ROOT with hashed names, compressed, cached for a year. No CDN: intranets have no internet.
STATIC_ROOT = Path(env("STATIC_ROOT") or VAR_DIR / "static")
MEDIA_ROOT = Path(env("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
_require("whitenoise.middleware.WhiteNoiseMiddleware" in MIDDLEWARE, "WhiteNoise must serve the static files.")

# Workers keep no state of their own: sessions are in the database (Django's default), and so is the
# default cache, which throttles wrong ballot codes, so every worker on every machine counts the same
# failures. Create its table once: `manage.py createcachetable` (make serve-prod does). Other caches
# (rendered fragments keyed by version) may stay per process.
CACHES = {
    **CACHES,
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "jianfu_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}

# HTTPS only, behind a proxy that says so in X-Forwarded-Proto (and strips what clients send).
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # local health checks over plain HTTP
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is for public hosts listed by browsers; intranet hosts never are.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # 404s and 403s are logged at WARNING by django.request; only server errors matter at INFO.
        "django.request": {"level": "ERROR"},
        "django.security": {"level": "WARNING"},
    },
}
