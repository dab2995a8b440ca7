"""At a counter: an official confirms a person's identity in person (level 3) or removes a
lost second factor; the person sees what was done and who looked."""

import pytest

from tests.conftest import force_login_with_second_factor
from ventanilla.core.cui import make_cui, parse_cui
from ventanilla.core.models import OrgUnit
from ventanilla.identity import two_factor
from ventanilla.identity.actions import bootstrap_administrator, grant_role
from ventanilla.identity.models import (
    AccountEvent,
    AssuranceLevel,
    PersonalDataView,
    Role,
    TotpDevice,
    User,
)

pytestmark = pytest.mark.django_db


def account(n, **fields):
    return User.objects.create_user(
        make_cui(20_500_000 + n, "01", "01"), "una-clave-larga-2026", **fields
    )


@pytest.fixture
def unit():
    return OrgUnit.objects.get(code="dideduc-guatemala-norte")


@pytest.fixture
def official(client, unit):
    admin = account(1, first_names="Ada")
    bootstrap_administrator(admin, unit)
    reviewer = account(2, first_names="Raúl", last_names="Revisor")
    grant_role(reviewer, Role.REVIEWER, unit, actor=admin)
    force_login_with_second_factor(client, reviewer)
    return reviewer


@pytest.fixture
def person():
    return account(3, first_names="Elena", last_names="Chen", assurance_level=1)


def find(client, cui):
    return client.post("/oficina/cuentas/", {"cui": cui}).content.decode()


def test_find_a_person_by_the_cui_on_their_dpi(client, official, person):
    page = find(client, parse_cui(person.cui).formatted())
    assert "Elena Chen" in page
    assert PersonalDataView.objects.filter(viewer=official, subject=person).exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (make_cui(20_599_990, "01", "01"), "No hay ninguna cuenta con ese CUI"),
        ("1234", "13 números"),
        ("", "Escriba el CUI de la persona"),
    ],
)
def test_bad_searches_say_what_to_do(client, official, typed, message):
    assert message in find(client, typed)


def test_confirming_needs_the_dpi_check_then_raises_to_level_3(client, official, person, unit):
    data = {"person": person.pk, "unit": unit.pk}
    page = client.post("/oficina/cuentas/confirmar-identidad/", data).content.decode()
    assert "Marque que revisó el DPI original" in page
    person.refresh_from_db()
    assert person.assurance_level == AssuranceLevel.SELF_DECLARED

    client.post("/oficina/cuentas/confirmar-identidad/", {**data, "checked": "yes"})
    person.refresh_from_db()
    assert person.assurance_level == AssuranceLevel.IN_PERSON
    event = AccountEvent.objects.get(user=person)
    assert (event.actor, event.org_unit) == (official, unit)

    client.force_login(person)
    page = client.get("/cuenta/").content.decode()
    assert "Confirmó su identidad en persona" in page and "Raúl Revisor" in page


def test_a_lost_second_factor_is_removed_at_the_counter(client, official, person, unit):
    TotpDevice.objects.create(
        user=person, encrypted_secret=two_factor.encrypt_secret(two_factor.new_secret())
    )
    client.post(
        "/oficina/cuentas/quitar-dos-pasos/",
        {"person": person.pk, "unit": unit.pk, "checked": "yes"},
    )
    assert not TotpDevice.objects.filter(user=person).exists()
    assert AccountEvent.objects.filter(user=person, kind="second_factor_reset").exists()


def test_a_unit_the_official_does_not_serve_is_refused(client, official, person):
    other = OrgUnit.objects.get(code="dideduc-guatemala-sur")
    response = client.post(
        "/oficina/cuentas/confirmar-identidad/",
        {"person": person.pk, "unit": other.pk, "checked": "yes"},
        follow=True,
    )
    assert "Busque otra vez a la persona" in response.content.decode()
    person.refresh_from_db()
    assert person.assurance_level == AssuranceLevel.SELF_DECLARED


def test_nobody_confirms_themselves(client, official, unit):
    with pytest.raises(Exception, match="propia identidad"):
        from ventanilla.identity.actions import confirm_identity_in_person

        confirm_identity_in_person(official, actor=official, org_unit=unit)


def test_citizens_and_officials_without_the_role_get_403(client, person, editor):
    client.force_login(person)
    assert client.get("/oficina/cuentas/").status_code == 403
    force_login_with_second_factor(client, editor)
    assert client.get("/oficina/cuentas/").status_code == 403
    assert client.post("/oficina/cuentas/confirmar-identidad/", {}).status_code == 403
