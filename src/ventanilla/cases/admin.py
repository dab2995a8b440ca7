"""The administration's side of the back office: the list of decision reasons, absences
(corrected or ended here; recorded on /oficina/ausencias/, which also moves the cases), and
internal notes, read-only."""

from django.contrib import admin

from ventanilla.cases.models import Absence, CaseNote, DecisionReason


@admin.register(DecisionReason)
class DecisionReasonAdmin(admin.ModelAdmin):
    list_display = ["text", "kind", "procedure", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["kind", "is_active", "procedure"]
    search_fields = ["text"]
    autocomplete_fields = ["procedure"]
    fields = ["kind", "text", "procedure", "position", "is_active"]


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    """Dates can be corrected here; a new absence is recorded by the unit's supervisor on
    /oficina/ausencias/, so that the official's cases go to the substitute with events."""

    list_display = ["official", "substitute", "starts", "ends", "recorded_by"]
    list_select_related = ["official", "substitute", "recorded_by"]
    list_filter = ["starts"]
    search_fields = ["official__first_names", "official__last_names", "official__cui"]
    date_hierarchy = "starts"
    fields = ["official", "substitute", "starts", "ends", "recorded_by", "recorded_at"]
    readonly_fields = ["official", "substitute", "recorded_by", "recorded_at"]

    def has_add_permission(self, request):
        return False


@admin.register(CaseNote)
class CaseNoteAdmin(admin.ModelAdmin):
    """Read-only: notes are written on the case's page, and stay as written."""

    list_display = ["case", "author", "at"]
    list_select_related = ["case", "author"]
    search_fields = ["case__tracking_number"]
    date_hierarchy = "at"
    fields = ["case", "author", "at", "text"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
