"""A procedure definition as files, the way an analyst hands it over:

procedures/<slug>/process.bpmn      the diagram (lanes = roles)
procedures/<slug>/forms/<task>.json JSON Schema + display hints, one per user task
procedures/<slug>/decisions/*.dmn   decision tables (optional)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

PACKAGED = Path(__file__).resolve().parent.parent / "procedures"


@dataclass
class Definition:
    slug: str
    bpmn: str
    forms: dict[str, dict] = field(default_factory=dict)
    decisions: dict[str, str] = field(default_factory=dict)
    unreadable_forms: dict[str, str] = field(default_factory=dict)


def load_definition(folder: Path) -> Definition:
    folder = Path(folder)
    process = folder / "process.bpmn"
    if not process.is_file():
        raise FileNotFoundError(f"{folder}: no process.bpmn")
    definition = Definition(slug=folder.name, bpmn=process.read_text(encoding="utf-8"))
    for form in sorted((folder / "forms").glob("*.json")):
        try:
            definition.forms[form.stem] = json.loads(form.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            definition.unreadable_forms[form.stem] = str(error)
    for dmn in sorted((folder / "decisions").glob("*.dmn")):
        definition.decisions[dmn.name] = dmn.read_text(encoding="utf-8")
    return definition


def packaged_definitions() -> list[Path]:
    return sorted(path.parent for path in PACKAGED.glob("*/process.bpmn"))
