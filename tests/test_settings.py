import json
import os
import subprocess
import sys

from django.test import RequestFactory

from ventanilla.core.views import server_error


def settings_under(env: dict, tmp_path) -> dict:
    """Import the settings module in a fresh interpreter with this environment."""
    code = (
        "import json, ventanilla.settings as s;"
        "print(json.dumps({k: getattr(s, k) for k in ["
        "'DEBUG','SESSION_COOKIE_SECURE','CSRF_COOKIE_SECURE','SECURE_HSTS_SECONDS',"
        "'SECURE_SSL_REDIRECT','X_FRAME_OPTIONS']} | {'ENGINE': s.DATABASES['default']['ENGINE'],"
        "'NAME': str(s.DATABASES['default']['NAME'])}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "VENTANILLA_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_safe_defaults_without_any_environment(tmp_path):
    values = settings_under({}, tmp_path)
    assert values["DEBUG"] is False
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["NAME"] == str(tmp_path / "ventanilla.sqlite3")
    assert values["SECURE_HSTS_SECONDS"] == 0  # plain http on 127.0.0.1 must keep working
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_behind_https_cookies_are_secure_and_hsts_is_sent(tmp_path):
    values = settings_under({"VENTANILLA_HTTPS": "1"}, tmp_path)
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_SSL_REDIRECT"] is True


def test_database_url_selects_postgresql(tmp_path):
    values = settings_under({"DATABASE_URL": "postgres://u:p@db.example:5432/vt"}, tmp_path)
    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert values["NAME"] == "vt"


def test_debug_only_when_asked(tmp_path):
    assert settings_under({"DJANGO_DEBUG": "1"}, tmp_path)["DEBUG"] is True
    assert settings_under({"DJANGO_DEBUG": "no"}, tmp_path)["DEBUG"] is False


def test_default_sqlite_database_runs_in_wal_mode(tmp_path):
    # The test database may be in memory or PostgreSQL: check a real default file.
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='ventanilla.settings';"
        "django.setup(); from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "VENTANILLA_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "wal"


def test_the_500_page_is_spanish_and_self_contained():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Lo sentimos, hay un problema con el servicio" in html
    assert "<script" not in html
