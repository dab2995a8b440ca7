"""Diplomas as verifiable credentials: Open Badges 3.0 ``OpenBadgeCredential`` in the W3C
Verifiable Credentials 2.0 data model, secured with VC-JOSE (a compact JWS whose payload is
the credential itself; header ``typ: vc+jwt``, ``cty: vc``; media type
``application/vc+jwt``), and revocable through a Bitstring Status List (``status_list``).

The issuer is the platform's public address (``VENTANILLA_PUBLIC_URL``), not a ``did:web``:
it is the address the verification portal shows, the keys are published beside it as a JWK
set (``/verificar/claves.json``, ``kid`` = RFC 7638 thumbprint) that any JOSE library reads
without a DID resolver, and a ``did:web`` document listing the same key can be added later
without reissuing anything signed so far.

Verifying is strict: our signature and ``typ``; exactly our two JSON-LD contexts, whose
copies ship in ``contexts/`` and are checked against their SHA-256 before use; every property
defined by those contexts (JSON-LD would otherwise turn an undefined term into nothing or
into an "issuer-dependent" IRI, so a forged "note" or "grade" would pass unseen); validity
dates; then the credential's bit in our published status list.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from joserfc import jws
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import ECKey, Key, KeySet, OKPKey, import_key

from ventanilla.core.private_files import write_once
from ventanilla.documents import status_list
from ventanilla.documents.models import Document, Kind

logger = logging.getLogger(__name__)

# Where callers look for them: taking status list indices belongs to ``status_list``.
allocate_status_index = status_list.allocate_status_index
allocate_status_indices = status_list.allocate_status_indices

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
# The only context documents a credential may name, as shipped here. See contexts/README.md
# for where each copy comes from and the publishers' own digests.
PINNED_CONTEXTS = {
    VC_CONTEXT: (
        "credentials-v2.jsonld",
        "c15efde6c48fa6e07ed5962f19530b58e6956bcabe86a4ee2341b7fac84ebe12",
    ),
    OB_CONTEXT: (
        "ob-v3p0-context-3.0.3.json",
        "01d87cc8b5357af557bfb09428f603c4691c49ef8a6089945a70bda1b96b1db2",
    ),
}
DIPLOMA_CONTEXTS = [VC_CONTEXT, OB_CONTEXT]

MEDIA_TYPE = "application/vc+jwt"
TYP = "vc+jwt"
CTY = "vc"
ALGORITHMS = ("Ed25519", "ES256")  # RFC 9864 names; the deprecated "EdDSA" is refused
MAX_TOKEN_CHARS = 64 * 1024
MAX_SKEW = timedelta(minutes=5)
CODE_PATTERN = re.compile(r"[A-Za-z0-9-]{1,32}")


# --- Configuration ------------------------------------------------------------------------


def _config() -> dict:
    return getattr(settings, "VENTANILLA_CREDENTIALS", {})


def public_base() -> str:
    return settings.VENTANILLA_PUBLIC_URL.rstrip("/")


def issuer_id() -> str:
    return _config().get("ISSUER_ID") or public_base()


def institution_name() -> str:
    return settings.VENTANILLA["INSTITUTION_NAME"]


def algorithm() -> str:
    name = _config().get("ALGORITHM", "Ed25519")
    if name not in ALGORITHMS:
        raise ImproperlyConfigured(
            f"VENTANILLA_CREDENTIALS['ALGORITHM'] must be one of {', '.join(ALGORITHMS)}"
        )
    return name


def credential_id(code: str) -> str:
    """A diploma credential's ``id``: its page in the verification portal."""
    return f"{public_base()}/verificar/{code}/"


def jwks_url() -> str:
    return f"{public_base()}/verificar/claves.json"


