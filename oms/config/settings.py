"""Settings for both run modes.

Embedded (default): SQLite in WAL mode and SqliteHuey, both under OMS_DATA_DIR.
Scale: DATABASE_URL (PostgreSQL) and REDIS_URL (RedisHuey); nothing assumes one process.
"""

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("OMS_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if os.environ.get("OMS_SECRET_KEY"):
        return os.environ["OMS_SECRET_KEY"]
    # Embedded mode keeps a random key in the data folder so sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("OMS_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("OMS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("OMS_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "huey.contrib.djhuey",
    "axes",
    "oms.core",
    "oms.accounts",
    "oms.audit",
    "oms.channels",
    "oms.inventory",
    "oms.shipping",
    "oms.fulfillment",
    "oms.orders",
    "oms.notifications",
    "oms.aftersales",
    "oms.payments",
    "oms.inbox",
    "oms.approvals",
    "oms.problems",
    "oms.timeliness",
    "oms.backup",
    "oms.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "oms.core.nul_guard.NulCharacterGuard",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "oms.web.locale.OmsLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle timeout, forced password change and second-factor enrolment (accounts/middleware.py).
    "oms.accounts.middleware.AccountPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oms.config.urls"
WSGI_APPLICATION = "oms.config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:order_list"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "oms.web.context.navigation",
            ]
        },
    }
]

# --- database -------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "oms.sqlite3"
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # One test database per test process, so parallel runs on one server do not collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_oms_{os.getpid()}"}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on
                # the busy timeout instead of failing with "database is locked" on upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
            # Opening a connection costs a file open and three PRAGMAs: keep it per thread.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            # Tests use a file so that concurrent connections see one database.
            "TEST": {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    }
DB_VENDOR = "postgresql" if "postgres" in DATABASES["default"]["ENGINE"] else "sqlite"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- background work --------------------------------------------------------
if os.environ.get("REDIS_URL"):
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": os.environ.get("OMS_HUEY_NAME", "oms"),
        "url": os.environ["REDIS_URL"],
        "immediate": False,
        "consumer": {"workers": 4, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "oms",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": os.environ.get("OMS_HUEY_IMMEDIATE", "") == "1",
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# --- auth and security ------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# The password policy of manual §3.1 (docs/accounts.md); history and forced changes: accounts/passwords.py.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "oms.accounts.passwords.MinimumLengthValidator"},
    {"NAME": "oms.accounts.passwords.LettersAndDigitsValidator"},
    {"NAME": "oms.accounts.passwords.NotUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "oms.accounts.backends.RoleBackend"]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
# Per username only: five wrong passwords lock that account from any address. Counting per address as
# well would lock a whole warehouse behind one NAT address after five typos by different people.
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns that without ip_address rotating browsers could dodge the limit; not so here: a username's
# failures are summed over every address and browser (docs/accounts.md, "Lockout").
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_ENABLED = os.environ.get("OMS_AXES_ENABLED", "1") == "1"
AXES_LOCKOUT_CALLABLE = "oms.web.views.auth.locked_out_response"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
    }
}

# --- i18n -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- static -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Uploaded files (after-sales photos) are kept under the data folder and served only through views
# that check permissions, never as public media.
MEDIA_ROOT = DATA_DIR / "media"
(DATA_DIR / "static").mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- API --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "oms.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["oms.accounts.permissions.HasDeclaredPermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "oms.core.api_errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OMS API",
    "DESCRIPTION": "Order management: intake, review, fulfilment, shipping and after-sales.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "oms.orders.status.OrderStatus",
        "PaymentStatusEnum": "oms.orders.status.PaymentStatus",
    },
}

