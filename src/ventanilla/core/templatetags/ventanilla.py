from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ventanilla.core.cui import mask_cui

register = template.Library()


@register.filter
def quetzales(amount: Decimal | None) -> str:
    """'Gratuito', 'Q10.00' or 'Costo no publicado'."""
    if amount is None:
        return _("Costo no publicado")
    if amount == 0:
        return _("Gratuito")
    return f"Q{number_format(amount, 2, force_grouping=True)}"


@register.filter
def share_of(value: int, maximum: int) -> int:
    """Value as a whole percentage of maximum (0 when maximum is 0), for bar widths."""
    if not maximum:
        return 0
    return round(value * 100 / maximum)


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """Link to another page of a list, keeping the search and filters."""
    query = context.get("query_without_page", "")
    return f"?{query}&pagina={number}" if query else f"?pagina={number}"


@register.filter
def minutes(duration) -> int:
    """A timedelta in whole minutes, rounded up (for 'try again in N minutes')."""
    return -(-int(duration.total_seconds()) // 60)


@register.filter
def cui_for(cui: str, viewer) -> str:
    """The CUI in full for its owner, as printed on the DPI; masked for anyone else."""
    if getattr(viewer, "is_authenticated", False) and getattr(viewer, "cui", None) == cui:
        return f"{cui[:4]} {cui[4:9]} {cui[9:]}"
    return mask_cui(cui)
