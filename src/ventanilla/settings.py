"""Ventanilla settings: one module, driven by environment variables with safe defaults.

Every setting that differs between a laptop and a ministry's servers comes from the
environment (see docs/operations.md). With nothing set, Ventanilla runs on an embedded
SQLite database under ``VENTANILLA_DATA_DIR`` with DEBUG off.
"""

from __future__ import annotations

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "si", "sí"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("VENTANILLA_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept in the data directory."""
    if key := os.environ.get("DJANGO_SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DJANGO_DEBUG")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "ventanilla.core",
    "ventanilla.identity",
    "ventanilla.catalog",
    "ventanilla.representation",
    "ventanilla.engine",
    "ventanilla.cases",
    "ventanilla.documents",
    "ventanilla.ledger",
    "ventanilla.notifications",
    "ventanilla.api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "simple_history",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "oauth2_provider",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ventanilla.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ventanilla.identity.middleware.OfficialSecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ventanilla.urls"
WSGI_APPLICATION = "ventanilla.wsgi.application"

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
                "ventanilla.core.context_processors.platform",
                "ventanilla.notifications.context_processors.unread_notices",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite in WAL mode by default; DATABASE_URL (postgres://…) for production.
SQLITE_PATH = DATA_DIR / "ventanilla.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer commits; IMMEDIATE avoids
        # "database is locked" upgrades from read to write inside a transaction.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    # Connections stay open between requests (CONN_MAX_AGE): opening one and running the
    # PRAGMAs above on every request costs more than most cached pages.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("VENTANILLA_TEST_SQLITE") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "identity.User"

# Argon2id, m=19 MiB, t=2, p=1 (identity/hashers.py explains the choice; bench/sign_in.py).
PASSWORD_HASHERS = [
    "ventanilla.identity.hashers.VentanillaArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "identity:sign_in"
LOGIN_REDIRECT_URL = "identity:account"
LOGOUT_REDIRECT_URL = "home"

# Brute force: after 5 failed attempts on one CUI, signing in to it waits 15 minutes
# (django-axes) and the page says so. Not by address: many people share one in an
# internet café or behind a rural operator's NAT.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("VENTANILLA_SIGNIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "identity/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
SILENCED_SYSTEM_CHECKS = ["axes.W006"]  # locking by address is deliberately off (see above)

# --- Background jobs ------------------------------------------------------------------
# The Django Tasks API (django-tasks backport) with its database backend: jobs are rows in
# the same database and `ventanilla worker` (django-tasks-db's db_worker) runs them. The same
# task code can move to another backend (huey, Redis) by changing this setting only.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("VENTANILLA_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- E-mail ---------------------------------------------------------------------------
# With EMAIL_HOST set, mail goes out by SMTP; without it (the demo), each message is written
# as a file under the data directory, where the person running the demo can open it.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Ventanilla <no-responder@localhost>")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "correos"
# Links in e-mails need the public address of the service.
VENTANILLA_PUBLIC_URL = os.environ.get("VENTANILLA_PUBLIC_URL", "http://127.0.0.1:8000")
EMAIL_VERIFICATION_MAX_AGE = 3 * 24 * 3600

# --- Two-step verification ----------------------------------------------------------------
# Authenticator-app secrets are stored encrypted, and recovery codes as keyed hashes, under
# this key. Changing it makes every enrolment useless: before rotating DJANGO_SECRET_KEY, set
# this to the old secret key.
VENTANILLA_TOTP_KEY = os.environ.get("VENTANILLA_TOTP_KEY") or SECRET_KEY

# --- Passkeys (WebAuthn) -----------------------------------------------------------------
# The relying party is the host name people see; set it when several host names serve one
# site (e.g. "tramites.mineduc.gob.gt"). It must be a domain name: not an IP address.
VENTANILLA_WEBAUTHN_RP_ID = os.environ.get("VENTANILLA_WEBAUTHN_RP_ID", "")

# --- Languages ------------------------------------------------------------------------
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Español")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "ventanilla_idioma"
LANGUAGE_COOKIE_SECURE = env_bool("VENTANILLA_HTTPS")
LANGUAGE_COOKIE_SAMESITE = "Lax"
FORMAT_MODULE_PATH = ["ventanilla.formats"]
TIME_ZONE = "America/Guatemala"
USE_I18N = True
USE_TZ = True

# --- Cache ----------------------------------------------------------------------------
# Public pages are cached per process (core/page_cache.py), keyed by a content version
# kept in the database, so several web nodes stay consistent without a shared cache.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("VENTANILLA_PAGE_CACHE_ENTRIES", "2000"))},
    }
}

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("VENTANILLA_STATIC_ROOT", DATA_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "ventanilla.core.storage.StaticStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# --- Uploaded files -------------------------------------------------------------------
# Files attached to cases. Never served by URL: a view checks who may read each one.
# A ministry puts them in S3-compatible object storage by changing STORAGES["default"].
MEDIA_ROOT = Path(os.environ.get("VENTANILLA_MEDIA_ROOT", DATA_DIR / "archivos"))
MEDIA_URL = "/archivos-no-publicos/"
VENTANILLA_UPLOADS = {
    "MAX_BYTES": int(os.environ.get("VENTANILLA_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)),
    # A compressed file (DOCX, ODT, ZIP) may not unpack to more than this, nor hold more
    # entries than this, nor shrink more than this ratio: beyond, it is a zip bomb.
    "MAX_UNPACKED_BYTES": 100 * 1024 * 1024,
    "MAX_ENTRIES": 1000,
    "MAX_RATIO": 100,
}
# Signed documents (PAdES). With nothing set, a demo PKI is made under DATA_DIR/pki on first
# use and every document it signs says it is NOT valid for production.
#   VENTANILLA_SIGNER                  "pkcs12" (default) or "pkcs11" (a token or HSM)
#   VENTANILLA_SIGNER_PKCS12_FILE      the signer's FEA .p12/.pfx (empty: the demo signer)
#   VENTANILLA_SIGNER_PKCS12_PASSWORD  its password
#   VENTANILLA_PKCS11_MODULE           the token's PKCS#11 library
#   VENTANILLA_PKCS11_TOKEN_LABEL, VENTANILLA_PKCS11_KEY_LABEL, VENTANILLA_PKCS11_CERT_LABEL
#                                      which token, key and certificate (cert: key's label)
#   VENTANILLA_PKCS11_PIN              the user PIN
#   VENTANILLA_SIGNER_CHAIN_FILES      PEM files of the CAs between signer and root, comma sep.
#   VENTANILLA_TIMESTAMP_URL           an RFC 3161 time-stamp server: signatures become B-LTA
#   VENTANILLA_TIMESTAMP_TIMEOUT       seconds to wait for it (default 10)
#   VENTANILLA_PADES_LEVEL             B-B, B-T or B-LTA (default: B-LTA with a time-stamp
#                                      server, else B-B)
#   VENTANILLA_REVOCATION_FILES        CRL files of the signer's chain for B-LTA, comma sep.
#                                      (the CRLs and OCSP its certificates name are fetched too)
#   VENTANILLA_TRUST_ROOT_FILES        PEM roots that verification trusts (empty: demo root)
VENTANILLA_DOCUMENTS = {
    "SIGNER": os.environ.get("VENTANILLA_SIGNER", "pkcs12"),
    "PKCS12_FILE": os.environ.get("VENTANILLA_SIGNER_PKCS12_FILE", ""),
    "PKCS12_PASSWORD": os.environ.get("VENTANILLA_SIGNER_PKCS12_PASSWORD", ""),
    "PKCS11_MODULE": os.environ.get("VENTANILLA_PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so"),
    "PKCS11_TOKEN_LABEL": os.environ.get("VENTANILLA_PKCS11_TOKEN_LABEL", ""),
    "PKCS11_KEY_LABEL": os.environ.get("VENTANILLA_PKCS11_KEY_LABEL", ""),
    "PKCS11_CERT_LABEL": os.environ.get("VENTANILLA_PKCS11_CERT_LABEL", ""),
    "PKCS11_PIN": os.environ.get("VENTANILLA_PKCS11_PIN", ""),
    "CHAIN_FILES": env_list("VENTANILLA_SIGNER_CHAIN_FILES"),
    "TIMESTAMP_URL": os.environ.get("VENTANILLA_TIMESTAMP_URL", ""),
    "TIMESTAMP_TIMEOUT": float(os.environ.get("VENTANILLA_TIMESTAMP_TIMEOUT", "10")),
    "TRUST_ROOT_FILES": env_list("VENTANILLA_TRUST_ROOT_FILES"),
    "PADES_LEVEL": os.environ.get("VENTANILLA_PADES_LEVEL", ""),
    "REVOCATION_FILES": env_list("VENTANILLA_REVOCATION_FILES"),
    # Processes signing a diploma batch in the task worker (0: one per core).
    "BATCH_WORKERS": int(os.environ.get("VENTANILLA_BATCH_WORKERS", "0")),
}
# Diplomas' verifiable credentials (VC-JOSE). With nothing set, an Ed25519 key is made under
# DATA_DIR/credentials on first use.
#   VENTANILLA_CREDENTIALS_KEY_FILE      the issuer's private JWK (must exist when set)
#   VENTANILLA_CREDENTIALS_ALGORITHM     Ed25519 (default) or ES256
#   VENTANILLA_CREDENTIALS_ISSUER_ID     the issuer's id (default: VENTANILLA_PUBLIC_URL)
#   VENTANILLA_CREDENTIALS_RETIRED_KEYS  public JWK files of earlier keys, still accepted
VENTANILLA_CREDENTIALS = {
    "KEY_FILE": os.environ.get("VENTANILLA_CREDENTIALS_KEY_FILE", ""),
    "ALGORITHM": os.environ.get("VENTANILLA_CREDENTIALS_ALGORITHM", "Ed25519"),
    "ISSUER_ID": os.environ.get("VENTANILLA_CREDENTIALS_ISSUER_ID", ""),
    "RETIRED_PUBLIC_KEYS": env_list("VENTANILLA_CREDENTIALS_RETIRED_KEYS"),
}
# Requests bigger than the largest file plus the form are refused before they are read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = ["ventanilla.cases.uploads.SizeLimitedUploadHandler"]
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# --- Security -------------------------------------------------------------------------
# Behind HTTPS (VENTANILLA_HTTPS=1) cookies are Secure and HSTS is sent. Locally over
# http://127.0.0.1 they cannot be, or nobody could sign in.
HTTPS = env_bool("VENTANILLA_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = HTTPS and env_bool("VENTANILLA_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("VENTANILLA_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "ventanilla.core.views.csrf_failure"

# No inline scripts or styles anywhere: everything comes from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("VENTANILLA_LOG_LEVEL", "WARNING")},
}

# --- The platform ---------------------------------------------------------------------
# What another ministry changes to run its own ventanilla.
VENTANILLA = {
    "INSTITUTION_NAME": os.environ.get("VENTANILLA_INSTITUTION", "Ministerio de Educación"),
    "INSTITUTION_SHORT_NAME": os.environ.get("VENTANILLA_INSTITUTION_SHORT", "MINEDUC"),
    "SERVICE_NAME": os.environ.get("VENTANILLA_SERVICE_NAME", "Ventanilla"),
    "COUNTRY_NAME": "Guatemala",
}

# --- National identity registry (RENAP-style REST service) ------------------------------
# `ventanilla demo` starts a simulated registry on loopback and points this at it.
VENTANILLA_REGISTRY = {
    "URL": os.environ.get("VENTANILLA_REGISTRY_URL", "http://127.0.0.1:8010"),
    "TIMEOUT": float(os.environ.get("VENTANILLA_REGISTRY_TIMEOUT", "3")),
    "RETRIES": int(os.environ.get("VENTANILLA_REGISTRY_RETRIES", "2")),
    "TOKEN": os.environ.get("VENTANILLA_REGISTRY_TOKEN", ""),
    "CLIENT_CERT": os.environ.get("VENTANILLA_REGISTRY_CLIENT_CERT", ""),
    "CLIENT_KEY": os.environ.get("VENTANILLA_REGISTRY_CLIENT_KEY", ""),
    "CA_BUNDLE": os.environ.get("VENTANILLA_REGISTRY_CA_BUNDLE", ""),
}

# --- Single sign-on: OpenID Connect provider (django-oauth-toolkit) ---------------------
# Other ministry systems sign people in with their Ventanilla account; systems of other
# institutions get tokens of their own (client credentials). See docs/single-sign-on.md.


def _oidc_private_key() -> str:
    """The RSA key that signs ID tokens: the file named by VENTANILLA_OIDC_PRIVATE_KEY_FILE,
    else one generated once and kept in the data directory (like the secret key)."""
    if path := os.environ.get("VENTANILLA_OIDC_PRIVATE_KEY_FILE"):
        return Path(path).read_text()
    key_file = DATA_DIR / "oidc_private_key.pem"
    if not key_file.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # Written aside, then linked into place: of two processes starting at once (the web
        # server's workers), one key wins and both read it.
        draft = key_file.with_name(f".{key_file.name}.{os.getpid()}")
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
            f.write(pem)
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass  # another process was first: everyone uses its key
        except OSError:  # a filesystem without hard links
            if not key_file.exists():
                os.replace(draft, key_file)
        finally:
            draft.unlink(missing_ok=True)
    return key_file.read_text()


# The issuer (the `iss` of every ID token) is the public address when VENTANILLA_PUBLIC_URL
# is set; otherwise it is the address each request came to (a laptop, a test server).
VENTANILLA_OIDC_ISSUER = os.environ.get("VENTANILLA_PUBLIC_URL", "").rstrip("/")
# `sub` is an HMAC of the account's number under this key, never the CUI. Changing the key
# changes every `sub`: before rotating DJANGO_SECRET_KEY, set this to the old secret key.
VENTANILLA_OIDC_SUBJECT_KEY = os.environ.get("VENTANILLA_OIDC_SUBJECT_KEY") or SECRET_KEY

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": VENTANILLA_OIDC_ISSUER,
    "OIDC_RSA_PRIVATE_KEY": _oidc_private_key(),
    # Keys retired by a rotation stay published (JWKS) until the tokens they signed expire.
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [
        Path(path).read_text() for path in env_list("VENTANILLA_OIDC_PREVIOUS_KEY_FILES")
    ],
    "OAUTH2_VALIDATOR_CLASS": "ventanilla.identity.oidc.VentanillaValidator",
    "APPLICATION_ADMIN_CLASS": "ventanilla.identity.oidc_admin.ApplicationAdmin",
    # What a system may ask for. The first four are about a person and need the person's
    # consent (authorization code); the others are for the systems of other institutions
    # (client credentials) and are never given with a person's data.
    "SCOPES": {
        "openid": _("Que es usted quien inicia sesión, y qué tan comprobada está su identidad"),
        "profile": _("Su nombre y apellidos"),
        "email": _("Su correo electrónico"),
        "cui": _("Su CUI (el número de su DPI)"),
        # The REST API's (api/scopes.py): a token acts only on its own account's cases.
        "tramites:leer": _("Ver sus trámites: en qué van, su historial y lo que le toca"),
        "tramites:escribir": _("Iniciar trámites a su nombre, responderlos y adjuntar archivos"),
        "catalogo:leer": _("Leer el catálogo de trámites"),
        "expedientes:leer": _("Leer expedientes"),
    },
    "DEFAULT_SCOPES": ["openid"],
    "PKCE_REQUIRED": True,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_SUBJECT_TYPES_SUPPORTED": ["public"],
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "client_credentials", "refresh_token"],
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ID_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 24 * 3600,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # Once a person has allowed a system, they are not asked again while its token lasts.
    "REQUEST_APPROVAL_PROMPT": "auto",
    # Behind HTTPS, systems must come back on https:// addresses too.
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if HTTPS else ["https", "http"],
    # RFC 9700 (OAuth 2.0 security best current practice), all of it.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}

# --- Notifications ----------------------------------------------------------------------
# Text messages (SMS) go through a gateway: "console" writes them to standard error (the demo,
# a laptop); "http" POSTs them as JSON, with a bearer token, to the gateway's URL.
VENTANILLA_SMS = {
    "BACKEND": os.environ.get("VENTANILLA_SMS_BACKEND", "console"),
    "URL": os.environ.get("VENTANILLA_SMS_URL", ""),
    "TOKEN": os.environ.get("VENTANILLA_SMS_TOKEN", ""),
    # The name the message comes from, if the gateway lets us choose it.
    "SENDER": os.environ.get("VENTANILLA_SMS_SENDER", VENTANILLA["INSTITUTION_SHORT_NAME"]),
    "TIMEOUT": float(os.environ.get("VENTANILLA_SMS_TIMEOUT", "5")),
}
