from django.urls import path

from ventanilla.cases import diagram_views

app_name = "diagram"
urlpatterns = [
    path(
        "oficina/expedientes/<int:pk>/diagrama.bpmn",
        diagram_views.process_diagram,
        name="process_diagram",
    ),
]
