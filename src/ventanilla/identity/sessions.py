"""What a browser session knows about how its person signed in."""

from __future__ import annotations

import time

PENDING_KEY = "ventanilla_pending_sign_in"
SECOND_FACTOR_KEY = "ventanilla_second_factor"
PENDING_MAX_AGE = 5 * 60  # the code must follow the password within five minutes


def start_pending_sign_in(request, user, next_url: str) -> None:
    """The password was right; the second step is still to come."""
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "next": next_url,
        "since": time.time(),
    }


def pending_sign_in(request) -> dict | None:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("since", 0) > PENDING_MAX_AGE:
        return None
    return pending


def clear_pending_sign_in(request) -> None:
    request.session.pop(PENDING_KEY, None)


def mark_second_factor(request, method: str) -> None:
    """This session proved a second factor (an app code, a recovery code or a passkey)."""
    request.session[SECOND_FACTOR_KEY] = method


def has_second_factor(request) -> bool:
    return bool(request.session.get(SECOND_FACTOR_KEY))
