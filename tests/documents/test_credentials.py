"""Diplomas as verifiable credentials (Open Badges 3.0 / VC 2.0, VC-JOSE): issued, verified,
revoked, tampered with, forged, garbled."""

import base64
import json
import stat
from datetime import timedelta

import pytest
from django.utils import timezone
from joserfc import jws
from joserfc.jwk import OKPKey

from ventanilla.documents import credentials, status_list
from ventanilla.documents.credentials import CredentialVerdict, sign_credential, verify_credential
from ventanilla.documents.models import Document, Kind, Status

HOLDER = "María José López Ajú"
CUI = "2654 37891 0101"


def make_diploma(unit, code, *, holder=HOLDER, index=None, **data):
    return Document.objects.create(
        code=code,
        kind=Kind.DIPLOMA,
        title="Diploma de Bachiller en Ciencias y Letras",
        template="diploma",
        holder_name=holder,
        holder_masked="M*** L*** (CUI ···· 0101)",
        data={
            "titulo": "Bachiller en Ciencias y Letras",
            "establecimiento": "Instituto Nacional de Educación Diversificada de Mixco",
            "codigo_establecimiento": "01-08-0123-46",
            "fecha": "2025-10-31",
            "cui": CUI,
            **data,
        },
        unit=unit,
        status=Status.VALID,
        issued_at=timezone.now(),
        status_list_index=status_list.allocate_status_index() if index is None else index,
    )


@pytest.fixture
def diploma(unit):
    document = make_diploma(unit, "DIP-7K3M-Q9XA")
    document.credential = credentials.issue_credential(document)
    document.save(update_fields=["credential"])
    return document


def parts(token):
    header, payload, signature = token.split(".")
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # noqa: E731
    return decode(header), decode(payload), signature


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_a_diploma_credential_verifies_as_valid(diploma):
    header, payload, _ = parts(diploma.credential)
    assert header == {
        "alg": "Ed25519",
        "typ": "vc+jwt",
        "cty": "vc",
        "kid": header["kid"],
    }
    assert header["kid"] in [key["kid"] for key in credentials.public_jwks()["keys"]]
    assert payload["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["issuer"]["name"] == "Ministerio de Educación"
    subject = payload["credentialSubject"]
    assert subject["identifier"][0]["identityHash"] == HOLDER
    assert subject["achievement"]["name"] == "Bachiller en Ciencias y Letras"
    assert subject["source"]["name"].startswith("Instituto Nacional")
    assert subject["activityEndDate"].startswith("2025-10-31T00:00:00")
    assert payload["credentialStatus"]["statusListIndex"] == str(diploma.status_list_index)
    assert payload["credentialStatus"]["statusListCredential"].endswith("/verificar/estado/0")
    text = json.dumps(payload)
    assert CUI not in text and CUI.replace(" ", "") not in text  # no CUI in clear

    check = verify_credential(diploma.credential)

    assert check.verdict == CredentialVerdict.VALID, check.reasons
    assert check.label == "VÁLIDO"
    assert check.code == diploma.code
    assert "no cambió" in check.reasons[0]
    assert credentials.unmapped_properties(payload) == []


def test_revoking_the_document_makes_its_credential_revoked(unit, diploma):
    other = make_diploma(unit, "DIP-OTRO-0001")
    other_credential = credentials.issue_credential(other)
    assert verify_credential(diploma.credential).verdict == CredentialVerdict.VALID

    Document.objects.filter(pk=diploma.pk).update(
        status=Status.REVOKED, revoked_at=timezone.now(), revocation_reason="Error en el nombre"
    )
    status_list.status_list_changed()

    check = verify_credential(diploma.credential)
    assert check.verdict == CredentialVerdict.REVOKED
    assert check.label == "REVOCADO"
    assert "revocó" in " ".join(check.reasons)
    assert verify_credential(other_credential).verdict == CredentialVerdict.VALID


def test_changing_one_character_of_the_payload_breaks_the_signature(diploma):
    header, payload, signature = diploma.credential.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    identity = claims["credentialSubject"]["identifier"][0]
    identity["identityHash"] = identity["identityHash"].replace("María", "Maria")
    forged = ".".join([header, b64(json.dumps(claims, separators=(",", ":")).encode()), signature])

    check = verify_credential(forged)

    assert check.verdict == CredentialVerdict.NOT_VALID
    assert "La firma no corresponde al contenido" in check.reasons[0]


def test_one_flipped_character_anywhere_in_the_token_is_not_valid(diploma):
    token = diploma.credential
    for position in (5, len(token) // 2, len(token) - 3):
        flipped = "A" if token[position] != "A" else "B"
        assert (
            verify_credential(token[:position] + flipped + token[position + 1 :]).verdict
            == CredentialVerdict.NOT_VALID
        )


def test_an_unmapped_property_signed_with_our_own_key_is_not_valid_and_named(diploma):
    _, payload, _ = parts(diploma.credential)
    payload["credentialSubject"]["nota"] = "100 puntos"
    token = sign_credential(payload)

    check = verify_credential(token)

    assert check.verdict == CredentialVerdict.NOT_VALID
    assert "credentialSubject.nota" in check.reasons[0]


def test_terms_count_only_where_their_scope_reaches(diploma):
    """``identityHash`` is defined for IdentityObject nodes only, ``achievementType`` for
    Achievement nodes only: elsewhere they mean nothing and are refused."""
    _, payload, _ = parts(diploma.credential)
    payload["credentialSubject"]["identityHash"] = "otra persona"
    payload["credentialSubject"]["achievement"]["criteria"]["achievementType"] = "Degree"
    payload["credentialSubject"]["achievement"]["type"] = ["Achievement", "Titulo"]
    payload["issuer"]["@context"] = {"nota": "https://example.org/nota"}

    unmapped = credentials.unmapped_properties(payload)

    assert sorted(unmapped) == [
        "credentialSubject.achievement.criteria.achievementType",
        "credentialSubject.achievement.type=Titulo",
        "credentialSubject.identityHash",
        "issuer.@context",
    ]
    assert verify_credential(sign_credential(payload)).verdict == CredentialVerdict.NOT_VALID


def test_another_context_than_ours_is_not_valid(diploma):
    _, payload, _ = parts(diploma.credential)
    payload["@context"].append({"nota": "https://example.org/nota"})

    check = verify_credential(sign_credential(payload))

    assert check.verdict == CredentialVerdict.NOT_VALID
    assert "vocabularios" in check.reasons[0]


def test_a_context_file_that_does_not_match_its_hash_stops_verification(diploma, monkeypatch):
    filename, _ = credentials.PINNED_CONTEXTS[credentials.OB_CONTEXT]
    monkeypatch.setitem(credentials.PINNED_CONTEXTS, credentials.OB_CONTEXT, (filename, "0" * 64))
    credentials.load_context.cache_clear()
    credentials._terms_of.cache_clear()
    try:
        check = verify_credential(diploma.credential)
    finally:
        credentials.load_context.cache_clear()
        credentials._terms_of.cache_clear()
    assert check.verdict == CredentialVerdict.NOT_VALID
    assert "no puede comprobar" in check.reasons[0]


def test_a_credential_signed_by_another_key_is_not_valid(diploma):
    _, payload, _ = parts(diploma.credential)
    impostor = OKPKey.generate_key("Ed25519", parameters={"alg": "Ed25519"})
    own_kid = credentials.signing_key().kid
    body = json.dumps(payload).encode()

    for kid in (impostor.thumbprint(), own_kid):  # its own key id, then ours
        header = {"alg": "Ed25519", "typ": "vc+jwt", "cty": "vc", "kid": kid}
        token = jws.serialize_compact(header, body, impostor, algorithms=["Ed25519"])
        check = verify_credential(token)
        assert check.verdict == CredentialVerdict.NOT_VALID
        assert check.credential is None  # nothing from a forged payload is trusted

    no_kid = jws.serialize_compact(
        {"alg": "Ed25519", "typ": "vc+jwt"}, body, impostor, algorithms=["Ed25519"]
    )
    assert verify_credential(no_kid).verdict == CredentialVerdict.NOT_VALID


def test_the_typ_header_must_say_vc_jwt(diploma):
    _, payload, _ = parts(diploma.credential)
    key = credentials.signing_key()
    token = jws.serialize_compact(
        {"alg": "Ed25519", "typ": "JWT", "kid": key.kid},
        json.dumps(payload).encode(),
        key,
        algorithms=["Ed25519"],
    )
    check = verify_credential(token)
    assert check.verdict == CredentialVerdict.NOT_VALID
    assert "vc+jwt" in check.reasons[0]


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   ",
        "hola",
        "a.b.c",
        "...",
        "eyJhbGciOiJub25lIn0.eyJ9.",
        "eyJhbGciOiJub25lIiwidHlwIjoidmMrand0In0.e30.",  # alg none, typ vc+jwt
        "e30.e30.e30",
        "ey" * 40_000,
        "ñandú.ñandú.ñandú",
        "\x00\ud800.x.y",
        '{"type": "EnvelopedVerifiableCredential"}',
        '{"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,x.y.z"}',
        "[1, 2, 3]",
        None,
        12345,
        b"eyJ.eyJ.sig",
        {"credential": "x"},
    ],
)
def test_garbage_is_not_valid_and_never_raises(db, garbage):
    check = verify_credential(garbage)
    assert check.verdict == CredentialVerdict.NOT_VALID
    assert check.reasons and all(isinstance(reason, str) for reason in check.reasons)


