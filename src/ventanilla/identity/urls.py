from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from ventanilla.identity import (
    account_views,
    counter_views,
    passkey_views,
    two_factor_views,
    views,
)

app_name = "identity"
urlpatterns = [
    path("cuenta/", views.account, name="account"),
    path("cuenta/entrar/", views.SignInView.as_view(), name="sign_in"),
    path("cuenta/entrar/codigo/", two_factor_views.sign_in_code, name="sign_in_code"),
    path("cuenta/dos-pasos/", two_factor_views.manage, name="two_factor"),
    path("cuenta/dos-pasos/activar/", two_factor_views.setup, name="two_factor_setup"),
    path(
        "cuenta/dos-pasos/codigos-de-recuperacion/",
        two_factor_views.recovery_codes,
        name="recovery_codes",
    ),
    path(
        "cuenta/dos-pasos/codigos-nuevos/",
        two_factor_views.new_recovery_codes,
        name="new_recovery_codes",
    ),
    path("cuenta/dos-pasos/desactivar/", two_factor_views.disable, name="two_factor_disable"),
    path("oficina/", views.office_home, name="office_home"),
    path("oficina/cuentas/", counter_views.find_account, name="counter"),
    path(
        "oficina/cuentas/confirmar-identidad/",
        counter_views.confirm_in_person,
        name="counter_confirm",
    ),
    path(
        "oficina/cuentas/quitar-dos-pasos/",
        counter_views.reset_second_factor,
        name="counter_reset_second_factor",
    ),
    path("cuenta/datos/", account_views.profile, name="profile"),
    path("cuenta/correo/", account_views.change_email, name="change_email"),
    path("cuenta/sesiones/", account_views.sessions, name="sessions"),
    path(
        "cuenta/sesiones/cerrar-las-demas/",
        account_views.sign_out_elsewhere,
        name="sign_out_elsewhere",
    ),
    path("cuenta/huellas/", passkey_views.manage, name="passkeys"),
    path(
        "cuenta/huellas/opciones/",
        passkey_views.registration_options,
        name="passkey_registration_options",
    ),
    path("cuenta/huellas/agregar/", passkey_views.register, name="passkey_register"),
    path("cuenta/huellas/<int:passkey_id>/quitar/", passkey_views.remove, name="passkey_remove"),
    path(
        "cuenta/entrar/huella/opciones/",
        passkey_views.sign_in_options,
        name="passkey_sign_in_options",
    ),
    path("cuenta/entrar/huella/", passkey_views.sign_in, name="passkey_sign_in"),
    path("cuenta/salir/", auth_views.LogoutView.as_view(), name="sign_out"),
    path(
        "cuenta/contrasena/olvido/",
        auth_views.PasswordResetView.as_view(
            template_name="identity/password_reset_form.html",
            email_template_name="identity/email/password_reset.txt",
            subject_template_name="identity/email/password_reset_subject.txt",
            success_url=reverse_lazy("identity:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "cuenta/contrasena/olvido/enviado/",
        auth_views.PasswordResetDoneView.as_view(template_name="identity/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "cuenta/contrasena/nueva/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="identity/password_reset_confirm.html",
            success_url=reverse_lazy("identity:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "cuenta/contrasena/lista/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="identity/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("cuenta/identidad/confirmar/", views.request_confirmation, name="request_confirmation"),
    path("cuenta/registro/", views.register, name="register"),
    path("cuenta/registro/revise-su-correo/", views.check_email, name="check_email"),
    path("cuenta/correo/confirmar/<str:token>/", views.verify_email, name="verify_email"),
    path("cuenta/correo/reenviar/", views.resend_verification, name="resend_verification"),
]
