"""PAdES signatures: every document is certified with "no changes allowed", PAdES B-B, or
B-T when a time-stamp server is configured.

``sign_rendered`` signs the documents Ventanilla renders: in one pass with ``pades`` (the
renderer writes an empty signature, a CMS template built by pyHanko once per key is filled
in), or with pyHanko when a time-stamp is needed. ``sign_pdf`` signs any PDF with pyHanko.

The key comes from a PKCS#12 file (default: the demo PKI's signer) or from a PKCS#11 token
(an HSM), as ``settings.VENTANILLA_DOCUMENTS`` says. The signer is built once per process
and kept: parsing the key again on every signature costs more than the signature itself.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from django.conf import settings
from django.utils import timezone
from pyhanko.keys import load_certs_from_pemder
from pyhanko.keys.internal import (
    translate_pyca_cryptography_cert_to_asn1,
    translate_pyca_cryptography_key_to_asn1,
)
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers import Signer, SimpleSigner
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from ventanilla.documents import pades, pki
from ventanilla.documents.event_loops import outside_event_loop

SIGNATURE_FIELD = "Firma"
# Room for the CMS container beyond the certificates it embeds: signature, signed
# attributes, structure; a time-stamp token brings its own signature and the TSA's chain.
CMS_OVERHEAD = 1024
TIMESTAMP_OVERHEAD = 8192

DEFAULTS = {
    "SIGNER": "pkcs12",
    "PKCS12_FILE": "",
    "PKCS12_PASSWORD": "",
    "PKCS11_MODULE": "/usr/lib/softhsm/libsofthsm2.so",
    "PKCS11_TOKEN_LABEL": "",
    "PKCS11_KEY_LABEL": "",
    "PKCS11_CERT_LABEL": "",
    "PKCS11_PIN": "",
    "CHAIN_FILES": [],
    "TIMESTAMP_URL": "",
    "TIMESTAMP_TIMEOUT": 10.0,
    "TRUST_ROOT_FILES": [],
    # "B-B", "B-T" or "B-LTA"; empty: B-LTA with a time-stamp server, else B-B.
    "PADES_LEVEL": "",
    # Revocation lists (DER or PEM files) of the signer's chain, for B-LTA; the lists and
    # OCSP answers the certificates point to are also fetched at signing time.
    "REVOCATION_FILES": [],
}
LEVELS = ("B-B", "B-T", "B-LTA")


class SignerConfigurationError(RuntimeError):
    """The configured key or certificate cannot be used; the message says which."""


def config() -> dict:
    return {**DEFAULTS, **getattr(settings, "VENTANILLA_DOCUMENTS", {})}


class CachedKeySigner(SimpleSigner):
    """pyHanko's SimpleSigner parses its private key again for every signature; this one
    keeps the parsed key."""

    def __init__(self, *, private_key, **kwargs):
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            algorithm = mechanism.signature_algo
        except ValueError:
            algorithm = mechanism["algorithm"].native
        if algorithm == "ecdsa":
            hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
            return self._private_key.sign(data, ECDSA(hash_algorithm))
        if algorithm == "rsassa_pkcs1v15":
            hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
            return self._private_key.sign(data, PKCS1v15(), hash_algorithm)
        return super().sign_raw(data, digest_algorithm)  # PSS, EdDSA: rare, parse each time


def _chain_certificates(conf: dict) -> list:
    return list(load_certs_from_pemder(conf["CHAIN_FILES"])) if conf["CHAIN_FILES"] else []


def _pkcs12_signer(conf: dict) -> Signer:
    if conf["PKCS12_FILE"]:
        path, password = Path(conf["PKCS12_FILE"]), conf["PKCS12_PASSWORD"].encode() or None
    else:
        demo = pki.ensure_demo_pki()
        path, password = demo.signer_pkcs12_path, demo.pkcs12_password()
    try:
        key, certificate, others = pkcs12.load_key_and_certificates(path.read_bytes(), password)
    except (OSError, ValueError) as error:
        raise SignerConfigurationError(f"Cannot read the PKCS#12 file {path}: {error}") from error
    if key is None or certificate is None:
        raise SignerConfigurationError(f"{path} holds no private key with its certificate")
    registry = SimpleCertificateStore()
    registry.register_multiple(
        [translate_pyca_cryptography_cert_to_asn1(c) for c in others] + _chain_certificates(conf)
    )
    return CachedKeySigner(
        private_key=key,
        signing_cert=translate_pyca_cryptography_cert_to_asn1(certificate),
        signing_key=translate_pyca_cryptography_key_to_asn1(key),
        cert_registry=registry,
        # Verifiers bring their own roots; a root in the signature only makes it bigger.
        embed_roots=False,
    )


def _pkcs11_signer(conf: dict) -> Signer:
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    if not conf["PKCS11_KEY_LABEL"]:
        raise SignerConfigurationError("Set VENTANILLA_PKCS11_KEY_LABEL: the key to sign with")
    try:
        session = open_pkcs11_session(
            conf["PKCS11_MODULE"],
            token_criteria=TokenCriteria(label=conf["PKCS11_TOKEN_LABEL"] or None),
            user_pin=conf["PKCS11_PIN"] or None,
        )
    except Exception as error:  # the token library raises its own error types
        raise SignerConfigurationError(
            f"Cannot open the PKCS#11 token {conf['PKCS11_TOKEN_LABEL']!r} "
            f"with {conf['PKCS11_MODULE']}: {error}"
        ) from error
    return PKCS11Signer(
        session,
        cert_label=conf["PKCS11_CERT_LABEL"] or conf["PKCS11_KEY_LABEL"],
        key_label=conf["PKCS11_KEY_LABEL"],
        ca_chain=_chain_certificates(conf),
        # Tokens commonly offer plain CKM_ECDSA only; pyHanko then hashes in Python.
        use_raw_mechanism=True,
        embed_roots=False,
    )


_signers: dict[tuple, Signer] = {}
_templates: dict[tuple, pades.CmsTemplate] = {}
_lock = threading.Lock()


def _cache_key(conf: dict) -> tuple:
    # The process id is part of the key: a token session does not survive a fork.
    frozen = tuple(
        (name, tuple(value) if isinstance(value, list) else value)
        for name, value in sorted(conf.items())
    )
    return (os.getpid(), str(settings.DATA_DIR), frozen)


def _signer() -> Signer:
    conf = config()
    key = _cache_key(conf)
    signer = _signers.get(key)
    if signer is None:
        with _lock:
            signer = _signers.get(key)
            if signer is None:
                kind = conf["SIGNER"].lower()
                if kind not in ("pkcs12", "pkcs11"):
                    raise SignerConfigurationError("VENTANILLA_SIGNER must be pkcs12 or pkcs11")
                signer = _pkcs11_signer(conf) if kind == "pkcs11" else _pkcs12_signer(conf)
                _signers[key] = signer
    return signer


def reset_signers() -> None:
    """Forget the cached signers (after a change of configuration, and in tests)."""
    with _lock:
        for signer in _signers.values():
            session = getattr(signer, "pkcs11_session", None)
            if session is not None:
                session.close()
        _signers.clear()
        _templates.clear()


def signer_certificate() -> x509.Certificate:
    return pki.as_cryptography_certificate(_signer().signing_cert)


def signer_subject() -> str:
    """Who signs, as the registry and the verification page show it ("CN, O")."""
    return pki.describe_subject(signer_certificate().subject)


def signer_is_demo() -> bool:
    """True when documents are signed by the demo PKI (they must say so on every page)."""
    return pki.is_demo_certificate(signer_certificate())


def _bytes_reserved(signer: Signer, timestamped: bool) -> int:
    """Hex digits to reserve for the signature, known in advance: without it pyHanko signs
    twice to measure. A tight fit matters: verifiers read the placeholder digit by digit."""
    certificates = {signer.signing_cert.dump(), *(c.dump() for c in signer.cert_registry)}
    size = sum(map(len, certificates)) + CMS_OVERHEAD
    return 2 * (size + TIMESTAMP_OVERHEAD if timestamped else size)


def pades_level(conf: dict | None = None) -> str:
    """The PAdES baseline level documents are signed at (see ``PADES_LEVEL``)."""
    conf = conf or config()
    level = (conf["PADES_LEVEL"] or ("B-LTA" if conf["TIMESTAMP_URL"] else "B-B")).upper()
    if level not in LEVELS:
        raise SignerConfigurationError(f"VENTANILLA_PADES_LEVEL must be one of {LEVELS}")
    if level != "B-B" and not conf["TIMESTAMP_URL"]:
        raise SignerConfigurationError(
            f"PAdES {level} needs a time-stamp server: set VENTANILLA_TIMESTAMP_URL"
        )
    return level


def _timestamper(conf: dict) -> HTTPTimeStamper | None:
    if pades_level(conf) == "B-B":
        return None
    return HTTPTimeStamper(conf["TIMESTAMP_URL"], timeout=conf["TIMESTAMP_TIMEOUT"])


def _revocation_lists(conf: dict) -> list[bytes]:
    lists = []
    for name in conf["REVOCATION_FILES"]:
        data = Path(name).read_bytes()
        lists.append(
            x509.load_pem_x509_crl(data).public_bytes(Encoding.DER)
            if b"-----BEGIN" in data
            else data
        )
    return lists


def _long_term_context(conf: dict, signer: Signer):
    """What B-LTA embeds: the chains to the trust roots and their revocation lists or OCSP
    answers. The demo PKI's list comes from its files (nothing to fetch); a real CA's are
    fetched from the addresses in its certificates, besides ``REVOCATION_FILES``. Signing
    stops when a certificate's revocation status cannot be had ("hard-fail")."""
    from pyhanko_certvalidator import ValidationContext

    from ventanilla.documents import validation

    demo = pki.is_demo_certificate(signer.signing_cert)
    crls = _revocation_lists(conf) + ([pki.ensure_demo_pki().crl()] if demo else [])
    return ValidationContext(
        trust_roots=validation.trust_roots(),
        crls=crls,
        allow_fetching=not demo,
        revocation_mode="hard-fail",
    )


