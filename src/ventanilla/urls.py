from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from ventanilla.identity.views import admin_sign_in

admin.site.site_header = _("Ventanilla · Administración")
admin.site.site_title = _("Ventanilla")
admin.site.index_title = _("Inventario y datos de referencia")

urlpatterns = [
    path("", include("ventanilla.core.urls")),
    path("", include("ventanilla.catalog.urls")),
    path("", include("ventanilla.identity.urls")),
    path("", include("ventanilla.representation.urls")),
    path("", include("ventanilla.cases.urls")),
    path("", include("ventanilla.cases.application_urls")),  # one page at a time, uploads
    path("", include("ventanilla.cases.counter_urls")),  # cases brought in person
    path("", include("ventanilla.cases.diagram_urls")),  # the process diagram of a case
    path("", include("ventanilla.notifications.urls")),
    path("", include("ventanilla.documents.urls")),  # verification portal, my documents
    path("", include("ventanilla.ledger.urls")),  # the public log
    path("", include("ventanilla.documents.office_urls")),  # signing and revoking
    path("api/v1/", include("ventanilla.api.urls")),
    path("", include("ventanilla.identity.oidc_urls")),  # single sign-on (OpenID Connect)
    # Staff sign in like everyone else, with the CUI and then their second factor.
    path("admin/login/", admin_sign_in),
    path("admin/", admin.site.urls),
]

handler404 = "ventanilla.core.views.page_not_found"
handler500 = "ventanilla.core.views.server_error"
handler400 = "ventanilla.core.views.bad_request"
handler403 = "ventanilla.core.views.permission_denied"
