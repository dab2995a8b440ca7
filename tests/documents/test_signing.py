import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from tests.documents.conftest import TSA_TIME, document_fields, pdfsig
from ventanilla.documents import pki, rendering, signing, validation
from ventanilla.documents.event_loops import outside_event_loop

REASON, LOCATION = "Emisión del documento", "Guatemala"


def signed_document(kind="certification", one_pass=True, **overrides) -> tuple[dict, bytes]:
    """A document signed as the platform issues it (one pass: the renderer writes the empty
    signature, ``pades`` fills it) or as any PDF is (pyHanko's incremental update)."""
    fields = document_fields(**overrides)
    if one_pass:
        return fields, signing.sign_rendered(
            lambda field: rendering.render_pdf(kind, fields, signature=field),
            reason=REASON,
            location=LOCATION,
        )
    pdf = rendering.render_pdf(kind, fields)
    return fields, signing.sign_pdf(pdf, reason=REASON, location=LOCATION)


# Both ways of signing must give the same answers to every validator.
both_ways = pytest.mark.parametrize("one_pass", [True, False], ids=["one-pass", "pyhanko"])


@both_ways
def test_pdfsig_finds_the_signature_valid_and_the_demo_root_trusted(tmp_path, nss_db, one_pass):
    _fields, signed = signed_document("diploma", one_pass=one_pass)
    path = tmp_path / "diploma.pdf"
    path.write_bytes(signed)
    report = pdfsig(path, nss_db)
    assert "Signature Type: ETSI.CAdES.detached" in report  # PAdES, not adbe.pkcs7
    assert "Total document signed" in report
    assert "Signature Validation: Signature is Valid." in report
    assert "Certificate Validation: Certificate is Trusted." in report
    assert pki.SIGNER_NAME in report


@both_ways
def test_pyhanko_finds_it_certified_intact_and_trusted(one_pass):
    _fields, signed = signed_document(one_pass=one_pass)
    check = validation.validate_pdf(signed)
    assert check.ok, check.reasons
    assert (check.intact, check.valid_signature, check.trusted) == (True, True, True)
    assert (check.certified, check.unchanged, check.timestamped) == (True, True, False)
    assert check.signer == signing.signer_subject()
    assert check.signing_time is not None
    assert check.demo and check.notes


@both_ways
def test_the_signature_is_pades_and_certifies_with_no_changes_allowed(one_pass):
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import MDPPerm

    _fields, signed = signed_document(one_pass=one_pass)
    reader = PdfFileReader(BytesIO(signed))
    signature = reader.embedded_regular_signatures[0]
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.docmdp_level == MDPPerm.NO_CHANGES
    assert signature.sig_object["/Reason"] == REASON
    assert signature.sig_object["/Location"] == LOCATION
    assert signature.field_name == signing.SIGNATURE_FIELD
    assert "/ESIC" in reader.root["/Extensions"]  # the PAdES developer extension
    # PAdES baseline: the time is the dictionary's /M, never a CMS signing-time attribute.
    attributes = [a["type"].native for a in signature.signer_info["signed_attrs"]]
    assert attributes == ["content_type", "message_digest", "signing_certificate_v2"]
    assert signature.self_reported_timestamp is not None


def test_the_demo_signer_is_ecdsa_p256_for_signing_only(demo_pki):
    certificate = signing.signer_certificate()
    assert isinstance(certificate.public_key(), ec.EllipticCurvePublicKey)
    assert certificate.public_key().curve.name == "secp256r1"
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert not usage.key_cert_sign
    assert signing.signer_is_demo()
    assert pki.ROOT_NAME in demo_pki.root_certificate().subject.rfc4514_string()
    for secret in (demo_pki.signer_pkcs12_path, demo_pki.root_key_path):
        assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600


def test_the_signer_is_loaded_once_per_process():
    first = signing._signer()
    assert signing._signer() is first
    assert isinstance(first, signing.CachedKeySigner)


def test_concurrent_signatures_all_validate():
    pdf = rendering.render_pdf("diploma", document_fields())
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: signing.sign_pdf(pdf), range(8)))
    assert all(validation.validate_pdf(signed).ok for signed in results)


def test_with_a_time_stamp_server_the_signature_is_pades_b_t(
    tmp_path, sign_with, timestamp_server, nss_db
):
    sign_with(TIMESTAMP_URL=timestamp_server)
    _fields, signed = signed_document()
    check = validation.validate_pdf(signed)
    assert check.ok, check.reasons
    assert check.timestamped
    assert check.signing_time == TSA_TIME
    path = tmp_path / "b-t.pdf"
    path.write_bytes(signed)
    assert "Signature Validation: Signature is Valid." in pdfsig(path, nss_db)


