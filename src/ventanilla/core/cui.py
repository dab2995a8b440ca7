"""The CUI (Código Único de Identificación), Guatemala's 13-digit personal ID number.

Layout, printed ``NNNN NNNNV DDMM``: digits 1–8 are a sequence, digit 9 a check digit,
10–11 the department (01–22) and 12–13 the municipality where the birth was registered
(not where the person lives). Check digit: ``sum(d_i * (i + 1) for i in 1..8) mod 11``
must equal digit 9; remainder 10 is never issued, so such a number is invalid.

Each failure has its own code and Spanish message so that a person knows what to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ventanilla.core.geography import departments, municipality_count, municipality_name

_SEPARATORS = re.compile(r"[\s\-\u00a0]+")

MESSAGES = {
    "required": _(
        "Escriba su CUI: son los 13 números de su DPI o de su certificado de nacimiento."
    ),
    "format": _(
        "El CUI debe tener 13 números; puede escribirlos con o sin espacios. "
        "Revise que no falte ni sobre ningún número."
    ),
    "check_digit": _(
        "El CUI no es válido: el noveno número no corresponde a los ocho anteriores. "
        "Revise que copió bien los números de su DPI."
    ),
    "department": _(
        "El CUI no es válido: los números 10 y 11 deben ser un departamento de Guatemala "
        "(01 a 22). Revise los últimos cuatro números de su DPI."
    ),
    "municipality": _(
        "El CUI no es válido: los dos últimos números no corresponden a un municipio de "
        "%(department)s. Revise los últimos cuatro números de su DPI."
    ),
}


@dataclass(frozen=True)
class Cui:
    digits: str

    @property
    def department_code(self) -> str:
        return self.digits[9:11]

    @property
    def municipality_code(self) -> str:
        return self.digits[11:13]

    @property
    def department_name(self) -> str:
        return departments()[self.department_code]

    @property
    def municipality_name(self) -> str:
        return municipality_name(self.department_code, self.municipality_code) or ""

    def formatted(self) -> str:
        """As printed on the DPI: ``NNNN NNNNN NNNN``."""
        return f"{self.digits[:4]} {self.digits[4:9]} {self.digits[9:]}"

    def masked(self) -> str:
        """Only the last four digits, for pages and messages that others may see."""
        return mask_cui(self.digits)

    def __str__(self) -> str:
        return self.digits


def mask_cui(digits: str) -> str:
    """A stored CUI as others may see it: only its last four digits."""
    return f"•••• ••••• {digits[-4:]}" if len(digits) == 13 else "•••• ••••• ••••"


def normalize_cui(value: object) -> str:
    """Remove spaces and hyphens; keep everything else so that validation can complain."""
    return _SEPARATORS.sub("", str(value or ""))


def check_digit(sequence: str) -> int:
    """The check digit for the first eight digits, or 10 (never issued) when none is valid."""
    return (
        sum(int(digit) * weight for digit, weight in zip(sequence, range(2, 10), strict=True)) % 11
    )


def parse_cui(value: object) -> Cui:
    """Return the CUI or raise ``ValidationError`` with a code naming what is wrong."""
    digits = normalize_cui(value)
    if not digits:
        raise ValidationError(MESSAGES["required"], code="required")
    if len(digits) != 13 or not digits.isascii() or not digits.isdigit():
        raise ValidationError(MESSAGES["format"], code="format")
    if check_digit(digits[:8]) != int(digits[8]):
        raise ValidationError(MESSAGES["check_digit"], code="check_digit")
    department = digits[9:11]
    if department not in departments():
        raise ValidationError(MESSAGES["department"], code="department")
    municipality = int(digits[11:13])
    if not 1 <= municipality <= municipality_count(department):
        raise ValidationError(
            MESSAGES["municipality"],
            code="municipality",
            params={"department": departments()[department]},
        )
    return Cui(digits)


def validate_cui(value: object) -> None:
    """Django field validator."""
    parse_cui(value)


def make_cui(sequence: int, department_code: str, municipality_code: str) -> str:
    """Build a valid CUI from an eight-digit sequence (for demo data and tests).

    Sequences whose check digit would be 10 are skipped forward to the next valid one.
    """
    while True:
        head = f"{sequence:08d}"
        digit = check_digit(head)
        if digit != 10:
            return f"{head}{digit}{department_code}{municipality_code}"
        sequence += 1
