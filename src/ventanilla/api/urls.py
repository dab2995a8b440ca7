"""``/api/v1/``: django-ninja's operations, our OpenAPI document, and JSON for the rest."""

from django.urls import path, re_path

from ventanilla.api import v1

app_name = "api"

# ninja's own root view answers 404 with an HTML page; ours says where the document is.
_operations = [
    path(str(pattern.pattern), v1.with_json_405(pattern.callback), name=pattern.name)
    for pattern in v1.api.urls[0]
    if pattern.name != "api-root"
]

urlpatterns = [
    path("openapi.json", v1.openapi_document, name="openapi"),
    *_operations,
    path("", v1.index, name="api-root"),
    re_path(r"^(?P<rest>.*)$", v1.not_found),
]
