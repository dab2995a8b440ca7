from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from ventanilla.identity.models import Membership, User


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
    list_display = ["cui", "first_names", "last_names", "assurance_level", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["cui", "first_names", "last_names", "email"]
    fieldsets = (
        (None, {"fields": ("cui", "password")}),
        (
            _("Datos personales"),
            {"fields": ("first_names", "last_names", "birth_date", "email", "phone")},
        ),
        (_("Identidad"), {"fields": ("assurance_level",)}),
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
