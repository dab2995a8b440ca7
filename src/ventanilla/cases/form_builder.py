"""A Django form from a task's JSON Schema and display hints, so that one definition drives
the page, the validation (``cases.answers``) and, later, the API."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

REQUIRED = _("Responda esta pregunta.")


def _field(name: str, prop: dict, required: bool, widget_hint: str | None) -> forms.Field:
    label = prop.get("title", name)
    common = {"label": label, "required": required, "error_messages": {"required": REQUIRED}}
    if "enum" in prop:
        labels = prop.get("enumTitles") or [str(value).capitalize() for value in prop["enum"]]
        widget = forms.RadioSelect if widget_hint == "radios" else forms.Select
        return forms.ChoiceField(
            choices=list(zip(prop["enum"], labels, strict=False)),
            widget=widget,
            **{
                **common,
                "error_messages": {
                    **common["error_messages"],
                    "invalid_choice": _("Elija una de las opciones."),
                },
            },
        )
    if prop.get("type") == "integer":
        return forms.IntegerField(
            min_value=prop.get("minimum"),
            max_value=prop.get("maximum"),
            **{
                **common,
                "error_messages": {
                    **common["error_messages"],
                    "invalid": _("Escriba solo números, por ejemplo 2019."),
                    "min_value": _("El número es menor de lo permitido."),
                    "max_value": _("El número es mayor de lo permitido."),
                },
            },
        )
    widget = forms.Textarea(attrs={"rows": 5}) if widget_hint == "textarea" else None
    return forms.CharField(
        max_length=prop.get("maxLength"),
        widget=widget,
        **{
            **common,
            "error_messages": {
                **common["error_messages"],
                "max_length": _("La respuesta es demasiado larga: acórtela."),
            },
        },
    )


def task_form(form_definition: dict, data=None, initial=None) -> forms.Form:
    schema = form_definition.get("schema", {})
    ui = form_definition.get("ui", {})
    properties = schema.get("properties", {})
    order = ui.get("order") or list(properties)
    required = set(schema.get("required", []))
    widgets = ui.get("widgets", {})
    form = forms.Form(data=data, initial=initial)
    for name in order:
        form.fields[name] = _field(name, properties[name], name in required, widgets.get(name))
    return form


def answers_from(form: forms.Form) -> dict:
    """Cleaned answers without the empty optional ones (JSON Schema would refuse "" for a
    number or below a minimum length); the schema's defaults fill them in
    (``cases.answers.with_defaults``)."""
    return {name: value for name, value in form.cleaned_data.items() if value not in ("", None)}
