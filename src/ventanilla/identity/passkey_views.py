"""Pages and endpoints for passkeys ("huellas"). The ceremonies need JavaScript
(``passkeys.js``); everything else on the account works without it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ventanilla.identity import actions, passkeys, sessions
from ventanilla.identity.models import Passkey
from ventanilla.identity.redirects import safe_next

MAX_CREDENTIAL_CHARS = 20_000  # a real answer is 1–3 KB


def _json(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="application/json")


@login_required
@require_GET
def manage(request):
    return render(request, "identity/passkeys.html", {"passkeys": request.user.passkeys.all()})


@login_required
@require_POST
def registration_options(request):
    existing = list(request.user.passkeys.values_list("credential_id", flat=True))
    return _json(passkeys.registration_options(request, request.user, existing))


@login_required
@require_POST
def register(request):
    credential = request.POST.get("credential", "")[:MAX_CREDENTIAL_CHARS]
    if not credential:
        messages.error(request, _("Su navegador no envió la huella. Vuelva a intentarlo."))
        return redirect("identity:passkeys")
    try:
        verified = passkeys.verify_registration(request, credential)
    except passkeys.PasskeyError:
        messages.error(
            request,
            _("No pudimos comprobar la huella. Vuelva a intentarlo desde esta página."),
        )
        return redirect("identity:passkeys")
    actions.add_passkey(request.user, verified, request.POST.get("name", ""))
    messages.success(
        request, _("Listo: la próxima vez puede entrar con su huella, sin contraseña.")
    )
    return redirect("identity:passkeys")


@login_required
@require_POST
def remove(request, passkey_id: int):
    if actions.remove_passkey(request.user, passkey_id):
        messages.success(request, _("Quitamos la huella. Ya no sirve para entrar."))
    return redirect("identity:passkeys")


@require_POST
def sign_in_options(request):
    return _json(passkeys.authentication_options(request))


@require_POST
def sign_in(request):
    """Sign in with a passkey: it proves what the person has (the device) and who they are
    (fingerprint, face or PIN), so it also counts as the second step."""
    credential = request.POST.get("credential", "")[:MAX_CREDENTIAL_CHARS]
    failed = _("No pudimos entrar con esa huella. Inténtelo otra vez o use su CUI y contraseña.")
    try:
        credential_id = passkeys.credential_id_of(credential)
        passkey = (
            Passkey.objects.select_related("user")
            .filter(credential_id=credential_id, user__is_active=True)
            .first()
        )
        if passkey is None:
            raise passkeys.PasskeyError("unknown credential")
        verified = passkeys.verify_authentication(request, credential, passkey)
    except passkeys.PasskeyError:
        messages.error(request, failed)
        return redirect("identity:sign_in")
    actions.record_passkey_use(passkey, verified)
    sessions.clear_pending_sign_in(request)
    login(request, passkey.user, backend="django.contrib.auth.backends.ModelBackend")
    sessions.mark_second_factor(request, "passkey")
    return redirect(safe_next(request, request.POST.get("next"), reverse("identity:account")))
