from django.contrib import admin

from ventanilla.core.actions import record_public_content_edit
from ventanilla.core.models import Department, Municipality, OrgUnit


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["name"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "code"]
    list_filter = ["department"]
    search_fields = ["name"]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "department", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "code"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_public_content_edit(actor=request.user)  # unit names appear on public pages
