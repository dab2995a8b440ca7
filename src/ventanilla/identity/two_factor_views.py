"""Pages of the second step: enrolling an authenticator app, typing a code when signing in,
and managing recovery codes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login, user_login_failed
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from ventanilla.identity import actions, sessions, two_factor
from ventanilla.identity.models import TotpDevice
from ventanilla.identity.permissions import is_official
from ventanilla.identity.redirects import safe_next
from ventanilla.identity.two_factor import CodeCheck
from ventanilla.identity.two_factor_forms import CodeForm

SETUP_SECRET_KEY = "ventanilla_totp_setup_secret"  # noqa: S105 - a session key name
NEW_CODES_KEY = "ventanilla_new_recovery_codes"


@require_http_methods(["GET", "POST"])
def sign_in_code(request):
    """Second step of signing in, or a step-up for a signed-in official whose session has
    not proved a second factor yet."""
    pending = sessions.pending_sign_in(request)
    if pending:
        user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
        next_url = pending["next"]
    elif request.user.is_authenticated and TotpDevice.objects.filter(user=request.user).exists():
        user = request.user
        next_url = safe_next(request, request.GET.get("next"), reverse("identity:account"))
    else:
        user = None
    if user is None:
        sessions.clear_pending_sign_in(request)
        messages.info(request, _("Pasaron más de cinco minutos. Vuelva a iniciar sesión."))
        return redirect("identity:sign_in")

    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = actions.check_second_factor(user, form.cleaned_data["code"])
        if result.accepted:
            if pending:
                sessions.clear_pending_sign_in(request)
                login(request, user, backend=pending["backend"])
            method = "recovery_code" if result.used_recovery_code else "totp"
            sessions.mark_second_factor(request, method)
            if result.used_recovery_code:
                messages.warning(request, _recovery_warning(result.recovery_codes_left))
            return redirect(next_url)
        # Wrong codes count as failed sign-ins: django-axes locks the CUI after a few.
        user_login_failed.send(sender=__name__, credentials={"username": user.cui}, request=request)
        form.reject(result.check, recovery=result.used_recovery_code)
    return render(request, "identity/sign_in_code.html", {"form": form})


def _recovery_warning(left: int | None) -> str:
    text = ngettext(
        "Usó un código de recuperación. Le queda %(count)d.",
        "Usó un código de recuperación. Le quedan %(count)d.",
        left or 0,
    ) % {"count": left or 0}
    return text + " " + _("Si perdió su teléfono, configure la aplicación de nuevo.")


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Enrol an authenticator app: scan the QR code (or type the key), then prove it works."""
    secret = request.session.get(SETUP_SECRET_KEY) or two_factor.new_secret()
    request.session[SETUP_SECRET_KEY] = secret
    next_url = safe_next(
        request, request.POST.get("next") or request.GET.get("next"), reverse("identity:account")
    )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check, codes = actions.enable_totp(request.user, secret, form.cleaned_data["code"])
        if check is CodeCheck.ACCEPTED:
            request.session.pop(SETUP_SECRET_KEY, None)
            sessions.mark_second_factor(request, "totp")
            request.session[NEW_CODES_KEY] = {"codes": codes, "next": next_url}
            return redirect("identity:recovery_codes")
        form.reject(check)
    uri = two_factor.provisioning_uri(secret, request.user.cui)
    return render(
        request,
        "identity/two_factor_setup.html",
        {
            "form": form,
            "qr_code": two_factor.qr_code_data_uri(uri),
            "secret": two_factor.grouped(secret),
            "next": next_url,
            "required": is_official(request.user),
        },
    )


@login_required
@require_http_methods(["GET"])
def recovery_codes(request):
    """The new recovery codes, shown once."""
    shown = request.session.pop(NEW_CODES_KEY, None)
    if not shown:
        return redirect("identity:two_factor")
    return render(request, "identity/recovery_codes.html", shown)


@login_required
@require_http_methods(["GET"])
def manage(request):
    device = TotpDevice.objects.filter(user=request.user).first()
    return render(
        request,
        "identity/two_factor.html",
        {
            "device": device,
            "codes_left": request.user.recovery_codes.filter(used_at__isnull=True).count(),
            "official": is_official(request.user),
        },
    )


def _needs_step_up(request):
    if sessions.has_second_factor(request):
        return None
    return redirect(f"{reverse('identity:sign_in_code')}?next={reverse('identity:two_factor')}")


@login_required
@require_POST
def new_recovery_codes(request):
    if not TotpDevice.objects.filter(user=request.user).exists():
        return redirect("identity:two_factor")
    if step_up := _needs_step_up(request):
        return step_up
    codes = actions.regenerate_recovery_codes(request.user)
    request.session[NEW_CODES_KEY] = {"codes": codes, "next": reverse("identity:two_factor")}
    return redirect("identity:recovery_codes")


@login_required
@require_POST
def disable(request):
    if is_official(request.user):
        messages.error(request, _("Como funcionario, debe mantener la verificación en dos pasos."))
        return redirect("identity:two_factor")
    if step_up := _needs_step_up(request):
        return step_up
    actions.disable_totp(request.user)
    messages.success(request, _("La verificación en dos pasos quedó desactivada."))
    return redirect("identity:two_factor")
