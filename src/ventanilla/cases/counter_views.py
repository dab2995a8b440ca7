"""Cases brought in person (ventanilla presencial): an official who reviews cases in a unit
registers an application for the person in front of them.

1. ``start``: the person's CUI, copied from the DPI (and the unit that attends, if the
   official works in several).
2. ``new_account``: no account with that CUI yet: the official creates one with the names and
   date of birth on the DPI (``identity.actions.register_account``), confirmed in person.
3. ``procedure``: which procedure; an existing account whose identity was not confirmed in
   person yet is confirmed now (the official has the DPI in hand).
4. ``form``: the first step's questions, answered for the person; sending it submits the case
   (``cases.actions``) with the official as actor, on the person's behalf, channel
   "counter".
5. ``done``: the tracking number, to write down or print for the person.

Where the person and the unit are between steps is kept in the session (``COUNTER_KEY``).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from ventanilla.cases import actions
from ventanilla.cases.answers import file_fields
from ventanilla.cases.form_builder import answers_from, task_form
from ventanilla.cases.models import Case, Channel, Status
from ventanilla.catalog.models import Procedure
from ventanilla.core.cui import parse_cui
from ventanilla.engine.models import ProcessVersion
from ventanilla.identity import actions as identity_actions
from ventanilla.identity.counter_views import FindAccountForm
from ventanilla.identity.models import AssuranceLevel, User
from ventanilla.identity.permissions import Action, units_where

COUNTER_KEY = "counter_case"  # {"unit": pk, "cui": str, "person": pk, "dpi_checked": bool}
DPI_CHECKED = gettext_lazy("Revisé el DPI original y la persona es la de la foto")
DPI_REQUIRED = gettext_lazy("Marque que revisó el DPI original de la persona.")


# --- Forms -------------------------------------------------------------------------------


class FindPersonForm(FindAccountForm):
    unit = forms.TypedChoiceField(
        label=gettext_lazy("Unidad que atiende"),
        coerce=int,
        error_messages={"required": gettext_lazy("Elija la unidad que atiende.")},
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(unit.pk, unit.name) for unit in units]
        if len(units) == 1:  # nothing to ask
            self.only_unit = units[0].pk
            self.fields["unit"].required = False
            self.fields["unit"].widget = forms.HiddenInput()

    def clean_unit(self):
        return getattr(self, "only_unit", None) or self.cleaned_data["unit"]


class NewAccountForm(forms.Form):
    first_names = forms.CharField(
        label=gettext_lazy("Nombres, como aparecen en el DPI"),
        max_length=120,
        error_messages={"required": gettext_lazy("Escriba los nombres de la persona.")},
    )
    last_names = forms.CharField(
        label=gettext_lazy("Apellidos, como aparecen en el DPI"),
        max_length=120,
        error_messages={"required": gettext_lazy("Escriba los apellidos de la persona.")},
    )
    birth_date = forms.DateField(
        label=gettext_lazy("Fecha de nacimiento"),
        help_text=gettext_lazy("Por ejemplo, 17/05/1990"),
        input_formats=["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"],
        error_messages={
            "required": gettext_lazy("Escriba la fecha de nacimiento de la persona."),
            "invalid": gettext_lazy("Escriba la fecha como día/mes/año, por ejemplo 17/05/1990."),
        },
    )
    email = forms.EmailField(
        label=gettext_lazy("Correo electrónico de la persona (si tiene)"),
        help_text=gettext_lazy("Le llegarán ahí los avisos de su trámite."),
        required=False,
        error_messages={"invalid": gettext_lazy("Escriba un correo como nombre@ejemplo.com.")},
    )
    dpi_checked = forms.BooleanField(label=DPI_CHECKED, error_messages={"required": DPI_REQUIRED})

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        if birth_date > timezone.localdate():
            raise ValidationError(_("La fecha de nacimiento no puede ser en el futuro."))
        if birth_date.year < 1900:
            raise ValidationError(_("Revise el año de nacimiento."))
        return birth_date


class ProcedureForm(forms.Form):
    procedure = forms.ModelChoiceField(
        queryset=Procedure.objects.none(),
        label=gettext_lazy("Trámite"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": gettext_lazy("Elija el trámite que la persona quiere hacer."),
            "invalid_choice": gettext_lazy("Elija uno de los trámites de la lista."),
        },
    )
    dpi_checked = forms.BooleanField(label=DPI_CHECKED, error_messages={"required": DPI_REQUIRED})

    def __init__(self, *args, ask_dpi: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = online_procedures()
        if not ask_dpi:
            del self.fields["dpi_checked"]


def online_procedures():
    """Published procedures with a published definition, by name."""
    return Procedure.objects.filter(
        is_published=True, slug__in=ProcessVersion.objects.values("slug")
    ).order_by("name")


# --- Helpers -----------------------------------------------------------------------------


def _counter_units_or_403(request) -> list:
    units = units_where(request.user, Action.REVIEW_CASES)
    if not units:
        raise PermissionDenied
    return units


def _visit(request, units) -> dict:
    """The counter visit in the session, with its unit still one of the official's."""
    visit = request.session.get(COUNTER_KEY) or {}
    unit = next((u for u in units if u.pk == visit.get("unit")), None)
    return {**visit, "unit_obj": unit} if unit is not None else {}


