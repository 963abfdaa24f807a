"""Cafa Tickets settings: every knob is read from the environment, with embedded defaults.

Embedded defaults (no environment at all) run on SQLite, a local-memory cache, eager Celery
tasks, console e-mail and the sandbox payment provider. Production sets DEBUG=false, SECRET_KEY,
ALLOWED_HOSTS, DATABASE_URL, REDIS_URL, EMAIL_URL and PAYSTACK_SECRET_KEY (or, for a demo,
PAYMENTS_SANDBOX=true): see README.md and .env.example.

Over 300 lines on purpose: one settings module, read top to bottom, is what an operator checks a
deployment against; each section is headed.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

# --- Core -----------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=["http://localhost:5173", "http://127.0.0.1:5173"])
FRONTEND_URL = env.str("FRONTEND_URL", default="http://localhost:5173").rstrip("/")
# Where this API is reachable from a browser (the sandbox checkout page links here).
PUBLIC_API_URL = env.str("PUBLIC_API_URL", default="http://127.0.0.1:8000").rstrip("/")
LEGACY_FRONTEND_URL = env.str("LEGACY_FRONTEND_URL", default=FRONTEND_URL).rstrip("/")
EXTRA_CALLBACK_HOSTS = env.list("EXTRA_CALLBACK_HOSTS", default=[])
MOBILE_DEEP_LINK_SCHEME = env.str("MOBILE_DEEP_LINK_SCHEME", default="cafatickets")

INSTALLED_APPS = [
    "cafa.apps.CafaAdminConfig",  # django.contrib.admin with the project's site (cafa/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "djoser",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "events",
    "tickets",
    "payments",
    "payouts",
    "analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cafa.api.middleware.RequestSizeLimitMiddleware",
    "cafa.api.middleware.NullCharacterGuardMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns an admin login lockout into its 429
]

ROOT_URLCONF = "cafa.urls"
WSGI_APPLICATION = "cafa.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out admin login before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.EmailOrUsernameBackend"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# PostgreSQL connections persist across requests (otherwise each request pays a new backend process and its
# authentication: issue 12 measured 20 purchases/s without, about 85/s with). A connection is health-checked
# before a request reuses it, so a restarted database costs a reconnect, not a failed request. SQLite: 0.
_IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if _IS_POSTGRES else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=_IS_POSTGRES)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Writers queue instead of failing with "database is locked" (development server threads).
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Fail-soft: a Redis outage costs rate limits and speed, never a request (cafa/cache.py). Short
    # socket timeouts keep a Redis that hangs from holding requests; RETRY_AFTER pauses after a failure.
    CACHES = {
        "default": {
            "BACKEND": "cafa.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
            "RETRY_AFTER": 5,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Public catalogue answers kept as ready bytes (cafa/api/http_cache.py): how long one may be served, which
# bounds how far stock figures may lag purchases, and how long browsers/CDNs may serve one while revalidating.
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=5)
PUBLIC_CACHE_STALE_SECONDS = env.int("PUBLIC_CACHE_STALE_SECONDS", default=30)
# How often a process sends Redis the rate-limit entries and page visits of the public pages it served from
# memory (cafa/api/tallies.py); 0 asks Redis on every such page instead.
PUBLIC_HITS_SETTLE_SECONDS = env.float("PUBLIC_HITS_SETTLE_SECONDS", default=0.02)

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Identity documents live outside MEDIA_ROOT so no URL under /media/ can ever reach them.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
MAX_REQUEST_BODY_BYTES = 25 * 1024 * 1024
PROFILE_IMAGE_MAX_BYTES = 5 * 1024 * 1024
EVENT_IMAGE_MAX_BYTES = 5 * 1024 * 1024
# Django serves /media/ itself only when asked (development, the compose stack); a real
# deployment puts a web server or object storage in front.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)

# --- Locale ---------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
EVENT_TIME_ZONE = "Africa/Accra"
USE_I18N = True
USE_TZ = True

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("ACCESS_TOKEN_LIFETIME_MINUTES", default=60)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("REFRESH_TOKEN_LIFETIME_DAYS", default=14)),
    "ROTATE_REFRESH_TOKENS": env.bool("ROTATE_REFRESH_TOKENS", default=False),
    # With rotation on, the previous refresh token stays valid until it expires (CONTRACT §2.5).
    "BLACKLIST_AFTER_ROTATION": False,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

DJOSER = {
    "USER_ID_FIELD": "id",
    "TOKEN_MODEL": None,  # JWT only: no DRF auth-token app
    "LOGIN_FIELD": "email",
    "HIDE_USERS": True,
    "SEND_ACTIVATION_EMAIL": True,
    "ACTIVATION_URL": "activate/{uid}/{token}",
    "PASSWORD_RESET_CONFIRM_URL": "password-reset?uid={uid}&token={token}",
    "PASSWORD_RESET_SHOW_EMAIL_NOT_FOUND": False,
    "SERIALIZERS": {
        "user_create": "accounts.serializers.account.RegistrationSerializer",
        "user": "accounts.serializers.account.UserSerializer",
        "current_user": "accounts.serializers.account.UserSerializer",
        "user_delete": "accounts.serializers.account.DjoserDeleteSerializer",
        "activation": "accounts.serializers.account.ActivationSerializer",
        "password_reset": "accounts.serializers.account.AccountEmailSerializer",
        "password_reset_confirm": "accounts.serializers.account.PasswordResetConfirmSerializer",
        "set_password": "accounts.serializers.account.SetPasswordSerializer",
        "set_username": "accounts.serializers.account.SetUsernameSerializer",
    },
    # "Admin" in djoser's rules is platform staff (organizers are staff only for their own admin pages).
    "PERMISSIONS": {
        action: ["accounts.permissions.CurrentUserOrPlatformStaff"]
        for action in ("user", "user_list", "user_delete", "set_password", "set_username")
    },
    "EMAIL": {
        "activation": "accounts.emails.QueuedActivationEmail",
        "password_reset": "accounts.emails.QueuedPasswordResetEmail",
    },
}

# Admin login lockout (django-axes). Only /admin/: the API's login has its throttle (`login`,
# CONTRACT §1.10) and no lockout, so nobody can lock another user out of the apps. Failures are
# counted in the database (SQLite or PostgreSQL), per account (accounts.admin_lockout) and per
# client address (the throttles' rule); reaching the limit on either locks for the cool-off.
AXES_ONLY_ADMIN_SITE = True
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ADMIN_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "accounts.admin_lockout.lockout_identity"
AXES_CLIENT_IP_CALLABLE = "cafa.api.throttling.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.admin_lockout.lockout_response"
AXES_VERBOSE = False  # no start-up banner in every command's output; failures are still logged

# --- API ------------------------------------------------------------------------------------
THROTTLE_DEFAULTS = {
    "anon": "300/min",
    "user": "1200/min",
    "login": "10/min",
    "register": "10/hour",
    "account_email": "5/hour",
    "purchase": "20/min",
    "payment_poll": "60/min",
    "resend_tickets": "3/hour",
    "checkin": "600/min",
    "withdrawal": "5/hour",
    "contact": "5/hour",
    "newsletter": "10/hour",
    # M2 without account_name: each one is a name enquiry at the provider
    "account_lookup": "10/hour",
    "promo_validate": "10/min",
    "waitlist": "20/hour",
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "cafa.api.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "cafa.api.throttling.AnonThrottle",
        "cafa.api.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        scope: env.str(f"THROTTLE_{scope.upper()}", default=rate) for scope, rate in THROTTLE_DEFAULTS.items()
    },
    "NUM_PROXIES": env.int("TRUSTED_PROXY_COUNT", default=0),
    "EXCEPTION_HANDLER": "cafa.api.exceptions.api_exception_handler",
    "DEFAULT_METADATA_CLASS": "cafa.api.metadata.EndpointMetadata",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": False,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cafa Tickets API",
    "DESCRIPTION": "Event ticketing for Ghana: browse events, buy tickets in GHS, check in.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Tasks ----------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# With acks_late, Redis hands a message to another worker once it has gone unacknowledged this long,
# so it must outlast the longest a healthy worker holds one: a retry's countdown (Celery caps back-off
# at retry_backoff_max, 600 s) and then the run. The ticket e-mail tasks are hard-limited (120 s to send
# one, 300 s for the due-deliveries job); the other tasks make a few provider calls that time out
# within 25 s each. 600 + 300 = 900 s. A message held longer (a reconcile job crawling through 200
# slow provider calls) runs twice, which every task survives: they are idempotent. A killed worker's
# message comes back after 15 minutes, not kombu's default hour, and a ticket e-mail does not even
# wait for that: its claim lapses after 5 minutes and the job sends it (tickets/services/outbox.py).
# Socket timeouts (above the worker's 1 s BRPOP) make a publish to a Redis that hangs give up within
# about 10 s, retries included, instead of holding its request for ever.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 900, "socket_connect_timeout": 2, "socket_timeout": 2}
CELERY_TIMEZONE = TIME_ZONE

# --- E-mail ---------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)  # seconds per SMTP operation: a send never hangs
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Cafa Tickets <no-reply@cafaticket.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
STAFF_NOTIFICATION_EMAILS = env.list("STAFF_NOTIFICATION_EMAILS", default=[])

# --- Business rules -------------------------------------------------------------------------
RESERVATION_MINUTES = env.int("RESERVATION_MINUTES", default=10)
WAITLIST_OFFER_MINUTES = env.int("WAITLIST_OFFER_MINUTES", default=30)  # how long an offer holds its seats
SERVICE_FEE_PERCENT = Decimal(env.str("SERVICE_FEE_PERCENT", default="5"))
PLATFORM_FEE_PERCENT = Decimal(env.str("PLATFORM_FEE_PERCENT", default="5"))
PAYOUT_HOLD_DAYS = env.int("PAYOUT_HOLD_DAYS", default=7)
MIN_TICKET_PRICE = Decimal(env.str("MIN_TICKET_PRICE", default="1.00"))
MIN_WITHDRAWAL_AMOUNT = Decimal(env.str("MIN_WITHDRAWAL_AMOUNT", default="10.00"))
WITHDRAWAL_TRANSFER_FEE = Decimal(env.str("WITHDRAWAL_TRANSFER_FEE", default="10.00"))
WITHDRAWAL_FEE_THRESHOLD = Decimal(env.str("WITHDRAWAL_FEE_THRESHOLD", default="5000.00"))
MAX_OPEN_PURCHASES_PER_USER = env.int("MAX_OPEN_PURCHASES_PER_USER", default=5)
RECONCILE_AFTER_MINUTES = env.int("RECONCILE_AFTER_MINUTES", default=3)
ORGANIZER_VERIFICATION = env.str("ORGANIZER_VERIFICATION", default="manual")

# --- Payment providers ----------------------------------------------------------------------
PAYSTACK_SECRET_KEY = env.str("PAYSTACK_SECRET_KEY", default="")
# The keyless sandbox moves no money, so with it every ticket is free: an explicit choice, on by
# default only in development (DEBUG) without a Paystack key. payments/checks.py refuses to start
# a process with no provider, or with both.
PAYMENTS_SANDBOX = env.bool("PAYMENTS_SANDBOX", default=DEBUG and not PAYSTACK_SECRET_KEY)
PAYSTACK_BASE_URL = env.str("PAYSTACK_BASE_URL", default="https://api.paystack.co")
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_USD_PER_GHS = Decimal(env.str("STRIPE_USD_PER_GHS", default="0.065"))
SANDBOX_TRANSFER_DELAY_SECONDS = env.int("SANDBOX_TRANSFER_DELAY_SECONDS", default=5)

# --- Security (production) ------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health/$"]
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "cafa.api.exceptions.csrf_failure"  # JSON under /api/, Django's page for the admin

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
