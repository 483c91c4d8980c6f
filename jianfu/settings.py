"""One env-driven settings module: SQLite by default, DATABASE_URL switches to PostgreSQL."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JIANFU_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    """Read NAME from the environment, or from the file named by NAME_FILE (docker/systemd secrets)."""
    if f"{name}_FILE" in os.environ:
        return Path(os.environ[f"{name}_FILE"]).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG")
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = [h for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "simple_history",
    "jianfu.core",
    "jianfu.audit",
    "jianfu.orgs",
    "jianfu.catalog",
    "jianfu.access",
    "jianfu.registry",
    "jianfu.orders",
    "jianfu.deliberations",
    "jianfu.ledger",
    "jianfu.certificates",
    "jianfu.evaluation",
    "jianfu.cases",
    "jianfu.monitor",
    "jianfu.portal",
    "jianfu.ops",
    "jianfu.demo",
    "jianfu.scale",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jianfu.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "jianfu.core.middleware.RefuseNulMiddleware",
    "jianfu.core.middleware.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "jianfu.urls"
WSGI_APPLICATION = "jianfu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "jianfu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jianfu.ops.context_processors.navigation",
                "jianfu.ops.context_processors.schedule_notice",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'jianfu.sqlite3'}",
        conn_max_age=int(env("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the page server read while the importer writes.
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "jianfu.orgs.backends.ModelPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Login throttling: five failures for one username from one address lock it for an hour.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "jianfu" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "jianfu" / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
# "fragments" holds rendered pieces of pages whose key names the data they show (a published catalog
# version, a district's last monitor computation), so a stale piece is never served: each worker
# keeps its own in memory. "default" is for counters (throttles); production shares it in the database.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "jianfu-default"},
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "jianfu-fragments",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

# Uploads (imports) up to 20 MB; bigger files are refused before they reach a parser.
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Security baseline. Nothing is loaded from another host, so 'self' is enough for scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and not env_bool("JIANFU_INSECURE_HTTP"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

JIANFU = {
    # 慈溪 (seed 002): 40 m² of office and activity space per 100 households; one worker per 300 households.
    "SPACE_M2_PER_100_HOUSEHOLDS": 40,
    "HOUSEHOLDS_PER_WORKER": 300,
    # 德城 (seed 003): a grid holds 300–500 households; a community about 3 000.
    "GRID_HOUSEHOLDS_MIN": 300,
    "GRID_HOUSEHOLDS_MAX": 500,
    # Access (民发〔2015〕136号 and the city rules): apply 30 working days ahead, decide within 15.
    "APPLY_AHEAD_WORKDAYS": 30,
    "DECISION_WORKDAYS": 15,
    "CONSULTATION_WORKDAYS": 5,
    # Consultation may close early once this share of the consulted have answered.
    "CONSULTATION_QUORUM": 0.5,
    # Burden preview: worker-hours per month of delegated work one community can carry.
    "COMMUNITY_MONTHLY_HOURS_CAP": 160,
    # 只报一次: report templates in force per department until a district's access office sets its own
    # cap (ledger.DistrictReportCap). The number is the office's setting, not a seed figure: the seeds
    # only ask that ledgers and reports be cut back. Minutes a worker needs per typed field.
    "LEDGER_TEMPLATE_CAP": 5,
    "LEDGER_MINUTES_PER_FIELD": 2,
    # Burden monitor: the baseline year (None: the first year with figures); the minutes one stamped
    # certificate and one closed case are reckoned to take; index weights (monitor/indicators.py).
    "MONITOR_BASELINE_YEAR": None,
    "MONITOR_MINUTES_PER_CERTIFICATE": 15,
    "MONITOR_MINUTES_PER_CASE": 45,
    # Hours reckoned for a checked or reported arrival whose item gives none (monitor/arrivals.py):
    # unapproved work names no hours of its own, so one worker-hour stands for it.
    "MONITOR_ARRIVAL_HOURS": 1,
    "BURDEN_INDEX_WEIGHTS": {},
    # 德城 (seed 003): a community holds about 3 000 households; outside this band it is flagged.
    "COMMUNITY_HOUSEHOLDS_MIN": 1500,
    "COMMUNITY_HOUSEHOLDS_MAX": 4500,
    # Work refused outright at submission, with the rule that says so. Patterns are matched on the
    # application's text after folding traditional script to simplified.
    "FORBIDDEN_WORK": [
        {
            "code": "revenue",
            "rule": "民发〔2015〕136号：不得将招商引资、协税护税、经济创收等任务交由社区承担",
            "pattern": r"招商引资|协税护税|代征.{0,4}税|经济创收|创收指标",
        },
        {
            "code": "enforcement",
            "rule": "民发〔2015〕136号：不得将社区作为行政执法、拆迁拆违、环境整治、城市管理等工作的责任主体",
            "pattern": (
                r"(社区|居委会)[^。；;]{0,15}(负责|承担|牵头|责任主体|具体实施)[^。；;]{0,15}"
                r"(拆迁|拆违|违章建筑|执法|环境整治|城市管理)"
                r"|(拆迁|拆违|执法|环境整治|城市管理)[^。；;]{0,15}(由|以)(社区|居委会)[^。；;]{0,10}(负责|承担|牵头|为责任主体)"
            ),
        },
        {
            "code": "own_duty",
            "rule": "社区工作准入规定：部门和政府的法定职责不得转嫁社区",
            "pattern": r"本部门的?法定职责|代替?部门(履行|履职)",
        },
    ],
}

# Keys that encrypt ID numbers and phones at rest (comma-separated base64; first encrypts, all decrypt).
PII_KEYS = [k for k in env("JIANFU_PII_KEYS").split(",") if k]
