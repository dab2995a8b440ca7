"""Forms of representation: plain Spanish messages for every mistake, nothing typed is lost."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.cui import parse_cui
from ventanilla.core.fields import CuiFormField
from ventanilla.representation.actions import DUPLICATE_MESSAGES
from ventanilla.representation.models import (
    ACTIVE_STATUSES,
    Relationship,
    Representation,
    is_adult,
)

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


class RepresentationRequestForm(forms.Form):
    """ "Agregar a una persona menor de edad"."""

    cui = CuiFormField(
        label=_("CUI de la persona menor de edad"),
        help_text=_(
            "Los 13 números de su certificado de nacimiento, o de su DPI si ya lo tiene. "
            "Puede escribirlos con o sin espacios."
        ),
        error_messages={"required": _("Escriba el CUI de la persona menor de edad.")},
    )
    first_names = forms.CharField(
        label=_("Nombres"),
        max_length=120,
        error_messages={
            "required": _(
                "Escriba los nombres de la persona como aparecen en su certificado de nacimiento."
            ),
            "max_length": _("Los nombres pueden tener como máximo 120 letras."),
        },
    )
    last_names = forms.CharField(
        label=_("Apellidos"),
        max_length=120,
        error_messages={
            "required": _(
                "Escriba los apellidos de la persona como aparecen en su certificado de nacimiento."
            ),
            "max_length": _("Los apellidos pueden tener como máximo 120 letras."),
        },
    )
    birth_date = forms.DateField(
        label=_("Fecha de nacimiento"),
        help_text=_("Por ejemplo, 17/05/2015"),
        input_formats=DATE_FORMATS,
        error_messages={
            "required": _("Escriba la fecha de nacimiento de la persona."),
            "invalid": _("Escriba la fecha como día/mes/año, por ejemplo 17/05/2015."),
        },
    )
    relationship = forms.ChoiceField(
        label=_("¿Qué es usted de esta persona?"),
        choices=Relationship.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Elija si usted es la madre, el padre o el tutor legal."),
            "invalid_choice": _("Elija una de las opciones: madre, padre o tutor legal."),
        },
    )

    def __init__(self, *args, representative, **kwargs):
        super().__init__(*args, **kwargs)
        self.representative = representative

    def clean_cui(self) -> str:
        cui = parse_cui(self.cleaned_data["cui"]).digits
        if cui == self.representative.cui:
            raise ValidationError(
                _(
                    "Este es su propio CUI, y usted no puede ser su propio representante. "
                    "Escriba el CUI de la persona menor de edad."
                ),
                code="oneself",
            )
        existing = Representation.objects.filter(
            representative=self.representative,
            represented__cui=cui,
            status__in=ACTIVE_STATUSES,
        ).first()
        if existing is not None:
            raise ValidationError(DUPLICATE_MESSAGES[existing.status], code="duplicate")
        return cui

    def clean_first_names(self) -> str:
        return " ".join(self.cleaned_data["first_names"].split())

    def clean_last_names(self) -> str:
        return " ".join(self.cleaned_data["last_names"].split())

    def clean_birth_date(self) -> datetime.date:
        birth_date = self.cleaned_data["birth_date"]
        if birth_date > timezone.localdate():
            raise ValidationError(
                _("La fecha de nacimiento no puede ser en el futuro."), code="future"
            )
        if birth_date.year < 1900:
            raise ValidationError(_("Revise el año de nacimiento."), code="year")
        if is_adult(birth_date):
            raise ValidationError(
                _(
                    "Con esta fecha, la persona ya cumplió 18 años. Desde esa edad cada "
                    "persona hace sus trámites con su propia cuenta, y nadie la representa."
                ),
                code="adult",
            )
        return birth_date


class CounterSearchForm(forms.Form):
    """An official looks for the requests of one minor, by the CUI on the birth
    certificate the person brought."""

    cui = CuiFormField(
        label=_("CUI de la persona menor de edad"),
        help_text=_("Como aparece en el certificado de nacimiento que le presentan."),
        error_messages={"required": _("Escriba el CUI de la persona menor de edad.")},
    )

    def clean_cui(self) -> str:
        return parse_cui(self.cleaned_data["cui"]).digits


class DecisionForm(forms.Form):
    """Confirm or reject a pending representation at a counter."""

    CONFIRM = "confirmar"
    REJECT = "rechazar"

    decision = forms.ChoiceField(
        label=_("¿Qué decide?"),
        choices=[
            (CONFIRM, _("Confirmar: revisé los documentos y están en orden")),
            (REJECT, _("Rechazar: los documentos no demuestran la representación")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Elija si confirma o rechaza la representación."),
            "invalid_choice": _("Elija si confirma o rechaza la representación."),
        },
    )
    org_unit = forms.ModelChoiceField(
        label=_("Oficina donde atiende"),
        queryset=None,
        empty_label=None,
        error_messages={
            "required": _("Elija la oficina donde atiende."),
            "invalid_choice": _("Elija una de sus oficinas."),
        },
    )
    evidence = forms.CharField(
        label=_("Documento que revisó"),
        help_text=_(
            "Para confirmar. Por ejemplo: «certificado de nacimiento» o «resolución del "
            "Juzgado de la Niñez, expediente 123-2025»."
        ),
        max_length=200,
        required=False,
        error_messages={"max_length": _("Escriba como máximo 200 letras.")},
    )
    reason = forms.CharField(
        label=_("Motivo del rechazo"),
        help_text=_("Para rechazar. La persona que pidió la representación lo verá."),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Escriba como máximo 500 letras.")},
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units
        if units.count() == 1:
            self.fields["org_unit"].initial = units.first().pk

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == self.CONFIRM and not cleaned.get("evidence", "").strip():
            self.add_error("evidence", _("Escriba qué documento revisó para confirmar."))
        if decision == self.REJECT and not cleaned.get("reason", "").strip():
            self.add_error(
                "reason",
                _("Escriba por qué no confirma la representación; la persona lo verá."),
            )
        return cleaned
