from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from ventanilla.catalog.models import Audience, Procedure
from ventanilla.core.models import OrgUnit


class ProcedureFilterForm(forms.Form):
    """The search and filters of /tramites/, read from the query string.

    Bad values never break the page: the form reports them and the list is shown
    without that filter.
    """

    ONLINE_CHOICES = [("", _("Todos")), ("si", _("Sí, en línea")), ("no", _("Todavía no"))]

    q = forms.CharField(label=_("Buscar un trámite"), required=False, strip=True)
    publico = forms.ModelChoiceField(
        label=_("¿Para quién es?"),
        queryset=Audience.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=_("Todas las personas"),
        error_messages={"invalid_choice": _("Elija un público de la lista.")},
    )
    unidad = forms.ModelChoiceField(
        label=_("Unidad responsable"),
        required=False,
        to_field_name="code",
        queryset=OrgUnit.objects.filter(
            Exists(Procedure.objects.filter(responsible_unit=OuterRef("pk"), is_published=True))
        ),
        empty_label=_("Todas las unidades"),
        error_messages={"invalid_choice": _("Elija una unidad de la lista.")},
    )
    en_linea = forms.ChoiceField(
        label=_("¿Se puede hacer en línea?"),
        choices=ONLINE_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Elija «Todos», «Sí» o «Todavía no».")},
    )

    def select_fields(self) -> list[dict]:
        """The three filters as plain data for the template (rendering Django's choice
        iterators option by option in a template costs milliseconds per page)."""
        self.is_valid()
        fields = []
        for name in ("publico", "unidad", "en_linea"):
            bound = self[name]
            current = "" if bound.errors else str(self.data.get(name, ""))
            fields.append(
                {
                    "name": name,
                    "id": bound.id_for_label,
                    "label": bound.label,
                    "errors": bound.errors,
                    "options": [
                        (str(value), label, str(value) == current)
                        for value, label in bound.field.choices
                    ],
                }
            )
        return fields

    def filters(self) -> dict:
        """The filters that are valid; invalid ones are left out."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}
