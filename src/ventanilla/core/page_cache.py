"""Whole-page cache for the public catalogue pages.

Rendering a results page costs ~10 ms of template work while the answer only changes when
the catalogue does, and at enrolment or diploma season thousands of people look up the same
few procedures. Anonymous GET pages are therefore kept in the process's cache, keyed by the
content's version (a counter every action on public content bumps, in the same
transaction), the language and the full path. An edit is visible on the next request;
nothing waits for a timeout. Requests carrying a session (staff) are never served from the cache.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.http import HttpResponse

from ventanilla.core.models import ContentVersion

PAGE_TTL_SECONDS = 600


def content_version() -> int:
    # Read on every cached page: plain SQL, as building the ORM query costs more than
    # running it.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number FROM {ContentVersion._meta.db_table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else 0


def bump_content_version() -> None:
    """Call inside the transaction of every change to public content."""
    if not ContentVersion.objects.filter(pk=1).update(number=F("number") + 1):
        ContentVersion.objects.get_or_create(pk=1, defaults={"number": 1})


def _cacheable(request) -> bool:
    return request.method in {"GET", "HEAD"} and settings.SESSION_COOKIE_NAME not in request.COOKIES


def cached_public_page(view):
    """Serve an anonymous page from the cache while public content has not changed."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"page:{content_version()}:{request.LANGUAGE_CODE}:{path}"
        if (hit := cache.get(key)) is not None:
            status, content_type, content = hit
            return HttpResponse(content, status=status, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies and not response.streaming:
            cache.set(
                key,
                (response.status_code, response["Content-Type"], response.content),
                PAGE_TTL_SECONDS,
            )
        return response

    return wrapper
