from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ventanilla.identity import actions, sessions
from ventanilla.identity.actions import EmailVerification
from ventanilla.identity.assurance import registry_gap
from ventanilla.identity.forms import CuiAuthenticationForm
from ventanilla.identity.models import RegistryStatus, TotpDevice
from ventanilla.identity.permissions import Action, is_official, roles_allowed_to
from ventanilla.identity.redirects import safe_next
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

    def form_valid(self, form):
        user = form.get_user()
        if TotpDevice.objects.filter(user=user).exists():
            # Right password; the code from the app comes next (two_factor_views).
            sessions.start_pending_sign_in(self.request, user, self.get_success_url())
            return redirect("identity:sign_in_code")
        return super().form_valid(form)


@login_required
@require_safe
def office_home(request):
    """The officials' starting page: their units and roles. Reaching it takes a second
    factor (OfficialSecondFactorMiddleware)."""
    if not is_official(request.user):
        raise PermissionDenied
    memberships = request.user.memberships.select_related("org_unit").order_by(
        "org_unit__name", "role"
    )
    return render(
        request,
        "identity/office_home.html",
        {
            "memberships": memberships,
            "can_attend_counter": memberships.filter(
                role__in=roles_allowed_to(Action.CONFIRM_IDENTITY_IN_PERSON)
            ).exists(),
            "supervises": memberships.filter(
                role__in=roles_allowed_to(Action.SUPERVISE_CASES)
            ).exists(),
            "signs": memberships.filter(role__in=roles_allowed_to(Action.SIGN_DOCUMENTS)).exists(),
        },
    )


@login_required
@require_safe
def account(request):
    return render(
        request,
        "identity/account.html",
        {
            "account": request.user,
            "registry_gap": registry_gap(request.user),
            "views_of_my_data": request.user.personal_data_views.select_related("viewer")[:20],
            "official_actions": request.user.account_events.select_related("actor", "org_unit")[
                :20
            ],
        },
    )


@login_required
@require_POST
def request_confirmation(request):
    """Ask the registry to confirm an account nobody has checked yet."""
    if request.user.registry_status == RegistryStatus.NOT_ASKED:
        actions.request_identity_confirmation(request.user)
    return redirect(safe_next(request, request.POST.get("next"), reverse("identity:account")))


@require_safe
def admin_sign_in(request):
    """The administration's own sign-in page would skip the second step: send staff to the
    platform's sign-in, which comes back to where they were going."""
    target = safe_next(request, request.GET.get("next"), "/admin/")
    return redirect(f"{reverse('identity:sign_in')}?{urlencode({'next': target})}")
