"""The account pages beyond the summary: profile, e-mail and open sessions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import user_login_failed
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from ventanilla.identity import actions
from ventanilla.identity.account_forms import EmailChangeForm, ProfileForm
from ventanilla.identity.browser_sessions import open_sessions
from ventanilla.identity.models import AssuranceLevel


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    locked = user.assurance_level >= AssuranceLevel.REGISTRY
    initial = {
        "first_names": user.first_names,
        "last_names": user.last_names,
        "birth_date": user.birth_date.strftime("%d/%m/%Y") if user.birth_date else "",
        "phone": user.phone,
    }
    form = ProfileForm(request.POST or None, initial=initial, locked=locked)
    if request.method == "POST" and form.is_valid():
        actions.update_profile(user, **form.cleaned_data)
        messages.success(request, _("Guardamos sus datos."))
        return redirect("identity:account")
    return render(request, "identity/profile.html", {"form": form, "locked": locked})


@login_required
@require_http_methods(["GET", "POST"])
def change_email(request):
    form = EmailChangeForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            actions.change_email(request.user, form.cleaned_data["email"])
            messages.success(
                request,
                _("Le enviamos un enlace a %(email)s. Ábralo para confirmar su correo nuevo.")
                % {"email": request.user.email},
            )
            return redirect("identity:account")
        if "current_password" in form.errors:
            # A wrong password here counts like one at sign-in (django-axes).
            user_login_failed.send(
                sender=__name__, credentials={"username": request.user.cui}, request=request
            )
    return render(request, "identity/change_email.html", {"form": form})


@login_required
@require_http_methods(["GET"])
def sessions(request):
    return render(
        request,
        "identity/sessions.html",
        {"browser_sessions": open_sessions(request.user), "current": request.session.session_key},
    )


@login_required
@require_POST
def sign_out_elsewhere(request):
    ended = actions.sign_out_other_sessions(request.user, request.session.session_key)
    messages.success(
        request,
        ngettext(
            "Cerramos %(count)d sesión en otro aparato.",
            "Cerramos %(count)d sesiones en otros aparatos.",
            ended,
        )
        % {"count": ended},
    )
    return redirect("identity:sessions")
