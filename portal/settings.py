"""Sentinella settings: every deployment difference comes from the environment.

`DJANGO_ENV=production` turns on the hardened defaults (HTTPS only, HSTS, secure cookies,
a mandatory SECRET_KEY); everything else is read from variables documented in README.md.
"""

import shutil
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # local state of the embedded mode: test database, media, static, exports
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production.")

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY is required when DJANGO_ENV=production.")
    SECRET_KEY = "insecure-development-key-only-for-the-embedded-demo"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The address and port the portal is served on (`make run`, gunicorn): e-mail links and the
# transparency register's "link al progetto" follow them unless SITE_URL names the public address.
PORT = env.int("PORT", default=8000)
_LINK_HOST = env.str("HOST", default="127.0.0.1")
if _LINK_HOST in {"", "0.0.0.0", "::", "[::]"}:  # noqa: S104 - listening everywhere: link to this machine
    _LINK_HOST = "127.0.0.1"
SITE_URL = env.str("SITE_URL", default=f"http://{_LINK_HOST}:{PORT}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "djangosaml2",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "bootstrap_italia_template",
    "django_countries",
    "csp",
    "portal",
    "funding",
    "projects",
    "inventory",
    "reporting",
]

MIDDLEWARE = [
    "portal.middleware.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.RequestContextMiddleware",
    "portal.security.SecurityEventMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The SAML exchange's own session cookie: the identity provider's answer is a cross-site POST,
    # which never carries the portal's SameSite=Lax session cookie.
    "djangosaml2.middleware.SamlSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.SamlLogoutMiddleware",
    "portal.middleware.RequireMFAMiddleware",
    "portal.middleware.IdleSessionTimeoutMiddleware",
]

ROOT_URLCONF = "portal.urls"
FORM_RENDERER = "portal.forms.BootstrapItaliaRenderer"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Default: an embedded SQLite file. Writers take the lock at BEGIN (IMMEDIATE) and wait up to
# 30 s for it, so two officials acting at once queue instead of seeing "database is locked".
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
else:
    # Persistent connections (a new one costs a TLS/auth round trip per request: 1.3-3.7x fewer
    # req/s measured by bench/bench_http.py), checked before reuse so a restarted server is survived.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("CONN_HEALTH_CHECKS", default=True))
    # The lists read a row with its related rows in one query (select_related: 7-9 tables). With
    # PostgreSQL's default (8) the planner searched every join order of them at each request: 20-30
    # ms of planning for a 0.5 ms query (the deliverables' register). Six keeps that search for the
    # joins that matter and follows the ORM's order (the listed table first) beyond: 2-3 ms.
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        collapse = env.int("PG_JOIN_COLLAPSE_LIMIT", default=6)
        options = DATABASES["default"].setdefault("OPTIONS", {})
        limits = f"-c join_collapse_limit={collapse} -c from_collapse_limit={collapse}"
        options["options"] = f"{options.get('options', '')} {limits}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits, used TOTP codes and worker heartbeats must be seen by every process: the default is
# a table of the database (created by portal's migrations); Redis when CACHE_URL says so. A
# per-process cache (locmem, dummy) is refused in production (portal.checks).
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://sentinella_cache")}

# --- Identity ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Sentinella] "
ACCOUNT_ALLOW_REGISTRATION = env.bool("ACCOUNT_ALLOW_REGISTRATION", default=True)
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "portal.forms.LoginForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Sentinella"
# Roles that must have an active TOTP authenticator before they may use the portal.
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=True)

# E-mail and password login for applicants: false leaves them SPID and CIE only (officials, auditors,
# administrators and the other roles keep it). Self-registration by e-mail closes with it.
EMAIL_LOGIN_FOR_APPLICANTS = env.bool("EMAIL_LOGIN_FOR_APPLICANTS", default=True)

SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
# The 30 minutes count from the last request, not from login: IdleSessionTimeoutMiddleware records it
# (and so renews the session) once a minute, rather than a write to the session at every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # filled by collectstatic; whitenoise serves from the finders until then
STATICFILES_DIRS = [BASE_DIR / "portal" / "static_src"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded documents are never served from a public URL: views check permission, then stream.
MEDIA_URL = "/media-not-public/"
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    # whitenoise's list (already compressed formats) and source maps, which only developer tools ask
    # for: compressing Swagger's and Bootstrap Italia's maps would triple collectstatic's time.
    *("jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br", "swf", "flv"),
    *("woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4", "mpeg", "mpg", "webm", "wmv"),
    "map",
)
STORAGES = {
    "default": {"BACKEND": env.str("STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
DJANGO_BOOTSTRAP_ITALIA_USE_CDN = False
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Sentinella <noreply@sentinella.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security events (portal.security) recorded in the audit trail per kind and caller, and in all, a minute.
SECURITY_EVENTS_ENABLED = env.bool("SECURITY_EVENTS_ENABLED", default=True)
SECURITY_EVENTS_PER_MINUTE = env.int("SECURITY_EVENTS_PER_MINUTE", default=10)
SECURITY_EVENTS_GLOBAL_PER_MINUTE = env.int("SECURITY_EVENTS_GLOBAL_PER_MINUTE", default=100)

# Days a personal API token lives before it expires.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an anonymous call gets 401 with a WWW-Authenticate header. Personal
        # tokens (portal.tokens): expiring, revocable, created from a TOTP session for TOTP roles.
        "portal.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "ALLOWED_VERSIONS": ["v1"],
    "EXCEPTION_HANDLER": "portal.api.exceptions.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sentinella API",
    "DESCRIPTION": "Integrated-security funding: programme, ledger, calls, projects, inventory.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",  # served locally, never from a CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "InventoryDeviceKindEnum": "inventory.choices.DEVICE_KIND_VALUES",
        "InventoryDeviceStatusEnum": "inventory.choices.DEVICE_STATUS_VALUES",
        "InventoryFundingSourceEnum": "inventory.choices.FUNDING_SOURCE_VALUES",
        "InventoryAssignmentKindEnum": "inventory.choices.ASSIGNMENT_KIND_VALUES",
    },
}

# --- Background jobs --------------------------------------------------------------------------
# Jobs always run in a Celery worker, beside the web processes. Without CELERY_BROKER_URL the portal
# runs in the embedded mode: the broker is a folder (kombu's filesystem transport, var/broker/), which
# needs no server; `make run` starts the worker and beat on it. Eager mode (jobs inside the request)
# is for unit tests only (tests/conftest.py).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
JOBS_EMBEDDED = not CELERY_BROKER_URL
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
BROKER_DIR = Path(env.str("BROKER_DIR", default=str(VAR_DIR / "broker")))
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if JOBS_EMBEDDED:
    CELERY_BROKER_URL = "filesystem://"
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "polling_interval": 0.25,
    }
# One queue name per deployment; a test's own workers use another (the worker-kill test).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=14 * 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if not JOBS_EMBEDDED:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 60}
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the worker logs through LOGGING (JSON in production)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Periodic work, run by `celery -A portal beat`: delete expired exports and send again the jobs whose
# worker died (lease expired) or whose message was lost. Every minute, so a killed worker's job is
# taken over about a lease later, not an hour later.
JOBS_SWEEP_SECONDS = env.float("JOBS_SWEEP_SECONDS", default=60)
CELERY_BEAT_SCHEDULE = {
    "reporting-export-cleanup": {"task": "reporting.export_cleanup", "schedule": JOBS_SWEEP_SECONDS},
    "funding-act-pdfs-requeue": {"task": "funding.act_pdfs_requeue", "schedule": JOBS_SWEEP_SECONDS},
    # EU projects: deliverables' and periodic reports' reminders, daily (cron: send_project_reminders).
    "projects-reminders": {"task": "projects.send_reminders", "schedule": crontab(hour=7, minute=15)},
    # Analytics events: partitions of the coming months, retention (cron: analytics_maintenance).
    "inventory-analytics-maintenance": {
        "task": "inventory.analytics_maintenance",
        "schedule": crontab(hour=3, minute=30),
    },
}
# Workers note in the cache that they are alive (portal.workers); pages say that jobs are waiting,
# and readiness fails, when none has been seen for this long.
WORKER_SEEN_WITHIN = timedelta(seconds=env.int("WORKER_SEEN_WITHIN_SECONDS", default=60))
# A worker that stops renewing an export's lease for this long is presumed dead; its job is taken over.
EXPORT_LEASE = timedelta(seconds=env.int("EXPORT_LEASE_SECONDS", default=90))

# --- Logging ----------------------------------------------------------------------------------
# One line per record on the console, with the request id the audit trail records; JSON in production.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "plain")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'plain'.")
LOGGING = logging_config(fmt=LOG_FORMAT, level=env.str("LOG_LEVEL", default="INFO"))