# --- OMS ---------------------------------------------------------------------
OMS_IMPORT_MAX_BYTES = int(os.environ.get("OMS_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
# Completed and settled orders are archived this many days after completion (oms/orders/archiving.py).
OMS_ARCHIVE_AFTER_DAYS = int(os.environ.get("OMS_ARCHIVE_AFTER_DAYS", "90"))
DATA_UPLOAD_MAX_MEMORY_SIZE = OMS_IMPORT_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = OMS_IMPORT_MAX_BYTES
# Delivered orders complete on their own this many days after delivery (oms/orders/completion.py).
OMS_AUTO_COMPLETE_DAYS = int(os.environ.get("OMS_AUTO_COMPLETE_DAYS", "7"))
# Refunds above this amount need a second finance user's approval (maker-checker, payments/refunds.py).
OMS_REFUND_SECOND_APPROVAL_ABOVE = Decimal(os.environ.get("OMS_REFUND_SECOND_APPROVAL_ABOVE", "1000"))
# How refunds are executed: "manual" (finance records the reference of a refund made elsewhere) or "test".
OMS_REFUND_ADAPTER = os.environ.get("OMS_REFUND_ADAPTER", "manual")
# The adapters finance may pick (the default above is always allowed); "test" pays nothing, so only tests list it.
OMS_REFUND_ADAPTERS = tuple(n for n in os.environ.get("OMS_REFUND_ADAPTERS", "manual").split(",") if n.strip())
# The most a buyer's return postage is compensated per order (shipping compensation, payments/refund_flow.py).
OMS_RETURN_SHIPPING_COMPENSATION_MAX = Decimal(os.environ.get("OMS_RETURN_SHIPPING_COMPENSATION_MAX", "20.00"))
# Photos on after-sales requests: at most this many per request and this many bytes each.
OMS_AFTER_SALES_MAX_PHOTOS = int(os.environ.get("OMS_AFTER_SALES_MAX_PHOTOS", "9"))
OMS_AFTER_SALES_MAX_PHOTO_BYTES = int(os.environ.get("OMS_AFTER_SALES_MAX_PHOTO_BYTES", 5 * 1024 * 1024))
# Days after delivery for after-sales requests other than no-reason returns (quality, wrong item, damage…);
# no-reason returns use the channel's return window (aftersales/eligibility.py).
OMS_AFTER_SALES_WINDOW_DAYS = int(os.environ.get("OMS_AFTER_SALES_WINDOW_DAYS", "15"))
# Who receives returned parcels, written into every return address sent to buyers (e.g. "售后组 0571-88886666").
OMS_RETURN_CONTACT = os.environ.get("OMS_RETURN_CONTACT", "")

# --- accounts, privacy, backups, timeliness (issue: accounts and approvals) ---------------------------
# Passwords: at least this long, with letters and digits; none of the last N may be used again;
# a change is forced at first sign-in and after this many days (0: never).
OMS_PASSWORD_MIN_LENGTH = int(os.environ.get("OMS_PASSWORD_MIN_LENGTH", "10"))
OMS_PASSWORD_HISTORY = int(os.environ.get("OMS_PASSWORD_HISTORY", "5"))
OMS_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("OMS_PASSWORD_MAX_AGE_DAYS", "90"))
# Back-office sessions end after this many idle minutes (the screen lock of §3.3).
OMS_IDLE_TIMEOUT_MINUTES = int(os.environ.get("OMS_IDLE_TIMEOUT_MINUTES", "30"))
# Personal data at rest: Fernet keys (urlsafe base64, 32 bytes), newest first; older ones only decrypt.
# Embedded mode keeps a generated key in the data folder. The hash key makes the phone search index.
OMS_PII_KEYS = [k for k in os.environ.get("OMS_PII_KEYS", "").split(",") if k.strip()]
OMS_PII_HASH_KEY = os.environ.get("OMS_PII_HASH_KEY", "")
# Personal data of archived orders is anonymised this many days after archiving (0: never).
OMS_PII_RETENTION_DAYS = int(os.environ.get("OMS_PII_RETENTION_DAYS", "365"))
# Stock adjustments moving more than this many units need an approved change request.
OMS_STOCK_ADJUSTMENT_APPROVAL_ABOVE = int(os.environ.get("OMS_STOCK_ADJUSTMENT_APPROVAL_ABOVE", "50"))
# Backups: where `oms backup` writes and how many the daily backup keeps.
OMS_BACKUP_DIR = Path(os.environ.get("OMS_BACKUP_DIR", str(DATA_DIR / "backups"))).resolve()
OMS_BACKUP_KEEP = int(os.environ.get("OMS_BACKUP_KEEP", "7"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No full phone numbers, street details or tokens in the logs (docs/privacy.md).
    "filters": {"redact_personal_data": {"()": "oms.core.log_redaction.RedactPersonalData"}},
    "formatters": {"worker": {"format": "[%(asctime)s] %(levelname)s:%(name)s:%(threadName)s:%(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_personal_data"]},
        "worker": {"class": "logging.StreamHandler", "filters": ["redact_personal_data"], "formatter": "worker"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("OMS_LOG_LEVEL", "WARNING")},
    # The worker's lines (tasks started, finished, failed with their tracebacks) go through the same redaction:
    # `oms worker` (run_huey) adds a handler of its own only when the "huey" logger has none.
    "loggers": {"huey": {"handlers": ["worker"], "level": os.environ.get("OMS_WORKER_LOG_LEVEL", "INFO"),
                         "propagate": False}},
}

# --- outgoing messages --------------------------------------------------------
# Messages to buyers (oms/notifications, docs/messages.md). A medium without its URL or host
# is not configured: its messages are kept with status "logged" instead of being sent.
OMS_SMTP_HOST = os.environ.get("OMS_SMTP_HOST", "")
OMS_SMTP_PORT = int(os.environ.get("OMS_SMTP_PORT") or 0)  # 0: 587 (starttls), 465 (ssl) or 25 (none)
OMS_SMTP_SECURITY = os.environ.get("OMS_SMTP_SECURITY", "starttls")  # starttls | ssl | none
OMS_SMTP_USERNAME = os.environ.get("OMS_SMTP_USERNAME", "")
OMS_SMTP_PASSWORD = os.environ.get("OMS_SMTP_PASSWORD", "")
OMS_SMTP_FROM = os.environ.get("OMS_SMTP_FROM", "")  # e.g. "小店 <noreply@shop.example.cn>"
OMS_SMTP_TIMEOUT = float(os.environ.get("OMS_SMTP_TIMEOUT", "10"))
OMS_SMTP_CA_FILE = os.environ.get("OMS_SMTP_CA_FILE", "")  # extra CA bundle for an internal relay
OMS_SMS_URL = os.environ.get("OMS_SMS_URL", "")
OMS_SMS_SECRET = os.environ.get("OMS_SMS_SECRET", "")
OMS_SMS_SIGN_NAME = os.environ.get("OMS_SMS_SIGN_NAME", "")
OMS_SMS_TIMEOUT = float(os.environ.get("OMS_SMS_TIMEOUT", "10"))
OMS_PUSH_URL = os.environ.get("OMS_PUSH_URL", "")
OMS_PUSH_SECRET = os.environ.get("OMS_PUSH_SECRET", "")
OMS_PUSH_TIMEOUT = float(os.environ.get("OMS_PUSH_TIMEOUT", "10"))
OMS_PUSH_CHANNELS = [c.strip() for c in os.environ.get("OMS_PUSH_CHANNELS", "app,miniapp").split(",") if c.strip()]
OMS_MESSAGE_MAX_ATTEMPTS = int(os.environ.get("OMS_MESSAGE_MAX_ATTEMPTS", "8"))
OMS_MESSAGE_RETRY_BASE_S = float(os.environ.get("OMS_MESSAGE_RETRY_BASE_S", "60"))
OMS_MESSAGE_RETRY_CAP_S = float(os.environ.get("OMS_MESSAGE_RETRY_CAP_S", "3600"))

# --- carriers: tracking and electronic waybills (oms/shipping/adapters) -------------------------
# Our address as carriers reach it (callback URLs of tracking subscriptions), e.g. https://oms.shop.example.cn
OMS_PUBLIC_URL = os.environ.get("OMS_PUBLIC_URL", "")
# Kuaidi100 (快递100): empty settings make the adapter refuse with an error naming the setting.
OMS_KUAIDI100_URL = os.environ.get("OMS_KUAIDI100_URL", "")  # e.g. https://poll.kuaidi100.com
OMS_KUAIDI100_KEY = os.environ.get("OMS_KUAIDI100_KEY", "")
OMS_KUAIDI100_SECRET = os.environ.get("OMS_KUAIDI100_SECRET", "")
OMS_KUAIDI100_CUSTOMER = os.environ.get("OMS_KUAIDI100_CUSTOMER", "")
OMS_KUAIDI100_SALT = os.environ.get("OMS_KUAIDI100_SALT", "")
OMS_KUAIDI100_SENDER_PHONE = os.environ.get("OMS_KUAIDI100_SENDER_PHONE", "")  # the sender's phone on waybills
OMS_KUAIDI100_PARTNER_ID = os.environ.get("OMS_KUAIDI100_PARTNER_ID", "")  # the carrier account (月结账号), if any
OMS_KUAIDI100_PARTNER_KEY = os.environ.get("OMS_KUAIDI100_PARTNER_KEY", "")
OMS_KUAIDI100_TIMEOUT = float(os.environ.get("OMS_KUAIDI100_TIMEOUT", "10"))
OMS_KUAIDI100_POLLING = os.environ.get("OMS_KUAIDI100_POLLING", "") == "1"  # query instead of pushes
OMS_TRACKING_POLL_BATCH = int(os.environ.get("OMS_TRACKING_POLL_BATCH", "500"))
