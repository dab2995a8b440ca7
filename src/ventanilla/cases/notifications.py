"""Telling the person a case is for what happened to it, and, for a minor, whoever represents
them: a notice in their inbox ("Mis avisos") always, an e-mail when they have an address, and
for the three big moments a text message with the tracking number and nothing else personal.
E-mails and text messages go out once the change is committed (``notifications.notify``)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from ventanilla.notifications.actions import absolute_url, notify
from ventanilla.representation.models import Representation
from ventanilla.representation.models import Status as RepresentationStatus


def _sms_text(template: str, case, link: str) -> str:
    """A short text: who writes, the tracking number, what happened, where to look."""
    texts = {
        "submitted": _("%(service)s: recibimos la solicitud %(number)s. Vea cómo va en %(link)s"),
        "corrections": _(
            "%(service)s: el trámite %(number)s necesita una corrección. Entre a %(link)s"
        ),
        "decided": _("%(service)s: el trámite %(number)s está resuelto. Véalo en %(link)s"),
    }
    if template not in texts:
        return ""
    service = (
        f"{settings.VENTANILLA['SERVICE_NAME']} {settings.VENTANILLA['INSTITUTION_SHORT_NAME']}"
    )
    return texts[template] % {"service": service, "number": case.tracking_number, "link": link}


def representations_of(person) -> list[Representation]:
    """The confirmed representations under which someone may act for ``person`` now (none
    once they turn 18)."""
    representations = Representation.objects.filter(
        represented=person, status=RepresentationStatus.CONFIRMED
    ).select_related("representative")
    return [representation for representation in representations if representation.can_act]


def tell_applicant(case, template: str, subject: str) -> None:
    """Tell the case's applicant (and their representatives) with ``cases/email/<template>.txt``,
    rendered with ``case``, ``platform``, ``link`` (the case's address), ``recipient`` (who
    reads it) and ``represented`` (the Representation, for a representative; else None)."""
    path = reverse("cases:detail", args=[case.pk])
    context = {"case": case, "platform": settings.VENTANILLA, "link": absolute_url(path)}
    sms_text = _sms_text(template, case, absolute_url(path))
    applicant = case.applicant
    notify(
        applicant,
        subject=subject,
        body=render_to_string(
            f"cases/email/{template}.txt", context | {"recipient": applicant, "represented": None}
        ),
        link=path,
        sms=bool(sms_text),
        sms_text=sms_text,
    )
    # A representative opens the case acting for the minor: their texts point to their inbox,
    # where the notice offers to do that.
    inbox_sms_text = _sms_text(template, case, absolute_url(reverse("notifications:inbox")))
    for representation in representations_of(applicant):
        representative = representation.representative
        notify(
            representative,
            subject=_("%(subject)s (trámite de %(name)s)")
            % {"subject": subject, "name": representation.minor_full_name},
            body=render_to_string(
                f"cases/email/{template}.txt",
                context | {"recipient": representative, "represented": representation},
            ),
            link=path,
            about=applicant,
            sms=bool(inbox_sms_text),
            sms_text=inbox_sms_text,
        )