# --- Security ---------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
# Content-Security-Policy on every response (django-csp): scripts and styles from this site only,
# an inline script only with the request's nonce ({{ request.csp_nonce }}); no frames, no plugins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],  # Bootstrap Italia's stylesheet embeds one icon font
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Powerful browser features the portal never uses are switched off for it and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Probes of the load balancer and the orchestrator speak plain HTTP to the container.
    SECURE_REDIRECT_EXEMPT = [r"^healthz", r"^livez$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Sentinella -------------------------------------------------------------------------------
REGION_NAME = env.str("REGION_NAME", default="Regione Piemonte")
# Shown on the transparency page (D.Lgs. 33/2013 art. 27) when a grant's call does not name them.
TRANSPARENCY_OFFICE = env.str("TRANSPARENCY_OFFICE", default="Settore Polizia locale e sicurezza integrata")
TRANSPARENCY_OFFICIAL = env.str("TRANSPARENCY_OFFICIAL", default="Dirigente responsabile del settore")
EXPORT_RETENTION = timedelta(hours=env.int("EXPORT_RETENTION_HOURS", default=48))
# Inventory: the map's tile server (empty: no base map, the sites still show), whether the sites'
# GeoJSON is public open data, and after how many hours a deployed device is "silent".
INVENTORY_TILE_URL = env.str("INVENTORY_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
INVENTORY_TILE_ATTRIBUTION = env.str("INVENTORY_TILE_ATTRIBUTION", default="© OpenStreetMap contributors")
INVENTORY_OPEN_DATA_SITES = env.bool("INVENTORY_OPEN_DATA_SITES", default=False)
INVENTORY_SILENT_AFTER_HOURS = env.int("INVENTORY_SILENT_AFTER_HOURS", default=48)
ANALYTICS_RETENTION_DAYS = env.int("ANALYTICS_RETENTION_DAYS", default=90)
ANALYTICS_BATCHES_PER_MINUTE = env.int("ANALYTICS_BATCHES_PER_MINUTE", default=600)

# --- SPID and CIE (SAML2 service provider; README "SPID and CIE") -----------------------------
# The buttons show only once the key pair and the identity providers' metadata files exist.
SAML_KEY_FILE = env.str("SAML_KEY_FILE", default="")
SAML_CERT_FILE = env.str("SAML_CERT_FILE", default="")
SPID_IDP_METADATA = env.str("SPID_IDP_METADATA", default="")
CIE_IDP_METADATA = env.str("CIE_IDP_METADATA", default="")
SPID_LEVEL = env.int("SPID_LEVEL", default=1)
CIE_LEVEL = env.int("CIE_LEVEL", default=2)
if SPID_LEVEL not in (1, 2, 3) or CIE_LEVEL not in (1, 2, 3):
    raise ImproperlyConfigured("SPID_LEVEL and CIE_LEVEL must be 1, 2 or 3.")
SAML_BASE_URL = env.str("SAML_BASE_URL", default=SITE_URL).rstrip("/")
SAML_ENTITY_ID = env.str("SAML_ENTITY_ID", default="")  # empty: SAML_BASE_URL + /spid/metadata/
CIE_ENTITY_ID = env.str("CIE_ENTITY_ID", default="")  # empty: SAML_BASE_URL + /spid/metadata/cie/
# ISTAT code of the body's municipality (CIE ID's metadata; Torino for Regione Piemonte).
SAML_MUNICIPALITY = env.str("SAML_MUNICIPALITY", default="001272")
SAML_SERVICE_NAME = env.str("SAML_SERVICE_NAME", default="Sentinella")
SAML_ORGANIZATION_NAME = env.str("SAML_ORGANIZATION_NAME", default=REGION_NAME)
SAML_ORGANIZATION_DISPLAY_NAME = env.str("SAML_ORGANIZATION_DISPLAY_NAME", default=REGION_NAME)
SAML_ORGANIZATION_URL = env.str("SAML_ORGANIZATION_URL", default="https://www.regione.piemonte.it")
SAML_IPA_CODE = env.str("SAML_IPA_CODE", default="r_piemon")
SAML_CONTACT_EMAIL = env.str("SAML_CONTACT_EMAIL", default="spid@sentinella.example.org")
SAML_CONTACT_PHONE = env.str("SAML_CONTACT_PHONE", default="")
SAML_LOCALITY = env.str("SAML_LOCALITY", default="Torino")
SAML_XMLSEC_BINARY = env.str("SAML_XMLSEC_BINARY", default=shutil.which("xmlsec1") or "/usr/bin/xmlsec1")
SAML_ACCEPTED_TIME_DIFF = env.int("SAML_ACCEPTED_TIME_DIFF", default=60)  # seconds of clock skew
SAML_CONFIG_LOADER = "portal.saml.conf.build_config"
SAML_SESSION_COOKIE_NAME = "saml_session"
SAML_SESSION_COOKIE_SAMESITE = "None" if PRODUCTION else "Lax"