def timestamp(moment: datetime) -> str:
    """An XML Schema dateTimeStamp in UTC, to the second: ``2026-11-28T15:04:05Z``."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- Keys ---------------------------------------------------------------------------------


def _key_path() -> Path:
    if configured := _config().get("KEY_FILE"):
        return Path(configured)
    return Path(settings.DATA_DIR) / "credentials" / f"issuer-{algorithm().lower()}.jwk"


def _write_new_key(path: Path, name: str) -> None:
    """A fresh private key, written aside with mode 0600 and linked into place: of two
    processes starting at once, one key wins and both use it."""
    parameters = {"alg": name, "use": "sig"}
    if name == "Ed25519":
        key: Key = OKPKey.generate_key("Ed25519", parameters=parameters, private=True)
    else:
        key = ECKey.generate_key("P-256", parameters=parameters, private=True)
    key.ensure_kid()
    write_once(path, json.dumps(key.as_dict(private=True)).encode())


@lru_cache(maxsize=8)
def _load_signing_key(path: str, name: str) -> Key:
    key = import_key(json.loads(Path(path).read_text()))
    if not key.is_private:
        raise ImproperlyConfigured(f"{path} holds a public key; the issuer needs the private one")
    if key.get("alg", name) != name:
        raise ImproperlyConfigured(f"{path} is a key for {key.get('alg')}, not {name}")
    key.ensure_kid()
    return key


def signing_key() -> Key:
    """The issuer's private key: ``VENTANILLA_CREDENTIALS['KEY_FILE']`` (a private JWK), else
    one created on first use under ``DATA_DIR/credentials/``."""
    path, name = _key_path(), algorithm()
    if not path.exists():
        if _config().get("KEY_FILE"):
            raise ImproperlyConfigured(f"The credentials' key file {path} does not exist")
        _write_new_key(path, name)
    return _load_signing_key(str(path), name)


@lru_cache(maxsize=8)
def _retired_keys(paths: tuple[str, ...]) -> tuple[Key, ...]:
    keys = []
    for path in paths:
        data = json.loads(Path(path).read_text())
        for item in data.get("keys", [data]):
            key = import_key({k: v for k, v in item.items() if k != "d"})  # public part only
            key.ensure_kid()
            keys.append(key)
    return tuple(keys)


def verification_keys() -> KeySet:
    """Our current public key and the retired ones still accepted
    (``VENTANILLA_CREDENTIALS['RETIRED_PUBLIC_KEYS']``: files with a JWK or a JWK set)."""
    current = import_key(signing_key().as_dict(private=False))
    current.ensure_kid()
    retired = _retired_keys(tuple(str(p) for p in _config().get("RETIRED_PUBLIC_KEYS", ())))
    return KeySet([current, *retired])


def public_jwks() -> dict:
    """The JWK set served at ``/verificar/claves.json`` (``application/jwk-set+json``)."""
    return verification_keys().as_dict(private=False)


# --- Signing and issuing ------------------------------------------------------------------


def sign_credential(credential: dict) -> str:
    """The credential secured as VC-JOSE: a compact JWS with the credential as payload."""
    key = signing_key()
    header = {"alg": algorithm(), "typ": TYP, "cty": CTY, "kid": key.kid}
    payload = json.dumps(credential, ensure_ascii=False, separators=(",", ":")).encode()
    return jws.serialize_compact(header, payload, key, algorithms=[algorithm()])


def _first(data: dict, *keys: str) -> Any:
    for key in keys:
        if data.get(key) not in (None, ""):
            return data[key]
    return None


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def diploma_facts(document: Document) -> dict:
    """What the credential says about the diploma, from ``Document.data``: the degree
    (``titulo``/``carrera``/``degree``, else the document's title), the school
    (``establecimiento``/``school``, its code ``codigo_establecimiento``/``school_code``) and
    the date it was earned (``fecha``/``fecha_graduacion``/``graduation_date``/``date``, else
    the issue date)."""
    data = document.data or {}
    issued = document.issued_at or timezone.now()
    return {
        "degree": str(_first(data, "titulo", "carrera", "degree") or document.title),
        "school": str(_first(data, "establecimiento", "school") or document.unit.name),
        "school_code": str(_first(data, "codigo_establecimiento", "school_code") or ""),
        "date": _as_date(_first(data, "fecha", "fecha_graduacion", "graduation_date", "date"))
        or timezone.localtime(issued).date(),
    }


def _urn(kind: str, value: str) -> str:
    """A stable ``urn:uuid`` for something the issuer names (a degree, a school)."""
    return _urn_of(issuer_id(), kind, value)


@functools.lru_cache(maxsize=4096)  # a cohort names a few schools and degrees many times
def _urn_of(issuer: str, kind: str, value: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{issuer}/{kind}/{value}')}"


@functools.lru_cache(maxsize=4096)
def _texts(language: str, issuer: str, degree: str, school: str) -> tuple[str, str, str]:
    """The credential's default name, description and narrative, in ``language``."""
    with translation.override(language):
        return (
            _("Diploma de %(degree)s") % {"degree": degree},
            _("Diploma de %(degree)s. Emisor: %(issuer)s.") % {"degree": degree, "issuer": issuer},
            _("Completó el plan de estudios de %(degree)s en %(school)s.")
            % {"degree": degree, "school": school},
        )


def diploma_credential(document: Document, *, now: datetime | None = None) -> dict:
    """The unsigned OpenBadgeCredential of a diploma. Holds the holder's name and nothing
    else about them: no CUI, not even hashed (13 digits are guessed in seconds)."""
    if document.kind != Kind.DIPLOMA:
        raise ValueError("only diplomas are issued as verifiable credentials")
    if document.status_list_index is None:
        raise ValueError("the document has no status list index yet")
    facts = diploma_facts(document)
    number, position = status_list.locate(document.status_list_index)
    list_url = status_list.status_list_url(number)
    earned = datetime.combine(facts["date"], time(), tzinfo=timezone.get_default_timezone())
    default_name, description, narrative = _texts(
        settings.LANGUAGE_CODE, institution_name(), facts["degree"], facts["school"]
    )
    name = document.title or default_name
    return {
        "@context": list(DIPLOMA_CONTEXTS),
        "id": credential_id(document.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": {"id": issuer_id(), "type": ["Profile"], "name": institution_name()},
        "validFrom": timestamp(document.issued_at or now or timezone.now()),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": document.holder_name,
                }
            ],
            "activityEndDate": earned.isoformat(),
            "source": {
                "id": _urn("establecimientos", facts["school_code"] or facts["school"]),
                "type": ["Profile"],
                "name": facts["school"],
            },
            "achievement": {
                "id": _urn("logros", facts["degree"]),
                "type": ["Achievement"],
                "achievementType": "Diploma",
                "name": facts["degree"],
                "description": description,
                "criteria": {"narrative": narrative},
            },
        },
        "credentialStatus": {
            "id": f"{list_url}#{position}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": status_list.PURPOSE,
            "statusListIndex": str(position),
            "statusListCredential": list_url,
        },
    }


