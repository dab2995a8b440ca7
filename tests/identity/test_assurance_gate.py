"""A procedure that needs a confirmed identity explains why a person cannot start it yet."""

import pytest
from django_tasks_db.models import DBTaskResult

from ventanilla.catalog.models import Procedure
from ventanilla.core.cui import make_cui
from ventanilla.identity.models import AssuranceLevel, RegistryStatus, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure():
    procedure = Procedure.objects.filter(is_published=True).first()
    procedure.available_online = True
    procedure.minimum_assurance_level = 2
    procedure.save()
    return procedure


def signed_in(client, *, level=1, status=RegistryStatus.PENDING):
    user = User.objects.create_user(
        make_cui(60_000_001, "01", "01"),
        "una-clave-larga-2026",
        first_names="Marta",
        last_names="Choc",
        assurance_level=level,
        registry_status=status,
    )
    client.force_login(user)
    return user


def start(client, procedure):
    return client.get(f"/tramites/{procedure.slug}/iniciar/")


def test_signing_in_comes_first(client, procedure):
    response = start(client, procedure)
    assert response.status_code == 302
    assert response.url.startswith("/cuenta/entrar/?next=")


@pytest.mark.parametrize(
    ("status", "explanation"),
    [
        (RegistryStatus.PENDING, "Estamos confirmando sus datos con el Registro Nacional"),
        (RegistryStatus.UNAVAILABLE, "Lo volveremos a intentar automáticamente"),
        (RegistryStatus.MISMATCH, "no confirmó sus nombres o su fecha de nacimiento"),
        (RegistryStatus.NOT_FOUND, "no encontró el CUI de su cuenta"),
        (RegistryStatus.NOT_ASKED, "Confirmar mis datos con el RENAP"),
    ],
)
def test_a_level_1_account_is_told_why_and_what_to_do(client, procedure, status, explanation):
    signed_in(client, status=status)
    response = start(client, procedure)
    page = response.content.decode()
    assert response.status_code == 403
    assert "Todavía no puede iniciar este trámite" in page
    assert "identidad de nivel 2" in page
    assert explanation in page


def test_a_confirmed_account_goes_on(client, procedure):
    signed_in(client, level=AssuranceLevel.REGISTRY, status=RegistryStatus.CONFIRMED)
    response = start(client, procedure)
    assert response.status_code == 200
    assert "Todavía no puede iniciar" not in response.content.decode()


def test_a_procedure_needing_level_3_sends_a_level_2_account_to_a_counter(client, procedure):
    procedure.minimum_assurance_level = 3
    procedure.save()
    signed_in(client, level=AssuranceLevel.REGISTRY, status=RegistryStatus.CONFIRMED)
    page = start(client, procedure).content.decode()
    assert "confirme su identidad en persona" in page
    assert "identidad de nivel 3" in page


def test_the_procedure_page_says_what_identity_it_needs(client, procedure):
    page = client.get(f"/tramites/{procedure.slug}/").content.decode()
    assert "sus datos confirmados por el RENAP" in page
    assert f'href="/tramites/{procedure.slug}/iniciar/"' in page


def test_an_unchecked_account_can_ask_for_the_check(
    client, procedure, django_capture_on_commit_callbacks
):
    user = signed_in(client, status=RegistryStatus.NOT_ASKED)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/cuenta/identidad/confirmar/", {"next": f"/tramites/{procedure.slug}/iniciar/"}
        )
    assert response.status_code == 302
    assert response.url == f"/tramites/{procedure.slug}/iniciar/"
    user.refresh_from_db()
    assert user.registry_status == RegistryStatus.PENDING
    [job] = DBTaskResult.objects.filter(status="READY")
    assert job.args_kwargs["args"] == [user.pk]


def test_the_check_request_never_redirects_elsewhere(client):
    signed_in(client, status=RegistryStatus.NOT_ASKED)
    response = client.post("/cuenta/identidad/confirmar/", {"next": "https://evil.example/"})
    assert response.url == "/cuenta/"


def test_the_account_page_explains_the_pending_check(client):
    signed_in(client, status=RegistryStatus.UNAVAILABLE)
    page = client.get("/cuenta/").content.decode()
    assert "Confirmación de su identidad" in page
    assert "El RENAP no respondió" in page


def test_an_unknown_procedure_is_404(client):
    signed_in(client)
    assert client.get("/tramites/no-existe/iniciar/").status_code == 404
