"""The demo PKI: a root CA and a signer certificate (ECDSA P-256) that Ventanilla creates on
first use under ``DATA_DIR/pki``, so documents can be signed and verified out of the box.
Every name in it says it is not valid for production, and so does every document it signs.

A ministry replaces it with its accredited FEA certificate (PKCS#12 file or PKCS#11 token)
and the provider's roots (see ``VENTANILLA_DOCUMENTS`` in settings).
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import functools
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings

ROOT_NAME = "Ventanilla DEMO — NO VÁLIDA PARA PRODUCCIÓN"
SIGNER_NAME = "Firmante DEMO — NO VÁLIDO PARA PRODUCCIÓN"
DEMO_ORGANIZATION = "Ventanilla (demostración)"
# Any certificate whose subject or issuer carries this is treated as demo, even one made by
# another installation's demo PKI.
DEMO_MARK = "DEMO — NO VÁLID"

ROOT_FILE = "raiz-demo.pem"
ROOT_KEY_FILE = "raiz-demo.key.pem"
SIGNER_FILE = "firmante-demo.pem"
SIGNER_PKCS12_FILE = "firmante-demo.p12"
PASSWORD_FILE = "firmante-demo.p12.clave"  # noqa: S105 (a file name, not a password)
CRL_FILE = "raiz-demo.crl"
CRL_PATH = "verificar/pki/raiz-demo.crl"  # where the platform publishes it
CRL_DAYS = 7  # each list is valid a week and made again a day before it ends


@dataclass(frozen=True)
class DemoPki:
    directory: Path

    @property
    def root_certificate_path(self) -> Path:
        return self.directory / ROOT_FILE

    @property
    def root_key_path(self) -> Path:
        return self.directory / ROOT_KEY_FILE

    @property
    def signer_certificate_path(self) -> Path:
        return self.directory / SIGNER_FILE

    @property
    def signer_pkcs12_path(self) -> Path:
        return self.directory / SIGNER_PKCS12_FILE

    def pkcs12_password(self) -> bytes:
        return (self.directory / PASSWORD_FILE).read_bytes().strip()

    def root_certificate(self) -> x509.Certificate:
        return _load_certificate(self.root_certificate_path)

    def root_key(self) -> ec.EllipticCurvePrivateKey:
        return serialization.load_pem_private_key(self.root_key_path.read_bytes(), None)

    def crl(self) -> bytes:
        """The root's current revocation list (DER; nothing revoked), made again a day
        before the last one ends. Published at ``CRL_PATH``; long-term signatures embed it."""
        path = self.directory / CRL_FILE
        soon = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
        with contextlib.suppress(OSError, ValueError):
            current = path.read_bytes()
            if x509.load_der_x509_crl(current).next_update_utc > soon:
                return current
        fresh = new_crl(self.root_certificate(), self.root_key()).public_bytes(
            serialization.Encoding.DER
        )
        building = path.with_name(f".{CRL_FILE}.{os.getpid()}")
        building.write_bytes(fresh)
        os.replace(building, path)  # readers see the old list or the new one, whole
        return fresh


# --- Building blocks (also used by the tests to make other CAs, a TSA, an HSM's cert) ---


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        ]
    )


def _validity(builder: x509.CertificateBuilder, days: int) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return builder.not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(
        now + datetime.timedelta(days=days)
    )


def new_root_ca(
    common_name: str, organization: str, *, days: int = 20 * 365
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A self-signed root CA with an ECDSA P-256 key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name, organization)
    builder = (
        _validity(x509.CertificateBuilder(), days)
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    return builder.sign(key, hashes.SHA256()), key


def new_certificate(
    ca_certificate: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    public_key,
    common_name: str,
    organization: str,
    *,
    days: int = 5 * 365,
    extended_key_usages: list[x509.ObjectIdentifier] | None = None,
    crl_url: str | None = None,
) -> x509.Certificate:
    """An end-entity certificate for signing documents (digitalSignature + nonRepudiation);
    with ``extended_key_usages``, e.g. a time-stamping authority's; with ``crl_url``, where
    its issuer publishes the revocation list (what long-term signatures embed)."""
    builder = (
        _validity(x509.CertificateBuilder(), days)
        .subject_name(_name(common_name, organization))
        .issuer_name(ca_certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_certificate.public_key()), False
        )
    )
    if extended_key_usages:
        builder = builder.add_extension(x509.ExtendedKeyUsage(extended_key_usages), True)
    if crl_url:
        point = x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl_url)],
            relative_name=None,
            reasons=None,
            crl_issuer=None,
        )
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), False)
    return builder.sign(ca_key, hashes.SHA256())


def new_crl(
    ca_certificate: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    *,
    revoked_serials: tuple[int, ...] = (),
    days: int = CRL_DAYS,
) -> x509.CertificateRevocationList:
    """A certificate revocation list of the CA, valid ``days``."""
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_certificate.subject)
        .last_update(now - datetime.timedelta(minutes=5))
        .next_update(now + datetime.timedelta(days=days))
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_certificate.public_key()), False
        )
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(now - datetime.timedelta(minutes=1))
            .build()
        )
    return builder.sign(ca_key, hashes.SHA256())


def demo_crl_url() -> str:
    return f"{settings.VENTANILLA_PUBLIC_URL.rstrip('/')}/{CRL_PATH}"


def new_signer(
    ca_certificate: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    common_name: str,
    organization: str,
    **options,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A fresh ECDSA P-256 key and its certificate issued by the given CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = new_certificate(
        ca_certificate, ca_key, key.public_key(), common_name, organization, **options
    )
    return certificate, key


def pkcs12_bytes(
    certificate: x509.Certificate,
    key: ec.EllipticCurvePrivateKey,
    chain: list[x509.Certificate],
    password: bytes,
) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"firmante",
        key,
        certificate,
        chain,
        serialization.BestAvailableEncryption(password),
    )


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _load_certificate(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


# --- The demo PKI on disk -----------------------------------------------------------------


def demo_pki_directory() -> Path:
    return Path(settings.DATA_DIR) / "pki"


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _write_demo_pki(directory: Path) -> None:
    organization = settings.VENTANILLA.get("INSTITUTION_NAME") or DEMO_ORGANIZATION
    root, root_key = new_root_ca(ROOT_NAME, DEMO_ORGANIZATION)
    signer, signer_key = new_signer(
        root, root_key, SIGNER_NAME, organization, crl_url=demo_crl_url()
    )
    password = secrets.token_urlsafe(24).encode()
    (directory / ROOT_FILE).write_bytes(_pem(root))
    (directory / SIGNER_FILE).write_bytes(_pem(signer))
    _write_private(
        directory / ROOT_KEY_FILE,
        root_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    _write_private(directory / PASSWORD_FILE, password)
    _write_private(
        directory / SIGNER_PKCS12_FILE, pkcs12_bytes(signer, signer_key, [root], password)
    )


def ensure_demo_pki() -> DemoPki:
    """The demo PKI, created on first use. Processes starting together make only one: they
    queue on a file lock, and the files appear all at once by renaming a finished folder."""
    directory = demo_pki_directory()
    if not (directory / SIGNER_PKCS12_FILE).exists():
        directory.parent.mkdir(parents=True, exist_ok=True)
        with open(directory.parent / "pki.lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not directory.exists():
                _create_atomically(directory)
    if not (directory / SIGNER_PKCS12_FILE).exists():
        raise RuntimeError(f"{directory} exists but is not a complete demo PKI")
    return DemoPki(directory)


def _create_atomically(directory: Path) -> None:
    building = Path(tempfile.mkdtemp(prefix=".pki-", dir=directory.parent))
    try:
        _write_demo_pki(building)
        building.chmod(0o700)
        os.rename(building, directory)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


@functools.cache
def _root_at(path: Path, mtime_ns: int) -> x509.Certificate:
    return _load_certificate(path)


def existing_demo_root() -> x509.Certificate | None:
    """The demo root if this installation has made one (never creates it)."""
    path = demo_pki_directory() / ROOT_FILE
    try:
        return _root_at(path, path.stat().st_mtime_ns)
    except FileNotFoundError:
        return None


def demo_root_certificate() -> x509.Certificate:
    """The demo root, creating the demo PKI if needed."""
    ensure_demo_pki()
    return existing_demo_root()


def as_cryptography_certificate(certificate) -> x509.Certificate:
    """Accepts a ``cryptography`` or ``asn1crypto`` certificate, or DER bytes."""
    if isinstance(certificate, x509.Certificate):
        return certificate
    if not isinstance(certificate, bytes):
        certificate = certificate.dump()
    return x509.load_der_x509_certificate(certificate)


def as_asn1_certificate(certificate: x509.Certificate):
    """The ``asn1crypto`` form pyHanko works with."""
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _common_names(name: x509.Name) -> list[str]:
    return [str(attr.value) for attr in name.get_attributes_for_oid(NameOID.COMMON_NAME)]


def is_demo_certificate(certificate) -> bool:
    """True for the demo root, anything it issued, and any certificate named as demo."""
    certificate = as_cryptography_certificate(certificate)
    names = _common_names(certificate.subject) + _common_names(certificate.issuer)
    if any(DEMO_MARK in name for name in names):
        return True
    root = existing_demo_root()
    if root is None:
        return False
    if certificate == root:
        return True
    try:
        certificate.verify_directly_issued_by(root)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def describe_subject(name) -> str:
    """ "Common name, Organisation" of a ``cryptography`` or ``asn1crypto`` name."""
    if isinstance(name, x509.Name):
        parts = [
            str(attr.value)
            for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME)
            for attr in name.get_attributes_for_oid(oid)
        ]
    else:
        native = name.native
        parts = [native[key] for key in ("common_name", "organization_name") if key in native]
        parts = [", ".join(p) if isinstance(p, list) else str(p) for p in parts]
    return ", ".join(parts)
