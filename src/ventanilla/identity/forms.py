from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from ventanilla.core.fields import CuiFormField


class CuiAuthenticationForm(AuthenticationForm):
    """The citizens' sign-in: CUI (as printed on the DPI) and password."""

    error_messages = {
        "invalid_login": _(
            "El CUI o la contraseña no son correctos. Revise los dos; después de varios "
            "intentos fallidos tendrá que esperar unos minutos."
        ),
        "inactive": _("Esta cuenta está desactivada. Comuníquese con el ministerio."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"] = CuiFormField(
            label=_("CUI"), max_length=13, error_messages={"required": _("Escriba su CUI.")}
        )
        self.fields["password"].error_messages["required"] = _("Escriba su contraseña.")
