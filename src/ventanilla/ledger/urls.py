from django.urls import path

from ventanilla.ledger import views

app_name = "ledger"

urlpatterns = [
    path("registro-publico/", views.page, name="page"),
    path("registro-publico/checkpoint", views.checkpoint, name="checkpoint"),
    path("registro-publico/clave", views.key, name="key"),
    path("registro-publico/entradas/<int:index>", views.entry, name="entry"),
    path("registro-publico/inclusion", views.inclusion, name="inclusion"),
    path("registro-publico/consistencia", views.consistency, name="consistency"),
]
