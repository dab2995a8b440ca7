"""Every kind of bad input gets its own plain Spanish message, keeps what was typed, and
never a 500; accounts that may not represent anyone are told why."""

import datetime

import pytest
from django.utils.html import escape

from tests.representation.conftest import CHILD, MOTHER, form_data, make_adult, years_ago
from ventanilla.core.cui import MESSAGES, make_cui
from ventanilla.identity.models import AssuranceLevel
from ventanilla.identity.registry.simulator import Person
from ventanilla.representation import actions
from ventanilla.representation.actions import RepresentationRefused
from ventanilla.representation.models import Relationship, Representation, Status

pytestmark = pytest.mark.django_db

LIST = "/cuenta/representados/"
WRONG_CHECK_DIGIT = CHILD.cui[:8] + str((int(CHILD.cui[8]) + 1) % 10) + CHILD.cui[9:]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cui": ""}, "Escriba el CUI de la persona menor de edad."),
        ({"cui": "   "}, "Escriba el CUI de la persona menor de edad."),
        ({"cui": "1234 5678"}, MESSAGES["format"]),
        ({"cui": "1234 56789 01012"}, MESSAGES["format"]),
        ({"cui": "12345678X0101"}, MESSAGES["format"]),
        ({"cui": WRONG_CHECK_DIGIT}, MESSAGES["check_digit"]),
        ({"cui": make_cui(90_100_001, "23", "01")}, MESSAGES["department"]),
        (
            {"cui": make_cui(90_100_001, "01", "99")},
            MESSAGES["municipality"] % {"department": "Guatemala"},
        ),
        (
            {"cui": MOTHER.cui},
            "Este es su propio CUI, y usted no puede ser su propio representante.",
        ),
        ({"first_names": ""}, "Escriba los nombres de la persona como aparecen"),
        ({"first_names": "   "}, "Escriba los nombres de la persona como aparecen"),
        ({"first_names": "A" * 121}, "Los nombres pueden tener como máximo 120 letras."),
        ({"last_names": ""}, "Escriba los apellidos de la persona como aparecen"),
        ({"last_names": "B" * 121}, "Los apellidos pueden tener como máximo 120 letras."),
        ({"birth_date": ""}, "Escriba la fecha de nacimiento de la persona."),
        ({"birth_date": "31/02/2015"}, "Escriba la fecha como día/mes/año"),
        ({"birth_date": "el año pasado"}, "Escriba la fecha como día/mes/año"),
        (
            {"birth_date": (datetime.date.today() + datetime.timedelta(days=2)).isoformat()},
            "La fecha de nacimiento no puede ser en el futuro.",
        ),
        ({"birth_date": "01/01/1850"}, "Revise el año de nacimiento."),
        (
            {"birth_date": years_ago(18).isoformat()},
            "Con esta fecha, la persona ya cumplió 18 años.",
        ),
        (
            {"birth_date": years_ago(40).isoformat()},
            "Con esta fecha, la persona ya cumplió 18 años.",
        ),
        ({"relationship": ""}, "Elija si usted es la madre, el padre o el tutor legal."),
        ({"relationship": "abuela"}, "Elija una de las opciones: madre, padre o tutor legal."),
    ],
)
def test_each_mistake_has_its_message(client, mother, changes, message):
    client.force_login(mother)
    response = client.post(LIST, form_data(**changes))
    assert response.status_code == 200
    page = response.content.decode()
    assert escape(str(message)) in page
    assert "Hay un problema" in page
    assert "<title>Error:" in page
    assert not Representation.objects.exists()
    # what was typed is kept (except the field that was wrong, when it was the CUI)
    if "first_names" not in changes:
        assert CHILD.first_names in page


def test_the_day_before_turning_18_is_still_a_minor(client, mother):
    client.force_login(mother)
    data = form_data(birth_date=years_ago(18, days=-1).isoformat())
    assert client.post(LIST, data).status_code == 302
    assert Representation.objects.get().minor_birth_date == years_ago(18, days=-1)


def test_asking_twice_is_refused_while_pending_and_once_confirmed(client, mother):
    client.force_login(mother)
    assert client.post(LIST, form_data()).status_code == 302
    page = client.post(LIST, form_data()).content.decode()
    assert "Ya pidió representar a esta persona y la solicitud está pendiente." in page
    Representation.objects.update(status=Status.CONFIRMED)
    page = client.post(LIST, form_data(relationship="padre")).content.decode()
    assert "Usted ya representa a esta persona." in page
    assert Representation.objects.count() == 1
    # Once it has ended, a new request may be made.
    Representation.objects.update(status=Status.ENDED)
    assert client.post(LIST, form_data()).status_code == 302
    assert Representation.objects.count() == 2


