"""``/api/v1/``: the REST API for the systems of other institutions (docs/api.md)."""

from __future__ import annotations

from functools import wraps

from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from ninja import NinjaAPI
from oauth2_provider.settings import oauth2_settings

from ventanilla.api import errors, routes
from ventanilla.api.auth import SCHEME
from ventanilla.api.scopes import API_SCOPES, DESCRIPTIONS

DESCRIPTION = """\
API de Ventanilla para los sistemas de otras instituciones: consultar los trámites que se
pueden hacer en línea, iniciar expedientes, responder sus pasos, adjuntar archivos y seguir
su historial.

Cada solicitud lleva un token de acceso OAuth 2.0 en la cabecera
`Authorization: Bearer …`. Un token de una persona (código de autorización) actúa como esa
persona; un token del propio sistema (client credentials) actúa como la cuenta de su
institución. Nadie ve ni toca los expedientes de otras cuentas: para la API, no existen (404).

Todos los errores tienen la forma `{"error": {"code", "message", "fields"}}`.
"""


class VentanillaAPI(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        response["Cache-Control"] = "no-store"  # a person's cases: never in a shared cache
        return response


api = VentanillaAPI(
    title="Ventanilla",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url=None,  # served by openapi_document below, with the token addresses
    docs_url=None,  # ninja's page loads Swagger UI from a CDN: not allowed by our CSP
)
errors.install(api)
api.add_router("", routes.router)


# The answers' descriptions in the document (django-ninja writes the English reason phrase).
ANSWERS = {
    "200": "Correcto.",
    "201": "Creado.",
    "401": "Falta el token o no es válido.",
    "403": "El token no alcanza: su alcance, la cuenta o su nivel de identidad.",
    "404": "No existe, o no es de la cuenta con la que actúa el token.",
    "409": "El paso ya no está pendiente, o no le toca a la cuenta.",
    "413": "El archivo es demasiado grande.",
    "422": "Hay datos que revisar: vea «fields».",
}


def _absolute(request, path: str) -> str:
    return oauth2_settings.oidc_issuer(request) + path


@require_safe
def openapi_document(request):
    """The OpenAPI 3.1 document, with the OAuth 2.0 flows and scopes."""
    document = api.get_openapi_schema()
    document["servers"] = [{"url": oauth2_settings.oidc_issuer(request)}]
    for item in document["paths"].values():
        for operation in item.values():
            for status, answer in operation["responses"].items():
                answer["description"] = ANSWERS.get(str(status), answer["description"])
    token_url = _absolute(request, reverse("oauth2_provider:token"))
    document["components"]["securitySchemes"] = {
        SCHEME: {
            "type": "oauth2",
            "description": (
                "Tokens de Ventanilla (django-oauth-toolkit). Los sistemas de otras "
                "instituciones usan client credentials con su client_id y su secreto; los "
                "que actúan por una persona, código de autorización con PKCE (S256)."
            ),
            "flows": {
                "clientCredentials": {"tokenUrl": token_url, "scopes": DESCRIPTIONS},
                "authorizationCode": {
                    "authorizationUrl": _absolute(request, reverse("oauth2_provider:authorize")),
                    "tokenUrl": token_url,
                    "refreshUrl": token_url,
                    "scopes": {
                        scope: text
                        for scope, text in DESCRIPTIONS.items()
                        if scope in API_SCOPES  # catalogo:leer is for systems only
                    },
                },
            },
        }
    }
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"  # public, like discovery
    return response


@require_safe
def index(request):
    return JsonResponse({"openapi": request.build_absolute_uri(reverse("api:openapi"))})


def not_found(request, rest=""):
    return JsonResponse(errors.envelope("not_found", errors.not_found().message), status=404)


def with_json_405(view):
    """ninja answers a method an address does not take in plain text; we use the envelope."""

    @wraps(view)  # keeps ninja's csrf_exempt
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code != 405:
            return response
        message = _("Esta dirección no acepta %(method)s.") % {"method": request.method}
        answer = JsonResponse(errors.envelope("method_not_allowed", message), status=405)
        answer["Allow"] = response["Allow"]
        return answer

    return wrapper
