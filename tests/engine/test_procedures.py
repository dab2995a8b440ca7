"""Every shipped procedure, run end to end on the engine the way the case pages drive it:
published, started, each ready task answered (answers checked against its form first), the
state dumped and read back between steps. One path approves after a correction, another
rejects; the citizen reads ``mensaje_resultado``."""

import json

import pytest

from ventanilla.cases import clock
from ventanilla.cases.answers import answer_errors
from ventanilla.cases.form_builder import task_form
from ventanilla.catalog.models import Procedure
from ventanilla.catalog.reference import load_reference_data
from ventanilla.core.cui import make_cui
from ventanilla.engine import runtime, services
from ventanilla.engine.actions import publish
from ventanilla.engine.business_days import add_business_days
from ventanilla.engine.definitions import PACKAGED, load_definition, packaged_definitions
from ventanilla.identity.models import User

pytestmark = pytest.mark.django_db

MAX_STATE_BYTES = 10_000

# Business days each definition gives itself (plazo_habil); 15 is the placeholder of the
# procedures whose unit has not published a deadline.
DEADLINE_DAYS = {
    "autentica-documentos-educativos": 15,
    "autorizacion-funcionamiento-centro-privado": 15,
    "certificacion-de-estudios": 10,
    "emision-titulos-diplomas": 15,
    "equiparacion-estudios-extranjero": 15,
    "razonamiento-documentos-departamental": 15,
}

CERTIFICACION = {
    "solicitud": {"nivel": "basico", "grado": "3o", "anio": 2019, "establecimiento": "INEB"},
}
AUTENTICA = {
    "solicitud": {
        "nombre_titular": "Ana Lucía Pérez",
        "tipo_documento": "certificado",
        "nivel": "primaria",
        "establecimiento": "EORM Xela",
        "anio": 2010,
        "cantidad_documentos": 2,
        "pais_destino": "España",
    },
}
EQUIPARACION = {
    "solicitud": {
        "calidad": "madre_padre",
        "nombre_estudiante": "Luis Gómez",
        "pais": "México",
        "establecimiento": "Escuela Benito Juárez",
        "nivel": "primario",
        "grado": "4o",
        "estado_grado": "aprobado",
        "anio": 2024,
        "en_espanol": "si",
        "apostillado": "no_se",
    },
}
CENTRO = {
    "solicitud": {
        "nombre_centro": "Colegio Mixto El Roble",
        "calidad": "representante_legal",
        "departamento": "09",
        "municipio": "0902",  # Salcajá
        "direccion": "4a calle 3-10, zona 1",
        "inmueble": "arrendado",
        "niveles": "Preprimaria y primaria",
    },
}
RAZONAMIENTO = {
    "solicitud": {
        "tipo_documento": "certificado",
        "cantidad_documentos": 3,
        "nombre_en_documentos": "Juana Xol Caal",
        "nivel": "primaria",
        "anio": 2012,
        "establecimiento": "EORM Cobán",
        "departamento": "16",
        "municipio": "1601",  # Cobán
        "para_que": "Estudiar en México",
    },
}
TITULO = {
    "solicitud": {
        "establecimiento": "Instituto Normal",
        "nombre_estudiante": "MARÍA JOSÉ LÓPEZ",
        "codigo_personal": "A123BCD",
        "tipo": "titulo",
        "carrera": "Magisterio",
        "anio": 2025,
    },
}

