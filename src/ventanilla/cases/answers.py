"""Check a task's answers against its form's JSON Schema, with a Spanish message per field."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from jsonschema import Draft202012Validator

MESSAGES = {
    "required": _("Responda esta pregunta."),
    "enum": _("Elija una de las opciones."),
    "type": _("La respuesta no tiene el formato esperado."),
    "minLength": _("La respuesta es demasiado corta."),
    "maxLength": _("La respuesta es demasiado larga: acórtela."),
    "minimum": _("El número es menor de lo permitido."),
    "maximum": _("El número es mayor de lo permitido."),
    "pattern": _("La respuesta no tiene el formato esperado."),
}


def answer_errors(form: dict, answers: dict) -> dict[str, str]:
    """{field: message} for every field that is wrong (empty when all are right)."""
    validator = Draft202012Validator(form.get("schema", {}))
    errors: dict[str, str] = {}
    for error in validator.iter_errors(answers):
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            field = missing
        else:
            field = str(error.path[0]) if error.path else ""
        errors.setdefault(field, MESSAGES.get(error.validator, _("Revise esta respuesta.")))
    return errors


def with_defaults(form: dict, answers: dict) -> dict:
    """The answers plus the schema's ``default`` for each question left unanswered, so that
    a diagram's script can rely on every optional answer being there."""
    properties = form.get("schema", {}).get("properties", {})
    defaults = {name: prop["default"] for name, prop in properties.items() if "default" in prop}
    return {**defaults, **answers}


def file_fields(form: dict) -> list[str]:
    """The questions answered with a file (``{"type": "string", "format": "file"}``); the
    answer is the id of a file attached to the case (``cases.actions.attach_file``)."""
    properties = form.get("schema", {}).get("properties", {})
    return [name for name, prop in properties.items() if prop.get("format") == "file"]
