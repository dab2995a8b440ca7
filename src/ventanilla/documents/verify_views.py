"""The public verification portal `/verificar/`: no sign-in. A code (typed, or from the QR
link), the PDF itself, or a diploma's verifiable credential; the same answers as JSON for
machines. Uploads are limited per address, and a file that is too big or is not a PDF gets a
message saying so, never a verdict about something that was not checked."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from ventanilla.cases.uploads import limits
from ventanilla.core.rate_limits import too_many_tries
from ventanilla.documents import codes, verification

TRIES = 60
WINDOW_SECONDS = 5 * 60
MAX_CREDENTIAL_CHARS = 64 * 1024


class CodeForm(forms.Form):
    codigo = forms.CharField(
        label=gettext_lazy("Código de verificación"),
        help_text=gettext_lazy("Está impreso en el documento, debajo del código QR."),
        max_length=40,
        error_messages={"required": gettext_lazy("Escriba el código de verificación.")},
    )


class FileForm(forms.Form):
    archivo = forms.FileField(
        label=gettext_lazy("El documento en PDF"),
        help_text=gettext_lazy("No hace falta el código QR: comprobamos el archivo mismo."),
        error_messages={"required": gettext_lazy("Elija el archivo PDF que quiere comprobar.")},
    )

    def clean_archivo(self):
        upload = self.cleaned_data["archivo"]
        if getattr(upload, "too_large", False):
            raise forms.ValidationError(
                _(
                    "El archivo pesa %(size)s MB y el máximo es %(max)s MB. Los documentos del "
                    "Ministerio pesan mucho menos: revise que eligió el PDF correcto."
                )
                % {
                    "size": f"{upload.size / 1024 / 1024:.0f}",
                    "max": f"{limits()['MAX_BYTES'] / 1024 / 1024:.0f}",
                }
            )
        head = upload.read(1024)
        upload.seek(0)
        if b"%PDF-" not in head:
            raise forms.ValidationError(
                _("Ese archivo no es un PDF. Suba el documento en PDF tal como lo recibió.")
            )
        return upload


class CredentialForm(forms.Form):
    credencial = forms.CharField(
        label=gettext_lazy("La credencial verificable"),
        help_text=gettext_lazy("Pegue el texto completo de la credencial (empieza con «ey»)."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_CREDENTIAL_CHARS,
        error_messages={
            "required": gettext_lazy("Pegue el texto de la credencial."),
            "max_length": gettext_lazy("Eso es demasiado largo para una credencial."),
        },
    )


def _too_many(request) -> bool:
    return too_many_tries(
        request,
        "verificar",
        tries=getattr(settings, "VENTANILLA_VERIFY_TRIES", TRIES),
        window_seconds=WINDOW_SECONDS,
    )


def _slow_down() -> str:
    return _("Hizo demasiadas comprobaciones seguidas. Espere 5 minutos.")


def _portal(request, *, status=200, **forms_given):
    context = {
        "code_form": forms_given.get("code_form") or CodeForm(),
        "file_form": forms_given.get("file_form") or FileForm(),
        "credential_form": forms_given.get("credential_form") or CredentialForm(),
        "portal_address": f"{settings.VENTANILLA_PUBLIC_URL.rstrip('/')}/verificar/",
    }
    return render(request, "documents/verify.html", context, status=status)


def _verdict(request, answer, *, status=200):
    return render(
        request,
        "documents/verdict.html",
        {
            "answer": answer,
            "portal_address": f"{settings.VENTANILLA_PUBLIC_URL.rstrip('/')}/verificar/",
        },
        status=status,
    )


@require_GET
def portal(request):
    if "codigo" in request.GET:  # the code form, sent without JavaScript
        form = CodeForm(request.GET)
        if form.is_valid():
            typed = form.cleaned_data["codigo"].strip()
            return redirect("documents:by_code", code=codes.normalize(typed) or typed)
        return _portal(request, code_form=form)
    return _portal(request)


@require_GET
def by_code(request, code):
    if _too_many(request):
        form = CodeForm({"codigo": code})
        form.is_valid()  # bound and cleaned, so that the message can be added
        form.add_error(None, _slow_down())
        return _portal(request, code_form=form, status=429)
    return _verdict(request, verification.by_code(code))


@require_http_methods(["GET", "POST"])
def by_file(request):
    if request.method == "GET":  # opened again from the history or a shared link
        return redirect(f"{reverse('documents:verify')}#por-archivo")
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _portal(request, file_form=form, status=400)
    if _too_many(request):
        form.add_error(None, _slow_down())
        return _portal(request, file_form=form, status=429)
    return _verdict(request, verification.by_pdf(form.cleaned_data["archivo"].read()))


@require_http_methods(["GET", "POST"])
def by_credential(request):
    if request.method == "GET":
        return redirect(f"{reverse('documents:verify')}#por-credencial")
    form = CredentialForm(request.POST)
    if not form.is_valid():
        return _portal(request, credential_form=form, status=400)
    if _too_many(request):
        form.add_error(None, _slow_down())
        return _portal(request, credential_form=form, status=429)
    return _verdict(request, verification.by_credential(form.cleaned_data["credencial"]))


# --- The same for machines ------------------------------------------------------------------


def _json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _json(answer) -> JsonResponse:
    return JsonResponse(verification.as_json(answer), json_dumps_params={"ensure_ascii": False})


@require_GET
def code_json(request, code):
    if _too_many(request):
        return _json_error(_slow_down(), 429)
    return _json(verification.by_code(code))


@csrf_exempt  # no session, no cookie: nothing for a forged request to ride on
@require_http_methods(["POST"])
def file_json(request):
    """The PDF as the request body (``Content-Type: application/pdf``) or as the ``archivo``
    field of a multipart form."""
    if request.content_type == "multipart/form-data":
        form = FileForm(request.POST, request.FILES)
        if not form.is_valid():
            return _json_error(" ".join(form.errors["archivo"]), 400)
        data = form.cleaned_data["archivo"].read()
    else:
        if int(request.META.get("CONTENT_LENGTH") or 0) > limits()["MAX_BYTES"]:
            return _json_error(_("El archivo es demasiado grande."), 413)
        data = request.body
        if b"%PDF-" not in data[:1024]:
            return _json_error(_("Ese archivo no es un PDF."), 400)
    if _too_many(request):
        return _json_error(_slow_down(), 429)
    return _json(verification.by_pdf(data))


@csrf_exempt
@require_http_methods(["POST"])
def credential_json(request):
    token = request.body.decode("utf-8", errors="replace").strip()
    if not token or len(token) > MAX_CREDENTIAL_CHARS:
        return _json_error(_("Envíe la credencial como cuerpo de la petición."), 400)
    if _too_many(request):
        return _json_error(_slow_down(), 429)
    return _json(verification.by_credential(token))


@require_GET
def jwks(request):
    """The public keys that sign the diplomas' credentials and the status lists."""
    from ventanilla.documents import credentials

    response = JsonResponse(credentials.public_jwks(), content_type="application/jwk-set+json")
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def demo_crl(request):
    """The demo root's revocation list, where its certificates say it is. Only once the
    demo PKI exists: a visit does not make one."""
    from ventanilla.documents import pki

    if not (pki.demo_pki_directory() / pki.SIGNER_PKCS12_FILE).exists():
        raise Http404
    response = HttpResponse(pki.DemoPki(pki.demo_pki_directory()).crl(), "application/pkix-crl")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def status_list(request, number):
    """A signed Bitstring Status List: which credentials of list ``number`` are revoked."""
    from ventanilla.documents import status_list as lists
    from ventanilla.documents.models import StatusListCounter

    counter = StatusListCounter.objects.filter(name=lists.INDEX_COUNTER).first()
    if counter is None or number > max(counter.next_index - 1, 0) // lists.list_bits():
        raise Http404  # no credential points at a list that far on
    token = lists.status_list_token(number)
    response = HttpResponse(token, content_type="application/vc+jwt")
    response["Cache-Control"] = f"public, max-age={lists.list_ttl_seconds()}"
    return response
