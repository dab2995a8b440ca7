from django.urls import path

from ventanilla.documents import office_views

app_name = "documents_office"

urlpatterns = [
    path("oficina/firmas/", office_views.signing_queue, name="signing_queue"),
    path("oficina/documentos/<str:code>/", office_views.document_page, name="document"),
]
