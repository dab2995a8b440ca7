"""Full-text search over the catalogue, the same behaviour on PostgreSQL and SQLite.

People type without accents, in the plural or with another form of the word
("inscripcion", "certificados"). Both backends index Spanish stems of accent-folded
words:

* PostgreSQL: a ``tsvector`` column built with the ``ventanilla_es`` text search
  configuration (``unaccent`` then the Snowball Spanish stemmer), with a GIN index and
  ``ts_rank`` ordering. Created by migration ``catalog.0003``.
* SQLite: an FTS5 table holding the same Snowball stems computed in Python (the
  ``snowballstemmer`` package implements the same algorithm), ranked with ``bm25``.

Snowball strips inflections but not every derivation: "certificados" stems to
``certific`` while "certificación" stems to ``certif``. So each query stem also matches
as a prefix, and its shortenings by up to three letters (never below four) match as
whole stems. The name weighs more than the rest of the text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet

from ventanilla.core.text import STOPWORDS, stems, words

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MIN_STEM = 4
MAX_SHORTENING = 3

FTS_TABLE = "catalog_procedure_fts"


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    truncated: bool = False
    terms: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not self.terms


def parse_query(raw: str | None) -> ParsedQuery:
    """Trim what a person typed to something safe to search with.

    Over-long input is cut (and the page says so); punctuation and SQL or FTS syntax
    are dropped because only letters and digits become terms.
    """
    raw = " ".join((raw or "").split())
    text = raw[:MAX_QUERY_CHARS]
    terms = [word for word in dict.fromkeys(words(text)) if word not in STOPWORDS]
    truncated = len(raw) > MAX_QUERY_CHARS or len(terms) > MAX_TERMS
    return ParsedQuery(text=text, truncated=truncated, terms=tuple(terms[:MAX_TERMS]))


def stem_variants(stem: str) -> tuple[str, list[str]]:
    """The prefix to match and the shorter whole stems that also count as a match."""
    shortest = max(MIN_STEM, len(stem) - MAX_SHORTENING)
    return stem, [stem[:size] for size in range(shortest, len(stem))]


def document_text(procedure) -> str:
    """Everything but the name that a person might search a procedure by."""
    parts: list[str] = [procedure.summary, procedure.who_may_apply, procedure.legal_basis]
    # The unit by its acronym only: its full name ("… de Acreditación y Certificación")
    # would make every procedure of the unit match those words.
    parts += [procedure.responsible_unit.short_name]
    parts += [audience.name for audience in procedure.audiences.all()]
    parts += [requirement.text for requirement in procedure.requirements.all()]
    parts += [f"{step.title} {step.description}" for step in procedure.steps.all()]
    return "\n".join(part for part in parts if part)


def reindex_procedures(procedure_ids: Iterable[int]) -> None:
    """Rebuild the search text and index rows of these procedures."""
    from ventanilla.catalog.models import Procedure

    procedures = list(
        Procedure.objects.filter(pk__in=list(procedure_ids))
        .select_related("responsible_unit")
        .prefetch_related("audiences", "requirements", "steps")
    )
    for procedure in procedures:
        procedure.search_text = document_text(procedure)
    Procedure.objects.bulk_update(procedures, ["search_text"], batch_size=500)
    ids = [procedure.pk for procedure in procedures]
    if not ids:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE catalog_procedure SET search_vector = "
                "setweight(to_tsvector('ventanilla_es', name), 'A') || "
                "setweight(to_tsvector('ventanilla_es', search_text), 'B') "
                "WHERE id = ANY(%s)",
                [ids],
            )
        else:
            placeholders = ",".join(["%s"] * len(ids))
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({placeholders})", ids)  # noqa: S608
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, name, body) VALUES (%s, %s, %s)",  # noqa: S608
                [
                    (p.pk, " ".join(stems(p.name)), " ".join(stems(p.search_text)))
                    for p in procedures
                ],
            )


def _query_stems(parsed: ParsedQuery) -> list[str]:
    if connection.vendor != "postgresql":
        return list(dict.fromkeys(stems(" ".join(parsed.terms))))
    # Let PostgreSQL stem with the very configuration that built the index, so that
    # its stop words and its Snowball version apply to both sides.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lexeme FROM unnest(to_tsvector('ventanilla_es', %s))", [" ".join(parsed.terms)]
        )
        return [row[0] for row in cursor.fetchall()]


def _postgres_tsquery(query_stems: list[str], match_all: bool, name_only: bool = False) -> str:
    weight = "A" if name_only else ""  # the name is indexed with weight A
    groups = []
    for stem in query_stems:
        prefix, shorter = stem_variants(stem)
        options = [f"'{prefix}':*{weight}"] + [
            f"'{short}'{':' + weight if weight else ''}" for short in shorter
        ]
        groups.append("(" + " | ".join(options) + ")")
    return (" & " if match_all else " | ").join(groups)


def _fts5_query(query_stems: list[str], match_all: bool) -> str:
    groups = []
    for stem in query_stems:
        prefix, shorter = stem_variants(stem)
        options = [f'"{prefix}"*'] + [f'"{short}"' for short in shorter]
        groups.append("(" + " OR ".join(options) + ")")
    return (" AND " if match_all else " OR ").join(groups)


# Ranking: procedures whose name holds every word come first, whatever the statistics
# say (a word in most documents, such as "certificación", carries almost no weight in
# BM25, yet a person typing it wants the procedure named so); then the text score.
NAME_TIER = 1000


def apply_search(queryset: QuerySet, parsed: ParsedQuery, *, match_all: bool = True) -> QuerySet:
    """Keep the procedures matching every term (or any, if not ``match_all``), best first."""
    query_stems = [stem for stem in _query_stems(parsed) if stem]
    if not query_stems:
        return queryset.none()
    # extra(): the full-text match and rank have no ORM expression; every value is a bound
    # parameter, built only from [a-z0-9] stems.
    if connection.vendor == "postgresql":
        tsquery = _postgres_tsquery(query_stems, match_all)
        name_query = _postgres_tsquery(query_stems, match_all=True, name_only=True)
        return queryset.extra(  # noqa: S610
            where=["catalog_procedure.search_vector @@ to_tsquery('simple', %s)"],
            params=[tsquery],
            select={
                "rank": (
                    "ts_rank(catalog_procedure.search_vector, to_tsquery('simple', %s))"
                    f" + CASE WHEN catalog_procedure.search_vector @@ to_tsquery('simple', %s)"
                    f" THEN {NAME_TIER} ELSE 0 END"
                )
            },
            select_params=[tsquery, name_query],
        ).order_by("-rank", "name")
    fts_query = _fts5_query(query_stems, match_all)
    name_query = f"name : ({_fts5_query(query_stems, match_all=True)})"
    return queryset.extra(  # noqa: S610
        tables=[FTS_TABLE],
        where=[f"{FTS_TABLE}.rowid = catalog_procedure.id", f"{FTS_TABLE} MATCH %s"],
        params=[fts_query],
        # bm25 is lower for better matches; negate so both backends sort descending.
        select={
            "rank": (
                f"-bm25({FTS_TABLE}, 10.0, 1.0) + CASE WHEN {FTS_TABLE}.rowid IN "  # noqa: S608
                f"(SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) "
                f"THEN {NAME_TIER} ELSE 0 END"
            )
        },
        select_params=[name_query],
    ).order_by("-rank", "name")