# (procedure, steps as (task, lane, answers), resultado, mensaje_resultado)
PATHS = [
    pytest.param(
        "certificacion-de-estudios",
        [
            ("solicitud", "applicant", CERTIFICACION["solicitud"]),
            ("revision", "reviewer", {"dictamen": "corregir", "observaciones": "Falta sección"}),
            ("correccion", "applicant", {"respuesta": "Era la sección B", "grado": "3o B"}),
            ("revision", "reviewer", {"dictamen": "aprobar", "observaciones": "En orden"}),
        ],
        "aprobada",
        "Su certificación de estudios fue aprobada. Cuando la firme la dirección, podrá "
        "descargarla en Mis documentos.",
        id="certificacion-aprobada",
    ),
    pytest.param(
        "certificacion-de-estudios",
        [
            ("solicitud", "applicant", CERTIFICACION["solicitud"]),
            ("revision", "reviewer", {"dictamen": "rechazar", "observaciones": "Sin registros"}),
        ],
        "rechazada",
        "Su solicitud fue rechazada: Sin registros",
        id="certificacion-rechazada",
    ),
    pytest.param(
        "autentica-documentos-educativos",
        [
            ("solicitud", "applicant", AUTENTICA["solicitud"]),
            ("revision", "reviewer", {"dictamen": "corregir", "observaciones": "¿Razonamiento?"}),
            ("correccion", "applicant", {"respuesta": "Lo adjunto", "razonamiento": "DIDEDUC"}),
            ("revision", "reviewer", {"dictamen": "aprobar", "observaciones": "En orden"}),
        ],
        "aprobada",
        "Su solicitud de auténtica de documentos educativos fue aprobada. Con el documento "
        "autenticado, pida la Apostilla en el Ministerio de Relaciones Exteriores para usarlo "
        "en el extranjero.",
        id="autentica-aprobada",
    ),
    pytest.param(
        "autentica-documentos-educativos",
        [
            ("solicitud", "applicant", AUTENTICA["solicitud"]),
            ("revision", "reviewer", {"dictamen": "rechazar", "observaciones": "No es original"}),
        ],
        "rechazada",
        "Su solicitud de auténtica de documentos educativos fue rechazada. Motivo: No es original",
        id="autentica-rechazada",
    ),
    pytest.param(
        "equiparacion-estudios-extranjero",
        [
            ("solicitud", "applicant", EQUIPARACION["solicitud"]),
            ("revision", "reviewer", {"dictamen": "corregir", "observaciones": "Falta apostilla"}),
            ("correccion", "applicant", {"respuesta": "Ya está apostillado", "anio": 2023}),
            ("revision", "reviewer", {"dictamen": "aprobar", "observaciones": "En orden"}),
        ],
        "aprobada",
        "Su solicitud de equiparación de los estudios de Luis Gómez fue aprobada. Guarde la "
        "hoja de equiparación: la Universidad de San Carlos la pide para la inscripción.",
        id="equiparacion-aprobada",
    ),
    pytest.param(
        "equiparacion-estudios-extranjero",
        [
            ("solicitud", "applicant", EQUIPARACION["solicitud"]),
            ("revision", "reviewer", {"dictamen": "rechazar", "observaciones": "Es universidad"}),
        ],
        "rechazada",
        "Su solicitud de equiparación de los estudios de Luis Gómez fue rechazada. Motivo: "
        "Es universidad",
        id="equiparacion-rechazada",
    ),
    pytest.param(
        "autorizacion-funcionamiento-centro-privado",
        [
            ("solicitud", "applicant", CENTRO["solicitud"]),
            ("revision", "reviewer", {"dictamen": "corregir", "observaciones": "Faltan planos"}),
            ("correccion", "applicant", {"respuesta": "Entregué los planos"}),
            ("revision", "reviewer", {"dictamen": "completo", "observaciones": "Completo"}),
            (
                "inspeccion",
                "reviewer",
                {"resultado_inspeccion": "favorable", "informe_inspeccion": "Aulas en orden"},
            ),
            ("resolucion", "signer", {"resolucion": "autorizar", "observaciones": "Procede"}),
        ],
        "aprobada",
        "Su solicitud fue aprobada: se autorizó el funcionamiento del centro educativo privado "
        "Colegio Mixto El Roble.",
        id="centro-privado-aprobada",
    ),
    pytest.param(
        "autorizacion-funcionamiento-centro-privado",
        [
            ("solicitud", "applicant", CENTRO["solicitud"]),
            ("revision", "reviewer", {"dictamen": "completo", "observaciones": "Completo"}),
            (
                "inspeccion",
                "reviewer",
                {"resultado_inspeccion": "desfavorable", "informe_inspeccion": "Sin salidas"},
            ),
            ("resolucion", "signer", {"resolucion": "rechazar", "observaciones": "Inseguro"}),
        ],
        "rechazada",
        "Su solicitud de autorización de funcionamiento del centro educativo privado Colegio "
        "Mixto El Roble fue rechazada. Motivo: Inseguro",
        id="centro-privado-rechazada-al-resolver",
    ),
    pytest.param(
        "autorizacion-funcionamiento-centro-privado",
        [
            ("solicitud", "applicant", CENTRO["solicitud"]),
            ("revision", "reviewer", {"dictamen": "rechazar", "observaciones": "Ya existe"}),
        ],
        "rechazada",
        "Su solicitud de autorización de funcionamiento del centro educativo privado Colegio "
        "Mixto El Roble fue rechazada. Motivo: Ya existe",
        id="centro-privado-rechazada-en-revision",
    ),
    pytest.param(
        "emision-titulos-diplomas",
        [
            ("solicitud", "applicant", TITULO["solicitud"]),
            ("revision", "reviewer", {"dictamen": "corregir", "observaciones": "Código mal"}),
            ("correccion", "applicant", {"respuesta": "Corregido", "codigo_personal": "A123BCE"}),
            ("revision", "reviewer", {"dictamen": "aprobar", "observaciones": "En orden"}),
        ],
        "aprobada",
        "Su solicitud fue aprobada: el Ministerio de Educación extenderá el título de MARÍA "
        "JOSÉ LÓPEZ con base en los cuadros finales del centro educativo.",
        id="titulo-aprobado",
    ),
    pytest.param(
        "emision-titulos-diplomas",
        [
            ("solicitud", "applicant", {**TITULO["solicitud"], "tipo": "diploma"}),
            ("revision", "reviewer", {"dictamen": "rechazar", "observaciones": "Sin cuadros"}),
        ],
        "rechazada",
        "Su solicitud de extensión del diploma de MARÍA JOSÉ LÓPEZ fue rechazada. Motivo: "
        "Sin cuadros",
        id="diploma-rechazado",
    ),
    pytest.param(
        "razonamiento-documentos-departamental",
        [
            ("solicitud", "applicant", RAZONAMIENTO["solicitud"]),
            ("revision", "reviewer", {"dictamen": "corregir", "observaciones": "¿Qué año?"}),
            ("correccion", "applicant", {"respuesta": "Es de 2013", "anio": 2013}),
            ("revision", "reviewer", {"dictamen": "razonar", "observaciones": "En registros"}),
        ],
        "aprobada",
        "Su solicitud fue aprobada: la Dirección Departamental de Educación extiende la "
        "constancia de razonamiento de sus certificados de estudios (3 en total, de EORM "
        "Cobán). Con ella puede pedir la auténtica de esos documentos en el Ministerio de "
        "Educación.",
        id="razonamiento-aprobado",
    ),
    pytest.param(
        "razonamiento-documentos-departamental",
        [
            ("solicitud", "applicant", {**RAZONAMIENTO["solicitud"], "tipo_documento": "diploma"}),
            ("revision", "reviewer", {"dictamen": "rechazar", "observaciones": "No hay registro"}),
        ],
        "rechazada",
        "Su solicitud de razonamiento de documentos de EORM Cobán fue rechazada. Motivo: "
        "No hay registro",
        id="razonamiento-rechazado",
    ),
]