def issue_credential(document: Document) -> str:
    """A diploma's signed credential (store it in ``document.credential``). A document
    without a status list index gets one here, set on the instance: the caller saves both."""
    if document.status_list_index is None:
        document.status_list_index = status_list.allocate_status_index()
    return sign_credential(diploma_credential(document))


# --- Opening a signed credential ----------------------------------------------------------


class CredentialRejected(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _unwrap(token: Any) -> str:
    """The compact JWS, also when given as a VC 2.0 ``EnvelopedVerifiableCredential`` or as
    its ``data:application/vc+jwt,`` URL."""
    if not isinstance(token, str):
        raise CredentialRejected(_("Eso no es una credencial verificable."))
    token = token.strip()
    if token.startswith("{"):
        try:
            envelope = json.loads(token)
            token = (
                envelope["id"] if envelope.get("type") == "EnvelopedVerifiableCredential" else ""
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            token = ""
    if isinstance(token, str) and token.startswith(f"data:{MEDIA_TYPE},"):
        token = token[len(f"data:{MEDIA_TYPE},") :]
    if not isinstance(token, str) or not token:
        raise CredentialRejected(_("Eso no es una credencial verificable."))
    return token


def _media_type_is(value: Any, expected: str) -> bool:
    return isinstance(value, str) and value.lower() in (expected, f"application/{expected}")


def open_signed_credential(token: Any) -> dict:
    """The payload of a VC-JOSE credential signed with one of our keys, or
    CredentialRejected with the reason in plain Spanish."""
    token = _unwrap(token)
    not_a_credential = _(
        "Eso no es una credencial verificable. Copie el texto completo de la credencial, sin "
        "cortar ni añadir nada."
    )
    if len(token) > MAX_TOKEN_CHARS or token.count(".") != 2 or not token.isascii():
        raise CredentialRejected(not_a_credential)
    try:
        signed = jws.extract_compact(token.encode("ascii"))
        header = signed.headers()
    except (JoseError, ValueError, TypeError) as error:
        raise CredentialRejected(not_a_credential) from error
    if not _media_type_is(header.get("typ"), TYP):
        raise CredentialRejected(
            _("El texto está firmado, pero no declara ser una credencial verificable (vc+jwt).")
        )
    if "cty" in header and not _media_type_is(header["cty"], CTY):
        raise CredentialRejected(_("La credencial declara un contenido que no es una credencial."))
    if header.get("alg") not in ALGORITHMS or "crit" in header or "b64" in header:
        raise CredentialRejected(_("La credencial usa un método de firma que este emisor no usa."))
    foreign_key = _(
        "La credencial no está firmada con ninguna de las claves publicadas del emisor "
        "(%(issuer)s): no es auténtica."
    ) % {"issuer": institution_name()}
    try:
        genuine = jws.validate_compact(signed, verification_keys(), algorithms=list(ALGORITHMS))
    except InvalidKeyIdError as error:
        raise CredentialRejected(foreign_key) from error
    except (JoseError, ValueError) as error:
        raise CredentialRejected(foreign_key) from error
    if not genuine:
        raise CredentialRejected(
            _(
                "La firma no corresponde al contenido: la credencial fue modificada después de "
                "emitida, o la firmó otra clave."
            )
        )
    try:
        credential = json.loads(signed.payload)
    except (ValueError, UnicodeDecodeError) as error:
        raise CredentialRejected(not_a_credential) from error
    if not isinstance(credential, dict):
        raise CredentialRejected(not_a_credential)
    return credential


# --- Pinned contexts and the terms they define --------------------------------------------


class ContextTampered(Exception):
    """A shipped context document does not match its recorded SHA-256."""


@lru_cache(maxsize=4)
def load_context(url: str) -> dict:
    """One of our pinned context documents, after checking its SHA-256."""
    filename, digest = PINNED_CONTEXTS[url]
    content = (CONTEXTS_DIR / filename).read_bytes()
    if hashlib.sha256(content).hexdigest() != digest:
        raise ContextTampered(f"{filename} does not match its pinned SHA-256")
    return json.loads(content)


def _definitions(context: Any) -> dict[str, dict | None]:
    """Term → its definition as a dict (``{"@id": …}`` for a plain string); None for a term
    explicitly left undefined. A null context defines nothing."""
    if not isinstance(context, dict):
        return {}
    terms: dict[str, dict | None] = {}
    for term, definition in context.items():
        if term.startswith("@"):
            continue  # @protected, @version, @vocab: nothing here maps a property
        if isinstance(definition, str):
            terms[term] = {"@id": definition}
        elif isinstance(definition, dict):
            terms[term] = definition
        else:
            terms[term] = None
    return terms


def _without_protected(definition: dict | None) -> dict | None:
    if definition is None:
        return None
    return {k: v for k, v in definition.items() if k != "@protected"}


@lru_cache(maxsize=8)
def _terms_of(urls: tuple[str, ...]) -> dict[str, dict | None]:
    """The active context of a credential naming these contexts, in order. A protected
    term redefined differently is a JSON-LD error: refuse such a combination outright."""
    terms: dict[str, dict | None] = {}
    for url in urls:
        for term, definition in _definitions(load_context(url)["@context"]).items():
            if term in terms and _without_protected(terms[term]) != _without_protected(definition):
                raise ContextTampered(f"{url} redefines the protected term {term}")
            terms[term] = definition
    return terms


def _maps_a_property(definition: dict | None) -> bool:
    return isinstance(definition, dict) and isinstance(definition.get("@id"), str)


def _keyword(definition: dict | None) -> str | None:
    target = definition.get("@id") if isinstance(definition, dict) else None
    return target if target in ("@id", "@type") else None


def _walk_value(value: Any, context: dict, path: str, found: list[str]) -> None:
    if isinstance(value, dict):
        _walk_node(value, context, path, found)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            _walk_value(item, context, f"{path}[{position}]", found)


def _walk_node(node: dict, context: dict, path: str, found: list[str]) -> None:
    """JSON-LD 1.1's scoping, reduced to what decides whether a key is defined: a node's
    types add their type-scoped contexts for that node only (they do not propagate into
    nested nodes); a property's own scoped context applies to its value."""
    types: list[Any] = []
    for key, value in node.items():
        if _keyword(context.get(key)) == "@type":
            types.extend(value if isinstance(value, list) else [value])
    active = dict(context)
    for name in sorted(t for t in types if isinstance(t, str)):
        definition = context.get(name)
        if not _maps_a_property(definition) or _keyword(definition):
            found.append(f"{path}.type={name}" if path else f"type={name}")
        elif "@context" in definition:
            active.update(_definitions(definition["@context"]))
    for key, value in node.items():
        where = f"{path}.{key}" if path else key
        definition = active.get(key)
        if key.startswith("@") or not _maps_a_property(definition):
            found.append(where)
            continue
        if _keyword(definition) or definition.get("@type") == "@json":
            continue  # identifiers and types (checked above), opaque JSON literals
        inner = context
        if "@context" in definition:
            inner = {**context, **_definitions(definition["@context"])}
        _walk_value(value, inner, where, found)


def unmapped_properties(credential: dict) -> list[str]:
    """Every property (as a path, ``credentialSubject.nota``) and every type that the
    credential's own pinned contexts do not define. A strict allow-list walk instead of a
    JSON-LD expansion: the same answer for our credentials, no document loader, no network,
    and nothing is dropped on the way."""
    urls = credential.get("@context")
    if not isinstance(urls, list) or not all(u in PINNED_CONTEXTS for u in urls):
        raise ValueError("contexts are not all pinned")
    found: list[str] = []
    body = {key: value for key, value in credential.items() if key != "@context"}
    _walk_node(body, _terms_of(tuple(urls)), "", found)
    return found


# --- Verifying ----------------------------------------------------------------------------


class CredentialVerdict(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    NOT_VALID = "not_valid"


@dataclass
class CredentialCheck:
    verdict: CredentialVerdict
    reasons: list[str] = field(default_factory=list)
    code: str | None = None  # the document's verification code, from the credential's id
    credential: dict | None = None  # the payload, once its signature is ours

    @property
    def ok(self) -> bool:
        return self.verdict == CredentialVerdict.VALID

    @property
    def label(self) -> str:
        return {
            CredentialVerdict.VALID: _("VÁLIDO"),
            CredentialVerdict.REVOKED: _("REVOCADO"),
            CredentialVerdict.NOT_VALID: _("NO VÁLIDO"),
        }[self.verdict]


def _code_from_id(value: Any) -> str | None:
    prefix = f"{public_base()}/verificar/"
    if not isinstance(value, str) or not value.startswith(prefix) or not value.endswith("/"):
        return None
    code = value[len(prefix) : -1]
    return code if CODE_PATTERN.fullmatch(code) else None


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _date_problems(credential: dict) -> list[str]:
    problems = []
    now = timezone.now()
    valid_from = _moment(credential.get("validFrom"))
    if valid_from is None:
        problems.append(_("La credencial no dice desde cuándo es válida, o no es una fecha."))
    elif valid_from > now + MAX_SKEW:
        problems.append(
            _("La credencial todavía no es válida: lo será desde el %(date)s.")
            % {"date": f"{timezone.localtime(valid_from):%d/%m/%Y %H:%M}"}
        )
    if "validUntil" in credential:
        valid_until = _moment(credential["validUntil"])
        if valid_until is None:
            problems.append(_("La fecha de vencimiento de la credencial no es una fecha."))
        elif valid_until < now:
            problems.append(
                _("La credencial venció el %(date)s.")
                % {"date": f"{timezone.localtime(valid_until):%d/%m/%Y %H:%M}"}
            )
    return problems


def _status_index(credential: dict) -> int:
    """The global status list index of the credential's BitstringStatusListEntry."""
    entry = credential.get("credentialStatus")
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        raise ValueError("no BitstringStatusListEntry")
    if entry.get("statusPurpose") != status_list.PURPOSE:
        raise ValueError("status purpose is not revocation")
    number = status_list.list_number_from_url(entry.get("statusListCredential"))
    position = entry.get("statusListIndex")
    if number is None or not isinstance(position, str) or not position.isascii():
        raise ValueError("not one of our status lists")
    if not position.isdigit() or int(position) >= status_list.list_bits():
        raise ValueError("status list index out of range")
    return number * status_list.list_bits() + int(position)


def _structure_problems(credential: dict) -> list[str]:
    problems = []
    types = credential.get("type")
    if not (
        isinstance(types, list)
        and "VerifiableCredential" in types
        and ({"OpenBadgeCredential", "AchievementCredential"} & set(types))
    ):
        problems.append(_("No es una credencial de logro (Open Badges 3.0)."))
    issuer = credential.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer != issuer_id():
        problems.append(
            _("La credencial dice venir de otro emisor (%(issuer)s).") % {"issuer": issuer}
        )
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict) or not isinstance(subject.get("achievement"), dict):
        problems.append(_("La credencial no dice qué diploma acredita."))
    return problems


def _verify(token: Any) -> CredentialCheck:
    try:
        credential = open_signed_credential(token)
    except CredentialRejected as rejected:
        return CredentialCheck(CredentialVerdict.NOT_VALID, [rejected.reason])
    check = CredentialCheck(
        CredentialVerdict.NOT_VALID, code=_code_from_id(credential.get("id")), credential=credential
    )
    if credential.get("@context") != DIPLOMA_CONTEXTS:
        check.reasons.append(
            _(
                "La credencial usa vocabularios (contextos JSON-LD) distintos de los de este "
                "emisor: no se puede saber qué significan sus datos."
            )
        )
        return check
    try:
        unmapped = unmapped_properties(credential)
    except ContextTampered:
        logger.error("A pinned JSON-LD context does not match its SHA-256", exc_info=True)
        check.reasons.append(
            _("Este portal no puede comprobar credenciales ahora. Inténtelo más tarde.")
        )
        return check
    if unmapped:
        shown = ", ".join(unmapped[:5]) + ("…" if len(unmapped) > 5 else "")
        check.reasons.append(
            _(
                "La credencial trae datos que sus vocabularios no definen: %(properties)s. Las "
                "credenciales auténticas nunca los traen."
            )
            % {"properties": shown}
        )
    check.reasons.extend(_structure_problems(credential))
    check.reasons.extend(_date_problems(credential))
    try:
        index = _status_index(credential)
    except ValueError:
        check.reasons.append(
            _("La credencial no dice dónde consultar si fue revocada, o lo dice mal.")
        )
        return check
    if check.reasons:
        return check
    signed_ok = _(
        "La firma es auténtica (emisor: %(issuer)s) y el contenido no cambió desde que se emitió."
    ) % {"issuer": institution_name()}
    if status_list.status_of(index):
        check.verdict = CredentialVerdict.REVOKED
        check.reasons = [
            signed_ok,
            _("Pero el emisor la revocó: así consta en su lista de estado publicada."),
        ]
        return check
    check.verdict = CredentialVerdict.VALID
    check.reasons = [
        signed_ok,
        _("No está revocada, según la lista de estado que publica el emisor."),
    ]
    return check


def verify_credential(token: str) -> CredentialCheck:
    """VÁLIDO, REVOCADO or NO VÁLIDO, with the reasons in plain Spanish. Never raises:
    any input, however broken, gets an answer."""
    try:
        return _verify(token)
    except Exception:
        logger.exception("Verifying a credential failed unexpectedly")
        return CredentialCheck(
            CredentialVerdict.NOT_VALID,
            [_("No pudimos comprobar esta credencial. Inténtelo de nuevo más tarde.")],
        )
