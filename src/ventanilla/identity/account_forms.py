"""Forms of the account pages: profile and e-mail change."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ventanilla.identity.registration_forms import RegistrationForm


class ProfileForm(forms.Form):
    first_names = RegistrationForm.base_fields["first_names"]
    last_names = RegistrationForm.base_fields["last_names"]
    birth_date = RegistrationForm.base_fields["birth_date"]
    phone = forms.RegexField(
        label=_("Teléfono móvil (opcional)"),
        regex=r"^\+?[\d\s-]{8,20}$",
        required=False,
        help_text=_("Ocho números, por ejemplo 5555 1234."),
        error_messages={"invalid": _("Escriba solo números, por ejemplo 5555 1234.")},
    )

    def clean_birth_date(self):
        if self.cleaned_data.get("birth_date") is None:  # locked, and never given
            return None
        return RegistrationForm.clean_birth_date(self)

    def __init__(self, *args, locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if locked:
            for name in ("first_names", "last_names", "birth_date"):
                self.fields[name].disabled = True
                self.fields[name].required = False


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label=_("Correo electrónico nuevo"),
        help_text=_("Le enviaremos un enlace para confirmarlo."),
        error_messages={
            "required": _("Escriba el correo nuevo."),
            "invalid": _("Escriba un correo como nombre@ejemplo.com."),
        },
    )
    current_password = forms.CharField(
        label=_("Su contraseña actual"),
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Para estar seguros de que es usted."),
        error_messages={"required": _("Escriba su contraseña actual.")},
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email.lower() == (self.user.email or "").lower():
            raise ValidationError(_("Ese ya es el correo de su cuenta."))
        return email

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise ValidationError(_("La contraseña no es correcta."))
        return password
