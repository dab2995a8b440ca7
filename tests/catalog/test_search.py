import pytest

from ventanilla.catalog import actions
from ventanilla.catalog.models import Procedure
from ventanilla.catalog.queries import find_procedures
from ventanilla.catalog.search import MAX_QUERY_CHARS, parse_query, reindex_procedures
from ventanilla.core.models import OrgUnit

pytestmark = pytest.mark.django_db


def slugs(query, **filters):
    return [p.slug for p in find_procedures(parse_query(query), **filters)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("inscripcion", "inscripcion-estudiantes"),
        ("INSCRIPCIÓN", "inscripcion-estudiantes"),
        ("inscripciones", "inscripcion-ruce"),
        ("certificados", "certificacion-de-estudios"),
        ("certificacion estudios", "certificacion-de-estudios"),
        ("autentica", "autentica-documentos-educativos"),
        ("auténticas", "autentica-documentos-educativos"),
        ("titulos", "emision-titulos-diplomas"),
        ("diploma", "emision-titulos-diplomas"),
        ("equiparación", "equiparacion-estudios-extranjero"),
        ("traductor", "autentica-firma-traductor-jurado"),
        ("DIGEDUCA", "evaluacion-diagnostica-docentes"),
    ],
)
def test_finds_word_variants_regardless_of_accents_and_case(query, expected):
    assert expected in slugs(query)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("certificados", {"certificacion-de-estudios"}),
        ("inscripcion", {"inscripcion-estudiantes", "inscripcion-ruce"}),
        ("títulos", {"emision-titulos-diplomas"}),
        (
            "autorizacion centro privado",
            {
                "autorizacion-funcionamiento-centro-privado",
                "revalidacion-autorizacion-centro-privado",
            },
        ),
    ],
)
def test_procedures_named_with_the_words_come_first(query, first):
    results = slugs(query)
    assert set(results[: len(first)]) == first, results


def test_every_word_must_match():
    assert slugs("inscripcion") and slugs("xylofono") == []
    assert slugs("inscripcion xylofono") == []


@pytest.mark.parametrize(
    "query",
    [
        "'; DROP TABLE catalog_procedure; --",
        '" OR 1=1 --',
        "título) AND (NEAR",
        "%_\\*:'\"&|!()<>",
        "a" * 10_000,
        "inscripción " * 2_000,
    ],
)
def test_hostile_or_huge_queries_are_harmless(query):
    parsed = parse_query(query)
    assert len(parsed.text) <= MAX_QUERY_CHARS
    list(find_procedures(parsed))  # must not raise
    assert Procedure.objects.count() == 19


def test_long_query_is_marked_truncated():
    assert parse_query("x" * (MAX_QUERY_CHARS + 1)).truncated
    assert not parse_query("certificado de estudios").truncated
    nine_words = "alfa beta gamma delta epsilon zeta eta theta iota"
    assert parse_query(nine_words).truncated and len(parse_query(nine_words).terms) == 8
    # Stop words and repeated words do not count towards the limit.
    assert not parse_query(
        "la certificación de los estudios de la hija de la señora de Pérez"
    ).truncated


def test_only_stopwords_or_punctuation_mean_no_query():
    assert parse_query("de la y").is_empty
    assert parse_query("¿?!").is_empty


def test_filters_combine_with_search():
    digeace = OrgUnit.objects.get(code="digeace")
    in_unit = slugs("centro", unit=digeace)
    assert in_unit and all(
        Procedure.objects.get(slug=s).responsible_unit == digeace for s in in_unit
    )
    assert slugs("", online="si") == list(
        Procedure.objects.filter(available_online=True)
        .order_by("name")
        .values_list("slug", flat=True)
    )


def test_index_follows_edits(editor):
    procedure = Procedure.objects.get(slug="cierre-voluntario-centro-privado")
    assert procedure.slug not in slugs("clausura")
    procedure.requirements.create(text="Acta de clausura firmada por el propietario", order=99)
    actions.record_procedure_edit(procedure, actor=editor)
    assert procedure.slug in slugs("clausuras")


def test_unpublished_procedures_are_not_found():
    procedure = Procedure.objects.get(slug="inscripcion-estudiantes")
    procedure.is_published = False
    procedure.save()
    reindex_procedures([procedure.pk])
    assert "inscripcion-estudiantes" not in slugs("inscripcion")
