"""Template helpers: ``{% acting_representation as acting %}`` (for the banner) and
``{% people_represented_by user as representations %}`` (for the account page)."""

from django import template

from ventanilla.representation.acting import current_representation
from ventanilla.representation.models import ACTIVE_STATUSES, Representation

register = template.Library()


@register.simple_tag(takes_context=True)
def acting_representation(context):
    """The representation the signed-in person is acting under, or None."""
    request = context.get("request")
    return current_representation(request) if request is not None else None


@register.simple_tag
def people_represented_by(user):
    """The active representations (pending or confirmed) of this account."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Representation.objects.filter(representative=user, status__in=ACTIVE_STATUSES).order_by(
            "minor_first_names", "minor_last_names"
        )
    )
