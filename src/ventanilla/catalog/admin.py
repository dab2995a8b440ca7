"""The editors' side of the catalogue: Django's admin, in Spanish, with history."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ventanilla.catalog import actions
from ventanilla.catalog.models import (
    Audience,
    Procedure,
    Requirement,
    Simplification,
    Source,
    Step,
    StrategicGoal,
)
from ventanilla.core.actions import record_public_content_edit


class RequirementInline(admin.TabularInline):
    model = Requirement
    extra = 0
    fields = ["order", "text", "is_required", "held_by_state", "state_holder", "legal_basis"]


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ["order", "title", "description"]


class SourceInline(admin.TabularInline):
    model = Source
    extra = 0
    fields = ["title", "url"]


class SimplificationInline(admin.StackedInline):
    model = Simplification
    extra = 0
    max_num = 1
    fields = [
        "summary",
        ("steps_before", "steps_after"),
        ("days_before", "days_after"),
        "analysed_on",
    ]


@admin.register(Procedure)
class ProcedureAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "responsible_unit",
        "available_online",
        "maturity_level",
        "is_prioritised",
        "stage",
        "legal_deadline_days",
        "is_published",
    ]
    list_filter = [
        "available_online",
        "is_prioritised",
        "stage",
        "maturity_level",
        "is_published",
        "audiences",
        "responsible_unit",
    ]
    search_fields = ["name", "slug", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["responsible_unit"]
    filter_horizontal = ["audiences"]
    history_list_display = ["available_online", "maturity_level", "stage"]
    inlines = [RequirementInline, StepInline, SourceInline, SimplificationInline]
    fieldsets = [
        (
            None,
            {"fields": ["name", "slug", "summary", "who_may_apply", "audiences", "is_published"]},
        ),
        (
            _("Responsable, plazo y costo"),
            {
                "fields": [
                    "responsible_unit",
                    "responsible_unit_note",
                    "legal_deadline_days",
                    "cost_quetzales",
                    "cost_note",
                    "legal_basis",
                ]
            },
        ),
        (
            _("Canales y madurez digital"),
            {
                "fields": [
                    "available_online",
                    "available_in_person",
                    "maturity_level",
                ]
            },
        ),
        (_("Priorización y simplificación"), {"fields": ["is_prioritised", "stage", "notes"]}),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        actions.record_procedure_edit(form.instance, actor=request.user)


class PublicContentAdmin(SimpleHistoryAdmin):
    """Admin for data shown on public pages: every save or delete refreshes them."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_public_content_edit(actor=request.user)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        record_public_content_edit(actor=request.user)


@admin.register(Audience)
class AudienceAdmin(PublicContentAdmin):
    list_display = ["name", "slug", "order"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(StrategicGoal)
class StrategicGoalAdmin(PublicContentAdmin):
    list_display = ["title", "scope", "target_percent", "target_year"]
