"""The API's operations. Each reads through ``api.queries`` (only the cases of the account the
token acts as) and changes a case only through ``cases.actions``, as the web pages do."""

from __future__ import annotations

import math
from typing import Annotated

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile

from ventanilla.api import presenters, queries
from ventanilla.api.assurance import check_identity
from ventanilla.api.auth import requires
from ventanilla.api.errors import ApiError, ErrorOut
from ventanilla.api.schemas import (
    AnswersIn,
    CaseFileOut,
    CaseOut,
    CasePage,
    PageQuery,
    ProcedureList,
    StartCaseIn,
    Timeline,
)
from ventanilla.api.scopes import READ_CASES, READ_CATALOGUE, WRITE_CASES
from ventanilla.cases import actions
from ventanilla.cases.answers import file_fields
from ventanilla.cases.queries import timeline

router = Router()

AUTH_ERRORS = {401: ErrorOut, 403: ErrorOut}
CASE_ERRORS = {**AUTH_ERRORS, 404: ErrorOut}


@router.get(
    "/procedures",
    response={200: ProcedureList, **AUTH_ERRORS},
    tags=["Trámites"],
    summary="Trámites que se pueden solicitar en línea",
    description=(
        "Los trámites publicados que tienen un procedimiento en línea, con su plazo, su "
        "costo, la unidad responsable y el primer formulario que se responde."
    ),
    by_alias=True,
    **requires(READ_CASES, READ_CATALOGUE),
)
def list_procedures(request):
    return {"items": [presenters.procedure(request, p) for p in queries.online_procedures()]}


@router.post(
    "/cases",
    response={201: CaseOut, **AUTH_ERRORS, 409: ErrorOut, 422: ErrorOut},
    tags=["Expedientes"],
    summary="Iniciar un expediente",
    description=(
        "Crea un borrador del trámite a nombre de la cuenta con la que actúa el token. "
        "El expediente recibe su número cuando se responde su primer paso. Si la identidad "
        "de la cuenta no alcanza el nivel que pide el trámite, responde 403 con el motivo "
        "(código «identity_…»)."
    ),
    by_alias=True,
    **requires(WRITE_CASES),
)
def start_case(request, payload: StartCaseIn):
    account = request.auth.account
    procedure = queries.online_procedure(payload.procedure)
    if procedure is None:
        raise ApiError(
            422,
            "invalid_request",
            _("Ese trámite no se puede solicitar en línea."),
            {"procedure": _("Use el «slug» de uno de los trámites de GET /procedures.")},
        )
    check_identity(account, procedure)
    try:
        case = actions.start_case(procedure, applicant=account, actor=account)
    except actions.CaseError as error:
        raise ApiError(409, "conflict", str(error)) from error
    return Status(201, presenters.case(case))


@router.get(
    "/cases",
    response={200: CasePage, **AUTH_ERRORS, 422: ErrorOut},
    tags=["Expedientes"],
    summary="Mis expedientes",
    description="Los expedientes de la cuenta, del más reciente al más antiguo, por páginas.",
    by_alias=True,
    **requires(READ_CASES),
)
def list_cases(request, paging: Query[PageQuery]):
    cases = queries.cases_of(request.auth.account)
    count = cases.count()
    start = (paging.page - 1) * paging.page_size
    rows = cases[start : start + paging.page_size]
    return {
        "items": [presenters.case_summary(case) for case in rows],
        "count": count,
        "page": paging.page,
        "pages": max(1, math.ceil(count / paging.page_size)),
    }


@router.get(
    "/cases/{int:case_id}",
    response={200: CaseOut, **CASE_ERRORS},
    tags=["Expedientes"],
    summary="Un expediente",
    description=(
        "Su estado, su número, su fecha límite, la resolución cuando la hay y, si le toca "
        "responder, el paso con su formulario."
    ),
    by_alias=True,
    **requires(READ_CASES),
)
def get_case(request, case_id: int):
    return presenters.case(queries.case_of(request.auth.account, case_id))


@router.get(
    "/cases/{int:case_id}/timeline",
    response={200: Timeline, **CASE_ERRORS},
    tags=["Expedientes"],
    summary="Historial del expediente",
    description="Lo que ha pasado con el expediente, en palabras, del más antiguo al último.",
    by_alias=True,
    **requires(READ_CASES),
)
def get_timeline(request, case_id: int):
    case = queries.case_of(request.auth.account, case_id)
    return {"items": [{**entry, "label": str(entry["label"])} for entry in timeline(case)]}


@router.post(
    "/cases/{int:case_id}/tasks/{task}",
    response={200: CaseOut, **CASE_ERRORS, 409: ErrorOut, 422: ErrorOut},
    tags=["Expedientes"],
    summary="Responder un paso",
    description=(
        "Envía las respuestas del paso que le toca (el primero envía la solicitud y le da su "
        "número). Respuestas que no cumplen el formulario: 422 con un mensaje por pregunta "
        "en «fields». Un paso que ya no está pendiente: 409."
    ),
    by_alias=True,
    **requires(WRITE_CASES),
)
def answer_task(request, case_id: int, task: str, payload: AnswersIn):
    account = request.auth.account
    case = queries.case_of(account, case_id)
    try:
        case = actions.complete_task(case.pk, task, payload.answers, actor=account)
    except actions.InvalidAnswers as invalid:
        message = _("Hay respuestas que revisar: vea «fields».")
        raise ApiError(422, "invalid_answers", message, invalid.errors) from invalid
    except actions.CaseError as error:
        raise ApiError(409, "conflict", str(error)) from error
    return presenters.case(case)


def _too_large(upload) -> bool:
    limit = settings.VENTANILLA_UPLOADS["MAX_BYTES"]
    return bool(getattr(upload, "too_large", False)) or (upload.size or 0) > limit


@router.post(
    "/cases/{int:case_id}/files",
    response={201: CaseFileOut, **CASE_ERRORS, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    tags=["Expedientes"],
    summary="Adjuntar un archivo",
    description=(
        "Sube el archivo de una pregunta del paso que le toca (multipart/form-data: «task», "
        "«field» y «file»). Se aceptan PDF, JPG, PNG, DOCX y ODT; se revisa qué es el archivo "
        "por su contenido, no por su nombre. El «id» que responde es la respuesta de esa "
        "pregunta al enviar el paso. Demasiado grande: 413; no aceptado: 422."
    ),
    by_alias=True,
    **requires(WRITE_CASES),
)
def attach_file(
    request,
    case_id: int,
    task: Annotated[str, Form(description="El paso («current_task.task» del expediente).")],
    field: Annotated[str, Form(description="La pregunta del archivo («format»: «file»).")],
    file: Annotated[UploadedFile, File(description="El archivo: PDF, JPG, PNG, DOCX u ODT.")],
):
    account = request.auth.account
    case = queries.case_of(account, case_id)
    if task == case.current_task and field not in file_fields(
        case.process_version.forms.get(task, {})
    ):
        raise ApiError(
            422,
            "invalid_request",
            _("Esa pregunta no pide un archivo."),
            {"field": _("Use una pregunta con «format»: «file» del formulario del paso.")},
        )
    try:
        attached = actions.attach_file(case.pk, task=task, field=field, upload=file, actor=account)
    except actions.UploadRefused as refused:
        status, code = (413, "file_too_large") if _too_large(file) else (422, "file_refused")
        raise ApiError(status, code, str(refused), {"file": str(refused)}) from refused
    except actions.CaseError as error:
        raise ApiError(409, "conflict", str(error)) from error
    return Status(201, presenters.case_file(attached))
