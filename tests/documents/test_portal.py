"""The public verification portal: by code, by the PDF itself, as JSON; forged, altered,
unknown and oversized inputs each get a clear answer, never a 500."""

import os

import pytest
from django.core.cache import cache

from ventanilla.documents import actions, rendering, signing
from ventanilla.documents.models import Document, Kind

from .conftest import document_fields

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit_left_over():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def signed(certification, citizen, signer):
    document = actions.prepare(
        kind=Kind.CERTIFICATION,
        title="Certificación de estudios",
        template="certificacion",
        unit=certification.responsible_unit,
        holder=citizen,
        holder_name="Marta López Ajú",
        data={"paragraphs": ["Que cursó y aprobó el ciclo básico."]},
    )
    return actions.sign(document.pk, signer=signer)


def verdict_of(response) -> str:
    html = response.content.decode()
    return html.split("vt-verdict--", 1)[1].split('"', 1)[0] if "vt-verdict--" in html else ""


def upload(client, data: bytes, name="documento.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/verificar/archivo/",
        {"archivo": SimpleUploadedFile(name, data, content_type="application/pdf")},
    )


def test_the_portal_shows_its_own_address_and_needs_no_sign_in(client):
    page = client.get("/verificar/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "127.0.0.1:8000/verificar/" in html and "no hace falta el código QR" in html


def test_by_code_typed_loosely_the_registry_answers_with_the_minimum(client, signed):
    typed = signed.code.lower().replace("-", " ")
    found = client.get("/verificar/", {"codigo": typed}, follow=True)
    assert verdict_of(found) == "valido"
    html = found.content.decode()
    assert signed.holder_masked in html and "Marta López Ajú" not in html
    assert signed.holder.cui not in html
    data = client.get(f"/verificar/{signed.code}.json").json()
    assert data["veredicto"] == "valido" and data["documento"]["sha256"] == signed.sha256
    assert data["documento"]["titular"] == signed.holder_masked


def test_an_unknown_or_malformed_code_is_desconocido(client, signed):
    other = signed.code[:-1] + ("A" if signed.code[-1] != "A" else "B")  # check symbol fails
    assert verdict_of(client.get(f"/verificar/{other}/")) == "desconocido"
    assert "forma de un código" in client.get("/verificar/nada/").content.decode()


def test_the_pdf_itself_is_valido_and_the_same_as_json(client, signed):
    data = signed.pdf.read()
    page = upload(client, data)
    assert verdict_of(page) == "valido"
    assert "DEMOSTRACIÓN" in page.content.decode()  # the demo's certificates say so
    answer = client.post("/verificar/archivo.json", data, content_type="application/pdf").json()
    assert answer["veredicto"] == "valido" and answer["documento"]["codigo"] == signed.code


def test_one_changed_byte_is_no_valido_with_the_reason(client, signed):
    data = bytearray(signed.pdf.read())
    position = data.index(b"/Type /Font") if b"/Type /Font" in data else len(data) // 3
    data[position + 2] ^= 0x01
    answer = upload(client, bytes(data))
    assert verdict_of(answer) == "no_valido"
    assert answer.status_code == 200 and "motivos" in answer.content.decode()


def test_a_pdf_signed_by_an_unknown_authority_is_no_valido(client, unknown_ca, sign_with, signed):
    sign_with(PKCS12_FILE=str(unknown_ca["pkcs12"]), PKCS12_PASSWORD=unknown_ca["password"])
    forged = signing.sign_pdf(rendering.render_pdf(Kind.CERTIFICATION, document_fields()))
    answer = upload(client, forged)
    assert verdict_of(answer) == "no_valido"
    assert "reconoc" in answer.content.decode().lower() or "confianza" in answer.content.decode()


def test_a_genuine_signature_of_a_document_not_in_the_registry_is_desconocido(client, signed):
    stray = signing.sign_pdf(rendering.render_pdf(Kind.CERTIFICATION, document_fields()))
    assert verdict_of(upload(client, stray)) == "desconocido"


def test_a_revoked_document_is_revocado_by_file_too(client, signed, signer):
    actions.revoke(signed.pk, actor=signer, reason="Calificaciones corregidas")
    answer = upload(client, Document.objects.get(pk=signed.pk).pdf.read())
    assert verdict_of(answer) == "revocado"
    assert "Calificaciones corregidas" in answer.content.decode()


def test_random_bytes_and_a_50_mb_file_are_refused_with_a_message(client):
    random_file = upload(client, os.urandom(4096), name="foto.pdf")
    assert random_file.status_code == 400 and "no es un PDF" in random_file.content.decode()
    huge = upload(client, b"%PDF-1.7\n" + b"0" * (50 * 1024 * 1024))
    assert huge.status_code == 400
    assert "pesa 50 MB" in huge.content.decode() and "máximo es 10 MB" in huge.content.decode()
    nothing = client.post("/verificar/archivo/", {})
    assert nothing.status_code == 400 and "Elija el archivo" in nothing.content.decode()
    body = client.post("/verificar/archivo.json", os.urandom(100), content_type="application/pdf")
    assert body.status_code == 400 and body.json()["error"]


def test_garbage_credentials_are_no_valido_never_an_error(client):
    for garbage in ("x", "eyJ.eyJ.sig", "a" * 5000):
        answer = client.post("/verificar/credencial/", {"credencial": garbage})
        assert answer.status_code == 200 and verdict_of(answer) == "no_valido"
    assert client.post("/verificar/credencial/", {}).status_code == 400


def test_many_checks_from_one_address_are_slowed_down(client, settings, signed):
    settings.VENTANILLA_VERIFY_TRIES = 3
    answers = [client.get(f"/verificar/{signed.code}/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert client.get(f"/verificar/{signed.code}.json").status_code == 429


def test_the_keys_and_status_lists_are_published(client, signed, signer):
    keys = client.get("/verificar/claves.json")
    assert keys["Content-Type"] == "application/jwk-set+json" and keys.json()["keys"]
    assert client.get("/verificar/estado/0").status_code == 404  # no diploma yet
    diploma = actions.prepare(
        kind=Kind.DIPLOMA,
        title="Diploma",
        template="diploma",
        unit=signed.unit,
        holder_name="Ana Pérez",
        data={"titulo": "Perito Contador"},
    )
    actions.sign(diploma.pk, signer=signer)
    listed = client.get("/verificar/estado/0")
    assert listed.status_code == 200 and listed["Content-Type"] == "application/vc+jwt"
    assert client.get("/verificar/estado/7").status_code == 404


def test_the_portal_checks_the_document_s_place_in_the_public_log(client, signed):
    """Signing recorded the issuance; the portal checks its inclusion against the latest
    signed checkpoint and links to the proof."""
    from ventanilla.ledger import checkpoints
    from ventanilla.ledger.models import Leaf

    leaf = Leaf.objects.get(reference=f"document_issued:{signed.code}")
    page = client.get(f"/verificar/{signed.code}/").content.decode()
    assert f"Su emisión es la anotación {leaf.index} del registro público" in page
    assert f"referencia=document_issued:{signed.code}" in page
    checkpoints.make_checkpoint()
    answer = client.get(f"/verificar/{signed.code}.json").json()
    assert answer["registro_publico"]["included"] is True
    assert answer["registro_publico"]["index"] == leaf.index
    proof = client.get(answer["registro_publico"]["proof"]).json()
    assert proof["leaf_index"] == leaf.index and signed.code in proof["entry"]
