"""A Django form from a task's JSON Schema and display hints, so that one definition drives
the page, the validation (``cases.answers``) and, later, the API."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

REQUIRED = _("Responda esta pregunta.")
FILE_ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.odt,application/pdf,image/jpeg,image/png"


def _field(name: str, prop: dict, required: bool, widget_hint: str | None) -> forms.Field:
    label = prop.get("title", name)
    common = {
        "label": label,
        "required": required,
        "help_text": prop.get("description", ""),
        "error_messages": {"required": REQUIRED},
    }
    if prop.get("format") == "file":
        # Required or not, the upload itself is optional on each visit: a file kept earlier
        # answers the question (``cases.views``, ``cases.actions.attach_file``).
        return forms.FileField(
            label=label,
            required=False,
            help_text=prop.get("description", ""),
            widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}),
        )
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


def field_order(form_definition: dict) -> list[str]:
    properties = form_definition.get("schema", {}).get("properties", {})
    return form_definition.get("ui", {}).get("order") or list(properties)


def pages(form_definition: dict) -> list[dict]:
    """The step's pages: ``ui.pages`` (one question, or a few that belong together, per page:
    ``[{"title": "...", "fields": [...]}]``), else one page with every question."""
    defined = form_definition.get("ui", {}).get("pages")
    if defined:
        return [{"title": p.get("title", ""), "fields": list(p["fields"])} for p in defined]
    return [{"title": form_definition.get("title", ""), "fields": field_order(form_definition)}]


def task_form(form_definition: dict, data=None, initial=None, files=None, only=None) -> forms.Form:
    """The step's form, or only the questions named in ``only`` (one page of it)."""
    schema = form_definition.get("schema", {})
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    widgets = form_definition.get("ui", {}).get("widgets", {})
    form = forms.Form(data=data, initial=initial, files=files)
    for name in field_order(form_definition):
        if only is None or name in only:
            form.fields[name] = _field(name, properties[name], name in required, widgets.get(name))
    return form


def shown_answer(form_definition: dict, name: str, value) -> str:
    """An answer as the person reads it: the option's label rather than its code."""
    prop = form_definition.get("schema", {}).get("properties", {}).get(name, {})
    if "enum" in prop and prop.get("enumTitles"):
        titles = dict(zip(prop["enum"], prop["enumTitles"], strict=False))
        return str(titles.get(value, value))
    return "" if value is None else str(value)


def answers_from(form: forms.Form) -> dict:
    """Cleaned answers without the empty optional ones (JSON Schema would refuse "" for a
    number or below a minimum length); the schema's defaults fill them in
    (``cases.answers.with_defaults``)."""
    return {
        name: value
        for name, value in form.cleaned_data.items()
        if value not in ("", None) and not isinstance(form.fields[name], forms.FileField)
    }
