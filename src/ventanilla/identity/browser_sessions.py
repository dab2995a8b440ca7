"""Keep a list of the browsers where each account is signed in (for "sign out everywhere")."""

from __future__ import annotations

import re

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.dispatch import receiver
from django.utils import timezone

_BROWSERS = [
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
]
_SYSTEMS = [
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "Mac"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
]


def describe_device(user_agent: str) -> str:
    """'Chrome · Android' from a User-Agent header; nothing more precise is kept."""
    browser = next((name for key, name in _BROWSERS if key in user_agent), "")
    system = next((name for key, name in _SYSTEMS if re.search(re.escape(key), user_agent)), "")
    return " · ".join(part for part in (browser, system) if part)


def open_sessions(user):
    """The account's sessions that still exist and have not expired."""
    from ventanilla.identity.models import UserSession

    alive = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return UserSession.objects.filter(user=user, session_key__in=alive)


@receiver(user_logged_in, dispatch_uid="ventanilla.identity.remember_session")
def remember_session(sender, request, user, **kwargs):
    from ventanilla.identity.models import UserSession

    if request is None or not hasattr(request, "session"):
        return
    request.session.save()  # the key is final after login's cycle_key
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "device": describe_device(request.headers.get("User-Agent", ""))[:80],
            "signed_in_at": timezone.now(),
        },
    )


@receiver(user_logged_out, dispatch_uid="ventanilla.identity.forget_session")
def forget_session(sender, request, user, **kwargs):
    from ventanilla.identity.models import UserSession

    if request is not None and getattr(request, "session", None) is not None:
        UserSession.objects.filter(session_key=request.session.session_key).delete()