@outside_event_loop
def sign_pdf(pdf_bytes: bytes, *, reason: str = "", location: str = "") -> bytes:
    """The PDF certified with "no changes allowed", at ``pades_level()``: B-B; B-T with a
    time-stamp; B-LTA adds the validation data (chains, revocation lists) and a document
    time-stamp that keeps them verifiable after the certificates expire."""
    conf = config()
    signer = _signer()
    timestamper = _timestamper(conf)
    long_term = pades_level(conf) == "B-LTA"
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        reason=reason or None,
        location=location or None,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        embed_validation_info=long_term,
        use_pades_lta=long_term,
        validation_context=_long_term_context(conf, signer) if long_term else None,
    )
    pdf_signer = signers.PdfSigner(metadata, signer, timestamper=timestamper)
    writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes))
    reserved = _bytes_reserved(signer, timestamped=timestamper is not None)
    output = BytesIO()
    if hasattr(signer, "pkcs11_session"):
        with _lock:  # one PKCS#11 session is not safe to share between threads
            pdf_signer.sign_pdf(writer, bytes_reserved=reserved, output=output)
    else:
        pdf_signer.sign_pdf(writer, bytes_reserved=reserved, output=output)
    return output.getvalue()


# --- One pass, for the PDFs Ventanilla renders -------------------------------------------