def test_an_expired_credential_is_not_valid(diploma):
    _, payload, _ = parts(diploma.credential)
    payload["validFrom"] = credentials.timestamp(timezone.now() - timedelta(days=400))
    payload["validUntil"] = credentials.timestamp(timezone.now() - timedelta(days=1))

    check = verify_credential(sign_credential(payload))

    assert check.verdict == CredentialVerdict.NOT_VALID
    assert "venció" in check.reasons[0]


def test_a_credential_from_the_future_is_not_valid(diploma):
    _, payload, _ = parts(diploma.credential)
    payload["validFrom"] = credentials.timestamp(timezone.now() + timedelta(days=2))
    check = verify_credential(sign_credential(payload))
    assert check.verdict == CredentialVerdict.NOT_VALID
    assert "todavía no es válida" in check.reasons[0]


def test_a_status_entry_pointing_elsewhere_is_not_valid(diploma):
    _, payload, _ = parts(diploma.credential)
    payload["credentialStatus"]["statusListCredential"] = "https://example.org/estado/0"
    check = verify_credential(sign_credential(payload))
    assert check.verdict == CredentialVerdict.NOT_VALID
    assert "revocada" in check.reasons[0]


def test_the_enveloped_forms_of_the_credential_are_accepted(diploma):
    data_url = f"data:application/vc+jwt,{diploma.credential}"
    envelope = json.dumps({"type": "EnvelopedVerifiableCredential", "id": data_url})
    assert verify_credential(data_url).verdict == CredentialVerdict.VALID
    assert verify_credential(f"  {envelope}\n").verdict == CredentialVerdict.VALID


def test_the_key_is_created_once_private_to_its_owner(settings, tmp_path, db):
    settings.DATA_DIR = tmp_path
    key = credentials.signing_key()
    path = tmp_path / "credentials" / "issuer-ed25519.jwk"

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["d"]  # the private part, on disk only
    assert credentials.signing_key().kid == key.kid
    published = credentials.public_jwks()["keys"]
    assert published == [
        {"crv": "Ed25519", "x": published[0]["x"], "alg": "Ed25519", "use": "sig"}
        | {"kty": "OKP", "kid": key.kid}
    ]


def test_a_configured_key_file_must_exist(settings, tmp_path, db):
    from django.core.exceptions import ImproperlyConfigured

    settings.VENTANILLA_CREDENTIALS = {"KEY_FILE": str(tmp_path / "no-such.jwk")}
    with pytest.raises(ImproperlyConfigured):
        credentials.signing_key()


def test_es256_keys_work_too(settings, tmp_path, unit):
    settings.DATA_DIR = tmp_path
    settings.VENTANILLA_CREDENTIALS = {"ALGORITHM": "ES256"}
    document = make_diploma(unit, "DIP-ES256-0001")

    token = credentials.issue_credential(document)

    assert parts(token)[0]["alg"] == "ES256"
    assert credentials.public_jwks()["keys"][0]["crv"] == "P-256"
    assert verify_credential(token).verdict == CredentialVerdict.VALID


def test_a_retired_key_still_verifies_what_it_signed(settings, tmp_path, diploma):
    _, payload, _ = parts(diploma.credential)
    old = OKPKey.generate_key("Ed25519", parameters={"alg": "Ed25519", "use": "sig"})
    old.ensure_kid()
    token = jws.serialize_compact(
        {"alg": "Ed25519", "typ": "vc+jwt", "cty": "vc", "kid": old.kid},
        json.dumps(payload).encode(),
        old,
        algorithms=["Ed25519"],
    )
    assert verify_credential(token).verdict == CredentialVerdict.NOT_VALID

    retired = tmp_path / "retired.jwks"
    retired.write_text(json.dumps({"keys": [old.as_dict(private=True)]}))
    settings.VENTANILLA_CREDENTIALS = {"RETIRED_PUBLIC_KEYS": [str(retired)]}

    assert verify_credential(token).verdict == CredentialVerdict.VALID
    kids = [key["kid"] for key in credentials.public_jwks()["keys"]]
    assert old.kid in kids and all("d" not in key for key in credentials.public_jwks()["keys"])


def test_only_diplomas_become_credentials(unit):
    document = make_diploma(unit, "RES-0001")
    document.kind = Kind.RESOLUTION
    with pytest.raises(ValueError):
        credentials.issue_credential(document)


def test_issuing_gives_a_document_without_index_a_fresh_one(unit):
    first = make_diploma(unit, "DIP-A")
    second = make_diploma(unit, "DIP-B", index=None)
    second.status_list_index = None
    credentials.issue_credential(second)
    assert second.status_list_index is not None
    assert second.status_list_index > first.status_list_index
