"""Fixtures for signed documents: the demo PKI, another (unknown) CA, an NSS database that
trusts the demo root for poppler's pdfsig, a SoftHSM2 token and a local RFC 3161 server."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyotp
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from tests.cases.conftest import (  # noqa: F401 (shared fixtures)
    certification,
    citizen,
    person,
    reviewers,
)
from ventanilla.core.cui import make_cui
from ventanilla.core.models import OrgUnit
from ventanilla.documents import codes, pki, signing, status_list
from ventanilla.identity import two_factor
from ventanilla.identity.actions import grant_role
from ventanilla.identity.models import Role, TotpDevice, User

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


def need(program: str, package: str) -> str:
    """The path of a tool the tests drive; a clear failure (never a skip) when missing."""
    path = shutil.which(program)
    assert path, f"{program} is missing: apt-get install {package}"
    return path


def document_fields(**overrides) -> dict:
    fields = {
        "title": "Certificación de cursos aprobados",
        "holder_name": "María José López Ñáñez",
        "holder_id": "CUI 2000 00001 0101",
        "paragraphs": [
            "que según los registros de este establecimiento aprobó los cursos del ciclo "
            "básico del año 2025, con las calificaciones que constan en el cuadro oficial.",
            "Y para los usos legales que a la interesada convengan, se extiende la presente.",
        ],
        "unit": "Dirección Departamental de Educación Guatemala Norte",
        "place": "Guatemala",
        "date": datetime.date(2026, 11, 28),
        "code": codes.new_code(),
        "signer_name": "Licda. Ana Beatriz Castillo",
        "signer_role": "Directora departamental",
    }
    return fields | overrides


@pytest.fixture
def demo_pki():
    return pki.ensure_demo_pki()


@pytest.fixture
def sign_with(settings):
    """Point the signer at other settings for one test: ``sign_with(SIGNER="pkcs11", ...)``."""

    def configure(**values):
        settings.VENTANILLA_DOCUMENTS = {**settings.VENTANILLA_DOCUMENTS, **values}

    yield configure
    signing.reset_signers()


@pytest.fixture
def unknown_ca(tmp_path):
    """A CA nobody configured, with a signer whose PKCS#12 the tests can sign with."""
    root, root_key = pki.new_root_ca("Autoridad Desconocida de Pruebas", "Nadie S.A.")
    signer, signer_key = pki.new_signer(root, root_key, "Firmante Desconocido", "Nadie S.A.")
    p12 = tmp_path / "desconocido.p12"
    p12.write_bytes(pki.pkcs12_bytes(signer, signer_key, [root], b"clave-de-prueba"))
    root_pem = tmp_path / "raiz-desconocida.pem"
    root_pem.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    return {"pkcs12": p12, "password": "clave-de-prueba", "root_pem": root_pem}


@pytest.fixture(scope="session")
def nss_db(tmp_path_factory):
    """An NSS database (what pdfsig uses) that trusts the demo root, and only it."""
    certutil = need("certutil", "libnss3-tools")
    directory = tmp_path_factory.mktemp("nssdb")
    demo = pki.ensure_demo_pki()
    subprocess.run(
        [certutil, "-N", "-d", f"sql:{directory}", "--empty-password"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            certutil,
            "-A",
            "-d",
            f"sql:{directory}",
            "-n",
            "Ventanilla DEMO",
            "-t",
            "C,C,C",
            "-i",
            str(demo.root_certificate_path),
        ],
        check=True,
        capture_output=True,
    )
    return f"sql:{directory}"


def pdfsig(pdf_path, nss_db: str) -> str:
    program = need("pdfsig", "poppler-utils")
    result = subprocess.run(
        [program, "-nssdir", nss_db, str(pdf_path)], capture_output=True, text=True, timeout=60
    )
    return result.stdout + result.stderr


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory):
    """A real PKCS#11 token (SoftHSM2) with an ECDSA P-256 key generated inside it and a
    certificate for that key issued by the demo root, set up the way an operator would."""
    assert os.path.exists(SOFTHSM_MODULE), "SoftHSM2 is missing: apt-get install softhsm2"
    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    conf = directory / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {directory / 'tokens'}\n"
        "objectstore.backend = file\nlog.level = ERROR\n"
    )
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    token = {
        "module": SOFTHSM_MODULE,
        "label": "ventanilla-pruebas",
        "pin": "246810",
        "key_label": "firma-director",
        "common_name": "Directora de Pruebas (HSM)",
    }
    try:
        _init_token(directory, token)
        yield token
    finally:
        signing.reset_signers()
        if previous is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = previous


