"""The applicant's pages of a step: one page at a time, check your answers, their files."""

from django.urls import path

from ventanilla.cases import views

app_name = "application"
urlpatterns = [
    path("mis-tramites/<int:pk>/paso/<int:number>/", views.page, name="page"),
    path("mis-tramites/<int:pk>/revisar/", views.check_answers, name="check_answers"),
    path("mis-tramites/<int:pk>/archivos/<int:file_pk>/", views.case_file, name="file"),
]
