"""A notice's plain text as GOV.UK paragraphs, its addresses as links."""

from django import template
from django.utils.html import urlize
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def notice_paragraphs(text: str) -> str:
    """Blank lines separate paragraphs; addresses become links. ``urlize`` escapes the text
    first, so the only tags in the result are the links it made."""
    paragraphs = [part.strip() for part in text.replace("\r\n", "\n").split("\n\n")]
    html = []
    for paragraph in filter(None, paragraphs):
        linked = urlize(paragraph, autoescape=True).replace(
            "<a href=", '<a class="govuk-link" href='
        )
        html.append(f'<p class="govuk-body">{linked.replace(chr(10), "<br>")}</p>')
    return mark_safe("\n".join(html))  # noqa: S308 - escaped by urlize above
