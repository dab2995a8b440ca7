"""Officials confirm a legal guardian — or a parent the registry could not confirm — at a
counter, after seeing the documents. Only officials who may confirm identities in person in
one of their units can; everyone else gets 403."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils.html import escape

from tests.conftest import force_login_with_second_factor
from tests.representation.conftest import CHILD, MOTHER, make_adult, years_ago
from ventanilla.core.cui import MESSAGES, make_cui
from ventanilla.core.models import OrgUnit
from ventanilla.identity.models import Membership, PersonalDataView, Role
from ventanilla.identity.registry.simulator import Person
from ventanilla.representation import actions
from ventanilla.representation.acting import acting_for
from ventanilla.representation.models import (
    ConfirmationMethod,
    DelegatedAction,
    Event,
    RegistryCheck,
    Relationship,
    Representation,
    Status,
)

pytestmark = pytest.mark.django_db

SEARCH = "/oficina/representaciones/"
GUARDIAN = Person(make_cui(90_000_003, "09", "01"), "Tomás", "Yax Coyoy", years_ago(52))


def official(n: int, role: Role | None = Role.REVIEWER, unit: str = "dideduc-guatemala-norte"):
    user = make_adult(
        Person(make_cui(94_000_000 + n, "01", "01"), "Olga", f"Oficial {n}", years_ago(35))
    )
    if role is not None:
        Membership.objects.create(user=user, org_unit=OrgUnit.objects.get(code=unit), role=role)
    return user


@pytest.fixture
def reviewer():
    return official(1)


@pytest.fixture
def guardian_request():
    guardian = make_adult(GUARDIAN)
    return actions.request_representation(
        guardian,
        cui=CHILD.cui,
        first_names=CHILD.first_names,
        last_names=CHILD.last_names,
        birth_date=CHILD.birth_date,
        relationship=Relationship.GUARDIAN,
    )


def decide_url(representation):
    return f"{SEARCH}{representation.pk}/"


def unit_pk(code="dideduc-guatemala-norte"):
    return OrgUnit.objects.get(code=code).pk


def test_a_guardian_is_not_asked_of_the_registry_and_is_sent_to_a_counter(
    client, django_capture_on_commit_callbacks
):
    guardian = make_adult(GUARDIAN)
    client.force_login(guardian)
    data = {
        "cui": CHILD.cui,
        "first_names": CHILD.first_names,
        "last_names": CHILD.last_names,
        "birth_date": CHILD.birth_date.isoformat(),
        "relationship": "tutor_legal",
    }
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.post("/cuenta/representados/", data).status_code == 302
    assert callbacks == []  # no background check queued
    representation = Representation.objects.get()
    assert representation.registry_check == RegistryCheck.NOT_APPLICABLE
    page = client.get("/cuenta/representados/").content.decode()
    assert "Falta confirmar en persona" in page
    assert "la resolución del juez que lo nombra tutor legal" in page


def test_an_official_finds_and_confirms_a_legal_guardian_in_person(
    client, reviewer, guardian_request
):
    force_login_with_second_factor(client, reviewer)
    page = client.get(SEARCH).content.decode()
    assert "Representaciones de personas menores de edad" in page

    typed = f"{CHILD.cui[:4]} {CHILD.cui[4:9]} {CHILD.cui[9:]}"
    page = client.post(SEARCH, {"cui": typed}).content.decode()
    assert "Juan Pablo Tzoc Pop" in page
    assert "Tomás Yax Coyoy" in page
    assert "Revisar y decidir" in page
    assert GUARDIAN.cui not in page and CHILD.cui not in page  # masked
    assert f"•••• ••••• {GUARDIAN.cui[9:]}" in page
    subjects = set(PersonalDataView.objects.values_list("subject_id", flat=True))
    assert subjects == {guardian_request.represented_id, guardian_request.representative_id}

    page = client.get(decide_url(guardian_request)).content.decode()
    assert "La resolución del juez que nombra tutor legal" in page
    assert GUARDIAN.cui not in page and CHILD.cui not in page
    assert (
        PersonalDataView.objects.filter(what="Solicitud de representación (oficina)").count() == 2
    )

    # Confirming needs the document that was checked.
    response = client.post(
        decide_url(guardian_request), {"decision": "confirmar", "org_unit": unit_pk()}
    )
    assert response.status_code == 200
    assert "Escriba qué documento revisó para confirmar." in response.content.decode()

    response = client.post(
        decide_url(guardian_request),
        {
            "decision": "confirmar",
            "org_unit": unit_pk(),
            "evidence": "Resolución del Juzgado de la Niñez, expediente 123-2025",
        },
    )
    assert response.status_code == 302
    guardian_request.refresh_from_db()
    assert guardian_request.status == Status.CONFIRMED
    assert guardian_request.confirmation_method == ConfirmationMethod.IN_PERSON
    assert guardian_request.confirmed_by == reviewer
    assert guardian_request.decided_at_unit.code == "dideduc-guatemala-norte"
    assert guardian_request.evidence.startswith("Resolución del Juzgado")
    [confirmed] = DelegatedAction.objects.filter(action=Event.CONFIRMED_IN_PERSON)
    assert (confirmed.actor, confirmed.on_behalf_of) == (reviewer, guardian_request.represented)
    assert guardian_request.history.first().history_user == reviewer
    page = client.get(decide_url(guardian_request)).content.decode()
    assert "La representación quedó confirmada." in page
    assert "Guardar la decisión" not in page

    # A second decision on the same request changes nothing.
    response = client.post(
        decide_url(guardian_request), {"decision": "rechazar", "org_unit": unit_pk(), "reason": "x"}
    )
    assert response.status_code == 302
    guardian_request.refresh_from_db()
    assert guardian_request.status == Status.CONFIRMED

    # The guardian may now act for the child.
    client.force_login(guardian_request.representative)
    page = client.get("/cuenta/representados/").content.decode()
    assert "Confirmada en persona por un funcionario" in page
    client.post(f"/cuenta/representados/{guardian_request.pk}/actuar/")
    response = client.get("/cuenta/representados/")
    assert acting_for(response.wsgi_request) == guardian_request.represented


def test_an_official_rejects_with_a_reason_the_person_sees(client, reviewer, guardian_request):
    force_login_with_second_factor(client, reviewer)
    response = client.post(
        decide_url(guardian_request), {"decision": "rechazar", "org_unit": unit_pk()}
    )
    assert "Escriba por qué no confirma la representación" in response.content.decode()
    response = client.post(
        decide_url(guardian_request),
        {
            "decision": "rechazar",
            "org_unit": unit_pk(),
            "reason": "La resolución presentada no nombra tutor a quien la pide.",
        },
    )
    assert response.status_code == 302
    guardian_request.refresh_from_db()
    assert guardian_request.status == Status.REJECTED
    assert guardian_request.rejected_by == reviewer
    assert DelegatedAction.objects.filter(actor=reviewer, action=Event.REJECTED).count() == 1
    client.force_login(guardian_request.representative)
    page = client.get("/cuenta/representados/").content.decode()
    assert "La resolución presentada no nombra tutor a quien la pide." in page
    assert "Rechazada" in page


def test_a_parent_the_registry_did_not_confirm_can_be_confirmed_at_a_counter(client, reviewer):
    mother = make_adult(MOTHER)
    representation = actions.request_representation(
        mother,
        cui=CHILD.cui,
        first_names=CHILD.first_names,
        last_names=CHILD.last_names,
        birth_date=CHILD.birth_date,
        relationship=Relationship.MOTHER,
    )
    Representation.objects.filter(pk=representation.pk).update(
        registry_check=RegistryCheck.NOT_FOUND
    )
    force_login_with_second_factor(client, reviewer)
    page = client.get(decide_url(representation)).content.decode()
    assert "El RENAP no encontró el CUI" in page
    assert "aparezca quien pide la representación como madre o padre" in page
    response = client.post(
        decide_url(representation),
        {"decision": "confirmar", "org_unit": unit_pk(), "evidence": "Certificado de nacimiento"},
    )
    assert response.status_code == 302
    representation.refresh_from_db()
    assert representation.status == Status.CONFIRMED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Escriba el CUI de la persona menor de edad."),
        ({"cui": "1234"}, MESSAGES["format"]),
        ({"cui": CHILD.cui[:8] + "0" + CHILD.cui[9:]}, MESSAGES["check_digit"]),
    ],
)
def test_search_mistakes(client, reviewer, data, message):
    force_login_with_second_factor(client, reviewer)
    response = client.post(SEARCH, data)
    assert response.status_code == 200
    assert escape(str(message)) in response.content.decode()


def test_search_without_requests(client, reviewer):
    force_login_with_second_factor(client, reviewer)
    page = client.post(SEARCH, {"cui": CHILD.cui}).content.decode()
    assert "No hay solicitudes de representación para este CUI." in page
    assert not PersonalDataView.objects.exists()


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"org_unit": "x"}, "Elija si confirma o rechaza la representación."),
        ({"decision": "aprobar"}, "Elija si confirma o rechaza la representación."),
        ({"decision": "confirmar", "evidence": "d"}, "Elija la oficina donde atiende."),
        ({"decision": "confirmar", "evidence": "d" * 201}, "Escriba como máximo 200 letras."),
    ],
)
def test_decision_mistakes(client, reviewer, guardian_request, data, field_message):
    force_login_with_second_factor(client, reviewer)
    response = client.post(decide_url(guardian_request), data)
    assert response.status_code == 200
    assert field_message in response.content.decode()
    guardian_request.refresh_from_db()
    assert guardian_request.status == Status.PENDING


def test_only_units_where_the_official_has_the_role(client, reviewer, guardian_request):
    force_login_with_second_factor(client, reviewer)
    response = client.post(
        decide_url(guardian_request),
        {"decision": "confirmar", "org_unit": unit_pk("dideduc-peten"), "evidence": "d"},
    )
    assert response.status_code == 200
    assert "Elija una de sus oficinas." in response.content.decode()
    guardian_request.refresh_from_db()
    assert guardian_request.status == Status.PENDING
    other_unit = OrgUnit.objects.get(code="dideduc-peten")
    with pytest.raises(PermissionDenied):
        actions.confirm_in_person(
            guardian_request, official=reviewer, org_unit=other_unit, evidence="d"
        )


@pytest.mark.parametrize("who", ["citizen", "editor", "staff", "reviewer_elsewhere"])
def test_everyone_else_gets_403(client, guardian_request, who):
    if who == "citizen":
        user = make_adult(
            Person(make_cui(95_000_001, "01", "01"), "Cira", "Ciudadana", years_ago(30))
        )
        client.force_login(user)
    else:
        user = {
            "editor": lambda: official(2, Role.CATALOGUE_EDITOR, "digeace"),
            "staff": lambda: official(3, None),
            "reviewer_elsewhere": lambda: official(4, Role.SIGNER, "dideduc-peten"),
        }[who]()
        if who == "staff":
            user.is_staff = True
            user.save()
        force_login_with_second_factor(client, user)
    assert client.get(SEARCH).status_code == 403
    assert client.post(SEARCH, {"cui": CHILD.cui}).status_code == 403
    assert client.get(decide_url(guardian_request)).status_code == 403
    data = {"decision": "confirmar", "org_unit": unit_pk(), "evidence": "d"}
    assert client.post(decide_url(guardian_request), data).status_code == 403
    guardian_request.refresh_from_db()
    assert guardian_request.status == Status.PENDING
    assert not PersonalDataView.objects.exists()


def test_signing_in_and_a_second_factor_are_required(client, reviewer, guardian_request):
    response = client.get(SEARCH)
    assert response.status_code == 302
    assert response["Location"].startswith("/cuenta/entrar/")
    client.force_login(reviewer)  # no second factor in this session
    response = client.get(decide_url(guardian_request))
    assert response.status_code == 302
    assert (
        "/cuenta/dos-pasos/" in response["Location"]
        or "/cuenta/entrar/codigo/" in response["Location"]
    )


def test_an_official_does_not_decide_their_own_case(client, guardian_request):
    guardian = guardian_request.representative
    Membership.objects.create(
        user=guardian,
        org_unit=OrgUnit.objects.get(code="dideduc-guatemala-norte"),
        role=Role.REVIEWER,
    )
    force_login_with_second_factor(client, guardian)
    page = client.get(decide_url(guardian_request)).content.decode()
    assert "otro funcionario debe decidir sobre ella" in page
    data = {"decision": "confirmar", "org_unit": unit_pk(), "evidence": "d"}
    assert client.post(decide_url(guardian_request), data).status_code == 403
    guardian_request.refresh_from_db()
    assert guardian_request.status == Status.PENDING


def confirm_at_counter(representation, reviewer):
    return actions.confirm_in_person(
        representation,
        official=reviewer,
        org_unit=OrgUnit.objects.get(code="dideduc-guatemala-norte"),
        evidence="Certificado de nacimiento",
    )


def test_confirmation_corrects_an_unused_account_made_by_an_earlier_request(reviewer):
    mother = make_adult(MOTHER)
    values = {
        "cui": CHILD.cui,
        "last_names": CHILD.last_names,
        "birth_date": CHILD.birth_date,
        "relationship": Relationship.MOTHER,
    }
    typo = actions.request_representation(mother, first_names="Jaun Pablo", **values)
    actions.end_representation(typo, actor=mother)  # withdrawn, to be asked again
    minor = typo.represented
    assert minor.first_names == "Jaun Pablo"
    again = actions.request_representation(mother, first_names=CHILD.first_names, **values)
    assert again.represented == minor
    confirm_at_counter(again, reviewer)
    minor.refresh_from_db()
    assert minor.first_names == CHILD.first_names
    assert minor.assurance_level == 1  # a counter's look at a certificate is not the registry


def test_confirmation_never_touches_an_account_someone_uses(reviewer):
    mother = make_adult(MOTHER)
    teenager = make_adult(
        Person(CHILD.cui, "Juan", "Tzoc", years_ago(15)), level=1
    )  # registered on their own, with a password
    representation = actions.request_representation(
        mother,
        cui=CHILD.cui,
        first_names=CHILD.first_names,
        last_names=CHILD.last_names,
        birth_date=CHILD.birth_date,
        relationship=Relationship.MOTHER,
    )
    confirm_at_counter(representation, reviewer)
    teenager.refresh_from_db()
    assert (teenager.first_names, teenager.last_names) == ("Juan", "Tzoc")
    assert teenager.birth_date == years_ago(15)