# Where the decision table (decisions/dideduc.dmn) sends each procedure routed by the
# school's location: (first answers, unit of the first official step, unit of the last).
ROUTED = {
    "autorizacion-funcionamiento-centro-privado": (
        CENTRO["solicitud"],
        "dideduc-quetzaltenango",
        "digeace",  # the resolution
    ),
    "razonamiento-documentos-departamental": (
        RAZONAMIENTO["solicitud"],
        "dideduc-alta-verapaz",
        "dideduc-alta-verapaz",
    ),
}


def test_the_paths_cover_every_shipped_definition():
    assert {path.values[0] for path in PATHS} == {f.name for f in packaged_definitions()}
    assert set(DEADLINE_DAYS) == {f.name for f in packaged_definitions()}


@pytest.mark.parametrize(("slug", "steps", "resultado", "mensaje"), PATHS)
def test_a_case_runs_to_its_decision(slug, steps, resultado, mensaje):
    version, _ = publish(load_definition(PACKAGED / slug))
    with services.running_for(a_case_of(slug)):  # services about the case (issuing a document)
        run_to_the_end(version, slug, steps, resultado, mensaje)


def a_case_of(slug):
    from ventanilla.cases.actions import start_case

    load_reference_data()
    applicant = User.objects.create_user(make_cui(72_000_001, "01", "01"), None)
    return start_case(Procedure.objects.get(slug=slug), applicant=applicant, actor=applicant)