def test_the_action_has_the_last_word_on_duplicates(mother):
    values = {
        "cui": CHILD.cui,
        "first_names": CHILD.first_names,
        "last_names": CHILD.last_names,
        "birth_date": CHILD.birth_date,
        "relationship": Relationship.MOTHER,
    }
    actions.request_representation(mother, **values)
    with pytest.raises(RepresentationRefused) as refused:
        actions.request_representation(mother, **values)
    assert refused.value.code == "duplicate"
    with pytest.raises(RepresentationRefused):
        actions.request_representation(mother, **{**values, "cui": mother.cui})
    with pytest.raises(RepresentationRefused):
        actions.request_representation(mother, **{**values, "birth_date": years_ago(19)})


def test_an_existing_account_of_the_minor_is_used_and_left_alone(client, mother):
    existing = make_adult(
        Person(CHILD.cui, "Juan", "Tzoc", CHILD.birth_date), level=AssuranceLevel.SELF_DECLARED
    )
    client.force_login(mother)
    assert client.post(LIST, form_data()).status_code == 302
    representation = Representation.objects.get()
    assert representation.represented == existing
    existing.refresh_from_db()
    assert (existing.first_names, existing.last_names) == ("Juan", "Tzoc")
    assert existing.has_usable_password()
    # The mother is shown what she typed, not what the existing account holds.
    page = client.get(LIST).content.decode()
    assert "Juan Pablo Tzoc Pop" in page


@pytest.mark.parametrize(
    ("birth_date", "level", "message"),
    [
        (years_ago(17), AssuranceLevel.REGISTRY, "Solo una persona mayor de 18 años puede"),
        (None, AssuranceLevel.REGISTRY, "Su cuenta no tiene fecha de nacimiento"),
        (
            years_ago(30),
            AssuranceLevel.SELF_DECLARED,
            "su propia identidad debe estar confirmada con el RENAP",
        ),
    ],
)
def test_who_may_not_represent_is_told_why_and_refused(client, birth_date, level, message):
    user = make_adult(
        Person(MOTHER.cui, MOTHER.first_names, MOTHER.last_names, birth_date), level=level
    )
    client.force_login(user)
    page = client.get(LIST).content.decode()
    assert message in page
    assert "Pedir la representación" not in page  # no form
    response = client.post(LIST, form_data())  # a POST anyway
    assert response.status_code == 403
    assert message in response.content.decode()
    assert not Representation.objects.exists()


def test_an_unconfirmed_account_is_shown_how_to_confirm_itself(client):
    user = make_adult(level=AssuranceLevel.SELF_DECLARED)
    client.force_login(user)
    page = client.get(LIST).content.decode()
    assert "Estamos confirmando sus datos con el Registro Nacional" in page  # identity_gap


def test_too_many_pending_requests(client, mother):
    client.force_login(mother)
    for number in range(actions.MAX_PENDING):
        child_cui = make_cui(92_000_000 + number * 11, "01", "01")
        assert client.post(LIST, form_data(cui=child_cui)).status_code == 302
    page = client.get(LIST).content.decode()
    assert f"Ya tiene {actions.MAX_PENDING} solicitudes pendientes." in page
    response = client.post(LIST, form_data())
    assert response.status_code == 403
    assert Representation.objects.count() == actions.MAX_PENDING


def test_signing_in_is_required(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/cuenta/entrar/")
    assert client.post(LIST, form_data()).status_code == 302
    assert not Representation.objects.exists()


def test_an_empty_form_says_what_is_missing(client, mother):
    client.force_login(mother)
    response = client.post(LIST, {})
    assert response.status_code == 200
    page = response.content.decode()
    for message in [
        "Escriba el CUI de la persona menor de edad.",
        "Escriba los nombres de la persona como aparecen",
        "Escriba los apellidos de la persona como aparecen",
        "Escriba la fecha de nacimiento de la persona.",
        "Elija si usted es la madre, el padre o el tutor legal.",
    ]:
        assert message in page
    assert 'href="#id_relationship_0"' in page  # the summary links to the first radio
    assert 'id="id_relationship_0"' in page
