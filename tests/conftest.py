import pytest

from ventanilla.catalog.reference import load_reference_data


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database starts with the same reference data as a real deployment."""
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def editor(db):
    from ventanilla.catalog.reference import ensure_editor_group
    from ventanilla.core.cui import make_cui
    from ventanilla.identity.models import User

    user = User.objects.create_user(
        make_cui(20000001, "01", "01"),
        "una-clave-larga-2026",
        first_names="Elsa",
        last_names="Editora",
        is_staff=True,
    )
    user.groups.add(ensure_editor_group())
    return user


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Unit tests render templates without running collectstatic first; the hashed,
    compressed storage is exercised by the browser tests against the real server."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Tests roll their transactions back, so a content version number can come back with
    other data: start every test with an empty page cache."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Unit tests create many accounts; Argon2 is exercised by the browser tests' server."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def force_login_with_second_factor(client, user):
    """Sign an official in as if they had enrolled an authenticator app and typed its code
    (the back office and the administration need both; tests/identity/test_two_factor.py
    covers how)."""
    from ventanilla.identity import sessions, two_factor
    from ventanilla.identity.models import TotpDevice

    TotpDevice.objects.get_or_create(
        user=user,
        defaults={"encrypted_secret": two_factor.encrypt_secret(two_factor.new_secret())},
    )
    client.force_login(user)
    session = client.session
    session[sessions.SECOND_FACTOR_KEY] = "totp"
    session.save()


@pytest.fixture
def inbox(settings):
    """Mail goes out by SMTP to a real server on loopback (aiosmtpd) that keeps it."""
    from tests.smtp import start_smtp_server

    handler, controller, port = start_smtp_server()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.VENTANILLA_PUBLIC_URL = "http://testserver"
    yield handler
    controller.stop()
