"""5,000 synthetic procedures with realistic Spanish names and requirements."""

from __future__ import annotations

import random

ACTIONS = [
    "Certificación",
    "Inscripción",
    "Autorización",
    "Renovación",
    "Registro",
    "Reposición",
    "Constancia",
    "Equiparación",
    "Solicitud",
    "Actualización",
    "Cancelación",
    "Ampliación",
]
OBJECTS = [
    "de estudios",
    "de centro educativo",
    "de título",
    "de diploma",
    "de cursos aprobados",
    "de docente",
    "de cuotas",
    "de jornada",
    "de sede",
    "de beca",
    "de traslado",
    "de notas",
    "de carrera",
    "de director",
    "de libros de texto",
    "de transporte escolar",
]
QUALIFIERS = [
    "del nivel primario",
    "del nivel medio",
    "del ciclo básico",
    "del ciclo diversificado",
    "para el extranjero",
    "para centros privados",
    "para centros públicos",
    "en línea",
    "de educación extraescolar",
    "de educación bilingüe intercultural",
    "",
]
REQUIREMENTS = [
    "Documento Personal de Identificación (DPI) vigente",
    "Certificado de nacimiento emitido por RENAP",
    "Certificación de cursos aprobados",
    "Fotocopia del título o diploma",
    "Constancia de inscripción del ciclo en curso",
    "Solvencia del centro educativo",
    "Formulario de solicitud firmado",
    "Timbre fiscal del año en curso",
    "Acta de la junta directiva del centro",
    "Planos del edificio y constancia municipal",
]


def synthetic_procedures(count: int, seed: int = 2026) -> list[dict]:
    rng = random.Random(seed)
    records = []
    for number in range(1, count + 1):
        name = " ".join(
            part
            for part in (rng.choice(ACTIONS), rng.choice(OBJECTS), rng.choice(QUALIFIERS))
            if part
        )
        records.append(
            {
                "slug": f"sintetico-{number:05d}",
                "name": f"{name} ({number})",
                "summary": f"Trámite sintético {number} para medir la búsqueda: {name.lower()}.",
                "who_may_apply": rng.choice(
                    ["Estudiantes y egresados", "Madres y padres", "Docentes", "Centros privados"]
                ),
                "requirements": rng.sample(REQUIREMENTS, k=rng.randint(2, 5)),
                "online": rng.random() < 0.3,
                "prioritised": rng.random() < 0.1,
            }
        )
    return records
