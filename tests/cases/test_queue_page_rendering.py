"""The queue page drawn with less work per request must show exactly what it showed: each
row as the row template wrote it from the case, selects as Django's templates write them,
and filter choices that follow published content at once although they are kept between
requests."""

import datetime
import re
from html import escape
from pathlib import Path

import pytest
from django import forms
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from tests.cases import office_fixtures as fx
from tests.cases.conftest import person
from tests.cases.office_fixtures import (
    copies,
    corrections_requested,
    signed_in,
    submitted,
    with_role,
)
from ventanilla.cases import actions, clock, deadlines, office_actions, queries
from ventanilla.cases.models import Absence, Case, Status
from ventanilla.cases.office_forms import OfficialChoiceField, QueueFilterForm, QuickSelect
from ventanilla.catalog.actions import record_procedure_edit
from ventanilla.identity.models import Role, User

pytestmark = pytest.mark.django_db
supervisor, waiting = fx.supervisor, fx.waiting
QUEUE = "/oficina/expedientes/"

# The queue's row as its template wrote it before the rows were worked out in the view, from
# the case and the attributes the view set on it (deadline_state, step_title, and
# mark_assignments' away and substitute_for).
ROW_BEFORE = Template((Path(__file__).parent / "queue_row_before.html").read_text())


