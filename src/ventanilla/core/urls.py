from django.urls import path

from ventanilla.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("salud/", views.health, name="health"),
    path("idioma/", views.choose_language, name="choose_language"),
]