def _save_visit(request, **values) -> None:
    request.session[COUNTER_KEY] = {**(request.session.get(COUNTER_KEY) or {}), **values}


def _person_of(request, visit) -> User | None:
    return User.objects.filter(pk=visit.get("person"), is_active=True).first()


def _counter_case_or_404(request, pk) -> Case:
    """A case this official started at a counter (the person's other cases stay out of reach
    here)."""
    case = (
        Case.objects.select_related("procedure", "process_version", "applicant", "unit")
        .filter(pk=pk, channel=Channel.COUNTER, started_by=request.user)
        .first()
    )
    if case is None:
        raise Http404
    return case


def _again(request):
    messages.error(request, _("Busque otra vez a la persona por su CUI."))
    return redirect("counter:start")


# --- Pages -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def start(request):
    units = _counter_units_or_403(request)
    form = FindPersonForm(request.POST if request.method == "POST" else None, units=units)
    if request.method == "POST" and form.is_valid():
        cui, unit = form.cleaned_data["cui"], form.cleaned_data["unit"]
        person = User.objects.filter(cui=cui).first()
        if person is None:
            request.session[COUNTER_KEY] = {"unit": unit, "cui": cui}
            return redirect("counter:new_account")
        if person.pk == request.user.pk:
            form.add_error(
                "cui",
                _("No puede registrar un trámite para usted en ventanilla: hágalo en línea."),
            )
        elif not person.is_active:
            form.add_error("cui", _("Esa cuenta está desactivada: consulte a un administrador."))
        else:
            identity_actions.record_personal_data_view(
                request.user, person, _("Ficha de la cuenta (trámite en ventanilla)"), request.path
            )
            request.session[COUNTER_KEY] = {
                "unit": unit,
                "cui": cui,
                "person": person.pk,
                "dpi_checked": False,
            }
            return redirect("counter:procedure")
    return render(request, "cases/counter/start.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def new_account(request):
    units = _counter_units_or_403(request)
    visit = _visit(request, units)
    if not visit.get("cui"):
        return _again(request)
    cui = visit["cui"]
    form = NewAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if User.objects.filter(cui=cui).exists():  # created meanwhile: use it
            return _again(request)
        data = form.cleaned_data
        person = identity_actions.register_account(
            cui=cui,
            first_names=data["first_names"],
            last_names=data["last_names"],
            birth_date=data["birth_date"],
            email=data["email"],
            password=None,  # nobody signs in to it until the person sets a password
        )
        identity_actions.confirm_identity_in_person(
            person,
            actor=request.user,
            org_unit=visit["unit_obj"],
            note=_("Cuenta creada al registrar un trámite en ventanilla"),
        )
        _save_visit(request, person=person.pk, dpi_checked=True)
        messages.success(
            request,
            _("Listo: creamos la cuenta de %(name)s, con su identidad confirmada en persona.")
            % {"name": person.get_full_name()},
        )
        return redirect("counter:procedure")
    return render(
        request,
        "cases/counter/new_account.html",
        {"form": form, "cui": parse_cui(cui).formatted()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def procedure(request):
    units = _counter_units_or_403(request)
    visit = _visit(request, units)
    person = _person_of(request, visit)
    if person is None:
        return _again(request)
    ask_dpi = not visit.get("dpi_checked")
    form = ProcedureForm(request.POST if request.method == "POST" else None, ask_dpi=ask_dpi)
    if request.method == "POST" and form.is_valid():
        if ask_dpi and person.assurance_level < AssuranceLevel.IN_PERSON:
            identity_actions.confirm_identity_in_person(
                person,
                actor=request.user,
                org_unit=visit["unit_obj"],
                note=_("DPI revisado al registrar un trámite en ventanilla"),
            )
        _save_visit(request, dpi_checked=True)
        chosen = form.cleaned_data["procedure"]
        # Back and forward again: the draft already started for this person is reused.
        draft = Case.objects.filter(
            procedure=chosen,
            applicant=person,
            started_by=request.user,
            channel=Channel.COUNTER,
            status=Status.DRAFT,
        ).first()
        try:
            case = draft or actions.start_case(
                chosen, applicant=person, actor=request.user, channel=Channel.COUNTER
            )
        except actions.CaseError as error:
            form.add_error("procedure", str(error))
        else:
            return redirect("counter:form", pk=case.pk)
    return render(
        request,
        "cases/counter/procedure.html",
        {"form": form, "person": person, "cui": parse_cui(person.cui).formatted()},
    )


def _first_step_form(case, data=None):
    definition = case.process_version.forms.get(case.current_task, {})
    on_paper = set(file_fields(definition))  # the person shows the documents in hand
    questions = definition.get("schema", {}).get("properties", {})
    return definition, task_form(
        definition, data=data, only=[name for name in questions if name not in on_paper]
    )


@login_required
@require_http_methods(["GET", "POST"])
def form(request, pk):
    _counter_units_or_403(request)
    case = _counter_case_or_404(request, pk)
    if case.status != Status.DRAFT:
        return redirect("counter:done", pk=case.pk)
    definition, answers_form = _first_step_form(
        case, request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and answers_form.is_valid():
        try:
            case = actions.complete_task(
                case.pk,
                case.current_task,
                answers_from(answers_form),
                actor=request.user,
                on_behalf_of=case.applicant,
            )
        except actions.InvalidAnswers as invalid:
            for field, message in invalid.errors.items():
                answers_form.add_error(field if field in answers_form.fields else None, message)
        except actions.CaseError as error:
            answers_form.add_error(None, str(error))
        else:
            if case.status == Status.FLAGGED:
                messages.error(
                    request,
                    _("El trámite se detuvo al enviarlo: lo revisa un administrador."),
                )
            return redirect("counter:done", pk=case.pk)
    return render(
        request,
        "cases/counter/form.html",
        {
            "case": case,
            "form": answers_form,
            "title": definition.get("title", case.current_task),
        },
    )


@login_required
@require_safe
def done(request, pk):
    _counter_units_or_403(request)
    case = _counter_case_or_404(request, pk)
    if case.status == Status.DRAFT:
        return redirect("counter:form", pk=case.pk)
    return render(
        request,
        "cases/counter/done.html",
        {"case": case, "cui_end": case.applicant.cui[-4:]},
    )
