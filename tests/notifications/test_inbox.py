"""The inbox ("Mis avisos"): the person's own messages, newest first, marked read when opened,
counted in the header; e-mail and SMS only once the change is committed."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.cases.conftest import person
from ventanilla.notifications.actions import notify
from ventanilla.notifications.models import InboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def marta(db):
    return person(11, first_names="Marta", email="marta@example.org", phone="5555 1234")


def tell(user, subject, **kwargs):
    return notify(user, subject=subject, body=f"Cuerpo de «{subject}».", **kwargs)


def test_the_inbox_lists_my_messages_newest_first_with_the_new_ones_marked(client, marta):
    first = tell(marta, "Primer aviso", link="/mis-tramites/1/", email=False)
    second = tell(marta, "Segundo aviso", email=False)
    tell(person(12, first_names="Otra"), "Aviso de otra persona", email=False)
    InboxMessage.objects.filter(pk=first.pk).update(created_at=second.created_at.replace(year=2020))
    client.force_login(marta)
    page = client.get("/mis-avisos/").content.decode()
    assert page.index("Segundo aviso") < page.index("Primer aviso")
    assert "Aviso de otra persona" not in page
    assert page.count(">Nuevo</strong>") == 2
    assert f'href="/mis-avisos/{second.pk}/"' in page


def test_opening_a_message_marks_it_read_and_links_to_the_case(client, marta):
    message = tell(marta, "Su trámite está resuelto", link="/mis-tramites/7/", email=False)
    client.force_login(marta)
    page = client.get(f"/mis-avisos/{message.pk}/").content.decode()
    assert "Su trámite está resuelto" in page and "Cuerpo de «Su trámite está resuelto»." in page
    assert 'href="/mis-tramites/7/"' in page
    message.refresh_from_db()
    first_read = message.read_at
    assert first_read is not None
    client.get(f"/mis-avisos/{message.pk}/")
    message.refresh_from_db()
    assert message.read_at == first_read  # the first opening counts
    assert ">Nuevo</strong>" not in client.get("/mis-avisos/").content.decode()


def test_another_persons_message_is_not_found(client, marta):
    theirs = tell(person(12, first_names="Otra"), "Privado", email=False)
    client.force_login(marta)
    assert client.get(f"/mis-avisos/{theirs.pk}/").status_code == 404
    assert client.get("/mis-avisos/999999/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_inbox_needs_signing_in(client, marta):
    message = tell(marta, "Aviso", email=False)
    assert client.get("/mis-avisos/").status_code == 302
    assert client.get(f"/mis-avisos/{message.pk}/").status_code == 302
    assert "Avisos" not in client.get("/consulta/").content.decode()


def test_the_header_counts_unread_messages_for_screen_readers_too(client, marta):
    tell(marta, "Uno", email=False)
    second = tell(marta, "Dos", email=False)
    client.force_login(marta)
    page = client.get("/mis-tramites/").content.decode()
    assert 'href="/mis-avisos/"' in page
    assert re.search(
        r'aria-hidden="true">2</strong><span class="govuk-visually-hidden">, 2 sin leer', page
    )
    client.get(f"/mis-avisos/{second.pk}/")
    page = client.get("/mis-tramites/").content.decode()
    assert ", 1 sin leer" in page
    client.post("/mis-avisos/marcar-leidos/")
    page = client.get("/mis-tramites/").content.decode()
    assert "sin leer" not in page and ">Avisos</a>" in page


def test_the_count_is_one_cheap_query(client, marta):
    for n in range(3):
        tell(marta, f"Aviso {n}", email=False)
    client.force_login(marta)
    with CaptureQueriesContext(connection) as queries:
        client.get("/mis-tramites/")
    inbox_queries = [q["sql"] for q in queries if "notifications_inboxmessage" in q["sql"]]
    assert len(inbox_queries) == 1
    assert "COUNT(" in inbox_queries[0].upper() and '"read_at" IS NULL' in inbox_queries[0]


def test_mark_all_read_is_a_post(client, marta):
    tell(marta, "Uno", email=False)
    client.force_login(marta)
    assert client.get("/mis-avisos/marcar-leidos/").status_code == 405
    response = client.post("/mis-avisos/marcar-leidos/", follow=True)
    assert "Marcamos todos sus avisos como leídos." in response.content.decode()
    assert not InboxMessage.objects.filter(user=marta, read_at__isnull=True).exists()


def test_email_and_sms_wait_for_the_commit(
    marta, inbox, console_sms, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = tell(
            marta, "Aviso con todo", link="/mis-tramites/3/", sms=True, sms_text="SMS corto"
        )
    assert InboxMessage.objects.filter(pk=message.pk).exists()  # in the transaction already
    assert inbox.messages == [] and capsys.readouterr().err == ""
    for callback in callbacks:
        callback()
    [mail] = inbox.to("marta@example.org")
    assert mail["Subject"] == "Aviso con todo"
    body = mail.get_payload(decode=True).decode()
    assert "Cuerpo de «Aviso con todo»." in body and "http://testserver/mis-tramites/3/" in body
    assert "+50255551234: SMS corto" in capsys.readouterr().err


def test_without_an_address_or_a_number_only_the_inbox_gets_it(
    inbox, console_sms, capsys, django_capture_on_commit_callbacks
):
    nobody = person(13, first_names="Sin datos")
    with django_capture_on_commit_callbacks(execute=True):
        tell(nobody, "Solo en la bandeja", sms=True)
    assert inbox.messages == [] and capsys.readouterr().err == ""
    assert InboxMessage.objects.get(user=nobody).subject == "Solo en la bandeja"


def test_a_mail_server_that_is_down_does_not_lose_the_message(
    marta, settings, caplog, django_capture_on_commit_callbacks
):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    with django_capture_on_commit_callbacks(execute=True):
        tell(marta, "Aviso sin correo")
    assert "E-mail notice not sent" in caplog.text
    assert InboxMessage.objects.filter(user=marta, subject="Aviso sin correo").exists()


def test_the_body_is_shown_as_paragraphs_with_its_addresses_as_links_and_nothing_else(
    client, marta
):
    message = notify(
        marta,
        subject="Aviso",
        body="Hola, <b>Marta</b>:\n\nVea http://testserver/mis-tramites/4/ <script>x</script>",
        email=False,
    )
    client.force_login(marta)
    page = client.get(f"/mis-avisos/{message.pk}/").content.decode()
    assert '<p class="govuk-body">Hola, &lt;b&gt;Marta&lt;/b&gt;:</p>' in page
    assert '<a class="govuk-link" href="http://testserver/mis-tramites/4/"' in page
    assert "<script>x" not in page and "&lt;script&gt;x" in page
