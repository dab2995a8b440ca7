"""The whole journey with Django's test client: a mother asks to represent her child, the
registry confirms it in the background (the real worker, against the simulated registry over
HTTP), she acts for the child, stops, and ends it — and every step records who acted for whom."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.representation.conftest import (
    CHILD,
    STRANGER_CHILD,
    form_data,
    make_adult,
    make_queued_jobs_due,
    run_worker,
)
from ventanilla.core.cui import make_cui
from ventanilla.identity.models import AssuranceLevel, RegistryStatus
from ventanilla.representation.acting import acting_for
from ventanilla.representation.models import (
    ConfirmationMethod,
    DelegatedAction,
    EndReason,
    Event,
    RegistryCheck,
    Representation,
    Status,
)

LIST = "/cuenta/representados/"


def parenthood_jobs():
    return DBTaskResult.objects.filter(task_path__endswith="check_parenthood")


@pytest.mark.django_db(transaction=True)
def test_request_confirmation_acting_and_end(client, registry):
    mother = make_adult()
    client.force_login(mother)
    page = client.get(LIST).content.decode()
    assert "Todavía no representa a ninguna persona." in page
    assert "Agregar a una persona menor de edad" in page

    response = client.post(LIST, form_data())
    assert response.status_code == 302
    representation = Representation.objects.get()
    minor = representation.represented
    assert representation.status == Status.PENDING
    assert representation.registry_check == RegistryCheck.PENDING
    # The minor had no account: one was made with the CUI, names and date as declared.
    assert minor.cui == CHILD.cui
    assert (minor.first_names, minor.last_names) == (CHILD.first_names, CHILD.last_names)
    assert minor.birth_date == CHILD.birth_date
    assert not minor.has_usable_password()
    page = client.get(LIST).content.decode()
    assert "Pedimos la representación de Juan Pablo Tzoc Pop" in page
    assert "Estamos confirmando con el Registro Nacional de las Personas" in page
    assert "Actuar por" not in page

    run_worker()  # the background check asks the registry both questions
    representation.refresh_from_db()
    assert representation.status == Status.CONFIRMED
    assert representation.confirmation_method == ConfirmationMethod.REGISTRY
    assert representation.registry_check == RegistryCheck.MATCH
    assert representation.confirmed_at is not None
    assert representation.confirmed_by is None
    assert registry.requests == 2  # the child's identity, then the parenthood
    minor.refresh_from_db()  # the account the request made now holds confirmed data
    assert minor.assurance_level == AssuranceLevel.REGISTRY
    assert minor.registry_status == RegistryStatus.CONFIRMED
    page = client.get(LIST).content.decode()
    assert "Confirmada con el RENAP" in page
    assert "Actuar por Juan Pablo Tzoc Pop" in page
    assert "Está actuando por" not in page

    response = client.post(f"{LIST}{representation.pk}/actuar/")
    assert response.status_code == 302
    response = client.get(LIST)
    page = response.content.decode()
    assert "Está actuando por: Juan Pablo Tzoc Pop" in page
    assert "Dejar de actuar por esta persona" in page
    assert acting_for(response.wsgi_request) == minor

    response = client.post(f"{LIST}dejar-de-actuar/", {"next": "/cuenta/"})
    assert response.status_code == 302
    assert response["Location"] == "/cuenta/"
    response = client.get(LIST)
    assert "Está actuando por" not in response.content.decode()
    assert acting_for(response.wsgi_request) == mother

    page = client.get(f"{LIST}{representation.pk}/terminar/").content.decode()
    assert "¿Terminar la representación de Juan Pablo Tzoc Pop?" in page
    response = client.post(f"{LIST}{representation.pk}/terminar/")
    assert response.status_code == 302
    representation.refresh_from_db()
    assert representation.status == Status.ENDED
    assert representation.end_reason == EndReason.BY_REPRESENTATIVE
    assert representation.ended_at is not None
    page = client.get(LIST).content.decode()
    assert "Representaciones anteriores" in page
    assert "Quien representaba la terminó" in page
    assert client.post(f"{LIST}{representation.pk}/actuar/").status_code == 403

    recorded = list(
        DelegatedAction.objects.order_by("at", "pk").values_list(
            "actor_id", "on_behalf_of_id", "action", "representation_id"
        )
    )
    assert recorded == [
        (mother.pk, minor.pk, Event.REQUESTED, representation.pk),
        (None, minor.pk, Event.CONFIRMED_BY_REGISTRY, representation.pk),  # the platform
        (mother.pk, minor.pk, Event.ACTING_STARTED, representation.pk),
        (mother.pk, minor.pk, Event.ACTING_STOPPED, representation.pk),
        (mother.pk, minor.pk, Event.ENDED, representation.pk),
    ]
    assert all(
        action.reference.startswith(f"representation.representation:{representation.pk}")
        for action in DelegatedAction.objects.all()
    )
    # django-simple-history keeps every change, and who made it
    history = list(representation.history.order_by("history_date"))
    assert [row.status for row in history] == ["pendiente", "confirmada", "terminada"]
    assert history[0].history_user == mother
    assert history[1].history_user is None


@pytest.mark.django_db(transaction=True)
def test_an_outage_is_retried_later_and_confirmed_when_the_registry_returns(client, registry):
    mother = make_adult()
    client.force_login(mother)
    registry.fail_status = 503
    assert client.post(LIST, form_data()).status_code == 302
    representation = Representation.objects.get()

    run_worker()  # the first attempt meets the outage and schedules the next one
    representation.refresh_from_db()
    assert representation.status == Status.PENDING
    assert representation.registry_check == RegistryCheck.UNAVAILABLE
    page = client.get(LIST).content.decode()
    assert "El RENAP no respondió cuando lo consultamos" in page
    [retry] = parenthood_jobs().filter(status="READY")
    assert retry.args_kwargs["args"] == [representation.pk, 2]
    assert retry.run_after > timezone.now() + datetime.timedelta(seconds=50)

    run_worker()  # not due yet: nothing runs
    assert parenthood_jobs().filter(status="READY").count() == 1

    registry.fail_status = None  # the registry is back
    make_queued_jobs_due()
    run_worker()
    representation.refresh_from_db()
    assert representation.status == Status.CONFIRMED
    assert representation.registry_check == RegistryCheck.MATCH
    assert not parenthood_jobs().filter(status="READY").exists()
    assert "Confirmada con el RENAP" in client.get(LIST).content.decode()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # The child's names as typed are not the registry's.
        ({"first_names": "Juan José"}, RegistryCheck.MISMATCH),
        # A younger date of birth than the registry's: it decides when the representation
        # ends, so it must be right.
        (
            {"birth_date": (CHILD.birth_date + datetime.timedelta(days=400)).strftime("%d/%m/%Y")},
            RegistryCheck.MISMATCH,
        ),
        # A real child, but not hers.
        (
            {
                "cui": STRANGER_CHILD.cui,
                "first_names": STRANGER_CHILD.first_names,
                "last_names": STRANGER_CHILD.last_names,
                "birth_date": STRANGER_CHILD.birth_date.strftime("%d/%m/%Y"),
            },
            RegistryCheck.MISMATCH,
        ),
        # A valid CUI the registry does not know.
        ({"cui": make_cui(91_000_001, "01", "01")}, RegistryCheck.NOT_FOUND),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_what_the_registry_does_not_confirm_stays_pending_for_a_counter(
    client, registry, changes, expected
):
    mother = make_adult()
    client.force_login(mother)
    assert client.post(LIST, form_data(**changes)).status_code == 302
    run_worker()
    representation = Representation.objects.get()
    assert representation.status == Status.PENDING
    assert representation.registry_check == expected
    assert not parenthood_jobs().filter(status="READY").exists()  # an answer: no retry
    page = client.get(LIST).content.decode()
    assert "El RENAP no confirmó los datos tal como los escribió" in page
    assert "certificado de nacimiento" in page
    assert "Retirar la solicitud" in page
    assert "Actuar por" not in page
    # The representative sees what they typed, never what the registry or an account holds.
    assert representation.minor_full_name in page
