"""What a case tells the person it is for, and the people who represent a minor: a notice in
the inbox always, an e-mail, and a text message with only the tracking number at the three
big moments."""

import datetime

import pytest
from django.utils import timezone

from tests.cases.conftest import SOLICITUD, person
from ventanilla.cases import actions
from ventanilla.identity.models import User
from ventanilla.notifications.models import InboxMessage
from ventanilla.representation.models import Relationship, Representation
from ventanilla.representation.models import Status as RepresentationStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def reachable_citizen(citizen):
    User.objects.filter(pk=citizen.pk).update(
        last_names="Pérez Ajú", email="marta@example.org", phone="5555-1234"
    )
    citizen.refresh_from_db()
    return citizen


def submit(certification, applicant, actor=None, on_behalf_of=None):
    case = actions.start_case(certification, applicant=applicant, actor=actor or applicant)
    return actions.complete_task(
        case.pk, "solicitud", SOLICITUD, actor=actor or applicant, on_behalf_of=on_behalf_of
    )


def test_submitting_a_case_leaves_a_notice_an_email_and_a_text(
    certification, reachable_citizen, inbox, console_sms, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(certification, reachable_citizen)
    [notice] = InboxMessage.objects.filter(user=reachable_citizen)
    assert case.tracking_number in notice.subject and notice.read_at is None
    assert notice.link == f"/mis-tramites/{case.pk}/" and notice.about is None
    assert "Recibimos su solicitud de «Certificación de estudios" in notice.body

    [mail] = inbox.to("marta@example.org")
    assert mail["Subject"] == notice.subject
    body = mail.get_payload(decode=True).decode()
    assert f"http://testserver/mis-tramites/{case.pk}/" in body and "Hola, Marta:" in body

    [sms] = [line for line in capsys.readouterr().err.splitlines() if line.startswith("SMS")]
    assert sms == (
        f"SMS MINEDUC -> +50255551234: Ventanilla MINEDUC: recibimos la solicitud "
        f"{case.tracking_number}. Vea como va en http://testserver/mis-tramites/{case.pk}/"
    )
    for personal in ("Marta", "Pérez", "Perez", reachable_citizen.cui, "Certificaci"):
        assert personal not in sms


def test_corrections_and_the_decision_are_told_too_but_not_every_step(
    certification, reachable_citizen, reviewers, console_sms, capsys
):
    reviewer = reviewers[0]
    case = submit(certification, reachable_citizen)
    actions.claim(case.pk, reviewer)
    assert InboxMessage.objects.filter(user=reachable_citizen).count() == 1  # claiming: silent
    actions.complete_task(
        case.pk,
        "revision",
        {"dictamen": "corregir", "observaciones": "¿Qué sección?"},
        actor=reviewer,
    )
    actions.complete_task(
        case.pk, "correccion", {"respuesta": "Sección B"}, actor=reachable_citizen
    )
    actions.claim(case.pk, reviewer)
    actions.complete_task(case.pk, "revision", {"dictamen": "aprobar"}, actor=reviewer)
    subjects = list(
        InboxMessage.objects.filter(user=reachable_citizen)
        .order_by("pk")
        .values_list("subject", flat=True)
    )
    number = case.tracking_number
    assert subjects == [
        f"Recibimos su solicitud {number}",
        f"Su trámite {number} necesita una corrección",
        f"Su trámite {number} está resuelto",
    ]
    assert InboxMessage.objects.filter(user=reviewer).count() == 0


def test_texts_for_corrections_and_decisions_carry_only_the_number(
    certification,
    reachable_citizen,
    reviewers,
    console_sms,
    capsys,
    django_capture_on_commit_callbacks,
):
    reviewer = reviewers[0]
    case = submit(certification, reachable_citizen)
    actions.claim(case.pk, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        actions.complete_task(
            case.pk,
            "revision",
            {"dictamen": "corregir", "observaciones": "Sección"},
            actor=reviewer,
        )
    with django_capture_on_commit_callbacks(execute=True):
        actions.complete_task(case.pk, "correccion", {"respuesta": "B"}, actor=reachable_citizen)
    actions.claim(case.pk, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        actions.complete_task(case.pk, "revision", {"dictamen": "aprobar"}, actor=reviewer)
    texts = [line for line in capsys.readouterr().err.splitlines() if line.startswith("SMS")]
    assert len(texts) == 2  # answering the correction is not one of the big moments
    assert f"el tramite {case.tracking_number} necesita una correccion." in texts[0]
    assert f"el tramite {case.tracking_number} esta resuelto." in texts[1]
    assert all(len(text.split(": ", 1)[1]) <= 160 for text in texts)


def test_without_email_or_phone_the_inbox_still_has_it(
    certification, citizen, inbox, console_sms, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(certification, citizen)
    assert InboxMessage.objects.get(user=citizen).link == f"/mis-tramites/{case.pk}/"
    assert inbox.messages == [] and "SMS" not in capsys.readouterr().err


# --- A minor and the people who represent them ---------------------------------------------


def years_ago(years: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=365 * years + 30)


def represent(representative, minor, status=RepresentationStatus.CONFIRMED) -> Representation:
    return Representation.objects.create(
        representative=representative,
        represented=minor,
        relationship=Relationship.MOTHER,
        minor_first_names=minor.first_names,
        minor_last_names=minor.last_names,
        minor_birth_date=minor.birth_date,
        status=status,
        confirmed_at=timezone.now() if status == RepresentationStatus.CONFIRMED else None,
    )


@pytest.fixture
def minor(db):
    return person(21, first_names="Juan Pablo", last_names="Tzoc Pop", birth_date=years_ago(9))


@pytest.fixture
def mother(db):
    return person(
        22, first_names="Lucía", last_names="Pop Caal", email="lucia@example.org", phone="4444 1234"
    )


def test_a_minors_representatives_are_told_as_well(
    client,
    certification,
    minor,
    mother,
    inbox,
    console_sms,
    capsys,
    django_capture_on_commit_callbacks,
):
    representation = represent(mother, minor)
    former = person(23, first_names="Ya no", email="ya.no@example.org")
    represent(former, minor, status=RepresentationStatus.ENDED)
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(certification, minor, actor=mother, on_behalf_of=minor)

    assert InboxMessage.objects.filter(user=minor).count() == 1
    assert not InboxMessage.objects.filter(user=former).exists() and not inbox.to(
        "ya.no@example.org"
    )
    notice = InboxMessage.objects.get(user=mother)
    assert notice.about == minor and notice.link == f"/mis-tramites/{case.pk}/"
    assert (
        notice.subject
        == f"Recibimos su solicitud {case.tracking_number} (trámite de Juan Pablo Tzoc Pop)"
    )
    [mail] = inbox.to("lucia@example.org")
    body = mail.get_payload(decode=True).decode()
    assert "Hola, Lucía:" in body and "de Juan Pablo Tzoc Pop, a quien usted representa" in body
    [sms] = [line for line in capsys.readouterr().err.splitlines() if line.startswith("SMS")]
    assert sms.startswith("SMS MINEDUC -> +50244441234:") and "http://testserver/mis-avisos/" in sms
    assert "Juan" not in sms and "Tzoc" not in sms

    # The notice opens the case acting for the minor.
    client.force_login(mother)
    page = client.get(f"/mis-avisos/{notice.pk}/").content.decode()
    assert f'action="/cuenta/representados/{representation.pk}/actuar/"' in page
    assert "Ver el expediente, actuando por Juan Pablo Tzoc Pop" in page
    response = client.post(
        f"/cuenta/representados/{representation.pk}/actuar/", {"next": notice.link}
    )
    assert response.url == notice.link
    assert case.tracking_number in client.get(notice.link).content.decode()
    # Acting for the minor, a notice about her own case offers to act for herself again.
    own = InboxMessage.objects.create(
        user=mother, subject="Propio", body="…", link="/mis-tramites/"
    )
    page = client.get(f"/mis-avisos/{own.pk}/").content.decode()
    assert 'action="/cuenta/representados/dejar-de-actuar/"' in page


def test_once_the_representation_ends_the_notice_no_longer_opens_the_case(
    client, certification, minor, mother
):
    representation = represent(mother, minor)
    submit(certification, minor, actor=mother, on_behalf_of=minor)
    notice = InboxMessage.objects.get(user=mother)
    Representation.objects.filter(pk=representation.pk).update(status=RepresentationStatus.ENDED)
    client.force_login(mother)
    page = client.get(f"/mis-avisos/{notice.pk}/").content.decode()
    assert "Ya no puede actuar por esta persona" in page
    assert "/actuar/" not in page and f'href="{notice.link}"' not in page
