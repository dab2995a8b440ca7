"""The single sign-on pages and documents that differ from django-oauth-toolkit's own."""

from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from oauth2_provider import views as toolkit
from oauth2_provider.exceptions import FatalClientError
from oauth2_provider.models import get_application_model
from oauth2_provider.settings import oauth2_settings

from ventanilla.identity.oidc import ACR_VALUES, GRANT_TYPES, RESPONSE_TYPES


class DiscoveryView(toolkit.ConnectDiscoveryInfoView):
    """/.well-known/openid-configuration, with what the toolkit does not say about us."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        document = json.loads(response.content)
        document.update(
            {
                "acr_values_supported": list(ACR_VALUES.values()),
                # Every client is registered with RS256 (HS256 is refused for ID tokens).
                "id_token_signing_alg_values_supported": ["RS256"],
                "grant_types_supported": sorted(GRANT_TYPES),
                "response_types_supported": sorted(RESPONSE_TYPES),
                "response_modes_supported": ["query"],
                "claims_supported": sorted({*document["claims_supported"], "iss", "aud", "exp"}),
                "ui_locales_supported": [code for code, _name in settings.LANGUAGES],
                "claims_parameter_supported": False,
                "request_parameter_supported": False,
                "request_uri_parameter_supported": False,
            }
        )
        answer = JsonResponse(document)
        answer["Access-Control-Allow-Origin"] = "*"
        return answer


@method_decorator(never_cache, name="dispatch")
class UserInfoView(toolkit.UserInfoView):
    """The toolkit's userinfo endpoint, with the access token in the Authorization header
    only: in the query string it ends up in logs and browser history (RFC 9700 §4.3.2), and
    one rule for both is simpler for the other systems."""

    def dispatch(self, request, *args, **kwargs):
        if "access_token" in request.GET or "access_token" in request.POST:
            response = JsonResponse(
                {
                    "error": "invalid_request",
                    "error_description": "Send the access token in the Authorization header.",
                },
                status=400,
            )
            response["WWW-Authenticate"] = 'Bearer error="invalid_request"'
            return response
        return super().dispatch(request, *args, **kwargs)


def _came_from_one_of_our_pages(request) -> bool:
    if site := request.headers.get("Sec-Fetch-Site"):
        return site == "same-origin"
    referer = request.headers.get("Referer", "")  # browsers without Fetch Metadata
    return bool(referer) and urlsplit(referer).netloc == request.get_host()


def _origin(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"


@method_decorator(never_cache, name="dispatch")
class AuthorizationView(toolkit.AuthorizationView):
    """The consent page ("«Sistema X» quiere saber: …") and the authorization endpoint.

    Differences from the toolkit's view: our template (Spanish, GOV.UK Design System) for
    consent and errors; a form that was tampered with is answered with the error page, never
    a 500; prompt=none never shows a page; prompt=login really signs the person in again.
    """

    template_name = "identity/oidc/authorize.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "scopes" in kwargs:
            descriptions = oauth2_settings.SCOPES
            requested = set(kwargs["scopes"])
            # In the order of the settings (who you are first), not the order asked.
            context["scopes_descriptions"] = [
                text for scope, text in descriptions.items() if scope in requested
            ]
        if redirect_uri := kwargs.get("redirect_uri"):
            context["redirect_host"] = urlsplit(redirect_uri).hostname
        return context

    def render_to_response(self, context, **response_kwargs):
        if "error" not in context and context.get("code_challenge_method") != "S256":
            # The toolkit refuses PKCE "plain" only when making the code; say it before
            # the person is asked anything (a challenge without a method means plain).
            return self._redirect_with_error(
                "invalid_request", 'Unsupported "plain" code_challenge_method; use "S256".'
            )
        if "error" not in context and self._prompt_none():
            # The person is signed in but has not allowed this system yet: OIDC Core
            # §3.1.2.6 says answer consent_required, not show the consent page.
            return self._redirect_with_error("consent_required")
        response = super().render_to_response(context, **response_kwargs)
        if "error" not in context and (redirect_uri := context.get("redirect_uri")):
            # Browsers apply form-action to the redirect that follows "Permitir", so the
            # page may send its form on to the system's address (and only there).
            response._csp_update = {"form-action": [_origin(redirect_uri)]}
        return response

    def error_response(self, error, application, **kwargs):
        if not error.oauthlib_error.redirect_uri:
            # Some errors (a malformed claims parameter) come without the redirect URI to
            # report them to: show our page instead of redirecting nowhere.
            context = {"error": error.oauthlib_error}
            return render(self.request, self.template_name, context, status=400)
        if application is None and not isinstance(error, FatalClientError):
            # A redirected error comes after the client and its address were checked: name
            # the client on the way back (see redirect()).
            client_id = error.oauthlib_error.client_id
            application = get_application_model().objects.filter(client_id=client_id).first()
        return super().error_response(error, application, **kwargs)

    def redirect(self, redirect_to, application):
        response = super().redirect(redirect_to, application)  # checks the scheme
        if self.request.method == "GET" and _came_from_one_of_our_pages(self.request):
            # Reached through the redirects after one of our forms (signing in, the
            # second-factor code): browsers hold the whole chain to that form's CSP
            # (form-action 'self') and would block the last hop to the system. A page that
            # sends the browser on (Refresh, WCAG technique H76) is not a form submission.
            context = {"url": response["Location"], "application": application}
            page = render(self.request, "identity/oidc/continue.html", context)
            page["Refresh"] = f"0;url={response['Location']}"
            return page
        return response

    def form_valid(self, form):
        client_id = form.cleaned_data["client_id"]
        if not get_application_model().objects.filter(client_id=client_id).exists():
            return self._bad_form()
        return super().form_valid(form)

    def form_invalid(self, form):
        return self._bad_form()

    def handle_prompt_login(self):
        logout(self.request)  # prompt=login asks for a new sign-in, not the current one
        return super().handle_prompt_login()

    def _prompt_none(self) -> bool:
        return "none" in self.request.GET.get("prompt", "").split()

    def _redirect_with_error(self, error: str, description: str = ""):
        data = self.oauth2_data
        parameters = {"error": error}
        if description:
            parameters["error_description"] = description
        if data.get("state"):
            parameters["state"] = data["state"]
        parameters["iss"] = oauth2_settings.oauth2_authorization_server_issuer(self.request)
        uri = data["redirect_uri"]
        separator = "&" if "?" in uri else "?"
        return self.redirect(f"{uri}{separator}{urlencode(parameters)}", data["application"])

    def _bad_form(self):
        error = {"error": "invalid_request", "description": "The consent form was altered."}
        return render(self.request, self.template_name, {"error": error}, status=400)
