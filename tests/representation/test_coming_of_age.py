"""A representation ends by itself when the minor turns 18."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.representation.conftest import CHILD, years_ago
from ventanilla.core.cui import make_cui
from ventanilla.representation import actions
from ventanilla.representation.acting import acting_for
from ventanilla.representation.models import (
    ConfirmationMethod,
    DelegatedAction,
    EndReason,
    Event,
    Relationship,
    Representation,
    Status,
    adult_cutoff,
    coming_of_age,
    is_adult,
)
from ventanilla.representation.tasks import end_adult_representations

LIST = "/cuenta/representados/"


def test_ages():
    assert coming_of_age(datetime.date(2010, 5, 17)) == datetime.date(2028, 5, 17)
    assert coming_of_age(datetime.date(2008, 2, 29)) == datetime.date(2026, 3, 1)
    assert not is_adult(datetime.date(2008, 2, 29), today=datetime.date(2026, 2, 28))
    assert is_adult(datetime.date(2008, 2, 29), today=datetime.date(2026, 3, 1))
    assert adult_cutoff(datetime.date(2028, 2, 29)) == datetime.date(2010, 2, 28)
    assert is_adult(datetime.date(2010, 2, 28), today=datetime.date(2028, 2, 28))
    assert not is_adult(datetime.date(2010, 3, 1), today=datetime.date(2028, 2, 29))
    assert not is_adult(None)


def make(mother, birth_date, status=Status.CONFIRMED, cui=CHILD.cui) -> Representation:
    minor, _created = actions.ensure_minor_account(
        cui, first_names="Luis", last_names="Cux", birth_date=birth_date
    )
    return Representation.objects.create(
        representative=mother,
        represented=minor,
        relationship=Relationship.FATHER,
        minor_first_names="Luis",
        minor_last_names="Cux",
        minor_birth_date=birth_date,
        status=status,
        confirmation_method=ConfirmationMethod.REGISTRY if status == Status.CONFIRMED else "",
        confirmed_at=timezone.now() if status == Status.CONFIRMED else None,
    )


@pytest.mark.django_db
def test_the_daily_job_ends_representations_of_those_who_turned_18(mother):
    born = datetime.date(2008, 2, 29)
    leap = make(mother, born)
    young = make(mother, datetime.date(2012, 6, 1), cui=make_cui(93_000_001, "01", "01"))
    pending = make(
        mother, datetime.date(2008, 1, 10), Status.PENDING, cui=make_cui(93_000_002, "01", "01")
    )

    assert actions.end_representations_of_adults(datetime.date(2026, 2, 1)) == 1  # pending one
    assert actions.end_representations_of_adults(datetime.date(2026, 2, 28)) == 0
    assert actions.end_representations_of_adults(datetime.date(2026, 3, 1)) == 1
    assert actions.end_representations_of_adults(datetime.date(2026, 3, 1)) == 0  # once only
    for representation in (leap, young, pending):
        representation.refresh_from_db()
    assert (leap.status, leap.end_reason) == (Status.ENDED, EndReason.ADULTHOOD)
    assert (pending.status, pending.end_reason) == (Status.ENDED, EndReason.ADULTHOOD)
    assert young.status == Status.CONFIRMED
    [ended] = DelegatedAction.objects.filter(representation=leap, action=Event.ENDED)
    assert ended.actor is None  # the platform did it
    assert ended.on_behalf_of == leap.represented
    assert ended.reference.endswith("mayoria_de_edad")


@pytest.mark.django_db
def test_the_command_and_the_task_end_them_today(mother):
    first = make(mother, years_ago(18))
    call_command("end_adult_representations", verbosity=0)
    first.refresh_from_db()
    assert first.status == Status.ENDED

    second = make(mother, years_ago(18, days=3), cui=make_cui(93_000_003, "01", "01"))
    assert end_adult_representations.call() == 1
    second.refresh_from_db()
    assert second.status == Status.ENDED


@pytest.mark.django_db
def test_on_the_18th_birthday_acting_stops_at_once(client, mother):
    representation = make(mother, years_ago(18, days=-1))  # 18 tomorrow
    client.force_login(mother)
    assert client.post(f"{LIST}{representation.pk}/actuar/").status_code == 302
    response = client.get(LIST)
    assert acting_for(response.wsgi_request) == representation.represented

    # The next day (moved here by making the birthday today), before the daily job runs:
    Representation.objects.filter(pk=representation.pk).update(minor_birth_date=years_ago(18))
    response = client.get(LIST)
    assert acting_for(response.wsgi_request) == mother
    page = response.content.decode()
    assert "Está actuando por" not in page
    assert "La persona representada cumplió 18 años" in page  # the page ended it
    representation.refresh_from_db()
    assert representation.end_reason == EndReason.ADULTHOOD


@pytest.mark.django_db
def test_a_request_confirmed_after_the_18th_birthday_ends_instead(mother, registry):
    from ventanilla.identity.registry import RegistryAnswer, registry_from_settings
    from ventanilla.identity.registry.simulator import Person

    born = years_ago(18)
    registry.add(Person(CHILD.cui, "Luis", "Cux", born))
    registry.add_parent(mother.cui, CHILD.cui)
    representation = make(mother, born, Status.PENDING)
    answer = actions.confirm_parenthood_with_registry(
        representation, registry=registry_from_settings()
    )
    assert answer is RegistryAnswer.MATCH
    assert representation.status == Status.ENDED
    assert representation.end_reason == EndReason.ADULTHOOD
