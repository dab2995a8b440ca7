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
    path("oficina/expedientes/lote/", office_views.bulk, name="bulk"),
    path("oficina/expedientes/busquedas/", office_views.save_search, name="save_search"),
    path(
        "oficina/expedientes/busquedas/<int:pk>/borrar/",
        office_views.delete_search,
        name="delete_search",
    ),
    path("oficina/expedientes/<int:pk>/", office_views.office_case, name="office_case"),
    path("oficina/expedientes/<int:pk>/tomar/", office_views.claim, name="claim"),
    path("oficina/expedientes/<int:pk>/devolver/", office_views.release, name="release"),
    path("oficina/expedientes/<int:pk>/asignar/", office_views.assign, name="assign"),
    path("oficina/expedientes/<int:pk>/notas/", office_views.add_note, name="add_note"),
    path(
        "oficina/expedientes/<int:pk>/archivos/<int:file_pk>/",
        office_views.case_file,
        name="case_file",
    ),
    path("oficina/ausencias/", office_views.absences, name="absences"),
]
