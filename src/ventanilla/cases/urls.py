from django.urls import path

from ventanilla.cases import lookup, office_views, views

app_name = "cases"
urlpatterns = [
    path("tramites/<slug:slug>/empezar/", views.start, name="start"),
    path("consulta/", lookup.lookup, name="lookup"),
    path("mis-tramites/", views.my_cases, name="mine"),
    path("mis-tramites/<int:pk>/", views.detail, name="detail"),
    path("mis-tramites/<int:pk>/paso/", views.task, name="task"),
    path("mis-tramites/<int:pk>/recibida/", views.submitted, name="submitted"),
    path("oficina/expedientes/", office_views.queue, name="queue"),
    path("oficina/expedientes/<int:pk>/", office_views.office_case, name="office_case"),
    path("oficina/expedientes/<int:pk>/tomar/", office_views.claim, name="claim"),
]
