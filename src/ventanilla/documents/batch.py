"""Diplomas for a whole cohort from one CSV file: every row checked first, then one document
per row prepared in bulk, then signed on all cores, resumably.

The file is the batch: its SHA-256 names the ``DiplomaBatch``, so running the same file again
resumes it. A row becomes at most one document (``batch`` + ``batch_key`` are unique
together); a document is signed at most once (it is saved as signed only if it still waits
for its signature, in the transaction that commits its chunk). A crash or Ctrl-C loses at
most the chunk each worker had in hand, and a rerun signs only what is still unsigned.

Signing one document is what ``actions.sign`` does (render, PAdES, store the PDF under the
model's ``upload_to``, SHA-256 of the stored bytes, the credential with the document's
status list index), without the per-row notice: holders see their diploma in
``/mis-documentos/``, and the signer gets one summary when the batch is done.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import functools
import hashlib
import io
import itertools
import os
import queue
import re
import signal
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connections, transaction
from django.db.models import F
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ventanilla.core.cui import parse_cui
from ventanilla.documents import codes, status_list
from ventanilla.documents.holders import mask_holder
from ventanilla.documents.models import DiplomaBatch, Document, Kind, Status
from ventanilla.identity.permissions import Action, can
from ventanilla.ledger import record as ledger_record

QUERY_CHUNK = 900  # values per IN (...) list: under SQLite's oldest limit on parameters
PREPARE_CHUNK = QUERY_CHUNK  # rows per bulk insert (and per block of status list indices)
MAX_SIGN_CHUNK = 40  # documents a worker signs before committing them together
MIN_YEAR = 1900
LIMITS = {"establecimiento": 200, "codigo_establecimiento": 40, "nombre": 150, "titulo": 150}
STUDENT_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,39}")
DATE_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T][0-9:.]*)?")


# --- Reading and checking the file ---------------------------------------------------------

# The columns, and the other ways a spreadsheet may spell them (compared without accents,
# case, spaces or hyphens).
COLUMNS = {
    "establecimiento": ("establecimiento", "nombre_establecimiento", "escuela", "colegio"),
    "codigo_establecimiento": ("codigo_establecimiento", "codigo_del_establecimiento"),
    "codigo_estudiante": ("codigo_estudiante", "codigo_del_estudiante", "codigo_personal"),
    "cui": ("cui", "dpi"),
    "nombre": ("nombre", "nombre_completo", "nombres_y_apellidos", "estudiante"),
    "titulo": ("titulo", "carrera", "diploma"),
    "fecha": ("fecha", "fecha_graduacion", "fecha_de_graduacion"),
}
REQUIRED_COLUMNS = ("establecimiento", "nombre", "titulo", "fecha")


@dataclass(frozen=True)
class Problem:
    """One thing to fix: where (line of the file, 1 = the header; column as the file names
    it) and what, in Spanish."""

    line: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class DiplomaRow:
    line: int
    school: str
    school_code: str
    student_code: str
    cui: str
    name: str
    degree: str
    date: datetime.date

    @functools.cached_property
    def key(self) -> str:
        """Who, what and where, stable across reruns: the student's code (else their CUI),
        then a digest of the degree and the school (its code, else its name)."""
        who = f"est:{self.student_code.upper()}" if self.student_code else f"cui:{self.cui}"
        what = f"{_folded(self.degree)}|{_folded(self.school_code or self.school)}"
        return f"{who}|{hashlib.sha256(what.encode()).hexdigest()[:20]}"


@dataclass
class ReadFile:
    rows: list[DiplomaRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    data_lines: int = 0  # rows in the file, good or bad

    @property
    def bad_lines(self) -> list[int]:
        return sorted({p.line for p in self.problems})


@functools.lru_cache(maxsize=4096)  # schools and degrees repeat down a cohort's file
def _folded(text: str) -> str:
    """For comparing: no accents, no case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def _column_id(label: str) -> str:
    return re.sub(r"[\s_-]+", "_", _folded(label)).strip("_")


def _delimiter(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def _printable(text: str) -> str:
    """The characters of ``text`` the diploma's fonts cannot print, or ''."""
    from ventanilla.documents.rendering import CHARSET

    missing = {ch for ch in text if ord(ch) not in CHARSET}
    return " ".join(sorted(missing))


def read_rows(data: bytes) -> ReadFile:
    """Every row of the cohort file, checked. The file is UTF-8 (a BOM is fine), with a header
    line; comma, semicolon or tab separated. ``problems`` lists every mistake of every row."""
    result = ReadFile()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        result.problems.append(
            Problem(
                line,
                "",
                _(
                    "El archivo no está guardado en UTF-8: la línea %(line)s tiene un carácter "
                    "que no se puede leer. Guárdelo de nuevo como «CSV UTF-8»; en Excel: "
                    "Archivo › Guardar como › CSV UTF-8 (delimitado por comas)."
                )
                % {"line": line},
            )
        )
        return result
    if not text.strip():
        result.problems.append(Problem(1, "", _empty_file_message()))
        return result
    first_line = text.lstrip("\r\n").splitlines()[0]
    separator = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    line = 1
    try:
        header: list[str] = []
        while not any(cell.strip() for cell in header):
            header = next(reader)
            line = reader.line_num
        header_line = line
        columns = _read_header(header, header_line, result.problems)
        if result.problems:
            return result
        seen: dict[str, int] = {}
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            result.data_lines += 1
            row = _read_row(cells, start, header, columns, separator, result.problems)
            if row is None:
                continue
            first = seen.setdefault(row.key, row.line)
            if first != row.line:
                result.problems.append(
                    Problem(
                        row.line,
                        header[columns["codigo_estudiante" if row.student_code else "cui"]].strip(),
                        _(
                            "Esta fila repite la de la línea %(line)s: el mismo estudiante, "
                            "título y establecimiento. Quite una de las dos."
                        )
                        % {"line": first},
                    )
                )
                continue
            result.rows.append(row)
    except csv.Error:
        result.problems.append(
            Problem(
                line + 1,
                "",
                _(
                    "Esta línea no se puede leer: tiene comillas sin cerrar o un carácter "
                    "nulo. Revísela y guarde el archivo de nuevo como CSV."
                ),
            )
        )
    except StopIteration:
        result.problems.append(Problem(1, "", _empty_file_message()))
    if not result.problems and not result.rows:
        result.problems.append(
            Problem(
                2, "", _("El archivo solo tiene la línea de encabezado: agregue una por diploma.")
            )
        )
    return result


def _empty_file_message() -> str:
    return _(
        "El archivo está vacío. Debe tener una primera línea con los nombres de las columnas "
        "y luego una línea por diploma."
    )


def _columns_help() -> str:
    return _(
        "Las columnas son: establecimiento, codigo_establecimiento (opcional), "
        "codigo_estudiante o cui (al menos una), nombre, titulo y fecha."
    )


def _read_header(header: list[str], line: int, problems: list[Problem]) -> dict[str, int]:
    """Column name → its position; problems for missing or repeated columns."""
    by_alias = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
    columns: dict[str, int] = {}
    for position, label in enumerate(header):
        name = by_alias.get(_column_id(label))
        if name is None:
            continue  # other columns (a row number, remarks) are left alone
        if name in columns:
            problems.append(
                Problem(
                    line,
                    label.strip(),
                    _("La columna «%(column)s» aparece dos veces en la primera línea. Deje una.")
                    % {"column": label.strip()},
                )
            )
        columns[name] = position
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            problems.append(
                Problem(
                    line,
                    name,
                    _("Falta la columna «%(column)s» en la primera línea.") % {"column": name}
                    + " "
                    + _columns_help(),
                )
            )
    if "codigo_estudiante" not in columns and "cui" not in columns:
        problems.append(
            Problem(
                line,
                "codigo_estudiante",
                _(
                    "Falta una columna que identifique al estudiante: agregue «codigo_estudiante», "
                    "«cui» o las dos."
                ),
            )
        )
    return columns


CUI_MESSAGES = {
    "format": gettext_lazy("El CUI «%(value)s» debe tener 13 números (puede llevar espacios)."),
    "check_digit": gettext_lazy(
        "El CUI «%(value)s» no es válido: el noveno número no corresponde a los ocho "
        "anteriores. Cópielo de nuevo del DPI o del certificado de nacimiento."
    ),
    "department": gettext_lazy(
        "El CUI «%(value)s» no es válido: los números 10 y 11 deben ser un departamento "
        "(01 a 22). Cópielo de nuevo del DPI o del certificado de nacimiento."
    ),
    "municipality": gettext_lazy(
        "El CUI «%(value)s» no es válido: los dos últimos números no son un municipio de su "
        "departamento. Cópielo de nuevo del DPI o del certificado de nacimiento."
    ),
}


# Translated only when a row has the problem (a file's rows mostly have none).
MISSING = {
    "establecimiento": gettext_lazy("Falta el nombre del establecimiento."),
    "nombre": gettext_lazy("Falta el nombre completo del estudiante."),
    "titulo": gettext_lazy(
        "Falta el título obtenido, por ejemplo «Bachiller en Ciencias y Letras»."
    ),
    "fecha": gettext_lazy("Falta la fecha de graduación: escríbala como dd/mm/aaaa (15/11/2025)."),
}
WHAT = {
    "establecimiento": gettext_lazy("nombre del establecimiento"),
    "codigo_establecimiento": gettext_lazy("código del establecimiento"),
    "nombre": gettext_lazy("nombre"),
    "titulo": gettext_lazy("título"),
}


def _read_row(cells, line, header, columns, separator, problems) -> DiplomaRow | None:
    before = len(problems)
    if len(cells) > len(header) and not any(cell.strip() for cell in cells[len(header) :]):
        cells = cells[: len(header)]  # separators a spreadsheet left at the end of the line
    if len(cells) != len(header):
        shown = {"\t": _("tabulador")}.get(separator, separator)
        problems.append(
            Problem(
                line,
                "",
                _(
                    "Esta línea tiene %(found)s valores y la primera línea %(expected)s "
                    "columnas. Revise que no falte ni sobre ningún separador («%(sep)s»); si un "
                    "valor lleva «%(sep)s», enciérrelo entre comillas."
                )
                % {"found": len(cells), "expected": len(header), "sep": shown},
            )
        )
        return None

    def value(name: str) -> str:
        position = columns.get(name)
        return " ".join(cells[position].split()) if position is not None else ""

    def label(name: str) -> str:
        position = columns.get(name)
        return header[position].strip() if position is not None else name

    def problem(name: str, message: str) -> None:
        problems.append(Problem(line, label(name), message))

    for name in ("establecimiento", "codigo_establecimiento", "nombre", "titulo"):
        text = value(name)
        if not text:
            if name in MISSING:
                problem(name, str(MISSING[name]))
            continue
        if len(text) > LIMITS[name]:
            problem(
                name,
                _("El %(what)s tiene %(length)s caracteres; el máximo es %(max)s. Abrévielo.")
                % {"what": WHAT[name], "length": len(text), "max": LIMITS[name]},
            )
        elif unprintable := _printable(text):
            problem(
                name,
                _(
                    "«%(value)s» tiene caracteres que el diploma no puede imprimir "
                    "(%(chars)s). Escríbalo con letras del alfabeto latino."
                )
                % {"value": text, "chars": unprintable},
            )

    student_code, cui_text, cui = value("codigo_estudiante"), value("cui"), ""
    if not student_code and not cui_text:
        problems.append(
            Problem(
                line,
                " / ".join(label(n) for n in ("codigo_estudiante", "cui") if n in columns),
                _("Falta el código de estudiante o el CUI: escriba al menos uno de los dos."),
            )
        )
    if student_code and not STUDENT_CODE.fullmatch(student_code):
        problem(
            "codigo_estudiante",
            _(
                "El código de estudiante «%(value)s» solo puede tener letras sin tilde, "
                "números y guiones (hasta 40)."
            )
            % {"value": student_code},
        )
    if cui_text:
        try:
            cui = parse_cui(cui_text).digits
        except ValidationError as error:
            message = CUI_MESSAGES.get(error.code, CUI_MESSAGES["format"])
            problem("cui", str(message) % {"value": cui_text})

    if not value("fecha"):
        problem("fecha", str(MISSING["fecha"]))
    date = _read_date(value("fecha"), lambda message: problem("fecha", message))
    if len(problems) > before:
        return None
    return DiplomaRow(
        line=line,
        school=value("establecimiento"),
        school_code=value("codigo_establecimiento"),
        student_code=student_code,
        cui=cui,
        name=value("nombre"),
        degree=value("titulo"),
        date=date,
    )


def _read_date(text: str, problem: Callable[[str], None]) -> datetime.date | None:
    if not text:
        return None  # already reported as missing
    if match := DATE_DMY.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := DATE_ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        problem(
            _(
                "La fecha «%(value)s» no se entiende. Escríbala como dd/mm/aaaa, por ejemplo "
                "15/11/2025."
            )
            % {"value": text}
        )
        return None
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        problem(
            _("La fecha «%(value)s» no existe: revise el día y el mes (dd/mm/aaaa).")
            % {"value": text}
        )
        return None
    if date > timezone.localdate():
        problem(
            _("La fecha «%(value)s» es posterior a hoy. Escriba la fecha en que se graduó.")
            % {"value": text}
        )
        return None
    if date.year < MIN_YEAR:
        problem(_("El año de la fecha «%(value)s» parece un error. Revíselo.") % {"value": text})
        return None
    return date


# --- The batch and its documents --------------------------------------------------------------


class BatchRefused(Exception):
    """The batch cannot go on; the message says why and what to do, in Spanish."""


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def open_batch(*, data: bytes, name: str, unit, signer, read: ReadFile) -> DiplomaBatch:
    """The batch of this file: the one started earlier from the same bytes, or a new one.
    A file with problems is recorded as rejected, with its report."""
    digest = file_sha256(data)
    batch = DiplomaBatch.objects.filter(source_sha256=digest).select_related("unit").first()
    if batch is not None and batch.unit_id != unit.pk:
        raise BatchRefused(
            _(
                "Este mismo archivo ya se cargó para «%(unit)s» el %(date)s. Un archivo emite "
                "sus diplomas en una sola unidad."
            )
            % {"unit": batch.unit.name, "date": f"{timezone.localtime(batch.created_at):%d/%m/%Y}"}
        )
    report = [p.as_dict() for p in read.problems]
    if batch is None:
        try:
            with transaction.atomic():
                batch = DiplomaBatch.objects.create(
                    source_name=Path(name).name[:255],
                    source_sha256=digest,
                    unit=unit,
                    rows=read.data_lines,
                    created_by=signer,
                    state=DiplomaBatch.State.REJECTED if report else DiplomaBatch.State.VALIDATED,
                    report=report,
                )
        except IntegrityError:  # the same file, started at the same moment elsewhere
            batch = DiplomaBatch.objects.get(source_sha256=digest)
    elif not batch.documents.exists():
        batch.rows, batch.report = read.data_lines, report
        batch.state = DiplomaBatch.State.REJECTED if report else DiplomaBatch.State.VALIDATED
        batch.save(update_fields=["rows", "report", "state"])
    return batch


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _title(degree: str) -> str:
    if _folded(degree).startswith(("diploma", "titulo")):
        return degree[:200]
    return (_("Diploma de %(degree)s") % {"degree": degree})[:200]


def document_for(row: DiplomaRow, *, batch: DiplomaBatch, unit, signer) -> Document:
    """The unsaved document of one row (its code drawn, no status list index yet)."""
    from ventanilla.core.cui import Cui

    with translation.override(settings.LANGUAGE_CODE):
        ids = []
        if row.cui:
            ids.append(_("CUI %(cui)s") % {"cui": Cui(row.cui).formatted()})
        if row.student_code:
            ids.append(_("Código de estudiante %(code)s") % {"code": row.student_code})
        paragraph = _(
            "por haber concluido satisfactoriamente sus estudios en %(school)s, el %(date)s."
        ) % {"school": row.school, "date": formats.date_format(row.date, "DATE_FORMAT")}
    data = {
        "establecimiento": row.school,
        "codigo_establecimiento": row.school_code,
        "codigo_estudiante": row.student_code,
        "cui": row.cui,
        "titulo": row.degree,
        "fecha": row.date.isoformat(),
        "linea": row.line,
        "holder_id": " · ".join(ids),
        "paragraphs": [paragraph],
        "signer_name": signer.get_full_name() if signer is not None else "",
    }
    return Document(
        code=codes.new_code(),
        kind=Kind.DIPLOMA,
        title=_title(row.degree),
        template="diploma",
        unit=unit,
        holder_name=row.name[:200],
        holder_masked=mask_holder(row.name, row.cui)[:120],
        data=data,
        batch=batch,
        batch_key=row.key,
    )


def _accounts_by_cui(cuis: Iterable[str]) -> dict[str, int]:
    from ventanilla.identity.models import User

    wanted = sorted({c for c in cuis if c})
    found: dict[str, int] = {}
    for chunk in _chunks(wanted, QUERY_CHUNK):
        found.update(User.objects.filter(cui__in=chunk).values_list("cui", "pk"))
    return found


def _issued_elsewhere(batch: DiplomaBatch, keys: list[str]) -> set[str]:
    """Keys of rows whose diploma another batch already issued (or is issuing): the same
    student, degree and school in a corrected copy of the file must not get a second one."""
    taken: set[str] = set()
    for chunk in _chunks(keys, QUERY_CHUNK):
        taken.update(
            Document.objects.filter(kind=Kind.DIPLOMA, batch__isnull=False, batch_key__in=chunk)
            .exclude(batch=batch)
            .exclude(status=Status.REVOKED)
            .values_list("batch_key", flat=True)
        )
    return taken


@dataclass
class Prepared:
    to_create: int = 0  # rows that get a document in this run
    created: int = 0
    already: int = 0  # prepared by an earlier run of this batch
    elsewhere: list[int] = field(default_factory=list)  # lines issued by another batch
    holders_linked: int = 0


def prepare_documents(batch: DiplomaBatch, rows: list[DiplomaRow], *, signer) -> Prepared:
    """One document per row not yet in the batch, in bulk (see ``start_preparing``)."""
    prepared, blocks = start_preparing(batch, rows, signer=signer)
    for _ids in blocks:
        pass
    return prepared


def start_preparing(
    batch: DiplomaBatch, rows: list[DiplomaRow], *, signer
) -> tuple[Prepared, Iterator[list[int]]]:
    """What preparing the rows will do, and the blocks that do it: each inserts the next
    chunk of documents (codes drawn here, status list indices taken a block at a time, one
    short transaction) when asked, and gives the new documents' ids, ready to be signed
    while the next block is inserted. Holders with an account (their CUI) are linked, also
    on documents an earlier run prepared."""
    result = Prepared()
    existing = {
        key: (pk, holder)
        for pk, key, holder in batch.documents.values_list("pk", "batch_key", "holder_id")
    }
    result.already = len(existing)
    accounts = _accounts_by_cui(row.cui for row in rows)
    new_rows = [row for row in rows if row.key not in existing]
    elsewhere = _issued_elsewhere(batch, [row.key for row in new_rows]) if new_rows else set()
    result.elsewhere = [row.line for row in new_rows if row.key in elsewhere]
    new_rows = [row for row in new_rows if row.key not in elsewhere]
    result.to_create = len(new_rows)

    relink = [
        Document(pk=existing[row.key][0], holder_id=accounts[row.cui])
        for row in rows
        if row.cui in accounts and row.key in existing and existing[row.key][1] is None
    ]
    for chunk in _chunks(relink, PREPARE_CHUNK):
        Document.objects.bulk_update(chunk, ["holder"])
    result.holders_linked = len(relink) + sum(1 for row in new_rows if row.cui in accounts)

    def blocks() -> Iterator[list[int]]:
        unit = batch.unit
        for chunk in _chunks(new_rows, PREPARE_CHUNK):
            ids = _insert_chunk(batch, chunk, unit, signer, accounts)
            result.created += len(ids)
            if ids:
                yield ids

    return result, blocks()


def _insert_chunk(batch, rows, unit, signer, accounts) -> list[int]:
    """Insert one chunk, giving the new ids; a clash on a unique column (a code drawn twice,
    or rows another run inserted meanwhile) draws new codes and leaves out what exists, then
    tries again."""
    for attempt in range(5):
        if attempt:
            keys = [row.key for row in rows]
            present = set(
                batch.documents.filter(batch_key__in=keys).values_list("batch_key", flat=True)
            )
            rows = [row for row in rows if row.key not in present]
            if not rows:
                return []
        indices = status_list.allocate_status_indices(len(rows))  # its own short transaction
        documents = []
        for row, index in zip(rows, indices, strict=True):
            holder_id = accounts.get(row.cui)
            document = document_for(row, batch=batch, unit=unit, signer=signer)
            document.holder_id = holder_id
            document.status_list_index = index
            documents.append(document)
        try:
            with transaction.atomic():
                Document.objects.bulk_create(documents)
        except IntegrityError:
            continue  # the indices taken are left unused: harmless (their bit stays 0)
        ids = [document.pk for document in documents]
        if None in ids:  # a database that does not return them from a bulk insert
            keys = [document.batch_key for document in documents]
            ids = list(batch.documents.filter(batch_key__in=keys).values_list("pk", flat=True))
        return sorted(ids)
    raise BatchRefused(_("No se pudieron preparar los diplomas. Vuelva a ejecutar el comando."))


def pending_ranges(batch: DiplomaBatch, size: int) -> list[tuple[int, int]]:
    """The still-unsigned documents of the batch as ranges of ids, ``size`` documents each."""
    ids = list(
        batch.documents.filter(status=Status.AWAITING_SIGNATURE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [(chunk[0], chunk[-1]) for chunk in _chunks(ids, size)]


def chunk_size(pending: int, workers: int) -> int:
    """Small enough that every worker gets several chunks (and a crash loses little), big
    enough that commits stay rare."""
    return max(1, min(MAX_SIGN_CHUNK, pending // (workers * 4) or 1))


# --- Signing, in each worker -------------------------------------------------------------


def warm_up(*, signer: bool = True) -> None:
    """What every signature needs, built once per process: the fonts, the credentials' key
    and (unless ``signer`` is false: a parent about to fork must not open a PKCS#11 session
    its children would share) the signer, its key parsed, and its CMS template."""
    from ventanilla.documents import credentials, rendering, signing

    rendering.warm_up()
    credentials.signing_key()
    if signer:
        signing.signer_subject()
        signing.signature_field()


def sign_range(batch_id: int, first_id: int, last_id: int, signer_id: int) -> int:
    """Sign the batch's unsigned documents with ids in [first_id, last_id]: render, PAdES,
    store, credential; then mark them signed in one transaction, each only if it still
    waits for its signature. Returns how many this call signed."""
    from ventanilla.documents import credentials, rendering, signing
    from ventanilla.identity.models import User

    documents = list(
        Document.objects.filter(
            batch_id=batch_id,
            pk__gte=first_id,
            pk__lte=last_id,
            status=Status.AWAITING_SIGNATURE,
        )
        .select_related("unit")
        .order_by("pk")
    )
    if not documents:
        return 0
    signer = User.objects.get(pk=signer_id)
    if not can(signer, Action.SIGN_DOCUMENTS, org_unit=documents[0].unit):
        raise PermissionDenied  # the role was taken away while the batch ran
    subject = signing.signer_subject()
    stored: list[Document] = []
    try:
        for document in documents:
            document.issued_at = timezone.now()
            pdf = signing.sign_rendered(
                lambda field, document=document: rendering.render(document, signature=field),
                reason=document.title,
            )
            document.sha256 = hashlib.sha256(pdf).hexdigest()
            document.pdf.save(f"{document.code}.pdf", ContentFile(pdf), save=False)
            stored.append(document)
            document.credential = credentials.issue_credential(document)
        with transaction.atomic():
            marked = _mark_signed(documents, signer=signer, subject=subject)
            for document in documents:
                if document.pk in marked:
                    document.status, document.signer_id = Status.VALID, signer.pk
            ledger_record.documents_issued(d for d in documents if d.pk in marked)
            signed = len(marked)
            DiplomaBatch.objects.filter(pk=batch_id).update(issued=F("issued") + signed)
    except BaseException:
        _remove_files(stored)
        raise
    _remove_files([d for d in stored if d.status != Status.VALID])  # another run was first
    return signed


_SIGNED_COLUMNS = (
    "status",
    "issued_at",
    "sha256",
    "pdf",
    "signer",
    "signer_certificate",
    "credential",
    "status_list_index",
)


def _mark_signed(documents: list[Document], *, signer, subject: str) -> set[int]:
    """Mark the documents signed, each only if it still waits for its signature (another
    run may have been first); the ids this call marked. One UPDATE per row through
    ``executemany``: Django's ``update()`` costs ~0.2 ms of Python per row, as much as the
    rest of the commit."""
    connection = connections[Document.objects.db]
    quote = connection.ops.quote_name
    fields = [Document._meta.get_field(name) for name in _SIGNED_COLUMNS]
    status_column = quote(Document._meta.get_field("status").column)
    # Identifiers from the model, quoted; every value is a parameter.
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = (
        f"UPDATE {quote(Document._meta.db_table)} SET {assignments} "  # noqa: S608
        f"WHERE {quote(Document._meta.pk.column)} = %s AND {status_column} = %s"
    )
    rows = []
    for document in documents:
        values = {
            "status": Status.VALID.value,
            "issued_at": document.issued_at,
            "sha256": document.sha256,
            "pdf": document.pdf.name,
            "signer": signer.pk,
            "signer_certificate": subject,
            "credential": document.credential,
            "status_list_index": document.status_list_index,
        }
        rows.append(
            [field.get_db_prep_save(values[field.name], connection) for field in fields]
            + [document.pk, Status.AWAITING_SIGNATURE.value]
        )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    ours = {document.pk: document.sha256 for document in documents}
    # A PDF's SHA-256 is unique to that signature: a row holding ours was marked by us.
    return {
        pk
        for pk, sha256 in Document.objects.filter(pk__in=list(ours)).values_list("pk", "sha256")
        if ours[pk] == sha256
    }


def _remove_files(documents: list[Document]) -> None:
    for document in documents:
        with contextlib.suppress(OSError):
            document.pdf.storage.delete(document.pdf.name)


_worker_failure: BaseException | None = None


def _worker_start(lock_fd: int | None) -> None:
    """Each worker: die with the parent (Linux), leave Ctrl-C to the parent, let go of the
    parent's lock file, open its own database connection, warm up. Never raises: a pool
    replaces a worker whose start failed, again and again; the failure is kept and raised by
    the worker's first task instead, so that the parent hears of it."""
    global _worker_failure
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Forked from the task worker (db_worker), a pool worker inherits its "stop gracefully"
    # handlers, and Pool.terminate() would then wait for ever.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    if lock_fd is not None:
        with contextlib.suppress(OSError):
            os.close(lock_fd)  # the lock stays with the parent: a crashed parent frees it
    try:
        import django

        django.setup()  # nothing to do after a fork; a spawned worker sets Django up here
        connections.close_all()
        warm_up()
    except Exception as error:  # e.g. the signer's key or token cannot be used
        _worker_failure = error


def _sign_task(arguments: tuple[int, int, int, int]) -> int:
    if _worker_failure is not None:
        raise _worker_failure
    return sign_range(*arguments)


# --- Issuing a batch ---------------------------------------------------------------------


@dataclass
class Issued:
    signed: int  # in this run
    pending: int  # still unsigned after it
    seconds: float


@contextlib.contextmanager
def exclusive(batch: DiplomaBatch):
    """One run at a time per batch on this machine (a lock file under DATA_DIR, named after
    the database and the file). Runs on two machines at once are not stopped here: neither
    signs a document the other signed, but both do the work."""
    import fcntl

    folder = Path(settings.DATA_DIR) / "lotes"
    folder.mkdir(parents=True, exist_ok=True)
    database = connections["default"].settings_dict
    name = f"{database.get('HOST')}:{database.get('PORT')}/{database['NAME']}/{batch.source_sha256}"
    lock = folder / f"{hashlib.sha256(name.encode()).hexdigest()[:32]}.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise BatchRefused(
                _(
                    "Este lote ya se está emitiendo en otro proceso. Espere a que termine, o "
                    "deténgalo antes de volver a ejecutar el comando."
                )
            ) from error
        yield fd
    finally:
        os.close(fd)


def recount(batch: DiplomaBatch) -> int:
    """Bring ``issued`` in line with the registry; the number still unsigned."""
    issued = batch.documents.exclude(status=Status.AWAITING_SIGNATURE).count()
    pending = batch.documents.filter(status=Status.AWAITING_SIGNATURE).count()
    DiplomaBatch.objects.filter(pk=batch.pk).update(issued=issued)
    batch.issued = issued
    return pending


def issue_pending(
    batch: DiplomaBatch,
    *,
    signer,
    workers: int,
    lock_fd: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    incoming: Iterable[list[int]] = (),
    expected: int = 0,
) -> Issued:
    """Sign every unsigned document of the batch: in this process with ``workers=1``, else in
    a pool of ``workers`` processes, each taking ranges of ids. ``incoming`` gives more
    documents while they are signed (``start_preparing``'s blocks, about ``expected`` of
    them): this process inserts each block and hands it to the workers, so that no core waits
    for the preparation to end. Ctrl-C stops the workers and raises KeyboardInterrupt; what
    was committed stays signed (and prepared)."""
    import multiprocessing
    import time

    began = time.perf_counter()
    on_progress = on_progress or (lambda count: None)
    size = chunk_size(recount(batch) + expected, workers)
    ranges = pending_ranges(batch, size)
    tasks = [(batch.pk, first, last, signer.pk) for first, last in ranges]
    if tasks or expected:
        batch.state = DiplomaBatch.State.ISSUING
        batch.started_at, batch.issued_before_run = timezone.now(), batch.issued
        DiplomaBatch.objects.filter(pk=batch.pk).update(
            state=batch.state, started_at=batch.started_at, issued_before_run=batch.issued
        )

    received = {"documents": 0, "all": not expected}

    def more_tasks() -> Iterator[tuple[int, int, int, int]]:
        for ids in incoming:
            received["documents"] += len(ids)
            for chunk in _chunks(ids, size):
                yield (batch.pk, chunk[0], chunk[-1], signer.pk)
        received["all"] = True

    signed = 0
    try:
        if workers <= 1 or (len(tasks) <= 1 and not expected):
            warm_up()
            for task in itertools.chain(tasks, more_tasks()):
                count = sign_range(*task)
                signed += count
                on_progress(count)
        elif tasks or expected:
            warm_up(signer=False)  # the fonts are then shared with the workers
            connections.close_all()  # a forked worker must not share the parent's connection
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            with context.Pool(workers, initializer=_worker_start, initargs=(lock_fd,)) as pool:
                signed = _sign_in_pool(pool, tasks, more_tasks(), on_progress)
    finally:
        pending = recount(batch)
        if not received["all"]:  # stopped before every row had its document
            pending += max(1, expected - received["documents"])
        finish(batch, pending)
    return Issued(signed=signed, pending=pending, seconds=time.perf_counter() - began)


def _sign_in_pool(pool, ready: list, coming: Iterator, on_progress) -> int:
    """Hand ``ready`` tasks to the pool, then each of ``coming`` as it is made (here, while
    the workers sign); the number signed. A worker's error is raised here."""
    results: queue.SimpleQueue = queue.SimpleQueue()
    outstanding = signed = 0

    def take(item) -> None:
        nonlocal outstanding, signed
        outstanding -= 1
        if isinstance(item, BaseException):
            raise item
        signed += item
        on_progress(item)

    for task in itertools.chain(ready, coming):
        pool.apply_async(_sign_task, (task,), callback=results.put, error_callback=results.put)
        outstanding += 1
        while not results.empty():
            take(results.get())
    while outstanding:
        take(results.get())
    return signed


def finish(batch: DiplomaBatch, pending: int) -> None:
    """The batch's state after a run: still issuing while documents wait; done (with the
    moment it got there) once none does."""
    if pending:
        batch.state = DiplomaBatch.State.ISSUING
    elif batch.state != DiplomaBatch.State.DONE or batch.finished_at is None:
        batch.state, batch.finished_at = DiplomaBatch.State.DONE, timezone.now()
    DiplomaBatch.objects.filter(pk=batch.pk).update(
        state=batch.state, finished_at=batch.finished_at
    )


def tell_signer(batch: DiplomaBatch, signer) -> None:
    """One notice when a batch is done (not one per diploma): the signer's inbox and e-mail."""
    from ventanilla.notifications.actions import notify

    with transaction.atomic():
        notify(
            signer,
            subject=_("Lote de diplomas terminado: %(name)s") % {"name": batch.source_name},
            body=_(
                "Se emitieron y firmaron %(issued)s diplomas del archivo «%(name)s» "
                "(%(unit)s). Cada titular con cuenta los ve en «Mis documentos»."
            )
            % {"issued": f"{batch.issued:,}", "name": batch.source_name, "unit": batch.unit.name},
        )


@dataclass(frozen=True)
class Progress:
    """Where a batch stands, for a progress bar: done of total, the rate of the current run
    (diplomas per second) and the seconds it still needs at that rate (None: not known)."""

    done: int
    total: int
    rate: float | None
    seconds_left: float | None

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


def progress(batch: DiplomaBatch, *, now: datetime.datetime | None = None) -> Progress:
    total, done = batch.rows, batch.issued
    rate = left = None
    if batch.state == DiplomaBatch.State.ISSUING and batch.started_at is not None:
        elapsed = ((now or timezone.now()) - batch.started_at).total_seconds()
        signed = done - batch.issued_before_run
        if elapsed > 0 and signed > 0:
            rate = signed / elapsed
            left = max(0, total - done) / rate
    return Progress(done=done, total=total, rate=rate, seconds_left=left)
