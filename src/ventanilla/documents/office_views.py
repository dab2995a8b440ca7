"""The signer's side: `/oficina/firmas/` lists the documents waiting for a signature in the
units where the official signs, and signs the chosen ones after a fresh code from their app
(the second factor, asked again for every signing); `/oficina/documentos/<code>/` shows one
document and revokes it with a reason, or prepares its replacement."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from ventanilla.documents import actions
from ventanilla.documents.models import Document, Status
from ventanilla.identity.actions import check_second_factor
from ventanilla.identity.permissions import Action, can, units_where

MAX_PER_SIGNING = 200  # larger sets go through a diploma batch, with a progress bar


class SignForm(forms.Form):
    documents = forms.ModelMultipleChoiceField(
        queryset=Document.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Elija al menos un documento para firmar.")},
    )
    code = forms.CharField(
        label=gettext_lazy("Código de su aplicación de autenticación"),
        help_text=gettext_lazy("Seis números. Se pide en cada firma."),
        max_length=20,
        error_messages={"required": gettext_lazy("Escriba el código de su aplicación.")},
    )

    def __init__(self, *args, pending, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = pending
        self.fields["documents"].label_from_instance = lambda document: document.title

    def clean_documents(self):
        chosen = self.cleaned_data["documents"]
        if len(chosen) > MAX_PER_SIGNING:
            raise forms.ValidationError(
                _("Firme como máximo %(max)s a la vez.") % {"max": MAX_PER_SIGNING}
            )
        return chosen


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motivo de la revocación"),
        help_text=gettext_lazy("La persona titular y quien verifique el documento lo leerán."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": gettext_lazy("Escriba el motivo de la revocación.")},
    )


def _pending_for(user):
    units = units_where(user, Action.SIGN_DOCUMENTS)
    if not units:
        raise PermissionDenied
    return (
        # A batch's diplomas are signed from the batch's page (/oficina/diplomas/).
        Document.objects.filter(status=Status.AWAITING_SIGNATURE, unit__in=units, batch=None)
        .select_related("unit", "case")
        .order_by("created_at", "id")
    )


@login_required
@require_http_methods(["GET", "POST"])
def signing_queue(request):
    pending = _pending_for(request.user)
    form = SignForm(request.POST or None, pending=pending)
    if request.method == "POST" and form.is_valid():
        check = check_second_factor(request.user, form.cleaned_data["code"].replace(" ", ""))
        if not check.accepted:
            form.add_error("code", _("Ese código no es correcto o ya se usó. Espere el siguiente."))
        else:
            signed = skipped = 0
            for document in form.cleaned_data["documents"]:
                try:
                    actions.sign(document.pk, signer=request.user)
                    signed += 1
                except (actions.NotReady, PermissionDenied):
                    skipped += 1  # signed by someone else meanwhile, or no longer theirs
            messages.success(
                request,
                ngettext("Firmó %(count)d documento.", "Firmó %(count)d documentos.", signed)
                % {"count": signed},
            )
            if skipped:
                messages.warning(
                    request,
                    ngettext(
                        "%(count)d documento ya no esperaba su firma.",
                        "%(count)d documentos ya no esperaban su firma.",
                        skipped,
                    )
                    % {"count": skipped},
                )
            return redirect("documents_office:signing_queue")
    status = 400 if form.errors else 200
    return render(
        request,
        "documents/signing_queue.html",
        {"form": form, "pending": pending[:500], "total": pending.count()},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_page(request, code):
    document = get_object_or_404(Document.objects.select_related("unit", "case"), code=code)
    if not (
        can(request.user, Action.SIGN_DOCUMENTS, org_unit=document.unit)
        or can(request.user, Action.REVOKE_DOCUMENTS, org_unit=document.unit)
    ):
        raise PermissionDenied
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and "replace" in request.POST:
        try:
            new = actions.replace(document.pk, actor=request.user)
        except actions.NotReady as problem:
            messages.error(request, str(problem))
            return redirect("documents_office:document", code=document.code)
        messages.success(request, _("El reemplazo espera su firma."))
        return redirect("documents_office:document", code=new.code)
    if request.method == "POST" and form.is_valid():
        try:
            actions.revoke(document.pk, actor=request.user, reason=form.cleaned_data["reason"])
        except actions.NotReady as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, _("Documento revocado. Se avisó a la persona titular."))
            return redirect("documents_office:document", code=document.code)
    return render(
        request,
        "documents/office_document.html",
        {"document": document, "form": form},
        status=400 if form.errors else 200,
    )