def _init_token(directory, token: dict) -> None:
    softhsm_util = need("softhsm2-util", "softhsm2")
    pkcs11_tool = need("pkcs11-tool", "opensc")

    def run(*args):
        subprocess.run(args, check=True, capture_output=True, timeout=60)

    tool = [pkcs11_tool, "--module", token["module"], "--token-label", token["label"]]
    login = ["--login", "--pin", token["pin"]]
    key = ["--id", "01", "--label", token["key_label"]]
    run(
        softhsm_util,
        "--init-token",
        "--free",
        "--label",
        token["label"],
        "--so-pin",
        "135790",
        "--pin",
        token["pin"],
    )
    run(*tool, *login, "--keypairgen", "--key-type", "EC:prime256v1", *key)
    public_der = directory / "publica.der"
    run(*tool, "--read-object", "--type", "pubkey", "--id", "01", "-o", str(public_der))
    demo = pki.ensure_demo_pki()
    certificate = pki.new_certificate(
        demo.root_certificate(),
        demo.root_key(),
        serialization.load_der_public_key(public_der.read_bytes()),
        token["common_name"],
        "Ministerio de Pruebas",
    )
    certificate_der = directory / "certificado.der"
    certificate_der.write_bytes(certificate.public_bytes(serialization.Encoding.DER))
    run(*tool, *login, "--write-object", str(certificate_der), "--type", "cert", *key)


class _TimeStampHandler(BaseHTTPRequestHandler):
    timestamper = None

    def do_POST(self):
        from asn1crypto import tsp

        body = self.rfile.read(int(self.headers["Content-Length"]))
        answer = self.timestamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


TSA_TIME = datetime.datetime(2026, 11, 28, 14, 30, tzinfo=datetime.UTC)


@pytest.fixture
def timestamp_server(demo_pki):
    """A real RFC 3161 server over HTTP on loopback, its TSA certified by the demo root.
    (pyHanko's test TSA answers; the client, transport and token are the real ones.)"""
    from pyhanko.keys.internal import (
        translate_pyca_cryptography_cert_to_asn1,
        translate_pyca_cryptography_key_to_asn1,
    )
    from pyhanko.sign.timestamps import DummyTimeStamper

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = pki.new_certificate(
        demo_pki.root_certificate(),
        demo_pki.root_key(),
        key.public_key(),
        "Sellado de tiempo DEMO — NO VÁLIDO PARA PRODUCCIÓN",
        pki.DEMO_ORGANIZATION,
        extended_key_usages=[ExtendedKeyUsageOID.TIME_STAMPING],
        crl_url=pki.demo_crl_url(),  # as a real TSA's: long-term signatures embed its list
    )
    handler = type(
        "Handler",
        (_TimeStampHandler,),
        {
            "timestamper": DummyTimeStamper(
                tsa_cert=translate_pyca_cryptography_cert_to_asn1(certificate),
                tsa_key=translate_pyca_cryptography_key_to_asn1(key),
                fixed_dt=TSA_TIME,
            )
        },
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _fresh_status_lists():
    """Each test reads the status lists its own database holds, not a process cache."""
    status_list.forget_cached_status_lists()
    yield
    status_list.forget_cached_status_lists()


@pytest.fixture
def unit(db):
    return OrgUnit.objects.get_or_create(
        code="digeduca-pruebas",
        defaults={"name": "Dirección de Pruebas", "kind": OrgUnit.Kind.CENTRAL},
    )[0]


def person_cui(n):
    return make_cui(71_000_000 + n, "01", "01")


@pytest.fixture
def signer(certification, reviewers):  # noqa: F811 (the imported fixtures)
    official = person(80, first_names="Firma", last_names="Directora")
    admin = User.objects.get(cui=person_cui(90))  # the unit's administrator (reviewers)
    grant_role(official, Role.SIGNER, certification.responsible_unit, actor=admin)
    secret = two_factor.new_secret()
    TotpDevice.objects.create(user=official, encrypted_secret=two_factor.encrypt_secret(secret))
    official.totp = pyotp.TOTP(secret)
    return official
