"""What goes into the public log, and how each entry commits to its source row.

Each entry names what it records (``case_event:41``, ``document:ABCD-…:issued``), when, and
a **commitment**: SHA-256 of a random salt and the canonical JSON of the row's facts. The
salt stays in the database, never published: the facts hold personal data (who acted, what
they answered) that a public hash of them alone would let anyone confirm by guessing. Who
runs the database can check every commitment (``ventanilla ledger verify``); anyone can check
that no entry was changed, removed or reordered after a checkpoint.

Recording happens inside the action's transaction: the entry and the change commit or roll
back together.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ventanilla.ledger import tree


def _timestamp(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _as_stored(value):
    """A JSON column's value as it reads back (tuples become lists, and so on)."""
    return json.loads(json.dumps(value))


def case_event_facts(event) -> dict:
    return {
        "case": event.case_id,
        "kind": event.kind,
        "actor": event.actor_id,
        "on_behalf_of": event.on_behalf_of_id,
        "task": event.task,
        "before": _as_stored(event.before),
        "after": _as_stored(event.after),
        "at": _timestamp(event.at),
    }


def document_issued_facts(document) -> dict:
    return {
        "code": document.code,
        "kind": document.kind,
        "unit": document.unit_id,
        "holder": document.holder_id,
        "sha256": document.sha256,
        "signer": document.signer_id,
        "issued_at": _timestamp(document.issued_at),
    }


def document_revoked_facts(document) -> dict:
    return {
        "code": document.code,
        "revoked_by": document.revoked_by_id,
        "reason": document.revocation_reason,
        "revoked_at": _timestamp(document.revoked_at),
    }


@dataclass(frozen=True)
class Source:
    """A kind of entry: the rows it records and the facts committed to."""

    kind: str
    load: Callable[[list[str]], dict[str, object]]  # keys -> the rows that exist
    facts: Callable[[object], dict]


def _case_events(keys: list[str]) -> dict[str, object]:
    from ventanilla.cases.models import CaseEvent

    events = CaseEvent.objects.filter(pk__in=[int(k) for k in keys])
    return {str(event.pk): event for event in events}


def _documents(keys: list[str]) -> dict[str, object]:
    from ventanilla.documents.models import Document

    return {document.code: document for document in Document.objects.filter(code__in=keys)}


# Role changes and catalogue changes: every historical row django-simple-history writes for
# these models (who changed what, when; a deletion too) is an entry.
HISTORY_APPS = frozenset({"catalog"})
HISTORY_MODELS = frozenset({"identity.membership"})


def recorded_history(model) -> bool:
    """Whether the history of ``model`` (the tracked model, or its historical model) goes
    into the log."""
    meta = getattr(model, "instance_type", model)._meta
    return meta.app_label in HISTORY_APPS or meta.label_lower in HISTORY_MODELS


def _json_safe(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# django-simple-history adds a change's reason to its row after writing it
# (``update_change_reason``): the entry commits to the row without it.
AFTER_THE_FACT = frozenset({"history_change_reason"})


def _field_value(field, value):
    """The value as the database gives it back (a decimal to its places: Q10 written as 10
    reads back as 10.00), JSON-safe."""
    if value is not None and getattr(field, "decimal_places", None) is not None:
        places = decimal.Decimal(1).scaleb(-field.decimal_places)
        value = decimal.Decimal(str(value)).quantize(places)
    return _json_safe(value)


def history_facts(row) -> dict:
    return {
        field.attname: _field_value(field, getattr(row, field.attname))
        for field in row._meta.concrete_fields
        if field.attname not in AFTER_THE_FACT
    }


def _history_rows(keys: list[str]) -> dict[str, object]:
    from django.apps import apps

    by_model: dict[str, list[int]] = {}
    for key in keys:
        label, _, history_id = key.rpartition(":")
        by_model.setdefault(label, []).append(int(history_id))
    found = {}
    for label, ids in by_model.items():
        model = apps.get_model(label)
        for row in model.objects.filter(history_id__in=ids):
            found[f"{label}:{row.history_id}"] = row
    return found


SOURCES = {
    "case_event": Source("case_event", _case_events, case_event_facts),
    "document_issued": Source("document_issued", _documents, document_issued_facts),
    "document_revoked": Source("document_revoked", _documents, document_revoked_facts),
    "history": Source("history", _history_rows, history_facts),
}


def commitment(salt: bytes, facts: dict) -> str:
    return hashlib.sha256(salt + tree.canonical(facts)).hexdigest()


def _entry(kind: str, key: str, at, facts: dict) -> tuple[tree.Entry, bytes]:
    salt = tree.new_salt()
    entry = tree.Entry(
        kind=kind,
        reference=f"{kind}:{key}",
        data={"at": _timestamp(at), "commitment": commitment(salt, facts)},
    )
    return entry, salt


def case_events(events: Iterable) -> None:
    """Record case events (after they are saved, in the same transaction)."""
    _append(_entry("case_event", str(e.pk), e.at, case_event_facts(e)) for e in events)


def documents_issued(documents: Iterable) -> None:
    _append(
        _entry("document_issued", d.code, d.issued_at, document_issued_facts(d)) for d in documents
    )


def document_revoked(document) -> None:
    _append(
        [
            _entry(
                "document_revoked",
                document.code,
                document.revoked_at,
                document_revoked_facts(document),
            )
        ]
    )


def history(rows: Iterable) -> None:
    """Record historical rows (a role granted or taken away, a catalogue change)."""
    _append(
        _entry(
            "history",
            f"{row._meta.label_lower}:{row.history_id}",
            row.history_date,
            history_facts(row),
        )
        for row in rows
    )


def history_of_bulk(model, objects: Iterable) -> None:
    """After ``bulk_create_with_history`` (which sends no signal): record the history rows of
    the objects it created."""
    pks = [obj.pk for obj in objects]
    if pks and recorded_history(model):
        history(model.history.filter(id__in=pks).order_by("history_id"))


def _append(pairs: Iterable[tuple[tree.Entry, bytes]]) -> None:
    pairs = list(pairs)
    if pairs:
        tree.append([entry for entry, _salt in pairs], salts=[salt for _entry, salt in pairs])


def key_of(reference: str) -> tuple[str, str]:
    """``document_issued:ABCD-…`` -> (``document_issued``, ``ABCD-…``)."""
    kind, _, key = reference.partition(":")
    return kind, key
