"""E-mails to the person a case is for, sent once the change is committed."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse


def tell_applicant(case, template: str, subject: str) -> None:
    if not case.applicant.email:
        return
    context = {
        "case": case,
        "platform": settings.VENTANILLA,
        "link": settings.VENTANILLA_PUBLIC_URL.rstrip("/")
        + reverse("cases:detail", args=[case.pk]),
    }

    def send():
        send_mail(
            subject=subject,
            message=render_to_string(f"cases/email/{template}.txt", context),
            from_email=None,
            recipient_list=[case.applicant.email],
        )

    transaction.on_commit(send)
