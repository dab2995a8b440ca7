"""Reads of the inbox, shared by its pages and the header's count."""

from __future__ import annotations

from django.http import Http404

from ventanilla.notifications.models import InboxMessage


def messages_of(user):
    """The person's messages, newest first."""
    return InboxMessage.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user) -> int:
    """One COUNT on the (user, read_at) index."""
    return InboxMessage.objects.filter(user=user, read_at__isnull=True).count()


def message_for(user, pk) -> InboxMessage:
    """One of the person's own messages; anyone else's looks like no message at all."""
    message = messages_of(user).select_related("about").filter(pk=pk).first()
    if message is None:
        raise Http404
    return message
