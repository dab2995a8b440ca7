"""At a counter (ventanilla presencial): an official finds a person's account by CUI,
confirms their identity in person (level 3) or removes a lost second factor."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ventanilla.core.cui import parse_cui
from ventanilla.core.fields import CuiFormField
from ventanilla.core.models import OrgUnit
from ventanilla.identity import actions
from ventanilla.identity.models import TotpDevice, User
from ventanilla.identity.permissions import Action, units_where


class FindAccountForm(forms.Form):
    cui = CuiFormField(
        label=gettext_lazy("CUI de la persona"),
        max_length=13,
        help_text=gettext_lazy("Cópielo del DPI que le muestra la persona."),
        error_messages={"required": gettext_lazy("Escriba el CUI de la persona.")},
    )

    def clean_cui(self) -> str:
        return parse_cui(self.cleaned_data["cui"]).digits  # each mistake has its message


def _official_units_or_403(request) -> list[OrgUnit]:
    units = units_where(request.user, Action.CONFIRM_IDENTITY_IN_PERSON)
    if not units:
        raise PermissionDenied
    return units


def _show_account(request, units, person):
    actions.record_personal_data_view(
        request.user, person, _("Ficha de la cuenta (atención en persona)"), request.path
    )
    return render(
        request,
        "identity/counter.html",
        {
            "form": FindAccountForm(initial={"cui": parse_cui(person.cui).formatted()}),
            "units": units,
            "person": person,
            "has_second_factor": TotpDevice.objects.filter(user=person).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def find_account(request):
    units = _official_units_or_403(request)
    form = FindAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = User.objects.filter(cui=form.cleaned_data["cui"]).first()
        if person is None:
            form.add_error(
                "cui",
                _("No hay ninguna cuenta con ese CUI. La persona puede crear una en línea."),
            )
        else:
            return _show_account(request, units, person)
    return render(request, "identity/counter.html", {"form": form, "units": units})


def _counter_action(request, action, done_message: str):
    units = _official_units_or_403(request)
    person = User.objects.filter(pk=request.POST.get("person")).first()
    unit = next((u for u in units if str(u.pk) == request.POST.get("unit")), None)
    if person is None or unit is None:
        messages.error(request, _("Busque otra vez a la persona."))
        return redirect("identity:counter")
    if request.POST.get("checked") != "yes":
        messages.error(
            request, _("Marque que revisó el DPI original antes de confirmar la acción.")
        )
        return _show_account(request, units, person)
    action(person, actor=request.user, org_unit=unit, note=request.POST.get("note", ""))
    messages.success(request, done_message % {"name": person.get_full_name()})
    return _show_account(request, units, person)


@require_POST
def confirm_in_person(request):
    return _counter_action(
        request,
        actions.confirm_identity_in_person,
        _("Listo: la identidad de %(name)s quedó confirmada en persona (nivel 3)."),
    )


@require_POST
def reset_second_factor(request):
    return _counter_action(
        request,
        actions.reset_second_factor,
        _("Listo: %(name)s puede volver a configurar su verificación en dos pasos."),
    )
