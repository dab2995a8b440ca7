"""The citizen registration form: plain Spanish messages, nothing typed is lost."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.cui import parse_cui
from ventanilla.core.fields import CuiFormField
from ventanilla.identity.models import User


class RegistrationForm(forms.Form):
    cui = CuiFormField(
        label=_("CUI"),
        max_length=13,
        help_text=_("Los 13 números de su DPI o de su certificado de nacimiento."),
        error_messages={"required": _("Escriba su CUI.")},
    )
    first_names = forms.CharField(
        label=_("Nombres"),
        max_length=120,
        error_messages={"required": _("Escriba sus nombres como aparecen en su DPI.")},
    )
    last_names = forms.CharField(
        label=_("Apellidos"),
        max_length=120,
        error_messages={"required": _("Escriba sus apellidos como aparecen en su DPI.")},
    )
    birth_date = forms.DateField(
        label=_("Fecha de nacimiento"),
        help_text=_("Por ejemplo, 17/05/1990"),
        input_formats=["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"],
        error_messages={
            "required": _("Escriba su fecha de nacimiento."),
            "invalid": _("Escriba la fecha como día/mes/año, por ejemplo 17/05/1990."),
        },
    )
    email = forms.EmailField(
        label=_("Correo electrónico"),
        help_text=_("Le enviaremos un enlace para confirmarlo."),
        error_messages={
            "required": _("Escriba su correo electrónico."),
            "invalid": _("Escriba un correo como nombre@ejemplo.com."),
        },
    )
    password = forms.CharField(
        label=_("Contraseña"),
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Al menos 10 caracteres; mejor una frase que solo usted conozca."),
        error_messages={"required": _("Escriba una contraseña.")},
    )

    def clean_cui(self) -> str:
        cui = parse_cui(self.cleaned_data["cui"]).digits
        if User.objects.filter(cui=cui).exists():
            raise ValidationError(
                _("Ya hay una cuenta con este CUI. Inicie sesión o recupere su contraseña."),
                code="duplicate",
            )
        return cui

    def clean_birth_date(self) -> datetime.date:
        birth_date = self.cleaned_data["birth_date"]
        if birth_date > timezone.localdate():
            raise ValidationError(_("La fecha de nacimiento no puede ser en el futuro."))
        if birth_date.year < 1900:
            raise ValidationError(_("Revise el año de nacimiento."))
        return birth_date

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(
                cui=cleaned.get("cui", ""),
                first_names=cleaned.get("first_names", ""),
                last_names=cleaned.get("last_names", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned
