"""The CUI is shown masked except to its owner; officials' views of personal data are
logged, and the person can see them."""

import pytest
from django.template import Context, Template

from tests.conftest import force_login_with_second_factor
from ventanilla.core.cui import make_cui
from ventanilla.identity.models import PersonalDataView, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen():
    return User.objects.create_user(
        make_cui(80_000_001, "16", "01"),
        "una-clave-larga-2026",
        first_names="Irma",
        last_names="Caal",
        email="irma@example.org",
    )


@pytest.fixture
def administrator():
    return User.objects.create_superuser(
        make_cui(80_000_002, "01", "01"), "una-clave-larga-2026", first_names="Óscar"
    )


def render_cui(cui, viewer):
    return Template("{% load ventanilla %}{{ cui|cui_for:viewer }}").render(
        Context({"cui": cui, "viewer": viewer})
    )


def test_the_owner_sees_the_whole_cui_and_others_see_four_digits(citizen, administrator):
    cui = citizen.cui
    assert render_cui(cui, citizen) == f"{cui[:4]} {cui[4:9]} {cui[9:]}"
    assert render_cui(cui, administrator) == f"•••• ••••• {cui[9:]}"
    assert cui[:9] not in render_cui(cui, None)
    assert str(User(cui=cui)) == f"•••• ••••• {cui[9:]}"  # an account without a name


def test_the_account_page_shows_the_owner_their_cui(client, citizen):
    client.force_login(citizen)
    cui = citizen.cui
    assert f"{cui[:4]} {cui[4:9]} {cui[9:]}" in client.get("/cuenta/").content.decode()


def test_the_administration_lists_cuis_masked_but_finds_them(client, citizen, administrator):
    force_login_with_second_factor(client, administrator)
    page = client.get("/admin/identity/user/").content.decode()
    assert citizen.cui not in page
    assert f"•••• ••••• {citizen.cui[9:]}" in page
    found = client.get("/admin/identity/user/", {"q": citizen.cui}).content.decode()
    assert "Caal" in found


def test_an_officials_look_is_logged_and_shown_to_the_person(client, citizen, administrator):
    force_login_with_second_factor(client, administrator)
    assert client.get(f"/admin/identity/user/{citizen.pk}/change/").status_code == 200
    [view] = PersonalDataView.objects.all()
    assert (view.viewer, view.subject) == (administrator, citizen)
    assert view.path == f"/admin/identity/user/{citizen.pk}/change/"

    client.get(f"/admin/identity/user/{administrator.pk}/change/")  # one's own: not logged
    assert PersonalDataView.objects.count() == 1

    client.force_login(citizen)
    page = client.get("/cuenta/").content.decode()
    assert "Quién consultó sus datos" in page
    assert "Óscar" in page
    assert "Ficha de la cuenta (administración)" in page


def test_nobody_edits_or_deletes_the_log(client, citizen, administrator):
    force_login_with_second_factor(client, administrator)
    client.get(f"/admin/identity/user/{citizen.pk}/change/")
    view = PersonalDataView.objects.get()
    url = f"/admin/identity/personaldataview/{view.pk}/"
    assert client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
    assert PersonalDataView.objects.filter(pk=view.pk).exists()
    assert client.get("/admin/identity/personaldataview/add/").status_code == 403


def test_a_person_nobody_looked_at_is_told_so(client, citizen):
    client.force_login(citizen)
    assert "Ningún funcionario ha consultado sus datos" in client.get("/cuenta/").content.decode()
