"""The CUI as a model and form field: typed as printed on the DPI, stored as 13 digits."""

from django import forms
from django.db import models

from ventanilla.core.cui import normalize_cui, validate_cui

# "1234 56789 0101" or "1234-56789-0101": room for the separators people type.
TYPED_MAX_LENGTH = 20


class CuiFormField(forms.CharField):
    def to_python(self, value):
        # Normalised before the length check, so spaces and hyphens are never an error.
        return normalize_cui(super().to_python(value))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(
            {
                "maxlength": str(TYPED_MAX_LENGTH),
                "inputmode": "numeric",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        )
        return attrs


class CuiField(models.CharField):
    default_validators = [validate_cui]

    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = 13
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    def to_python(self, value):
        return None if value is None else normalize_cui(super().to_python(value))

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CuiFormField, **kwargs})
