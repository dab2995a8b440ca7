"""The bodies the API sends and receives (they are also the OpenAPI document's schemas).
Descriptions and docstrings of the classes are in Spanish: the document shows them to the
teams of other institutions."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class UnitOut(Schema):
    code: str = Field(description="Código de la unidad responsable.")
    name: str = Field(description="Nombre de la unidad responsable.")


class TaskForm(Schema):
    """El formulario de un paso: JSON Schema 2020-12 y sugerencias de presentación."""

    task: str = Field(description="Nombre del paso; va en la dirección al responderlo.")
    title: str = Field(description="Título del paso, como lo lee la persona.")
    form_schema: dict[str, Any] = Field(
        alias="schema",
        description=(
            "JSON Schema (2020-12) de las respuestas. Una pregunta con "
            '{"type": "string", "format": "file"} se responde con el «id» de un archivo '
            "subido antes a /cases/{id}/files."
        ),
    )
    ui: dict[str, Any] = Field(
        description="Orden de las preguntas, páginas y controles sugeridos (opcional)."
    )


class ProcedureOut(Schema):
    slug: str = Field(description="Código del trámite; con él se inicia un expediente.")
    name: str
    summary: str = Field(description="Qué es y para qué sirve, en lenguaje claro.")
    url: str = Field(description="Página pública del trámite.")
    unit: UnitOut
    deadline_business_days: int | None = Field(
        description="Plazo legal en días hábiles; null si no hay plazo publicado."
    )
    cost_quetzales: Decimal | None = Field(
        description="Costo en quetzales (0 si es gratuito; null si no está publicado)."
    )
    cost_note: str
    minimum_assurance_level: int = Field(
        description=(
            "Nivel de identidad que exige: 1 basta una cuenta, 2 confirmada con el RENAP, "
            "3 confirmada en persona."
        )
    )
    version: int = Field(description="Versión del procedimiento con la que empezaría un caso.")
    first_task: TaskForm | None = Field(description="El primer formulario que se responde.")


class ProcedureList(Schema):
    items: list[ProcedureOut]


class StartCaseIn(Schema):
    procedure: str = Field(description="El «slug» del trámite (GET /procedures).")


class ProcedureRef(Schema):
    slug: str
    name: str


class CaseSummary(Schema):
    id: int
    tracking_number: str | None = Field(
        description="Número de expediente; null mientras es un borrador sin enviar."
    )
    procedure: ProcedureRef
    status: str = Field(description="draft, in_review, corrections, decided o flagged (detenido).")
    status_label: str = Field(description="El estado en palabras.")
    your_turn: bool = Field(description="true si el expediente espera una respuesta suya.")
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    due_date: datetime.date | None = Field(description="Fecha límite para resolverlo.")


class CaseOut(CaseSummary):
    decided_at: datetime.datetime | None
    result: str = Field(description="Cómo terminó (vacío mientras no está resuelto).")
    result_message: str = Field(description="La resolución en palabras, para la persona.")
    current_task: TaskForm | None = Field(
        description="El paso que le toca responder, con su formulario; null si no le toca."
    )


class PageQuery(Schema):
    page: int = Field(1, ge=1, description="Número de página, desde 1.")
    page_size: int = Field(20, ge=1, le=100, description="Expedientes por página (hasta 100).")


class CasePage(Schema):
    items: list[CaseSummary]
    count: int = Field(description="Cuántos expedientes hay en total.")
    page: int
    pages: int = Field(description="Cuántas páginas hay.")


class AnswersIn(Schema):
    answers: dict[str, Any] = Field(
        description="Las respuestas del paso, según el JSON Schema de su formulario."
    )


class TimelineEntry(Schema):
    label: str
    detail: str
    at: datetime.datetime


class Timeline(Schema):
    items: list[TimelineEntry]


class CaseFileOut(Schema):
    id: str = Field(description="Con este valor se responde la pregunta del archivo.")
    task: str
    field: str
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime.datetime
