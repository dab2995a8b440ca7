"""How many tries one network address has had at a public form in the last window, kept in
the cache: for the pages that answer anyone without signing in (`/consulta/`, `/verificar/`)."""

from __future__ import annotations

from django.core.cache import cache


def too_many_tries(request, scope: str, *, tries: int, window_seconds: int) -> bool:
    """Count this try; True once the address has used up ``tries`` in the window."""
    key = f"{scope}:{request.META.get('REMOTE_ADDR', '')}"
    used = cache.get_or_set(key, 0, window_seconds)
    cache.incr(key)
    return used >= tries
