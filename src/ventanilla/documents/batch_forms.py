"""The back office's forms for diploma batches: the cohort file (CSV) with the unit that
issues it, and the signer's approval with a fresh code from their authenticator app.

A cohort of 150,000 rows weighs about 25 MB, more than the platform's limit for a case's
attachments, so the file comes through an upload handler of its own (``CohortUploadHandler``)
with a larger limit; the file is checked by what its bytes are, never by its name."""

from __future__ import annotations

import filetype
from django import forms
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ventanilla.cases.uploads import SizeLimitedUploadHandler
from ventanilla.core.models import OrgUnit

# 150,000 rows of about 170 bytes each (long school names, both codes) fit with room to spare.
MAX_CSV_BYTES = 40 * 1024 * 1024
SNIFF_BYTES = 64 * 1024


class CohortUploadHandler(SizeLimitedUploadHandler):
    """The platform's size-limited handler (it keeps counting past the limit, so that the
    page can say how big the file was), with the cohort file's own limit."""

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > MAX_CSV_BYTES:
            self.too_large = True
            return None
        return TemporaryFileUploadHandler.receive_data_chunk(self, raw_data, start)


def _save_as_csv() -> str:
    return _(
        "En su hoja de cálculo use Archivo › Guardar como › «CSV UTF-8 (delimitado por comas)» "
        "y cargue ese archivo."
    )


def not_a_csv(head: bytes) -> str:
    """Why the first bytes of a file show it is not a CSV (a workbook, a PDF, an image, a
    program, UTF-16 text), or '' when they may be one."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _("El archivo está guardado como texto Unicode (UTF-16), no como CSV UTF-8.") + (
            " " + _save_as_csv()
        )
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return _("Es un libro de Excel o de LibreOffice, no un archivo CSV.") + (
            " " + _save_as_csv()
        )
    if head.startswith(b"%PDF-"):
        return _("Es un PDF, no un archivo CSV.") + " " + _save_as_csv()
    if b"\x00" in head or filetype.guess(head) is not None:
        return _(
            "Este archivo no es un CSV: no es texto (parece una imagen, un programa u otro "
            "tipo de archivo)."
        ) + (" " + _save_as_csv())
    return ""


class CohortFileForm(forms.Form):
    unidad = forms.ModelChoiceField(
        label=gettext_lazy("Unidad que emite los diplomas"),
        help_text=gettext_lazy("Una de las unidades donde usted firma."),
        queryset=OrgUnit.objects.none(),
        empty_label=gettext_lazy("Elija la unidad"),
        error_messages={
            "required": gettext_lazy("Elija la unidad que emite los diplomas."),
            "invalid_choice": gettext_lazy("Usted no firma en esa unidad. Elija una de la lista."),
        },
    )
    archivo = forms.FileField(
        label=gettext_lazy("Archivo de la cohorte (CSV)"),
        help_text=gettext_lazy(
            "Una línea por diploma, con las columnas establecimiento, codigo_establecimiento "
            "(opcional), codigo_estudiante o cui, nombre, titulo y fecha. Hasta 40 MB."
        ),
        error_messages={
            "required": gettext_lazy("Elija el archivo CSV de la cohorte."),
            "empty": gettext_lazy(
                "El archivo está vacío. Revise que eligió el archivo correcto y cárguelo de nuevo."
            ),
        },
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["unidad"]
        field.queryset = OrgUnit.objects.filter(pk__in=[unit.pk for unit in units]).order_by("name")
        field.label_from_instance = lambda unit: unit.name
        if len(units) == 1:
            field.initial = units[0].pk

    def clean_archivo(self):
        upload = self.cleaned_data["archivo"]
        if getattr(upload, "too_large", False) or upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(
                _(
                    "El archivo pesa %(size)s y el máximo es %(max)s (unas 150,000 filas). "
                    "Divídalo en dos o más archivos, por ejemplo por establecimiento, y "
                    "cárguelos por separado."
                )
                % {"size": filesizeformat(upload.size), "max": filesizeformat(MAX_CSV_BYTES)}
            )
        head = upload.read(SNIFF_BYTES)
        upload.seek(0)
        if not head.strip(b" \t\r\n\xef\xbb\xbf"):
            raise forms.ValidationError(self.fields["archivo"].error_messages["empty"])
        if problem := not_a_csv(head):
            raise forms.ValidationError(problem)
        return upload


class ApproveForm(forms.Form):
    codigo = forms.CharField(
        label=gettext_lazy("Código de su aplicación de autenticación"),
        help_text=gettext_lazy("Seis números. Se pide cada vez que firma."),
        max_length=20,
        error_messages={"required": gettext_lazy("Escriba el código de su aplicación.")},
    )

    def clean_codigo(self):
        return self.cleaned_data["codigo"].replace(" ", "")
