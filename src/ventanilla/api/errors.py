"""Every error of the API in one envelope, with a Spanish message:

    {"error": {"code": "not_found", "message": "…", "fields": {"campo": "…"}}}

``code`` is for programs and never changes; ``message`` is for the people who read the
other system's logs or screens; ``fields`` names what to fix in the request (empty when the
error is not about one field).
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

logger = logging.getLogger(__name__)

NON_FIELD = "__all__"  # the key in ``fields`` for an error about the whole request body


class ErrorDetail(Schema):
    code: str = Field(description="Qué pasó, para los programas: no cambia.")
    message: str = Field(description="Qué pasó y qué hacer, en español, para las personas.")
    fields: dict[str, str] = Field(
        description="Un mensaje por dato que corregir («__all__»: el cuerpo entero); vacío "
        "si el error no es de un dato."
    )


class ErrorOut(Schema):
    """La respuesta de todo lo que no sale bien."""  # Spanish: the OpenAPI document shows it

    error: ErrorDetail


class ApiError(Exception):
    """An answer other than success, raised anywhere in a request."""

    def __init__(self, status: int, code: str, message: str, fields=None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, str(message)
        self.fields = {name or NON_FIELD: str(text) for name, text in (fields or {}).items()}
        self.headers = headers or {}


def not_found() -> ApiError:
    # Someone else's case, a case that does not exist and a mistyped address all look alike.
    return ApiError(404, "not_found", _("No existe, o no es de la cuenta con la que actúa."))


def envelope(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _field_of(location) -> str:
    # ninja's locations start with where the value came from ("body", "query", "form"…)
    # and, for a body, the parameter's name: the other system only needs the field.
    parts = [str(part) for part in location[1:]]
    if parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or NON_FIELD


def _message_of(problem: dict) -> str:
    kind = problem.get("type", "")
    if kind == "missing":
        return _("Falta este dato.")
    if kind.startswith(("int", "greater_than", "less_than")):
        return _("Escriba un número entero dentro de lo permitido.")
    return _("El dato no tiene el formato esperado.")


def install(api) -> None:
    """Answer every error of ``api`` with the envelope."""

    def respond(request, status, code, message, fields=None, headers=None):
        response = api.create_response(request, envelope(code, message, fields), status=status)
        for name, value in (headers or {}).items():
            response[name] = value
        return response

    @api.exception_handler(ApiError)
    def api_error(request, error: ApiError):
        return respond(
            request, error.status, error.code, error.message, error.fields, error.headers
        )

    @api.exception_handler(ValidationError)
    def invalid_request(request, error: ValidationError):
        fields: dict[str, str] = {}
        for problem in error.errors:
            fields.setdefault(_field_of(problem.get("loc", ())), _message_of(problem))
        message = _("Hay datos de la solicitud que revisar: vea «fields».")
        return respond(request, 422, "invalid_request", message, fields)

    @api.exception_handler(Http404)
    def missing(request, error):
        return api_error(request, not_found())

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, error):
        return respond(request, 401, "token_missing", _("Falta el token de acceso."))

    @api.exception_handler(HttpError)
    def http_error(request, error: HttpError):
        # django-ninja's own, in English: only an unreadable body reaches here today.
        if error.status_code == 400:
            message = _("No se pudo leer el cuerpo de la solicitud: envíe JSON válido.")
            return respond(request, 400, "bad_request", message)
        return respond(request, error.status_code, "http_error", _("La solicitud no se atendió."))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, error):
        message = _("La solicitud es demasiado grande.")
        return respond(request, 413, "request_too_large", message)

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request, error):
        return respond(request, 400, "bad_request", _("La solicitud está mal formada."))

    @api.exception_handler(Exception)
    def unexpected(request, error):
        logger.exception("API error on %s %s", request.method, request.path, exc_info=error)
        message = _("Algo falló de nuestro lado. Vuelva a intentarlo más tarde.")
        return respond(request, 500, "internal_error", message)
