import pytest

from tests.smtp import start_smtp_server


@pytest.fixture
def inbox(settings):
    """Mail goes out by SMTP to a real server on loopback (aiosmtpd) that keeps it."""
    handler, controller, port = start_smtp_server()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.VENTANILLA_PUBLIC_URL = "http://testserver"
    yield handler
    controller.stop()
