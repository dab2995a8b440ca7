"""The unread count in the header, for signed-in people."""

from __future__ import annotations

import functools

from ventanilla.notifications.queries import unread_count


def unread_notices(request):
    """``unread_notices``: a callable the template resolves on first use, so a page that does
    not show the header (or an anonymous visit) never queries."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": functools.cache(lambda: unread_count(user))}