def run_to_the_end(version, slug, steps, resultado, mensaje):
    first_day = clock.today()
    workflow = runtime.start(version)
    state = runtime.dump(workflow)
    sizes = [len(json.dumps(state))]
    met, units = [], []
    for name, _lane, answers in steps:
        assert answer_errors(version.forms[name], answers) == {}, name
        assert task_form(version.forms[name], data=answers).is_valid(), name
        [task] = runtime.ready_tasks(workflow)
        met.append((task.name, task.lane))
        units.append(task.data.get("unidad_responsable"))
        runtime.complete(workflow, task.name, answers)
        state = runtime.dump(workflow)
        sizes.append(len(json.dumps(state)))
        # As if read back from the database; PostgreSQL's jsonb sorts an object's keys.
        workflow = runtime.load(version, json.loads(json.dumps(state, sort_keys=True)))
    assert met == [(name, lane) for name, lane, _answers in steps]
    if slug in ROUTED:
        _answers, first_unit, last_unit = ROUTED[slug]
        assert units[0] is None  # the applicant's first step: not routed yet
        assert units[1] == first_unit
        assert units[-1] == (last_unit if steps[-1][1] == "signer" else first_unit)
    else:
        assert set(units) == {None}
    assert workflow.is_completed()
    assert runtime.ready_tasks(workflow) == []
    assert workflow.data["resultado"] == resultado
    assert workflow.data["mensaje_resultado"] == mensaje
    if resultado == "rechazada":
        assert workflow.data["observaciones"] in mensaje
    deadlines = {
        add_business_days(day, DEADLINE_DAYS[slug]).isoformat()
        for day in (first_day, clock.today())  # the test may run over midnight
    }
    assert workflow.data["fecha_limite"] in deadlines
    assert max(sizes) < MAX_STATE_BYTES, sizes
    assert "spec" not in state


@pytest.mark.parametrize("folder", packaged_definitions(), ids=lambda folder: folder.name)
def test_forms_use_only_what_the_case_pages_render(folder):
    definition = load_definition(folder)
    assert definition.forms
    for name, form in definition.forms.items():
        schema, ui = form["schema"], form.get("ui", {})
        properties = schema["properties"]
        assert form["title"], name
        assert schema["type"] == "object", name
        # allOf: constraints between answers (a municipality of the department chosen), which
        # the answers' check applies and the page need not render.
        assert set(schema) <= {"$schema", "type", "required", "properties", "allOf"}, name
        assert sorted(ui.get("order", properties)) == sorted(properties), name
        assert set(schema.get("required", [])) <= set(properties), name
        assert set(ui.get("widgets", {}).values()) <= {"radios", "textarea"}, name
        assert set(ui.get("widgets", {})) <= set(properties), name
        if "pages" in ui:  # one page at a time: every question on exactly one page
            on_pages = [field for page in ui["pages"] for field in page["fields"]]
            assert sorted(on_pages) == sorted(properties), name
            assert all(page["title"] for page in ui["pages"]), name
        for field, prop in properties.items():
            assert prop.get("title"), (name, field)
            assert prop["type"] in {"string", "integer"}, (name, field)
            if "enum" in prop:
                assert len(prop.get("enumTitles", prop["enum"])) == len(prop["enum"])
            allowed = {"type", "title", "description", "enum", "enumTitles", "minLength"}
            allowed |= {"maxLength", "default"}
            if prop.get("format") == "file":
                allowed = {"type", "format", "title", "description"}
            if prop["type"] == "integer":
                allowed = {"type", "title", "description", "minimum", "maximum"}
            assert set(prop) <= allowed, (name, field)
        task_form(form)  # the page can build it


def test_a_municipality_must_be_of_the_department_chosen():
    form = load_definition(PACKAGED / "razonamiento-documentos-departamental").forms["solicitud"]
    right = RAZONAMIENTO["solicitud"]
    assert answer_errors(form, right) == {}
    assert answer_errors(form, {**right, "municipio": "0108"}) == {
        "municipio": "Elija una de las opciones."
    }


def test_routed_procedures_share_one_table():
    """The same DMN file in each folder (a folder is handed over whole): change them together."""
    tables = {slug: load_definition(PACKAGED / slug).decisions["dideduc.dmn"] for slug in ROUTED}
    assert len(set(tables.values())) == 1
