from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from ventanilla.identity.models import User


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
    list_display = ["cui", "first_names", "last_names", "email", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["cui", "first_names", "last_names", "email"]
    fieldsets = (
        (None, {"fields": ("cui", "password")}),
        (_("Datos personales"), {"fields": ("first_names", "last_names", "email", "phone")}),
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
