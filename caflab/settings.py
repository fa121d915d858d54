"""CafLab settings, read from the environment (see .env.example for every variable).

The embedded defaults (SQLite, tasks run in-process, local-memory cache) let a newcomer run
`make run` with nothing installed; the real stack sets DATABASE_URL, CELERY_BROKER_URL and
REDIS_URL.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(env_file)

DEBUG = env.bool("DEBUG", default=False)
# Production profile: HTTPS-only cookies, HSTS, redirects. `manage.py check --deploy` is clean.
SECURE = env.bool("SECURE", default=False)

# Clearly-dev default only when DEBUG is on; anything else must set a real key. Left empty,
# Django refuses to sign anything (ImproperlyConfigured at first use) and the WSGI entry point
# refuses to start, while commands that need no key (makemigrations --check) still run.
SECRET_KEY = env("SECRET_KEY", default="" if not DEBUG else "dev-insecure-caflab-key-not-for-prod")

# The site's public address (links in e-mails, single sign-on); required when DEBUG is off
# (caflab.core.checks). ALLOWED_HOSTS and CSRF_TRUSTED_ORIGINS follow it unless set: behind
# an HTTPS proxy, the login form's origin is SITE_URL's scheme and host.
SITE_URL = env("SITE_URL", default="").rstrip("/")
SITE_URL_CONFIGURED = bool(SITE_URL)
SITE_URL = SITE_URL or "http://127.0.0.1:8000"
_site = urlsplit(SITE_URL)
_from_site = SITE_URL_CONFIGURED and bool(_site.hostname)
# An empty value counts as unset (a .env copied from .env.example).
ALLOWED_HOSTS = [
    host.strip() for host in env.list("ALLOWED_HOSTS", default=[]) if host.strip()
] or ([_site.hostname] if _from_site else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = [
    origin.strip() for origin in env.list("CSRF_TRUSTED_ORIGINS", default=[]) if origin.strip()
] or ([f"{_site.scheme}://{_site.netloc}"] if _from_site else [])
# The deployed version (a git commit or a tag), shown to administrators and in backups.
APP_VERSION = env("APP_VERSION", default="")

# Our apps, in dependency order (seed_demo runs their demo.py in this order).
LOCAL_APPS = [
    "caflab.accounts",
    "caflab.network",
    "caflab.notifications",
    "caflab.engagement",
    "caflab.core",
    "caflab.search",
    "projects",
    "criees",
    "ecoute",
    # After the sources it turns into ideas (projects.origins): its demo seeds after theirs.
    "ideas",
    "evaluation",
    "events",
    "analysis",
    # The prototyping and essaimage kit: over the portfolio and the criées (documents, stage
    # kits, fiches d'essaimage).
    "kits",
    # The incubator with ESS partners: calls for projects, applications, jury, cohorts (over
    # the portfolio, écoute's questionnaire engine and the events).
    "incubator",
    # The read API (/api/v1/) and its personal access tokens: an assembly over every domain.
    "caflab.api",
    # The national dataset and the benchmarks (seed_national, bench, bench_fanout): no models.
    "caflab.national",
    # Open data (issue 19): every public dataset as CSV and JSON with its schema, nightly.
    "caflab.opendata",
]
INSTALLED_APPS = [
    *LOCAL_APPS,
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's form templates, found by FORM_RENDERER below (ours in caflab/core override them).
    "django.forms",
    # Search (caflab.search): index expressions with operator classes, trigram lookups.
    "django.contrib.postgres",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_htmx",
    "django_filters",
    "django_prometheus",
    # The audit trail (caflab.core.audit): triggers, event tables, their admin.
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
]

MIDDLEWARE = [
    # Outermost: metrics, then the request log (its duration and query count cover the rest).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "caflab.core.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The audit trail's context (user id, scrubbed route) for the rows written by triggers;
    # a pass-through on SQLite.
    "caflab.core.audit.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Permissions-Policy everywhere; no-store for signed-in users and downloads.
    "caflab.core.middleware.PrivacyHeadersMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A refusal a view did not catch (DomainError): its message and a redirect, 409 for htmx.
    "caflab.core.refusals.RefusalMiddleware",
    # Last, so that it sees the authenticated user and the failed login attempts.
    "axes.middleware.AxesMiddleware",
    # django-prometheus' closing half must be last of all; axes only needs to follow auth.
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "caflab.urls"
WSGI_APPLICATION = "caflab.wsgi.application"

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
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "caflab.notifications.context_processors.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # A database host that drops packets must fail a request (and the health check) in
    # seconds, not hang it until the kernel gives up.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )
    # PostgreSQL's JIT compiles expensive queries before running them: hundreds of
    # milliseconds a page for a web application's short queries (the criées dashboard took
    # 325 ms with it, 172 ms without, on the national dataset). Off unless asked for. Behind
    # PgBouncer, which refuses startup options, set DATABASE_DISABLE_JIT=0 and run
    # `ALTER DATABASE … SET jit = off` instead.
    if env.bool("DATABASE_DISABLE_JIT", default=True):
        DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis when configured, else local memory -----------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                # A Redis outage must degrade to "no cache", never to a 500.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in the database so that Redis being down never logs anyone out, and a frozen Redis
# never slows a page down (cached_db would wait out the cache's socket timeout on every request).
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Accounts and authentication ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out attempts
    "rules.permissions.ObjectPermissionBackend",
    # Django's, refusing network members' passwords when SSO_ONLY_FOR_NETWORK is on.
    "caflab.accounts.backends.PasswordBackend",
    # Sessions opened through an identity provider (caflab.accounts.sso).
    "caflab.accounts.backends.SsoBackend",
]
LOGIN_URL = reverse_lazy("accounts:login")
LOGIN_REDIRECT_URL = reverse_lazy("core:home")
LOGOUT_REDIRECT_URL = reverse_lazy("core:home")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# The visitor's address (caflab.core.clientip.client_ip, for every limit and for axes): our
# reverse proxies, as addresses or CIDR networks, and/or how many always stand in front.
# Neither: the address of the connection only, every forwarding header ignored.
TRUSTED_PROXIES = [item.strip() for item in env.list("TRUSTED_PROXIES", default=[]) if item.strip()]
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# django-axes: lock an account + address after 5 failures for 15 minutes; and the account from
# every address after LOGIN_ACCOUNT_FAILURE_LIMIT failures in the same 15 minutes (lifted by a
# password reset). See caflab.accounts.security.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = False
AXES_HANDLER = "caflab.accounts.security.LoginAttemptsHandler"
AXES_CLIENT_IP_CALLABLE = "caflab.core.clientip.client_ip"
# Attempts are stored under a keyed hash of the account and its password, never the e-mail.
AXES_USERNAME_CALLABLE = "caflab.accounts.security.axes_username"
# Log lines name a hashed client, never the e-mail or IP address.
AXES_CLIENT_STR_CALLABLE = "caflab.accounts.security.axes_client_str"
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=20)

# A comment (or a contribution) reported by this many people since its last review is hidden
# until a moderator looks at it (caflab.engagement).
ENGAGEMENT_REPORTS_TO_HIDE = env.int("ENGAGEMENT_REPORTS_TO_HIDE", default=3)

# The jury's ranking of a call for projects, by pages: a national call has hundreds of
# applications (incubator.views.ranking).
INCUBATOR_RANKING_PAGE_SIZE = env.int("INCUBATOR_RANKING_PAGE_SIZE", default=50)

# Rate limits (per window in seconds), counted in the cache (caflab.core.ratelimit).
SIGNUP_RATE_LIMIT = env.int("SIGNUP_RATE_LIMIT", default=5)  # per address
SIGNUP_RATE_WINDOW = 60 * 60
PASSWORD_RESET_RATE_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_RATE_LIMIT_PER_ADDRESS", default=5)
PASSWORD_RESET_RATE_LIMIT_PER_ACCOUNT = env.int("PASSWORD_RESET_RATE_LIMIT_PER_ACCOUNT", default=3)
PASSWORD_RESET_RATE_WINDOW = 60 * 60
PEOPLE_SEARCH_RATE_LIMIT = env.int("PEOPLE_SEARCH_RATE_LIMIT", default=60)  # per signed-in user
PEOPLE_SEARCH_RATE_WINDOW = 10 * 60
# The read API (caflab.api): requests per window, per personal access token and, without a
# token, per address.
API_RATE_LIMIT = env.int("API_RATE_LIMIT", default=600)
API_ANONYMOUS_RATE_LIMIT = env.int("API_ANONYMOUS_RATE_LIMIT", default=120)
API_RATE_WINDOW = 60
# Anonymous answers to a consultation, per address and hour: a budget large enough for a
# thousand people behind one shared address (mobile carrier, a Caf's public Wi-Fi); past
# ECOUTE_ANONYMOUS_CHALLENGE_AFTER the browser must solve a proof of work (caflab.core.pow).
ECOUTE_ANONYMOUS_RATE_LIMIT = env.int("ECOUTE_ANONYMOUS_RATE_LIMIT", default=1000)
ECOUTE_ANONYMOUS_RATE_WINDOW = 60 * 60
ECOUTE_ANONYMOUS_CHALLENGE_AFTER = env.int("ECOUTE_ANONYMOUS_CHALLENGE_AFTER", default=30)
# Anonymous answers (and addresses left to hear back) are written in shuffled batches of at
# least this many (ecoute.services.batches): the size of a batch is how many answers the
# database cannot tell apart. A batch is written anyway once its oldest answer has waited
# ECOUTE_ANONYMOUS_BATCH_MAX_WAIT_DAYS days, and when the consultation closes.
ECOUTE_ANONYMOUS_BATCH_SIZE = env.int("ECOUTE_ANONYMOUS_BATCH_SIZE", default=10)
ECOUTE_ANONYMOUS_BATCH_MAX_WAIT_DAYS = env.int("ECOUTE_ANONYMOUS_BATCH_MAX_WAIT_DAYS", default=1)
# Proof of work: leading zero bits asked (about 2**N hashes in the browser) and how long a
# challenge stays valid, in seconds.
POW_DIFFICULTY = env.int("POW_DIFFICULTY", default=16)
POW_MAX_AGE = env.int("POW_MAX_AGE", default=30 * 60)

# --- Single sign-on (OpenID Connect) -------------------------------------------------------
# Two optional providers, each configured by its discovery URL, client id and secret: "agents"
# (ProConnect, the federation of public agents) for network members, "citizens"
# (FranceConnect) for citizens. With no discovery URL, the provider's button does not show
# and the password login is the only one (the embedded default).
SSO_PROVIDERS = {
    name: {
        "label": env(f"SSO_{name.upper()}_LABEL", default=label),
        "discovery_url": env(f"SSO_{name.upper()}_DISCOVERY_URL", default=""),
        "client_id": env(f"SSO_{name.upper()}_CLIENT_ID", default=""),
        "client_secret": env(f"SSO_{name.upper()}_CLIENT_SECRET", default=""),
        "scopes": env(f"SSO_{name.upper()}_SCOPES", default=scopes),
        # ProConnect and FranceConnect expect the level of assurance asked for.
        "acr_values": env(f"SSO_{name.upper()}_ACR_VALUES", default="eidas1"),
    }
    for name, label, scopes in (
        (
            "agents",
            "ProConnect",
            "openid email given_name usual_name siret organizational_unit uid",
        ),
        ("citizens", "FranceConnect", "openid email given_name family_name"),
    )
}
# On: network members may not sign in with a password (the agents' provider must be set).
SSO_ONLY_FOR_NETWORK = env.bool("SSO_ONLY_FOR_NETWORK", default=False)

# --- Internationalisation: French first ------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français"))]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and media ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Files that only views may serve, after checking who asks (idea attachments, session
# debriefs, initiatives' files and images, exports, reports): the "private" storage. Locally,
# a directory outside MEDIA_ROOT, never served at a URL by `runserver` nor by a web server
# (caflab.core.uploads.PrivateStorage). With several web nodes, an S3-compatible object store
# (PRIVATE_STORAGE_BACKEND=s3, or a bucket name set): private objects, downloads redirected to
# URLs signed for AWS_QUERYSTRING_EXPIRE seconds.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "private-media")
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
# Empty: s3 when a bucket is named, local otherwise.
PRIVATE_STORAGE_BACKEND = env("PRIVATE_STORAGE_BACKEND", default="") or (
    "s3" if AWS_STORAGE_BUCKET_NAME else "local"
)
if PRIVATE_STORAGE_BACKEND == "s3":
    if not AWS_STORAGE_BUCKET_NAME:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("PRIVATE_STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME.")
    PRIVATE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # Empty: AWS itself; otherwise the store's address (MinIO, Scaleway, OVHcloud…),
            # which browsers must reach too: downloads are redirected to it.
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env("AWS_S3_REGION_NAME", default="") or None,
            # Empty: the credentials of the environment (instance role, ~/.aws).
            "access_key": env("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default="") or None,
            "location": env("AWS_LOCATION", default=""),  # a prefix inside the bucket
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=60),
            "file_overwrite": False,
        },
    }
elif PRIVATE_STORAGE_BACKEND == "local":
    PRIVATE_STORAGE = {"BACKEND": "caflab.core.uploads.PrivateStorage"}
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"PRIVATE_STORAGE_BACKEND is local or s3, not {PRIVATE_STORAGE_BACKEND!r}"
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
    # Uploads, exports and reports alike: one place for everything private.
    "private": PRIVATE_STORAGE,
}
WHITENOISE_USE_FINDERS = DEBUG
# Tests and `runserver` without collectstatic must still find files.
WHITENOISE_MANIFEST_STRICT = False

# --- Forms --------------------------------------------------------------------------------
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 behaviour now: a typed host means https://
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Widgets render through TEMPLATES, so that caflab/core/templates/django/forms/ overrides them
# (an empty choice reads "Choisir…", not "---------").
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- E-mail -------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CafLab <caflab@caf.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -------------------------------------------------------------------------------
# Empty broker URL: the embedded default, tasks run in-process right after the commit.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A Redis outage must never hang a web request: fail fast, the outbox keeps the work. A
# publish is one attempt bounded by these socket timeouts (a Redis frozen by SIGSTOP accepts
# the TCP connection and never answers: the read timeout ends the wait), and
# caflab.core.queueing skips the broker for the rest of a request once a publish failed
# or spent its budget (issue 20). The worker and beat, which answer nobody, wait longer:
# WORKER_BROKER_TRANSPORT_OPTIONS in caflab/celery.py.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 0.05,
    "socket_timeout": 0.15,
    "max_retries": 0,  # the channel's connection check (a PING) is tried once, not again
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "visibility_timeout": 3600,
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", default="var/celerybeat-schedule"
)
# Durable jobs with a result (exports, impact reports; caflab.core.jobs): the worker renews a
# lease at each step; a job silent past it (its worker died) is queued again by the beat, at
# most JOB_MAX_ATTEMPTS times, then marked failed with a "Relancer" button.
JOB_LEASE_SECONDS = env.int("JOB_LEASE_SECONDS", default=180)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)
# Tests only: a pause at each job step, so that a test can kill the worker mid-job.
JOB_TEST_PAUSE_SECONDS = env.float("JOB_TEST_PAUSE_SECONDS", default=0)

# --- Security -----------------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10
# Production refuses the file e-mail backend (it delivers nothing) unless this says it is
# wanted, as on the local production-like stack (`make stack`). See caflab.core.checks.
ALLOW_FILE_EMAIL = env.bool("ALLOW_FILE_EMAIL", default=False)
if SECURE:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Logging: no personal data (ids only, never e-mails or names) --------------------------
# JSON lines for the log collector (caflab.core.logformat) unless DEBUG; LOG_FORMAT=json|plain
# says otherwise. Every line goes through the scrubber: no token path, no query string.
LOG_FORMAT = env("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"LOG_FORMAT is json or plain, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "caflab.core.logformat.ScrubFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "caflab.core.logformat.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["scrub"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # One line per request (caflab.core.requestlog) and per task (caflab.core.tasklog).
        "caflab.requests": {"level": "INFO"},
        "caflab.tasks": {"level": "INFO"},
        # Its 4xx warnings ("Not Found: /path") say less than the request line; errors stay.
        "django.request": {"level": "ERROR"},
        # Its per-task lines repeat caflab.tasks' with the return value; failures stay.
        "celery.app.trace": {"level": "WARNING"},
    },
}

# --- CafLab ---------------------------------------------------------------------------------
# Demo accounts (seed_demo) share this password; seed_demo refuses to run when DEBUG is off.
DEMO_PASSWORD = "caflab-demo-2026"  # noqa: S105 (published demo password, DEBUG only)
# Contacts shown on the accessibility, legal and privacy pages.
CAFLAB_CONTACT_EMAIL = env("CAFLAB_CONTACT_EMAIL", default="caflab@caf.example")
CAFLAB_DPO_EMAIL = env("CAFLAB_DPO_EMAIL", default="dpo@caf.example")
# écoute: a consultation closed N days without a published restitution reminds its owner, at
# 2N the lab too, at 3N the sponsor directorate too (then every N days); N is this setting.
ECOUTE_RESTITUTION_REMINDER_DAYS = env.int("ECOUTE_RESTITUTION_REMINDER_DAYS", default=30)
# Notifications are kept this many days; e-mails in the outbox (they hold their text and
# address) this many days once sent or given up.
NOTIFICATIONS_RETENTION_DAYS = env.int("NOTIFICATIONS_RETENTION_DAYS", default=365)
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=30)
# A notification to more people than this (the followers of a popular project…) is created by
# a task, batch by batch, never in the web request (caflab.notifications.services.notify).
NOTIFY_FANOUT_THRESHOLD = env.int("NOTIFY_FANOUT_THRESHOLD", default=50)
NOTIFY_FANOUT_BATCH_SIZE = env.int("NOTIFY_FANOUT_BATCH_SIZE", default=1000)
# Citizens' and partners' accounts unused this many days are deleted; sign-ups never confirmed
# are removed after this many days.
ACCOUNT_INACTIVE_DAYS = env.int("ACCOUNT_INACTIVE_DAYS", default=730)
SIGNUP_UNCONFIRMED_DAYS = env.int("SIGNUP_UNCONFIRMED_DAYS", default=7)
# Mails per broker message when flush_outbox queues the pending ones again.
OUTBOX_FLUSH_BATCH_SIZE = 50
# écoute: beyond this size, an export being built spills from memory to a temporary file.
ECOUTE_EXPORT_SPOOL_BYTES = 8 * 1024 * 1024
# écoute: a questionnaire without results snapshot and at most this many responses is computed
# at its first view (well under a second); a larger one is computed by a task.
ECOUTE_RESULTS_COMPUTE_AT_VIEW_MAX = 5000
# The icon /favicon.ico redirects to (a static file); when absent it answers 204.
FAVICON_STATIC_PATH = "img/favicon.svg"

# --- Audit trail (caflab.core.audit) ----------------------------------------------------------
# Sensitive changes (rights of accounts, consultations' settings and status, gate decisions,
# moderation, exports, imports, "my data" downloads) are kept this many days, then erased by a
# daily task. Two years: they must outlast the yearly review of rights and the longest time an
# account may stay unused before it is deleted (ACCOUNT_INACTIVE_DAYS); beyond that, keeping who
# did what would only be keeping personal data (CNIL: a trail is kept no longer than needed).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=730)
# pghistory: the context is encoded by our encoder (it reads the user id lazily); the events
# admin shows the context's user and (scrubbed) route. Not append-only: the purge deletes.
PGHISTORY_JSON_ENCODER = "caflab.core.audit.AuditJSONEncoder"
PGHISTORY_ADMIN_MODEL = "pghistory.MiddlewareEvents"
PGHISTORY_ADMIN_CLASS = "caflab.core.admin.AuditEventsAdmin"

# --- Observability --------------------------------------------------------------------------
# Celery workers log through LOGGING (JSON lines), not through Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# /metrics (caflab.core.metrics): shown to a scraper with this bearer token, or coming from
# these addresses/CIDRs (as caflab.core.clientip sees them); anyone else, and everyone when
# neither is set, gets a 404.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = [e for e in env.list("METRICS_ALLOWED_IPS", default=[]) if e.strip()]
# Error tracking (caflab.core.sentry): off unless SENTRY_DSN is set. No personal data, no
# request body, no cookies, no token path leave the server.
SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="")
SENTRY_RELEASE = env("SENTRY_RELEASE", default="")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from caflab.core.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        release=SENTRY_RELEASE,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )
