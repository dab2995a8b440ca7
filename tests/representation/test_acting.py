"""Acting for someone: only for a person one represents, re-checked on every request, and
every delegated action records who acted for whom."""

import pytest
from django.utils import timezone

from tests.representation.conftest import CHILD, MOTHER, STRANGER_CHILD, make_adult, years_ago
from ventanilla.core.cui import make_cui
from ventanilla.identity.registry.simulator import Person
from ventanilla.representation import actions
from ventanilla.representation.acting import SESSION_KEY, acting_for
from ventanilla.representation.actions import record_delegated_action
from ventanilla.representation.models import (
    ConfirmationMethod,
    DelegatedAction,
    Event,
    Relationship,
    Representation,
    Status,
)

pytestmark = pytest.mark.django_db

LIST = "/cuenta/representados/"
OTHER_PARENT = Person(make_cui(90_000_002, "01", "01"), "Pedro", "Batz Sic", years_ago(41))


def represent(representative, child=CHILD, *, confirmed=True) -> Representation:
    representation = actions.request_representation(
        representative,
        cui=child.cui,
        first_names=child.first_names,
        last_names=child.last_names,
        birth_date=child.birth_date,
        relationship=Relationship.MOTHER,
    )
    if confirmed:
        Representation.objects.filter(pk=representation.pk).update(
            status=Status.CONFIRMED,
            confirmation_method=ConfirmationMethod.REGISTRY,
            confirmed_at=timezone.now(),
        )
        representation.refresh_from_db()
    return representation


def test_nobody_acts_for_someone_they_do_not_represent(client, mother):
    other = make_adult(OTHER_PARENT)
    theirs = represent(other, STRANGER_CHILD)
    mine = represent(mother)
    client.force_login(mother)
    # Tampered POSTs: someone else's representation, one that does not exist.
    assert client.post(f"{LIST}{theirs.pk}/actuar/").status_code == 403
    assert client.post(f"{LIST}999999/actuar/").status_code == 403
    response = client.get(LIST)
    assert acting_for(response.wsgi_request) == mother
    assert SESSION_KEY not in client.session
    assert not DelegatedAction.objects.filter(action=Event.ACTING_STARTED).exists()
    # Nor end someone else's.
    assert client.post(f"{LIST}{theirs.pk}/terminar/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.CONFIRMED
    # Choosing is a POST only.
    assert client.get(f"{LIST}{mine.pk}/actuar/").status_code == 405


def test_a_pending_representation_cannot_be_used(client, mother):
    pending = represent(mother, confirmed=False)
    client.force_login(mother)
    assert client.post(f"{LIST}{pending.pk}/actuar/").status_code == 403
    assert "Actuar por" not in client.get(LIST).content.decode()


def test_the_choice_is_checked_again_on_every_request(client, mother):
    representation = represent(mother)
    client.force_login(mother)
    client.post(f"{LIST}{representation.pk}/actuar/")
    response = client.get(LIST)
    assert acting_for(response.wsgi_request) == representation.represented

    # Ended elsewhere (another device, an official): the next request acts for herself.
    Representation.objects.filter(pk=representation.pk).update(status=Status.ENDED)
    response = client.get(LIST)
    assert acting_for(response.wsgi_request) == mother
    assert "Está actuando por" not in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_choice_in_another_persons_session_is_ignored(client, mother):
    representation = represent(mother)
    other = make_adult(OTHER_PARENT)
    client.force_login(other)
    session = client.session
    session[SESSION_KEY] = representation.pk  # as if it had been planted there
    session.save()
    response = client.get(LIST)
    assert acting_for(response.wsgi_request) == other


def test_acting_for_another_person_switches_and_records_both(client, mother):
    first = represent(mother)
    second = represent(mother, STRANGER_CHILD)
    client.force_login(mother)
    client.post(f"{LIST}{first.pk}/actuar/")
    client.post(f"{LIST}{second.pk}/actuar/")
    response = client.get(LIST)
    assert acting_for(response.wsgi_request) == second.represented
    assert "Está actuando por: Ana Xicará Batz" in response.content.decode()
    recorded = list(
        DelegatedAction.objects.filter(action__startswith="representation.acting")
        .order_by("pk")
        .values_list("on_behalf_of_id", "action")
    )
    assert recorded == [
        (first.represented_id, Event.ACTING_STARTED),
        (first.represented_id, Event.ACTING_STOPPED),
        (second.represented_id, Event.ACTING_STARTED),
    ]


def test_going_back_only_to_this_site(client, mother):
    representation = represent(mother)
    client.force_login(mother)
    response = client.post(f"{LIST}{representation.pk}/actuar/", {"next": "https://malo.example/"})
    assert response["Location"] == LIST
    response = client.post(f"{LIST}dejar-de-actuar/", {"next": "//malo.example/"})
    assert response["Location"] == LIST


def test_later_apps_record_what_was_done_for_whom(client, mother):
    """How cases and documents will call it: with the request, after each action."""
    representation = represent(mother)
    client.force_login(mother)

    request = client.get(LIST).wsgi_request  # acting for herself
    assert record_delegated_action(request, "cases.submitted", reference="case:7") is None

    client.post(f"{LIST}{representation.pk}/actuar/")
    request = client.get(LIST).wsgi_request
    row = record_delegated_action(request, "cases.submitted", representation)
    assert (row.actor, row.on_behalf_of, row.representation) == (
        mother,
        representation.represented,
        representation,
    )
    assert row.action == "cases.submitted"
    assert row.reference == f"representation.representation:{representation.pk}"
    assert row.at is not None
    assert list(representation.represented.delegated_actions.filter(action="cases.submitted")) == [
        row
    ]


def test_recording_with_an_account(mother):
    representation = represent(mother)
    minor = representation.represented
    assert record_delegated_action(mother, "x.y", on_behalf_of=mother) is None
    assert record_delegated_action(mother, "x.y") is None  # for oneself by default
    row = record_delegated_action(None, "x.y", reference="z:1", on_behalf_of=minor)
    assert row.actor is None
    assert row.on_behalf_of == minor


def test_the_banner_template_can_be_included_anywhere(client, mother):
    from django.template import Context, Template

    representation = represent(mother)
    client.force_login(mother)
    client.post(f"{LIST}{representation.pk}/actuar/")
    request = client.get(LIST).wsgi_request
    del request._representation_acting  # as on a new page
    html = Template('{% include "representation/includes/acting_banner.html" %}').render(
        Context({"request": request, "csrf_token": "x"})
    )
    assert "Está actuando por: Juan Pablo Tzoc Pop" in html
    assert 'action="/cuenta/representados/dejar-de-actuar/"' in html
    assert "<script" not in html and "style=" not in html


def test_the_account_section(client, mother):
    from django.template import Context, Template

    represent(mother)
    represent(mother, STRANGER_CHILD, confirmed=False)
    template = Template('{% include "representation/includes/account_section.html" %}')
    html = template.render(Context({"user": mother}))
    assert "Personas que represento" in html
    assert "Juan Pablo Tzoc Pop" in html
    assert "Confirmada" in html
    assert "Ana Xicará Batz" in html
    assert "Confirmando con el RENAP" in html
    assert 'href="/cuenta/representados/"' in html
    other = make_adult(OTHER_PARENT)
    assert "Juan Pablo" not in template.render(Context({"user": other}))


def test_the_representative_must_still_be_the_signed_in_user(client, mother):
    representation = represent(mother)
    assert MOTHER.cui == mother.cui
    client.force_login(mother)
    client.post(f"{LIST}{representation.pk}/actuar/")
    client.logout()  # the session goes, and the choice with it
    other = make_adult(OTHER_PARENT)
    client.force_login(other)
    response = client.get(LIST)
    assert acting_for(response.wsgi_request) == other
