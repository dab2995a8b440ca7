"""Single sign-on routes, under django-oauth-toolkit's namespace (``oauth2_provider``).

Discovery is at the site root, so that the issuer is the site itself
(``https://ventanilla.example/.well-known/openid-configuration``); the endpoints are under
``/o/``. Only what other systems need is published: not the toolkit's pages where any
signed-in person could register a client, nor device flow, introspection or dynamic
registration. Clients are registered by administrators (``ventanilla oidc_client``, admin).
"""

from django.urls import path, re_path
from oauth2_provider import views as toolkit

from ventanilla.identity import oidc_views

app_name = "oauth2_provider"
urlpatterns = [
    re_path(
        r"^\.well-known/openid-configuration/?$",
        oidc_views.DiscoveryView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(
        ".well-known/oauth-authorization-server",
        toolkit.OAuthServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
    path("o/authorize/", oidc_views.AuthorizationView.as_view(), name="authorize"),
    path("o/token/", toolkit.TokenView.as_view(), name="token"),
    path("o/revoke_token/", toolkit.RevokeTokenView.as_view(), name="revoke-token"),
    path("o/userinfo/", oidc_views.UserInfoView.as_view(), name="user-info"),
    path("o/.well-known/jwks.json", toolkit.JwksInfoView.as_view(), name="jwks-info"),
]
