from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import connection
from django.http import HttpResponseRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ventanilla.catalog import queries
from ventanilla.catalog.models import Audience
from ventanilla.core.page_cache import cached_public_page


@require_safe
@cached_public_page
def home(request):
    summary = queries.catalogue_summary()
    return render(
        request,
        "core/home.html",
        {
            "prioritised": queries.prioritised_procedures(),
            "audiences": Audience.objects.all(),
            "summary": summary,
        },
    )


@require_safe
def choose_language(request):
    """The language switcher: a plain link, so that public pages carry no form token
    and can be cached. Keeps the choice in a cookie and goes back to the page."""
    language = request.GET.get("idioma", "")
    next_url = request.GET.get("volver", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            httponly=True,
        )
    return response


@never_cache
@require_safe
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


@dataclass(frozen=True)
class ErrorPage:
    heading: str
    paragraphs: tuple[str, ...]
    link_url: str = "home"
    link_text: str = _("Vuelva a la página de inicio")


ERROR_PAGES = {
    400: ErrorPage(
        _("No pudimos entender la solicitud"),
        (_("La dirección o los datos enviados no tienen un formato que podamos leer."),),
    ),
    403: ErrorPage(
        _("No tiene permiso para ver esta página"),
        (_("Si cree que debería poder verla, pida acceso a la unidad responsable."),),
    ),
    "csrf": ErrorPage(
        _("La página venció"),
        (
            _(
                "Por su seguridad, los formularios vencen después de un tiempo o si el "
                "navegador no guarda cookies."
            ),
            _(
                "Vuelva a la página anterior, recárguela y envíe el formulario otra vez. "
                "Si el problema sigue, permita las cookies de este sitio."
            ),
        ),
        link_url="",
        link_text="",
    ),
    404: ErrorPage(
        _("No encontramos esta página"),
        (
            _("Si escribió la dirección, revise que esté bien escrita."),
            _("Si copió la dirección, revise que la copió completa."),
        ),
        link_url="catalog:list",
        link_text=_("Busque el trámite en la lista de trámites"),
    ),
}


def _error_page(request, key, status: int):
    return render(request, "core/error_page.html", asdict(ERROR_PAGES[key]), status=status)


def page_not_found(request, exception=None):
    return _error_page(request, 404, 404)


def bad_request(request, exception=None):
    return _error_page(request, 400, 400)


def permission_denied(request, exception=None):
    return _error_page(request, 403, 403)


def csrf_failure(request, reason=""):
    return _error_page(request, "csrf", 403)


def server_error(request):
    # Kept static: the error may come from the database or a template.
    return HttpResponseServerError(loader.get_template("500.html").render())
