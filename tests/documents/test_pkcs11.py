"""Signing through PKCS#11 with a real token: SoftHSM2, as CI and a laptop have it. The key
is generated inside the token and never leaves it."""

import pytest

from tests.documents.conftest import document_fields, pdfsig
from ventanilla.documents import rendering, signing, validation


@pytest.fixture
def hsm_signer(sign_with, softhsm_token):
    sign_with(
        SIGNER="pkcs11",
        PKCS11_MODULE=softhsm_token["module"],
        PKCS11_TOKEN_LABEL=softhsm_token["label"],
        PKCS11_KEY_LABEL=softhsm_token["key_label"],
        PKCS11_PIN=softhsm_token["pin"],
    )
    return softhsm_token


def test_a_document_signed_in_the_token_validates(tmp_path, hsm_signer, nss_db):
    pdf = rendering.render_pdf("diploma", document_fields())
    signed = signing.sign_pdf(pdf, reason="Emisión", location="Guatemala")
    check = validation.validate_pdf(signed)
    assert check.ok, check.reasons
    assert check.certified and check.intact and check.trusted
    assert hsm_signer["common_name"] in check.signer
    assert signing.signer_subject() == check.signer
    path = tmp_path / "firmado-hsm.pdf"
    path.write_bytes(signed)
    report = pdfsig(path, nss_db)
    assert "Signature Validation: Signature is Valid." in report
    assert "Certificate Validation: Certificate is Trusted." in report


def test_documents_are_signed_in_one_pass_through_the_token(hsm_signer):
    fields = document_fields()
    signed = signing.sign_rendered(
        lambda field: rendering.render_pdf("diploma", fields, signature=field), reason="Emisión"
    )
    assert signing.signature_field() is not None  # the one-pass template, with the token's key
    check = validation.validate_pdf(signed)
    assert check.ok, check.reasons
    assert hsm_signer["common_name"] in check.signer


def test_the_token_session_is_kept_between_signatures(hsm_signer):
    first = signing._signer()
    pdf = rendering.render_pdf("certification", document_fields(), demo=False)
    for _ in range(3):
        assert validation.validate_pdf(signing.sign_pdf(pdf)).ok
    assert signing._signer() is first


def test_the_private_key_stays_in_the_token(hsm_signer):
    from pkcs11 import Attribute, ObjectClass

    session = signing._signer().pkcs11_session
    key = session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=hsm_signer["key_label"])
    assert key[Attribute.SENSITIVE] is True
    assert key[Attribute.EXTRACTABLE] is False


def test_a_wrong_pin_is_a_clear_configuration_error(sign_with, softhsm_token):
    sign_with(
        SIGNER="pkcs11",
        PKCS11_MODULE=softhsm_token["module"],
        PKCS11_TOKEN_LABEL=softhsm_token["label"],
        PKCS11_KEY_LABEL=softhsm_token["key_label"],
        PKCS11_PIN="000000",
    )
    with pytest.raises(signing.SignerConfigurationError, match="ventanilla-pruebas"):
        signing.signer_subject()


def test_a_missing_key_label_is_a_clear_configuration_error(sign_with, softhsm_token):
    sign_with(SIGNER="pkcs11", PKCS11_TOKEN_LABEL=softhsm_token["label"], PKCS11_KEY_LABEL="")
    with pytest.raises(signing.SignerConfigurationError, match="KEY_LABEL"):
        signing.signer_subject()
