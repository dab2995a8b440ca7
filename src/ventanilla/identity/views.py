from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ventanilla.identity import actions
from ventanilla.identity.actions import EmailVerification
from ventanilla.identity.assurance import registry_gap
from ventanilla.identity.forms import CuiAuthenticationForm
from ventanilla.identity.models import RegistryStatus
from ventanilla.identity.registration_forms import RegistrationForm


@require_http_methods(["GET", "POST"])
def register(request):
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = actions.register_account(**form.cleaned_data)
        request.session["registered_email"] = user.email
        return redirect("identity:check_email")
    return render(request, "identity/register.html", {"form": form})


@require_safe
def check_email(request):
    return render(
        request, "identity/check_email.html", {"email": request.session.get("registered_email")}
    )


@require_safe
def verify_email(request, token):
    outcome = actions.verify_email(token)
    status = (
        200
        if outcome in {EmailVerification.CONFIRMED, EmailVerification.ALREADY_CONFIRMED}
        else 400
    )
    return render(request, "identity/verify_email.html", {"outcome": outcome.value}, status=status)


@require_http_methods(["GET", "POST"])
def resend_verification(request):
    """Ask for a new confirmation link. The answer is the same whether or not an account
    uses the address, so that nobody can learn who has an account."""
    sent = False
    email = (request.POST.get("email") or "").strip()
    if request.method == "POST" and email:
        actions.resend_email_verification(email)
        sent = True
    return render(request, "identity/resend_verification.html", {"sent": sent, "email": email})


class SignInView(auth_views.LoginView):
    form_class = CuiAuthenticationForm
    template_name = "identity/sign_in.html"
    redirect_authenticated_user = True


@login_required
@require_safe
def account(request):
    return render(
        request,
        "identity/account.html",
        {"account": request.user, "registry_gap": registry_gap(request.user)},
    )


@login_required
@require_POST
def request_confirmation(request):
    """Ask the registry to confirm an account nobody has checked yet."""
    if request.user.registry_status == RegistryStatus.NOT_ASKED:
        actions.request_identity_confirmation(request.user)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("identity:account")
    return redirect(target)
