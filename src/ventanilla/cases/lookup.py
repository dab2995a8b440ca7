"""`/consulta/`: anyone with the tracking number and the last four digits of the CUI can see
how a case is going, without signing in. The answer never says which of the two was wrong,
and an address gets a limited number of tries."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ventanilla.cases import queries
from ventanilla.cases.models import Case
from ventanilla.core.rate_limits import too_many_tries

TRIES = 10
WINDOW_SECONDS = 15 * 60


class LookupForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Número de expediente"),
        help_text=gettext_lazy("Por ejemplo, MINEDUC-2026-000123."),
        max_length=40,
        error_messages={"required": gettext_lazy("Escriba el número de expediente.")},
    )
    cui_end = forms.RegexField(
        label=gettext_lazy("Últimos cuatro números del CUI"),
        regex=r"^\d{4}$",
        help_text=gettext_lazy("Del CUI de la persona que hizo el trámite."),
        error_messages={
            "required": gettext_lazy("Escriba los últimos cuatro números del CUI."),
            "invalid": gettext_lazy("Escriba cuatro números, por ejemplo 0101."),
        },
    )

    def clean_number(self):
        return self.cleaned_data["number"].strip().upper()


@require_http_methods(["GET", "POST"])
def lookup(request):
    form = LookupForm(request.POST if request.method == "POST" else None)
    case = None
    status = 200
    if request.method == "POST" and form.is_valid():
        if too_many_tries(request, "consulta", tries=TRIES, window_seconds=WINDOW_SECONDS):
            form.add_error(None, _("Hizo demasiadas consultas. Espere 15 minutos."))
            status = 429
        else:
            case = Case.objects.filter(
                tracking_number=form.cleaned_data["number"],
                applicant__cui__endswith=form.cleaned_data["cui_end"],
            ).first()
            if case is None:
                form.add_error(
                    None,
                    _(
                        "No encontramos un expediente con esos datos. Revise el número y los "
                        "cuatro números del CUI."
                    ),
                )
    return render(
        request,
        "cases/lookup.html",
        {"form": form, "case": case, "timeline": queries.timeline(case) if case else []},
        status=status,
    )
