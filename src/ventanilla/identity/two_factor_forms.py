from django import forms
from django.utils.translation import gettext_lazy as _

from ventanilla.identity.two_factor import CodeCheck

CODE_ERRORS = {
    CodeCheck.MALFORMED: _(
        "Escriba los 6 números que muestra su aplicación, o uno de sus códigos de recuperación."
    ),
    CodeCheck.WRONG: _(
        "Ese código no es correcto. Revise que la hora de su teléfono sea la correcta y "
        "escriba el código que muestra ahora."
    ),
    CodeCheck.REUSED: _(
        "Ese código ya se usó. Espere a que su aplicación muestre uno nuevo (cambia cada "
        "30 segundos)."
    ),
}
RECOVERY_REUSED = _("Ese código de recuperación ya se usó: cada uno sirve una sola vez.")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Código"),
        max_length=20,
        error_messages={"required": CODE_ERRORS[CodeCheck.MALFORMED]},
    )

    def reject(self, check: CodeCheck, *, recovery: bool = False) -> None:
        message = RECOVERY_REUSED if recovery and check is CodeCheck.REUSED else CODE_ERRORS[check]
        self.add_error("code", message)
