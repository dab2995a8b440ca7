from django.urls import path

from ventanilla.documents import batch_views, office_views

app_name = "documents_office"

urlpatterns = [
    path("oficina/firmas/", office_views.signing_queue, name="signing_queue"),
    path("oficina/documentos/<str:code>/", office_views.document_page, name="document"),
    path("oficina/diplomas/", batch_views.batches_page, name="batches"),
    path("oficina/diplomas/<int:batch_id>/", batch_views.batch_page, name="batch"),
    path(
        "oficina/diplomas/<int:batch_id>/progreso.json",
        batch_views.batch_progress,
        name="batch_progress",
    ),
    path(
        "oficina/diplomas/<int:batch_id>/codigos.csv", batch_views.batch_codes, name="batch_codes"
    ),
]
