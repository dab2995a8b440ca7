"""Text messages: fitted to one GSM-7 SMS, sent to Guatemalan numbers, through the console in
the demo and through a real HTTP gateway (on loopback here) in production."""

import logging
import re
import socket

import pytest

from tests.notifications.conftest import Gateway
from ventanilla.notifications.sms import (
    HttpBackend,
    fit,
    normalise_phone,
    send_sms,
    septets,
    to_gsm,
)

# --- Fitting a text into one SMS -----------------------------------------------------------


def test_a_short_text_is_sent_as_it_is():
    text = "Ventanilla MINEDUC: recibimos la solicitud MINEDUC-2026-000123."
    assert fit(text) == text


def test_letters_outside_the_gsm_alphabet_lose_their_accent_and_the_rest_stay():
    assert to_gsm("Revisión de título: año, café, Ñandú «ok» … ¿sí? ¡ya!") == (
        'Revision de titulo: año, café, Ñandu "ok" ... ¿si? ¡ya!'
    )
    assert to_gsm("línea 1\nlínea\t2  ✓") == "linea 1 linea 2 ?"


def test_a_long_text_is_cut_at_a_word_and_says_so():
    text = "El trámite MINEDUC-2026-000123 necesita una corrección. " * 5
    fitted = fit(text)
    assert len(fitted) <= 160 and fitted.endswith("...")
    assert fitted.startswith("El tramite MINEDUC-2026-000123 necesita una correccion.")
    # The cut falls between words: what is kept is the start of the text, word by word.
    kept = fitted.removesuffix("...")
    assert to_gsm(text).startswith(kept) and to_gsm(text)[len(kept)] in " ."


def test_extension_characters_take_two_places():
    assert septets("[a]€") == 7
    fitted = fit("€" * 100)
    assert septets(fitted) <= 160 and fitted == "€" * 78 + "..."


def test_exactly_160_characters_fit():
    text = "a" * 160
    assert fit(text) == text
    assert fit(text + "b") == "a" * 157 + "..."


# --- Phone numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["55551234", "5555-1234", "5555 1234", "+502 5555 1234", "502 5555-1234", "00502 55551234"],
)
def test_guatemalan_numbers_however_typed(typed):
    assert normalise_phone(typed) == "+50255551234"


@pytest.mark.parametrize(
    "typed", ["", "1234", "555512345", "15551234", "+1 202 555 0143", "5555-12ab", "+503 7777 1234"]
)
def test_what_is_not_a_guatemalan_number(typed):
    assert normalise_phone(typed) is None


# --- The console backend (demo) ------------------------------------------------------------


def test_the_console_writes_the_message_and_logs_without_the_number(console_sms, capsys, caplog):
    with caplog.at_level(logging.INFO, logger="ventanilla.notifications.sms"):
        assert send_sms("5555-1234", "Recibimos la solicitud MINEDUC-2026-000001.") is True
    err = capsys.readouterr().err
    assert "+50255551234" in err and "Recibimos la solicitud MINEDUC-2026-000001." in err
    assert "+502****1234" in caplog.text and "55551234" not in caplog.text


def test_a_wrong_number_sends_nothing(console_sms, capsys, caplog):
    assert send_sms("123", "Hola") is False
    # Not "== ''": another test's logging handler may complain on stderr in a full run.
    assert not re.search(r"^SMS \S+ -> ", capsys.readouterr().err, re.M)
    assert "not a Guatemalan phone number" in caplog.text


def test_an_unknown_backend_is_logged_not_raised(settings, caplog):
    settings.VENTANILLA_SMS = {"BACKEND": "paloma-mensajera"}
    assert send_sms("5555 1234", "Hola") is False
    assert "Unknown SMS backend" in caplog.text


# --- The HTTP backend against a real server on loopback ------------------------------------


def test_the_gateway_gets_json_with_the_bearer_token(gateway):
    assert send_sms("+502 4444 1234", "Su trámite MINEDUC-2026-000007 está resuelto.") is True
    [request] = gateway.requests
    assert request["path"] == "/v1/mensajes"
    assert request["authorization"] == "Bearer token-de-prueba"
    assert request["content_type"] == "application/json"
    assert request["json"] == {
        "to": "+50244441234",
        "from": "MINEDUC",
        "text": "Su tramite MINEDUC-2026-000007 esta resuelto.",
    }


def test_a_server_error_is_tried_once_more():
    server = Gateway(statuses=[503]).start()
    try:
        assert HttpBackend(url=server.url, backoff=0).send("+50255551234", "Hola") is True
    finally:
        server.stop()
    assert len(server.requests) == 2


def test_two_server_errors_give_up_and_log_without_raising(settings, caplog):
    server = Gateway(statuses=[500, 500]).start()
    settings.VENTANILLA_SMS = {"BACKEND": "http", "URL": server.url, "TOKEN": "t", "TIMEOUT": 2}
    try:
        assert send_sms("5555 1234", "Hola") is False
    finally:
        server.stop()
    assert len(server.requests) == 2  # one retry, no more
    assert "SMS to +502****1234 not sent: the gateway failed (HTTP 500)" in caplog.text
    assert "55551234" not in caplog.text


def test_a_refusal_is_not_retried(caplog):
    server = Gateway(statuses=[400]).start()
    try:
        assert HttpBackend(url=server.url, backoff=0).send("+50255551234", "Hola") is False
    finally:
        server.stop()
    assert len(server.requests) == 1
    assert "refused the message to +502****1234: HTTP 400" in caplog.text


def test_a_slow_gateway_times_out(caplog):
    server = Gateway(delay=1.0).start()
    try:
        backend = HttpBackend(url=server.url, timeout=0.2, backoff=0)
        assert backend.send("+50255551234", "Hola") is False
    finally:
        server.stop()
    assert len(server.requests) == 2
    assert "gateway failed (TimeoutError)" in caplog.text


def test_a_gateway_that_is_down(caplog):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = HttpBackend(url=f"http://127.0.0.1:{port}/", timeout=1, backoff=0)
    assert backend.send("+50255551234", "Hola") is False
    assert "gateway failed (ConnectionRefusedError)" in caplog.text


def test_only_http_addresses_are_gateways():
    with pytest.raises(ValueError, match="must be http"):
        HttpBackend(url="file:///etc/passwd")
