"""Telling a person something: a message in their inbox ("Mis avisos"), and by e-mail and SMS
once the change that caused it is committed."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ventanilla.notifications.models import InboxMessage
from ventanilla.notifications.sms import send_sms

logger = logging.getLogger(__name__)


def absolute_url(link: str) -> str:
    """A site path as an address people can open from an e-mail: '/x/' → 'https://…/x/'."""
    if not link or link.startswith(("http://", "https://")):
        return link
    return settings.VENTANILLA_PUBLIC_URL.rstrip("/") + "/" + link.lstrip("/")


def notify(
    user,
    *,
    subject: str,
    body: str,
    link: str = "",
    email: bool = True,
    sms: bool = False,
    sms_text: str = "",
    about=None,
) -> InboxMessage:
    """Put a message in ``user``'s inbox now (in the current transaction) and, once that
    transaction commits, e-mail it (if ``email`` and the person has an address) and text it
    (if ``sms`` and the person has a mobile number).

    ``link`` is a site path ("/expedientes/12/") shown in the inbox; the e-mail adds it as a
    full address unless ``body`` already contains it. The SMS says ``sms_text``, or else the
    subject, cut to 160 characters: keep personal data out of it. ``about`` is the person
    the message concerns when it is not ``user`` (a minor ``user`` represents).

    Sending never raises: a failure is logged, and the inbox still has the message."""
    message = InboxMessage.objects.create(
        user=user,
        about=about if about is not None and about != user else None,
        subject=subject[:200],
        body=body,
        link=link,
    )
    if email and user.email:
        transaction.on_commit(lambda: _email(user.email, subject, _email_body(body, link)))
    if sms and user.phone:
        text = sms_text or subject
        transaction.on_commit(lambda: send_sms(user.phone, text))  # logs its own failures
    return message


def _email_body(body: str, link: str) -> str:
    address = absolute_url(link)
    if not address or address in body:
        return body
    return f"{body.rstrip()}\n\n{address}\n"


def _email(address: str, subject: str, body: str) -> None:
    try:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[address])
    except Exception:  # the mail server is down: the inbox still has the message
        logger.exception("E-mail notice not sent")


def mark_read(message: InboxMessage) -> InboxMessage:
    """The person opened the message; the first opening counts."""
    if message.read_at is None:
        message.read_at = timezone.now()
        InboxMessage.objects.filter(pk=message.pk, read_at__isnull=True).update(
            read_at=message.read_at
        )
    return message


def mark_all_read(user) -> int:
    """Every unread message of ``user`` marked read now; how many there were."""
    return InboxMessage.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