def tidy(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def rows_on(page: str) -> dict[str, str]:
    """The queue table's rows by case number."""
    table = page.split('id="cola"', 1)[1].split("</tbody>", 1)[0]
    body = table.split('<tbody class="govuk-table__body">', 1)[1]
    rows = ["<tr" + row for row in body.split("<tr")[1:]]
    return {re.search(r"MINEDUC-\d{4}-\d{6}", row).group(): tidy(row) for row in rows}


def rows_as_before(cases, viewer) -> dict[str, str]:
    cases = list(
        Case.objects.filter(pk__in=[c.pk for c in cases]).select_related("procedure", "assignee")
    )
    titles = {value: title for _name, steps in queries.step_choices() for value, title in steps}
    for case in cases:
        case.deadline_state = deadlines.state_of(case)
        case.step_title = titles.get(f"{case.procedure.slug}:{case.current_task}")
    queries.mark_assignments(cases)
    return {
        case.tracking_number: tidy(ROW_BEFORE.render(Context({"case": case, "user": viewer})))
        for case in cases
    }


def test_every_kind_of_row_reads_as_the_row_template_wrote_it(
    certification, citizen, reviewers, supervisor, waiting, monkeypatch, settings
):
    settings.TIME_ZONE = "America/Guatemala"
    today = datetime.date(2026, 9, 16)
    monkeypatch.setattr(clock, "today", lambda: today)
    reviewer, colleague = reviewers
    more = copies(waiting[0], 5)
    # Submitted late in the evening in Guatemala: already the next day in UTC.
    late = timezone.make_aware(datetime.datetime(2026, 8, 31, 23, 30))
    Case.objects.filter(pk=waiting[0].pk).update(submitted_at=late, due_date=today)  # at risk
    Case.objects.filter(pk=waiting[1].pk).update(due_date=datetime.date(2026, 9, 1))  # overdue
    Case.objects.filter(pk=more[0].pk).update(
        due_date=datetime.date(2026, 9, 10), paused_since=datetime.date(2026, 9, 8)
    )
    Case.objects.filter(pk=more[1].pk).update(status=Status.FLAGGED, due_date=None)
    Case.objects.filter(pk=more[2].pk).update(current_task="correccion")
    actions.claim(waiting[1].pk, reviewer)
    actions.claim(waiting[2].pk, colleague)
    actions.claim(more[3].pk, colleague)
    office_actions.record_absence(  # reviewer away: waiting[1] goes to the colleague
        reviewer, colleague, today, today + datetime.timedelta(days=2), actor=supervisor
    )
    substitute = with_role(
        person(84, first_names="Sara"), Role.REVIEWER, certification.responsible_unit
    )
    actions.claim(more[4].pk, substitute)
    Absence.objects.create(
        official=substitute, substitute=colleague, starts=today, ends=today, recorded_by=supervisor
    )
    corrected = corrections_requested(submitted(certification, citizen), colleague)

    every_case = [*waiting, *more, corrected]
    for viewer in (supervisor, colleague):
        page = signed_in(viewer).get(QUEUE).content.decode()
        shown = rows_on(page)
        expected = rows_as_before([c for c in every_case if c.tracking_number in shown], viewer)
        assert shown == expected
    boss_rows = rows_on(signed_in(supervisor).get(QUEUE).content.decode())
    assert set(boss_rows) == {case.tracking_number for case in every_case}  # all kinds shown
    submitted_on = date_format(datetime.date(2026, 8, 31), "j M Y")  # the local date
    assert (
        f'<td class="govuk-table__cell">{submitted_on}</td>'
        in boss_rows[waiting[0].tracking_number]
    )
    assert "Vence pronto" in boss_rows[waiting[0].tracking_number]
    assert "Correcciones pedidas" in boss_rows[corrected.tracking_number]
    assert "Suplente" in boss_rows[waiting[1].tracking_number]
    assert "Ausente" in boss_rows[more[4].tracking_number]


def test_a_quick_select_is_drawn_exactly_as_djangos_select(certification, reviewers):
    choices = [
        ("", "Cualquiera"),
        ("a&b", 'Uno "con" <comillas> & más'),
        ("Grupo <1>", [("g:1", "Primero"), ("g:2", "Segundo")]),
        ("Grupo 2", [("h:1", "Otro")]),
        (3, "Tres"),
    ]
    attrs = {"class": "govuk-select govuk-select--error", "aria-describedby": "x-error"}
    for value in ("", None, "a&b", "g:2", "h:1", 3, "3", "no está"):
        for extra in ({}, {"id": "id_campo", "required": True, "disabled": False}):
            quick = QuickSelect(attrs=attrs, choices=choices).render("campo", value, extra)
            django = forms.Select(attrs=attrs, choices=choices).render("campo", value, extra)
            assert quick == django, value

    # The filter form's fields and the officials' field, bound with values and errors.
    scope = queries.office_scope(reviewers[0])
    form = QueueFilterForm(
        {"paso": "certificacion-de-estudios:revision", "plazo": "ayer"}, scope=scope
    )
    assert not form.is_valid()
    for name in form.fields:
        field = form[name]
        widget = field.field.widget
        if isinstance(widget, QuickSelect):
            plain = forms.Select(attrs=widget.attrs, choices=widget.choices)
            attrs = field.build_widget_attrs({"id": field.auto_id})
            assert widget.render(field.html_name, field.value(), attrs) == plain.render(
                field.html_name, field.value(), attrs
            )
    people = OfficialChoiceField(User.objects.filter(pk__in=[r.pk for r in reviewers]))
    plain = forms.Select(attrs=people.widget.attrs, choices=list(people.choices))
    assert people.widget.render("persona", reviewers[1].pk) == plain.render(
        "persona", reviewers[1].pk
    )


def test_the_officials_choice_reads_people_and_absences_once(
    certification, reviewers, supervisor, django_assert_num_queries
):
    today = clock.today()
    office_actions.record_absence(reviewers[0], reviewers[1], today, today, actor=supervisor)
    with django_assert_num_queries(2):  # the people, their absences; none to draw it
        field = OfficialChoiceField(queries.officials_of([certification.responsible_unit]))
        drawn = field.widget.render("persona", "")
    assert f"{reviewers[0]} (ausente: lo atiende {reviewers[1]})" in drawn
    assert field.clean(str(reviewers[1].pk)) == reviewers[1]


def test_filter_choices_are_kept_and_follow_a_procedure_edit_at_once(
    certification, reviewers, waiting
):
    from django.db import connection

    client = signed_in(reviewers[0])
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as read:
        page = client.get(QUEUE).content.decode()
    assert not [q for q in read.captured_queries if "engine_processversion" in q["sql"]]
    assert f'<option value="{certification.pk}">{escape(certification.name)}</option>' in page

    certification.name = "Certificación de estudios (nuevo nombre)"
    certification.save()
    record_procedure_edit(certification, actor=reviewers[0])
    page = client.get(QUEUE).content.decode()
    assert f'<option value="{certification.pk}">{escape(certification.name)}</option>' in page
