from django.contrib.auth import views as auth_views
from django.urls import path

from ventanilla.identity import views

app_name = "identity"
urlpatterns = [
    path("cuenta/", views.account, name="account"),
    path("cuenta/entrar/", views.SignInView.as_view(), name="sign_in"),
    path("cuenta/salir/", auth_views.LogoutView.as_view(), name="sign_out"),
    path("cuenta/registro/", views.register, name="register"),
    path("cuenta/registro/revise-su-correo/", views.check_email, name="check_email"),
    path("cuenta/correo/confirmar/<str:token>/", views.verify_email, name="verify_email"),
    path("cuenta/correo/reenviar/", views.resend_verification, name="resend_verification"),
]
