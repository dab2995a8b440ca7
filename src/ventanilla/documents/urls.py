from django.urls import path

from ventanilla.documents import holder_views, pki, verify_views

app_name = "documents"

urlpatterns = [
    path("mis-documentos/", holder_views.mine, name="mine"),
    path("mis-documentos/<str:code>.pdf", holder_views.pdf, name="pdf"),
    path("mis-documentos/<str:code>.jwt", holder_views.credential, name="credential"),
    path("verificar/", verify_views.portal, name="verify"),
    path("verificar/archivo/", verify_views.by_file, name="by_file"),
    path("verificar/credencial/", verify_views.by_credential, name="by_credential"),
    path("verificar/claves.json", verify_views.jwks, name="jwks"),
    path(pki.CRL_PATH, verify_views.demo_crl, name="demo_crl"),
    path("verificar/estado/<int:number>", verify_views.status_list, name="status_list"),
    path("verificar/archivo.json", verify_views.file_json, name="file_json"),
    path("verificar/credencial.json", verify_views.credential_json, name="credential_json"),
    path("verificar/<str:code>.json", verify_views.code_json, name="code_json"),
    path("verificar/<str:code>/", verify_views.by_code, name="by_code"),
]
