from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from ventanilla.core.cui import mask_cui
from ventanilla.identity.actions import record_personal_data_view
from ventanilla.identity.models import Membership, PersonalDataView, User


class MembershipInline(admin.TabularInline):
    """Read-only here: roles change through identity.actions (grant_role, revoke_role)."""

    model = Membership
    fk_name = "user"
    extra = 0
    fields = ["org_unit", "role", "granted_by", "granted_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("cui",)


class AccountChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AccountChangeForm
    add_form = UserCreationForm
    ordering = ["cui"]
    inlines = [MembershipInline]
    list_display = [
        "masked_cui",
        "first_names",
        "last_names",
        "assurance_level",
        "is_staff",
        "is_active",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["cui", "first_names", "last_names", "email"]
    fieldsets = (
        (None, {"fields": ("cui", "password")}),
        (
            _("Datos personales"),
            {"fields": ("first_names", "last_names", "birth_date", "email", "phone")},
        ),
        (_("Identidad"), {"fields": ("assurance_level", "registry_status")}),
        (
            _("Permisos"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Fechas"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("cui", "first_names", "last_names", "password1", "password2"),
            },
        ),
    )

    # Levels change through identity.actions (the registry check, a counter's confirmation).
    readonly_fields = ["assurance_level", "registry_status", "last_login", "date_joined"]

    @admin.display(description=_("CUI"), ordering="cui")
    def masked_cui(self, account):
        """Lists show the CUI masked; searching by the full CUI still finds the account."""
        return mask_cui(account.cui)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        subject = self.get_object(request, object_id)
        if subject is not None and response.status_code == 200 and request.method == "GET":
            record_personal_data_view(
                request.user, subject, _("Ficha de la cuenta (administración)"), request.path
            )
        return response


@admin.register(PersonalDataView)
class PersonalDataViewAdmin(admin.ModelAdmin):
    """The record of officials' views of personal data: read only, for everyone."""

    list_display = ["at", "viewer", "subject", "what"]
    list_filter = ["what"]
    date_hierarchy = "at"
    search_fields = ["viewer__cui", "subject__cui"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
