"""Deciding with a reason from the list: the select grouped by kind, required to reject or
ask for a correction, written before the observations the person reads, kept in the event;
a reason of the wrong kind is refused with nothing lost."""

import pytest

from tests.cases import office_fixtures as fx
from tests.cases.office_fixtures import signed_in
from ventanilla.cases import actions
from ventanilla.cases.models import CaseEvent, DecisionReason, Status
from ventanilla.cases.office_forms import OfficialTaskForm
from ventanilla.catalog.models import Procedure

pytestmark = pytest.mark.django_db
waiting = fx.waiting
CASE = "/oficina/expedientes/{}/"


def reason(kind, text):
    return DecisionReason.objects.get(kind=kind, text=text)


MISSING = "Falta un documento requerido"
NOT_ELIGIBLE = "No cumple los requisitos del trámite"


@pytest.fixture
def claimed(reviewers, waiting):
    actions.claim(waiting[0].pk, reviewers[0])
    return waiting[0]


def test_the_reasons_are_grouped_with_the_procedures_own_first(certification, reviewers, claimed):
    own = DecisionReason.objects.create(
        kind="corrections", text="Falta la boleta de pago del certificado", procedure=certification
    )
    DecisionReason.objects.create(
        kind="corrections",
        text="Falta la foto del título",
        procedure=Procedure.objects.exclude(pk=certification.pk).first(),
    )
    DecisionReason.objects.create(kind="reject", text="Motivo retirado", is_active=False)
    page = signed_in(reviewers[0]).get(CASE.format(claimed.pk)).content.decode()
    select = page.split('name="motivo"')[1].split("</select>")[0]
    corrections, rejections = select.split('<optgroup label="Para rechazar">')
    assert '<optgroup label="Para pedir una corrección">' in corrections
    assert corrections.index(own.text) < corrections.index(MISSING)
    assert "Falta la foto del título" not in select and "Motivo retirado" not in select
    assert NOT_ELIGIBLE in rejections and MISSING not in rejections
    # The select comes right after the decision.
    assert (
        page.index('name="dictamen"')
        < page.index('name="motivo"')
        < page.index('name="observaciones"')
    )


def test_a_correction_needs_a_reason(reviewers, claimed):
    response = signed_in(reviewers[0]).post(
        CASE.format(claimed.pk), {"dictamen": "corregir", "observaciones": "Indique la sección"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Elija el motivo de la decisión" in page and "Indique la sección" in page
    claimed.refresh_from_db()
    assert claimed.status == Status.IN_REVIEW


def test_a_reason_for_rejecting_cannot_ask_for_a_correction_and_nothing_is_lost(reviewers, claimed):
    wrong = reason("reject", NOT_ELIGIBLE)
    response = signed_in(reviewers[0]).post(
        CASE.format(claimed.pk),
        {"dictamen": "corregir", "motivo": wrong.pk, "observaciones": "Indique la sección"},
    )
    page = response.content.decode()
    assert "Ese motivo es para rechazar" in page and "«Para pedir una corrección»" in page
    assert "Indique la sección</textarea>" in page
    assert f'<option value="{wrong.pk}" selected>' in page
    assert 'value="corregir" checked' in page
    claimed.refresh_from_db()
    assert claimed.status == Status.IN_REVIEW


def test_the_reason_goes_before_the_observations_and_into_the_event(
    client, citizen, reviewers, claimed
):
    missing = reason("corrections", MISSING)
    signed_in(reviewers[0]).post(
        CASE.format(claimed.pk),
        {"dictamen": "corregir", "motivo": missing.pk, "observaciones": "Indique la sección"},
    )
    claimed.refresh_from_db()
    assert claimed.status == Status.CORRECTIONS
    event = CaseEvent.objects.get(case=claimed, kind="task")
    answers = event.after["answers"]
    assert answers["observaciones"] == f"Motivo: {MISSING}. Indique la sección"
    assert answers["motivo"] == {"id": missing.pk, "kind": "corrections", "text": MISSING}
    client.force_login(citizen)
    page = client.get(f"/mis-tramites/{claimed.pk}/").content.decode()
    assert f"Motivo: {MISSING}. Indique la sección" in page
    # Officials read the reason on its own line among the answers.
    office = signed_in(reviewers[1]).get(CASE.format(claimed.pk)).content.decode()
    key = '<dt class="govuk-summary-list__key">Motivo</dt>'
    assert f'{key}<dd class="govuk-summary-list__value">{MISSING}' in office
    decision = office.split("Revisar los registros del establecimiento <span")[1]
    assert (
        decision.index("Pedir una corrección")
        < decision.index(key)
        < decision.index("Observaciones para la persona")
    )  # in the form's order, the reason after the decision


def test_a_rejection_with_its_reason_and_no_text(reviewers, claimed):
    reject = reason("reject", NOT_ELIGIBLE)
    signed_in(reviewers[0]).post(
        CASE.format(claimed.pk), {"dictamen": "rechazar", "motivo": reject.pk}
    )
    claimed.refresh_from_db()
    assert claimed.status == Status.DECIDED and claimed.result == "rechazada"
    assert claimed.result_message == f"Su solicitud fue rechazada: Motivo: {NOT_ELIGIBLE}."


def test_approving_needs_no_reason_and_ignores_one_sent(reviewers, claimed):
    reject = reason("reject", NOT_ELIGIBLE)
    signed_in(reviewers[0]).post(
        CASE.format(claimed.pk), {"dictamen": "aprobar", "motivo": reject.pk}
    )
    claimed.refresh_from_db()
    assert claimed.status == Status.DECIDED and claimed.result == "aprobada"
    answers = CaseEvent.objects.get(case=claimed, kind="decided").after["answers"]
    assert "motivo" not in answers and "Motivo" not in answers.get("observaciones", "")


REQUIRED_NOTES = {
    "title": "Revisar",
    "schema": {
        "type": "object",
        "required": ["dictamen", "observaciones"],
        "additionalProperties": False,
        "properties": {
            "dictamen": {"type": "string", "enum": ["aprobar", "corregir", "rechazar"]},
            "observaciones": {"type": "string", "minLength": 1, "maxLength": 2000},
        },
    },
    "ui": {"order": ["dictamen", "observaciones"]},
}


def test_a_closed_schema_gets_the_reason_in_the_observations_only(certification):
    missing = reason("corrections", MISSING)
    form = OfficialTaskForm(
        REQUIRED_NOTES, certification, data={"dictamen": "corregir", "motivo": str(missing.pk)}
    )
    assert form.is_valid(), form.errors  # the reason is enough for required observations
    assert form.answers() == {"dictamen": "corregir", "observaciones": f"Motivo: {MISSING}."}


def test_required_observations_are_still_required_without_a_reason(certification):
    form = OfficialTaskForm(REQUIRED_NOTES, certification, data={"dictamen": "aprobar"})
    assert not form.is_valid()
    assert form.errors == {"observaciones": ["Responda esta pregunta."]}


def test_a_step_that_decides_nothing_has_no_reason(certification):
    inspection = {
        "schema": {
            "type": "object",
            "properties": {"resultado": {"type": "string", "enum": ["favorable", "desfavorable"]}},
        }
    }
    assert "motivo" not in OfficialTaskForm(inspection, certification).fields
