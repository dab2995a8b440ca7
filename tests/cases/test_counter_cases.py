"""Cases brought in person: an official finds (or creates) the person's account by CUI,
chooses the procedure, answers the first step with them and gives them the tracking number."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.cases.conftest import SOLICITUD, person
from tests.conftest import force_login_with_second_factor
from ventanilla.cases import actions
from ventanilla.cases.counter_views import COUNTER_KEY
from ventanilla.cases.models import Case, Channel, Status
from ventanilla.catalog.models import Procedure
from ventanilla.core.cui import make_cui
from ventanilla.core.models import OrgUnit
from ventanilla.identity.actions import bootstrap_administrator, grant_role
from ventanilla.identity.models import AccountEvent, AssuranceLevel, OfficialAction, Role, User

START = reverse("counter:start")
PROCEDURE = reverse("counter:procedure")
NEW_ACCOUNT = reverse("counter:new_account")
NEW_CUI = make_cui(72_000_001, "09", "01")


@pytest.fixture
def official(certification, client):
    admin = person(92, first_names="Ada")
    bootstrap_administrator(admin, OrgUnit.objects.get(code="dinfo"))
    user = person(30, first_names="Olga", last_names="Oficial")
    grant_role(
        user, Role.REVIEWER, OrgUnit.objects.get(code="dideduc-guatemala-norte"), actor=admin
    )
    force_login_with_second_factor(client, user)
    return user


@pytest.fixture
def visitor(db):
    return person(
        31, first_names="Tomás", last_names="Tax", assurance_level=AssuranceLevel.SELF_DECLARED
    )


def answer(client, case, answers):
    return client.post(reverse("counter:form", args=[case.pk]), answers)


def test_only_officials_who_review_cases_attend_the_counter(client, certification, citizen):
    client.force_login(citizen)
    assert client.get(START).status_code == 403


def test_a_person_with_an_account_applies_at_the_counter(client, official, visitor, certification):
    unit = OrgUnit.objects.get(code="dideduc-guatemala-norte")
    assert 'type="hidden" name="unit"' in client.get(START).content.decode()  # only one
    response = client.post(
        START, {"cui": f"{visitor.cui[:4]} {visitor.cui[4:9]} {visitor.cui[9:]}"}
    )
    assert response.url == PROCEDURE

    page = client.get(PROCEDURE).content.decode()
    assert "Tomás Tax" in page and "Certificación de estudios" in page
    response = client.post(PROCEDURE, {"procedure": certification.pk})
    assert "Marque que revisó el DPI original" in response.content.decode()
    response = client.post(PROCEDURE, {"procedure": certification.pk, "dpi_checked": "on"})
    case = Case.objects.get(applicant=visitor)
    assert response.url == reverse("counter:form", args=[case.pk])
    assert (case.channel, case.status, case.started_by) == (Channel.COUNTER, Status.DRAFT, official)
    visitor.refresh_from_db()
    assert visitor.assurance_level == AssuranceLevel.IN_PERSON  # the official saw the DPI
    assert AccountEvent.objects.filter(
        user=visitor, actor=official, kind=OfficialAction.CONFIRMED_IN_PERSON, org_unit=unit
    ).exists()

    page = client.get(reverse("counter:form", args=[case.pk])).content.decode()
    assert 'name="grado"' in page and 'name="comprobante"' not in page  # papers in hand
    response = answer(client, case, {**SOLICITUD, "anio": "dos mil"})
    assert "Escriba solo números" in response.content.decode()
    assert 'value="INEB Mixco"' in response.content.decode()  # nothing typed is lost

    response = answer(client, case, SOLICITUD)
    assert response.url == reverse("counter:done", args=[case.pk])
    case.refresh_from_db()
    assert case.status == Status.IN_REVIEW and case.tracking_number
    submitted = case.events.get(kind="submitted")
    assert (submitted.actor, submitted.on_behalf_of) == (official, visitor)

    page = client.get(response.url).content.decode()
    assert case.tracking_number in page
    assert "Imprima esta página" in page
    assert f"({visitor.cui[-4:]})" in page

    again = client.post(PROCEDURE, {"procedure": certification.pk})  # no DPI question again
    assert Case.objects.filter(applicant=visitor).count() == 2
    assert again.status_code == 302


def test_a_person_without_an_account_gets_one_confirmed_in_person(client, official, certification):
    response = client.post(START, {"cui": NEW_CUI})
    assert response.url == NEW_ACCOUNT
    assert make_cui(72_000_001, "09", "01")[:4] in client.get(NEW_ACCOUNT).content.decode()

    typed = {"first_names": "Rosa", "last_names": "Ixcoy", "birth_date": "31/02/1980"}
    page = client.post(NEW_ACCOUNT, typed).content.decode()
    assert "Escriba la fecha como día/mes/año" in page
    assert "Marque que revisó el DPI original" in page
    assert 'value="Ixcoy"' in page
    assert not User.objects.filter(cui=NEW_CUI).exists()

    response = client.post(
        NEW_ACCOUNT,
        {**typed, "birth_date": "12/03/1980", "email": "rosa@example.org", "dpi_checked": "on"},
    )
    assert response.url == PROCEDURE
    rosa = User.objects.get(cui=NEW_CUI)
    assert (rosa.first_names, rosa.birth_date.isoformat()) == ("Rosa", "1980-03-12")
    assert rosa.assurance_level == AssuranceLevel.IN_PERSON
    assert not rosa.has_usable_password()

    school = Procedure.objects.get(slug="autorizacion-funcionamiento-centro-privado")
    client.post(PROCEDURE, {"procedure": school.pk})  # the DPI was checked already
    case = Case.objects.get(applicant=rosa)
    response = answer(
        client,
        case,
        {
            "nombre_centro": "Colegio Xelajú",
            "calidad": "propietario",
            "departamento": "09",
            "municipio": "0901",
            "direccion": "14 avenida 5-20, zona 3",
            "inmueble": "arrendado",
            "niveles": "Primaria",
        },
    )
    case.refresh_from_db()
    assert response.url == reverse("counter:done", args=[case.pk])
    assert case.unit.code == "dideduc-quetzaltenango"  # routed like any other case
    assert case.department.name == "Quetzaltenango"


def test_mistakes_at_the_counter_are_explained(client, official, certification):
    page = client.post(START, {"cui": "1234 56788 0101"}).content.decode()
    assert "el noveno número no corresponde" in page
    page = client.post(START, {"cui": official.cui}).content.decode()
    assert "No puede registrar un trámite para usted" in page
    assert client.get(PROCEDURE).url == START  # nobody chosen yet
    assert client.get(NEW_ACCOUNT).url == START


def test_an_official_cannot_open_someone_elses_counter_case(
    client, official, visitor, certification
):
    other = person(32, first_names="Otro")
    admin = User.objects.get(first_names="Ada")
    grant_role(other, Role.REVIEWER, OrgUnit.objects.get(code="digeace"), actor=admin)
    case = actions.start_case(
        certification, applicant=visitor, actor=other, channel=Channel.COUNTER
    )
    assert client.get(reverse("counter:form", args=[case.pk])).status_code == 404
    online = actions.start_case(certification, applicant=visitor, actor=visitor)
    assert client.get(reverse("counter:form", args=[online.pk])).status_code == 404


def test_the_visit_is_kept_in_the_session_only_for_the_officials_units(
    client, official, visitor, certification
):
    session = client.session
    session[COUNTER_KEY] = {"unit": OrgUnit.objects.get(code="digeace").pk, "person": visitor.pk}
    session.save()
    assert client.get(PROCEDURE).url == START  # not a unit where this official attends
    assert len(mail.outbox) == 0