def _raw_signer(signer: Signer) -> Callable[[bytes], bytes]:
    if isinstance(signer, CachedKeySigner):
        return lambda data: signer.sign_raw(data, pades.DIGEST)

    @outside_event_loop
    def sign_on_token(data: bytes) -> bytes:
        with _lock:  # one PKCS#11 session is not safe to share between threads
            return asyncio.run(signer.async_sign_raw(data, pades.DIGEST))

    return sign_on_token


def _template() -> pades.CmsTemplate:
    key = _cache_key(config())
    template = _templates.get(key)
    if template is None:
        signer = _signer()
        with _lock:
            template = _templates.get(key)
            if template is None:
                template = _templates[key] = pades.CmsTemplate(signer, _raw_signer(signer))
    return template


def signature_field(*, reason: str = "", location: str = "") -> pades.SignatureField | None:
    """The empty signature a new PDF should hold to be signed in one pass by
    ``sign_prepared``; None when the signature needs pyHanko (B-T and B-LTA)."""
    if pades_level() != "B-B":
        return None
    return pades.SignatureField(
        name=SIGNATURE_FIELD,
        signing_time=timezone.localtime(),
        contents_size=_template().max_size,
        reason=reason,
        location=location,
    )


def sign_prepared(pdf: bytes) -> bytes:
    """Fill the empty signature of a PDF rendered with ``signature_field()``."""
    return pades.fill(pdf, _template().signed_data(pades.byte_range_digest(pdf)))


def sign_rendered(
    render: Callable[[pades.SignatureField | None], bytes],
    *,
    reason: str = "",
    location: str = "",
) -> bytes:
    """The PDF ``render(field)`` makes, certified "no changes allowed": in one pass when
    ``field`` is given, else (B-T) ``render(None)`` signed by pyHanko."""
    field = signature_field(reason=reason, location=location)
    if field is None:
        return sign_pdf(render(None), reason=reason, location=location)
    return sign_prepared(render(field))
