from decimal import Decimal

import pytest

from tests.conftest import force_login_with_second_factor
from ventanilla.catalog import actions
from ventanilla.catalog.models import Procedure
from ventanilla.catalog.queries import strategic_indicators

pytestmark = pytest.mark.django_db


def by_code():
    return {result.goal.code: result for result in strategic_indicators()}


def test_three_indicators_against_their_targets():
    results = by_code()
    assert set(results) == {"priorizados-2024", "generales-2024", "generales-2026"}
    total = Procedure.objects.count()
    online = Procedure.objects.filter(available_online=True).count()
    assert results["generales-2026"].total == total
    assert results["generales-2026"].percent == (Decimal(online) * 100 / total).quantize(
        Decimal("0.1")
    )
    assert (
        results["priorizados-2024"].total == Procedure.objects.filter(is_prioritised=True).count()
    )


def test_marking_a_procedure_online_moves_the_indicators(editor):
    before = by_code()
    procedure = Procedure.objects.filter(is_prioritised=True, available_online=False).first()
    actions.set_procedure_online(procedure, online=True, actor=editor, reason="Piloto en línea")
    after = by_code()
    assert after["generales-2026"].digital == before["generales-2026"].digital + 1
    assert after["priorizados-2024"].digital == before["priorizados-2024"].digital + 1
    assert after["generales-2026"].percent > before["generales-2026"].percent
    last = procedure.history.first()
    assert last.history_user == editor and last.history_change_reason == "Piloto en línea"


def test_all_online_means_every_goal_is_met(editor):
    for procedure in Procedure.objects.all():
        actions.set_procedure_online(procedure, online=True, actor=editor)
    assert all(result.status == "met" for result in strategic_indicators())
    assert all(result.missing == 0 for result in strategic_indicators())


def test_missed_goal_when_the_year_has_passed(editor):
    for procedure in Procedure.objects.all():
        actions.set_procedure_online(procedure, online=False, actor=editor)
    results = by_code()
    assert results["priorizados-2024"].status == "missed"
    assert results["priorizados-2024"].missing == results["priorizados-2024"].total


def test_editor_marks_online_in_the_admin_and_the_page_changes(client, editor):
    procedure = Procedure.objects.filter(available_online=False).first()
    page_before = client.get("/transparencia/indicadores/").content.decode()
    before = by_code()["generales-2026"]
    assert f"{before.digital} de {before.total} servicios disponibles en línea" in page_before

    force_login_with_second_factor(client, editor)
    url = f"/admin/catalog/procedure/{procedure.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name not in {"audiences"}
    }
    data.update(
        {
            "audiences": [a.pk for a in procedure.audiences.all()],
            "responsible_unit": procedure.responsible_unit_id,
            "available_online": "on",
            "available_in_person": "on" if procedure.available_in_person else "",
            "is_prioritised": "on" if procedure.is_prioritised else "",
            "is_published": "on",
        }
    )
    for prefix, items in [
        ("requirements", procedure.requirements.all()),
        ("steps", procedure.steps.all()),
        ("sources", procedure.sources.all()),
    ]:
        data[f"{prefix}-TOTAL_FORMS"] = len(items)
        data[f"{prefix}-INITIAL_FORMS"] = len(items)
        for index, item in enumerate(items):
            data[f"{prefix}-{index}-id"] = item.pk
            data[f"{prefix}-{index}-procedure"] = procedure.pk
            for field in item._meta.fields:
                if field.name not in {"id", "procedure"}:
                    value = getattr(item, field.name)
                    if isinstance(value, bool):
                        if value:
                            data[f"{prefix}-{index}-{field.name}"] = "on"
                    else:
                        data[f"{prefix}-{index}-{field.name}"] = value
    data["simplification-TOTAL_FORMS"] = 0
    data["simplification-INITIAL_FORMS"] = 0
    data = {key: value for key, value in data.items() if value is not False}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    procedure.refresh_from_db()
    assert procedure.available_online

    client.logout()
    page_after = client.get("/transparencia/indicadores/").content.decode()
    after = by_code()["generales-2026"]
    assert after.digital == before.digital + 1
    assert f"{after.digital} de {after.total} servicios disponibles en línea" in page_after
    assert procedure.history.first().history_user == editor


def test_a_change_of_audiences_is_kept_in_the_history(editor):
    from ventanilla.catalog.models import Audience

    procedure = Procedure.objects.get(slug="certificacion-de-estudios")
    procedure._history_user = editor
    procedure.audiences.add(Audience.objects.get(slug="publico"))
    procedure.save()
    latest = procedure.history.first()
    assert {a.audience.slug for a in latest.audiences.all()} >= {"estudiantes", "publico"}
    assert latest.history_user == editor
