"""The admin of single sign-on clients (django-oauth-toolkit's Application).

Registered by django-oauth-toolkit itself through OAUTH2_PROVIDER["APPLICATION_ADMIN_CLASS"];
kept apart from ``oidc`` so that importing either never imports the other half-built.
"""

from __future__ import annotations

from oauth2_provider.admin import ApplicationAdmin as ToolkitApplicationAdmin
from oauth2_provider.models import AbstractApplication


class ApplicationAdmin(ToolkitApplicationAdmin):
    # The toolkit's own application pages are not published (see identity/oidc_urls.py).
    view_on_site = False
    list_display = ("name", "client_id", "client_type", "authorization_grant_type", "created")
    search_fields = ("name", "client_id")

    def get_changeform_initial_data(self, request):
        """A new client starts as what most are: a confidential system that signs people in
        and receives RS256-signed ID tokens."""
        return {
            "client_type": AbstractApplication.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": AbstractApplication.GRANT_AUTHORIZATION_CODE,
            "algorithm": AbstractApplication.RS256_ALGORITHM,
            **super().get_changeform_initial_data(request),
        }
