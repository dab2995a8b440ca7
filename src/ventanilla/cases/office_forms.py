"""The back office's forms: the queue's filters, saved searches, assignment, bulk actions,
notes, absences, and an official's step with a reason from the list when they reject or ask
for a correction."""

from __future__ import annotations

import html
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from ventanilla.cases import clock, queries
from ventanilla.cases.deadlines import DeadlineState
from ventanilla.cases.form_builder import REQUIRED, answers_from, task_form
from ventanilla.cases.models import DecisionReason
from ventanilla.engine.check import APPLICANT_LANE

CHOOSE = _("Elija una de las opciones.")
ANY = _("Cualquiera")


ERROR_CLASSES = {
    forms.Select: "govuk-select--error",
    forms.Textarea: "govuk-textarea--error",
    forms.TextInput: "govuk-input--error",
}


class GovukForm(forms.Form):
    """Marks each wrong field's widget with GOV.UK's error class and links its message
    (``<id>-error``) and hint (``<id>_helptext``, Django's name) for screen readers."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            field, auto_id = self.fields[name], self[name].auto_id
            widget = field.widget
            error = next((c for t, c in ERROR_CLASSES.items() if isinstance(widget, t)), "")
            if error and error not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {error}".strip()
            described = [f"{auto_id}_helptext"] if field.help_text else []
            widget.attrs["aria-describedby"] = " ".join([*described, f"{auto_id}-error"])


def _escaped(value) -> str:
    """As the template engine writes a value: safe text as it is, the rest escaped."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _attributes(attrs: dict) -> str:
    """HTML attributes as Django's ``attrs.html`` writes them (True: the name alone)."""
    return "".join(
        f" {_escaped(name)}" if value is True else f' {_escaped(name)}="{_escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    """A select written in Python, with exactly the markup of Django's templates. The queue
    shows several with ~70 options on every request, and drawing each option through its
    template took a tenth of the page."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = [f'<select name="{_escaped(widget["name"])}"{_attributes(widget["attrs"])}>']
        for group, options, _index in widget["optgroups"]:
            if group:
                html.append(f'\n  <optgroup label="{_escaped(group)}">')
            html.extend(
                f'\n  <option value="{_escaped(str(option["value"]))}"'
                f"{_attributes(option['attrs'])}>{_escaped(option['label'])}</option>\n"
                for option in options
            )
            if group:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        return mark_safe("".join(html))  # noqa: S308 - every value in it is escaped


def _select(choices, label, **extra) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=choices,
        label=label,
        required=False,
        widget=QuickSelect(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": CHOOSE},
        **extra,
    )


# --- The queue's filters ------------------------------------------------------------------

DEADLINES = {
    "vencido": DeadlineState.OVERDUE,
    "vence-pronto": DeadlineState.AT_RISK,
    "a-tiempo": DeadlineState.ON_TIME,
    "en-pausa": DeadlineState.PAUSED,
}
ASSIGNMENTS = {"mios": "mine", "sin-asignar": "unassigned"}


class QueueFilterForm(GovukForm):
    """The queue's filters, sent by GET so that a filtered queue has an address to keep."""

    numero = forms.CharField(
        label=_("Número de expediente"),
        help_text=_("Completo (MINEDUC-2026-000123) o solo los últimos números (123)."),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20"}),
        error_messages={"max_length": _("El número es demasiado largo: revíselo.")},
    )
    tramite = _select([], _("Trámite"))
    paso = _select([], _("Paso"))
    a_cargo = _select([], _("A cargo de"))
    plazo = _select(
        [
            ("", ANY),
            ("vencido", _("Vencido")),
            ("vence-pronto", _("Vence pronto")),
            ("a-tiempo", _("A tiempo")),
            ("en-pausa", _("Detenido: esperando a la persona")),
        ],
        _("Plazo"),
    )
    asignacion = _select(
        [("", _("Todos")), ("mios", _("Los míos")), ("sin-asignar", _("Sin asignar"))],
        _("Asignados"),
    )
    departamento = _select([], _("Departamento"))

    def __init__(self, data=None, *, scope: queries.OfficeScope):
        super().__init__(data=data)
        choices = queries.queue_choices()
        self.fields["tramite"].choices = [
            ("", ANY),
            *((str(pk), n) for pk, n in choices.procedures),
        ]
        self.fields["paso"].choices = [("", ANY), *choices.steps]
        self.step_titles = choices.step_titles
        lanes = scope.lane_names
        if scope.supervised:
            lanes = sorted({*lanes, *queries.lanes_of_units(scope.supervised)})
            lanes.append(APPLICANT_LANE)
        self.fields["a_cargo"].choices = [("", ANY)] + [
            (lane, queries.lane_label(lane)) for lane in lanes
        ]
        self.fields["departamento"].choices = [("", ANY), *choices.departments]

    def _valid(self) -> dict:
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    def filters(self) -> dict:
        """Keyword arguments for ``queries.filter_office_cases``; a wrong value is left out
        (and shown as an error) instead of failing the page."""
        data = self._valid()
        step = data.get("paso") or ""
        procedure = data.get("tramite") or ""  # one of the choices: the form checked it
        return {
            "procedure": int(procedure) if procedure else None,
            "step": tuple(step.split(":", 1)) if ":" in step else None,
            "lane": data.get("a_cargo") or "",
            "deadline": DEADLINES.get(data.get("plazo") or ""),
            "assignment": ASSIGNMENTS.get(data.get("asignacion") or "", ""),
            "department": data.get("departamento") or None,
            "number": data.get("numero") or "",
        }

    def query_string(self) -> str:
        """The valid filters as a query string, in a stable order (for links and saving)."""
        data = self._valid()
        return urlencode([(name, data[name]) for name in self.fields if data.get(name)])

    @property
    def is_filtered(self) -> bool:
        return bool(self.query_string())


class SaveSearchForm(GovukForm):
    name = forms.CharField(
        label=_("Nombre de la búsqueda"),
        max_length=80,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20"}),
        error_messages={
            "required": _("Escriba un nombre para la búsqueda."),
            "max_length": _("El nombre es demasiado largo: use hasta 80 caracteres."),
        },
    )
    query = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner

    def clean(self):
        data = super().clean()
        if "query" in data and not data["query"]:
            raise forms.ValidationError(_("Elija antes algún filtro: no hay nada que guardar."))
        return data


# --- Assignment, bulk actions, notes, absences -------------------------------------------


class _ReadOnce(forms.models.ModelChoiceIterator):
    """The field's choices from the officials it read once (``ModelChoiceIterator`` would
    read them again, through a server-side cursor on PostgreSQL, each time it is drawn)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for user in self.field.people:
            yield self.choice(user)

    def __len__(self):
        return len(self.field.people) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.people)


class OfficialChoiceField(forms.ModelChoiceField):
    """Officials by name, with who stands in for those who are away today: one query for
    the people and one for their absences, however often the field is drawn."""

    iterator = _ReadOnce

    def __init__(self, queryset, **kwargs):
        super().__init__(
            queryset,
            empty_label=_("Elija a una persona"),
            widget=QuickSelect(attrs={"class": "govuk-select"}),
            error_messages={"required": _("Elija a una persona."), "invalid_choice": CHOOSE},
            **kwargs,
        )
        self.people = list(queryset)
        self.away = queries.absences_today([user.pk for user in self.people])

    def label_from_instance(self, user):
        absence = self.away.get(user.pk)
        if absence is None:
            return str(user)
        return _("%(person)s (ausente: lo atiende %(substitute)s)") % {
            "person": user,
            "substitute": absence.substitute,
        }


class AssignForm(GovukForm):
    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        people = queries.assignable_officials(case.unit_id, case.current_lane)
        if case.assignee_id:
            people = people.exclude(pk=case.assignee_id)
        self.fields["persona"] = OfficialChoiceField(people, label=_("Asignar a"))


BULK_ACTIONS = [("tomar", _("Tomar")), ("devolver", _("Devolver a la cola"))]


class BulkForm(GovukForm):
    accion = forms.ChoiceField(
        label=_("Qué hacer"),
        choices=BULK_ACTIONS,
        widget=QuickSelect(attrs={"class": "govuk-select"}),
        error_messages={"required": _("Elija qué hacer."), "invalid_choice": CHOOSE},
    )

    def __init__(self, *args, supervised_units, **kwargs):
        super().__init__(*args, **kwargs)
        if supervised_units:
            self.fields["accion"].choices = [*BULK_ACTIONS, ("asignar", _("Asignar a…"))]
            self.fields["persona"] = OfficialChoiceField(
                queries.officials_of(supervised_units),
                label=_("A quién"),
                help_text=_("Solo para «Asignar a…»."),
                required=False,
            )

    def clean(self):
        data = super().clean()
        if data.get("accion") == "asignar" and not data.get("persona"):
            self.add_error("persona", _("Elija a quién asignar los expedientes."))
        return data


class NoteForm(GovukForm):
    text = forms.CharField(
        label=_("Escribir una nota"),
        help_text=_("Solo la leen los funcionarios; la persona nunca la ve."),
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
        error_messages={
            "required": _("Escriba la nota."),
            "max_length": _("La nota es demasiado larga: use hasta 2000 caracteres."),
        },
    )


DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


def _date(label):
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        help_text=_("Por ejemplo, 15/01/2027"),
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}),
        error_messages={
            "required": _("Escriba la fecha."),
            "invalid": _("Escriba la fecha como día/mes/año, por ejemplo 15/01/2027."),
        },
    )


class AbsenceForm(GovukForm):
    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        people = queries.officials_of(units)
        self.fields["official"] = OfficialChoiceField(people, label=_("Quién estará ausente"))
        self.fields["substitute"] = OfficialChoiceField(
            people, label=_("Quién atiende sus expedientes")
        )
        self.fields["starts"] = _date(_("Desde"))
        self.fields["ends"] = _date(_("Hasta (incluido)"))

    def clean(self):
        data = super().clean()
        official, substitute = data.get("official"), data.get("substitute")
        if official and substitute and official == substitute:
            self.add_error("substitute", _("Elija como suplente a otra persona."))
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", _("La fecha final debe ser igual o posterior a la inicial."))
        elif ends and ends < clock.today():
            self.add_error("ends", _("Esa ausencia ya terminó: revise las fechas."))
        return data


# --- An official's step, with a reason from the list -------------------------------------

DECISION_FIELDS = ("dictamen", "resolucion")
REASON_KINDS = {
    "corregir": DecisionReason.Kind.CORRECTIONS,
    "rechazar": DecisionReason.Kind.REJECT,
}
REASON_GROUPS = {
    DecisionReason.Kind.CORRECTIONS: _("Para pedir una corrección"),
    DecisionReason.Kind.REJECT: _("Para rechazar"),
}
WRONG_REASON = {
    DecisionReason.Kind.CORRECTIONS: _(
        "Ese motivo es para rechazar: elija uno de la lista «Para pedir una corrección»."
    ),
    DecisionReason.Kind.REJECT: _(
        "Ese motivo es para pedir una corrección: elija uno de la lista «Para rechazar»."
    ),
}
NOTES = "observaciones"


class OfficialTaskForm(GovukForm):
    """A step's form from its JSON Schema (``form_builder.task_form``). When the step
    decides (a ``dictamen`` with "corregir" or "rechazar"), it gains ``motivo``: a reason
    from the list, required to reject or ask for a correction, which is written before the
    observations the person reads and kept in the event when the schema allows it."""

    def __init__(self, definition: dict, procedure, data=None):
        super().__init__(data=data)
        self.definition = definition
        self.fields.update(task_form(definition).fields)
        self.decision_field = self._decision_field()
        self.reasons: dict[str, DecisionReason] = {}
        self.notes_required = False
        if self.decision_field:
            self._add_reasons(procedure)

    def _decision_field(self) -> str | None:
        properties = self.definition.get("schema", {}).get("properties", {})
        if "motivo" in properties:
            return None  # the procedure asks its own question by that name
        for name in DECISION_FIELDS:
            if set(properties.get(name, {}).get("enum", [])) & set(REASON_KINDS):
                return name
        return None

    def _add_reasons(self, procedure) -> None:
        options = self.definition["schema"]["properties"][self.decision_field]["enum"]
        groups = []
        for option, kind in REASON_KINDS.items():
            if option in options and (reasons := queries.decision_reasons(procedure, kind)):
                self.reasons.update({str(reason.pk): reason for reason in reasons})
                groups.append((REASON_GROUPS[kind], [(str(r.pk), r.text) for r in reasons]))
        if not groups:
            return
        motivo = forms.ChoiceField(
            label=_("Motivo"),
            help_text=_(
                "Obligatorio si pide una corrección o rechaza. La persona lo lee antes de "
                "sus observaciones."
            ),
            choices=[("", _("Elija un motivo")), *groups],
            required=False,
            widget=forms.Select(attrs={"class": "govuk-select"}),
            error_messages={"invalid_choice": CHOOSE},
        )
        fields = list(self.fields.items())
        at = [name for name, _field in fields].index(self.decision_field) + 1
        self.fields = dict([*fields[:at], ("motivo", motivo), *fields[at:]])
        if NOTES in self.fields and self.fields[NOTES].required:
            # With a reason, the observations may be just the reason.
            self.fields[NOTES].required = False
            self.notes_required = True

    def clean(self):
        data = super().clean()
        if not self.reasons:
            return data
        needed = REASON_KINDS.get(data.get(self.decision_field))
        reason = self.reasons.get(data.get("motivo") or "")
        if needed and reason is None and "motivo" not in self.errors:
            self.add_error("motivo", _("Elija el motivo de la decisión."))
        elif needed and reason is not None and reason.kind != needed:
            self.add_error("motivo", WRONG_REASON[needed])
        if self.notes_required and not data.get(NOTES) and not (needed and reason):
            self.add_error(NOTES, REQUIRED)
        return data

    def answers(self) -> dict:
        """The answers for ``actions.complete_task``: the reason's text before the
        observations and, if the schema takes extra answers, the reason itself."""
        answers = answers_from(self)
        reason = self.reasons.get(answers.pop("motivo", ""))
        if reason is None or REASON_KINDS.get(answers.get(self.decision_field)) != reason.kind:
            return answers
        with translation.override(settings.LANGUAGE_CODE):  # the person reads Spanish text
            prefix = str(_("Motivo: %(reason)s")) % {"reason": reason.text.rstrip(".")}
        if NOTES in self.fields:
            answers[NOTES] = f"{prefix}. {answers.get(NOTES, '')}".strip()
        schema = self.definition.get("schema", {})
        if schema.get("additionalProperties", True) is not False and (
            schema.get("unevaluatedProperties", True) is not False
        ):
            answers["motivo"] = {"id": reason.pk, "kind": reason.kind, "text": reason.text}
        return answers
