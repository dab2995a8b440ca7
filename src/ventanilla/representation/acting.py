"""On whose behalf the signed-in person is acting.

A confirmed representative may choose to act for a person they represent; the choice is kept
in the session (the representation's number) and checked again on every request, so that a
representation that ended, or a minor who turned 18, stops it at once. Pages and actions ask
``acting_for(request)``; nothing else reads the session key.
"""

from __future__ import annotations

from ventanilla.identity.models import User
from ventanilla.representation.models import Representation, Status, is_adult

SESSION_KEY = "representation.acting_for"
_CACHE = "_representation_acting"


def confirmed_representation(representative, representation_id) -> Representation | None:
    """The representation with this number if ``representative`` may act under it now."""
    if not isinstance(representation_id, int) or not getattr(
        representative, "is_authenticated", False
    ):
        return None
    representation = (
        Representation.objects.select_related("represented")
        .filter(pk=representation_id, representative=representative, status=Status.CONFIRMED)
        .first()
    )
    if representation is None or is_adult(representation.minor_birth_date):
        return None
    return representation


def current_representation(request) -> Representation | None:
    """The representation the signed-in person is acting under, or None when they act for
    themselves. A choice that is no longer valid is forgotten."""
    if hasattr(request, _CACHE):
        return getattr(request, _CACHE)
    representation = None
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is not None and user.is_authenticated and session is not None:
        chosen = session.get(SESSION_KEY)
        if chosen is not None:
            representation = confirmed_representation(user, chosen)
            if representation is None:
                session.pop(SESSION_KEY, None)
    setattr(request, _CACHE, representation)
    return representation


def acting_for(request) -> User:
    """The person on whose behalf the signed-in user is acting: the person they chose to
    represent, or the user themselves (the default)."""
    representation = current_representation(request)
    return representation.represented if representation else request.user


def remember_choice(request, representation: Representation | None) -> None:
    """Keep (or, with None, forget) the choice in the session. Used by the actions that
    record it (``actions.start_acting_for``, ``actions.stop_acting``)."""
    if representation is None:
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = representation.pk
    setattr(request, _CACHE, representation)
