from django.urls import path

from ventanilla.catalog import views

app_name = "catalog"
urlpatterns = [
    path("tramites/", views.procedure_list, name="list"),
    path("tramites/<slug:slug>/", views.procedure_detail, name="detail"),
    path("tramites/<slug:slug>/iniciar/", views.procedure_start, name="start"),
    path("transparencia/indicadores/", views.strategic_indicators, name="indicators"),
]
