from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from ventanilla.identity import sessions
from ventanilla.identity.models import TotpDevice
from ventanilla.identity.permissions import is_official

# Where officials see other people's data. Nothing under these paths opens without a second
# factor in the session.
PROTECTED_PREFIXES = ("/oficina/", "/admin/")


class OfficialSecondFactorMiddleware:
    """Officials must enrol an authenticator app, and have proved a second factor in this
    session (the app's code, a recovery code or a passkey), before they reach any case or
    the administration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith(PROTECTED_PREFIXES)
            and request.user.is_authenticated
            and is_official(request.user)
        ):
            query = urlencode({"next": request.get_full_path()})
            # The app is required even for officials who sign in with a passkey: it is
            # what they fall back on when the passkey's device is lost.
            if not TotpDevice.objects.filter(user=request.user).exists():
                return redirect(f"{reverse('identity:two_factor_setup')}?{query}")
            if not sessions.has_second_factor(request):
                return redirect(f"{reverse('identity:sign_in_code')}?{query}")
        return self.get_response(request)