def test_with_a_time_stamp_server_documents_are_signed_at_b_lta(
    tmp_path, sign_with, timestamp_server, nss_db
):
    """B-LTA by default with a time-stamp server: the certifying signature is time-stamped,
    the validation data (the chain's revocation lists) sits in the document's DSS, and a
    document time-stamp covers it all; pyHanko's long-term validation accepts it."""
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import (
        DocumentSecurityStore,
        validate_pdf_signature,
        validate_pdf_timestamp,
    )

    sign_with(TIMESTAMP_URL=timestamp_server)
    assert signing.pades_level() == "B-LTA"
    _fields, signed = signed_document()
    check = validation.validate_pdf(signed)
    assert check.ok, check.reasons
    assert check.timestamped and check.certified and check.unchanged

    reader = PdfFileReader(BytesIO(signed))
    assert [s.sig_object_type for s in reader.embedded_signatures] == ["/Sig", "/DocTimeStamp"]
    # Offline, from what the document carries alone, revocation status required:
    root = pki.as_asn1_certificate(pki.demo_root_certificate())
    offline = DocumentSecurityStore.read_dss(reader).as_validation_context(
        {"trust_roots": [root], "allow_fetching": False, "revocation_mode": "require"}
    )
    assert len(DocumentSecurityStore.read_dss(reader).crls) >= 1  # the demo root's list
    # pyHanko's calls run asyncio.run: outside the loop Playwright's tests may leave running
    status = outside_event_loop(validate_pdf_signature)(
        reader.embedded_regular_signatures[0], signer_validation_context=offline
    )
    assert status.bottom_line, status.pretty_print_details()
    stamp = outside_event_loop(validate_pdf_timestamp)(
        reader.embedded_timestamp_signatures[0], validation_context=offline
    )
    assert stamp.valid and stamp.intact and stamp.trusted
    path = tmp_path / "b-lta.pdf"
    path.write_bytes(signed)
    report = pdfsig(path, nss_db)
    first, second = report.split("Signature #2:")
    assert "Signature Validation: Signature is Valid." in first
    assert "Certificate Validation: Certificate is Trusted." in first
    assert "Signer Certificate Common Name: Sellado de tiempo DEMO" in second  # listed only


def test_b_t_is_chosen_explicitly_and_carries_no_validation_data(sign_with, timestamp_server):
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    sign_with(TIMESTAMP_URL=timestamp_server, PADES_LEVEL="B-T")
    _fields, signed = signed_document()
    assert validation.validate_pdf(signed).timestamped
    reader = PdfFileReader(BytesIO(signed))
    assert "/DSS" not in reader.root
    assert len(reader.embedded_signatures) == 1


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"PADES_LEVEL": "B-LTA"}, "needs a time-stamp server"),
        ({"PADES_LEVEL": "B-LT"}, "must be one of"),
    ],
    ids=["lta-without-tsa", "unknown-level"],
)
def test_a_level_that_cannot_be_had_is_a_clear_configuration_error(sign_with, values, message):
    sign_with(**values)
    with pytest.raises(signing.SignerConfigurationError, match=message):
        signed_document()


def test_the_demo_root_publishes_a_fresh_revocation_list(client, demo_pki):
    from cryptography import x509 as x509_module

    answer = client.get("/" + pki.CRL_PATH)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pkix-crl"
    crl = x509_module.load_der_x509_crl(answer.content)
    assert crl.is_signature_valid(demo_pki.root_certificate().public_key())
    assert len(crl) == 0
    points = signing.signer_certificate().extensions.get_extension_for_class(
        x509_module.CRLDistributionPoints
    )
    assert points.value[0].full_name[0].value == pki.demo_crl_url()


def test_an_unreachable_time_stamp_server_stops_the_signature(sign_with):
    from pyhanko.sign.timestamps import TimestampRequestError

    sign_with(TIMESTAMP_URL="http://127.0.0.1:9/tsa", TIMESTAMP_TIMEOUT=2)
    with pytest.raises(TimestampRequestError):
        signed_document()


def test_a_wrong_pkcs12_password_is_a_clear_configuration_error(sign_with, unknown_ca):
    sign_with(PKCS12_FILE=str(unknown_ca["pkcs12"]), PKCS12_PASSWORD="no-es-esta")
    with pytest.raises(signing.SignerConfigurationError, match=r"desconocido\.p12"):
        signing.signer_subject()


def test_processes_starting_together_make_one_demo_pki(tmp_path):
    """Four processes asking for the PKI at the same moment all get the same root."""
    script = (
        "import django; django.setup();"
        "from ventanilla.documents import pki;"
        "print(pki.ensure_demo_pki().root_certificate().fingerprint("
        "__import__('cryptography.hazmat.primitives.hashes', fromlist=['x']).SHA256()).hex())"
    )
    env = {
        **os.environ,
        "VENTANILLA_DATA_DIR": str(tmp_path / "datos"),
        "DJANGO_SETTINGS_MODULE": "ventanilla.settings",
        "DJANGO_SECRET_KEY": "pruebas-pki",
    }
    processes = [
        subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE)
        for _ in range(4)
    ]
    fingerprints = {process.communicate(timeout=120)[0].strip() for process in processes}
    assert all(process.returncode == 0 for process in processes)
    assert len(fingerprints) == 1
    assert sorted(p.name for p in (tmp_path / "datos" / "pki").iterdir()) == sorted(
        [
            pki.ROOT_FILE,
            pki.ROOT_KEY_FILE,
            pki.SIGNER_FILE,
            pki.SIGNER_PKCS12_FILE,
            pki.PASSWORD_FILE,
        ]
    )
    assert not [p for p in (tmp_path / "datos").iterdir() if p.name.startswith(".pki-")]
