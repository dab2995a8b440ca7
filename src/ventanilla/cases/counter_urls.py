"""Cases brought in person: an official registers the application for the person at the
counter (``cases.counter_views``)."""

from django.urls import path

from ventanilla.cases import counter_views

app_name = "counter"
urlpatterns = [
    path("oficina/ventanilla/", counter_views.start, name="start"),
    path("oficina/ventanilla/cuenta-nueva/", counter_views.new_account, name="new_account"),
    path("oficina/ventanilla/tramite/", counter_views.procedure, name="procedure"),
    path("oficina/ventanilla/expedientes/<int:pk>/", counter_views.form, name="form"),
    path("oficina/ventanilla/expedientes/<int:pk>/registrado/", counter_views.done, name="done"),
]
