"""Guatemala's departments and municipalities, read from the table shipped with the package.

The table (``core/data/gt_municipios.csv``: 22 departments, 340 municipalities, including
Sipacate and Petatán created in 2015) is the single source: the database rows are loaded
from it and CUI validation reads it directly, so validating needs no database query.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MUNICIPALITIES_CSV = Path(__file__).resolve().parent / "data" / "gt_municipios.csv"


@dataclass(frozen=True)
class MunicipalityRow:
    department_code: str
    department_name: str
    code: str
    name: str


@cache
def municipality_rows() -> tuple[MunicipalityRow, ...]:
    with MUNICIPALITIES_CSV.open(encoding="utf-8", newline="") as handle:
        return tuple(
            MunicipalityRow(
                department_code=row["departamento_codigo"],
                department_name=row["departamento"],
                code=row["municipio_codigo"],
                name=row["municipio"],
            )
            for row in csv.DictReader(handle)
        )


@cache
def departments() -> dict[str, str]:
    """Department code ('01'..'22') → name."""
    return {row.department_code: row.department_name for row in municipality_rows()}


@cache
def municipality_count(department_code: str) -> int:
    """How many municipalities a department has (0 for an unknown department)."""
    return sum(1 for row in municipality_rows() if row.department_code == department_code)


def municipality_name(department_code: str, municipality_code: str) -> str | None:
    for row in municipality_rows():
        if row.department_code == department_code and row.code == municipality_code:
            return row.name
    return None
