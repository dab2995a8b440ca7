"""The English catalogue is complete and its compiled .mo matches the .po."""

import gettext
import re
from pathlib import Path

import ventanilla

LOCALE = Path(ventanilla.__file__).parent / "locale" / "en" / "LC_MESSAGES"
ENTRY = re.compile(
    r'^(?:msgctxt ((?:".*"\n)+))?msgid ((?:".*"\n)+)(?:msgid_plural (?:".*"\n)+)?'
    r'((?:msgstr.*\n(?:".*"\n)*)+)',
    re.M,
)


ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _joined(quoted: str) -> str:
    """The text of a (possibly multi-line) PO string, with its escapes undone."""
    raw = "".join(re.findall(r'"(.*)"', quoted))
    return re.sub(r"\\(.)", lambda match: ESCAPES.get(match.group(1), match.group(1)), raw)


def po_entries() -> dict[str, list[str]]:
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = {}
    for context, msgid, msgstrs in ENTRY.findall(text + "\n"):
        translations = [
            _joined(part) for part in re.split(r"^msgstr(?:\[\d\])? ", msgstrs, flags=re.M) if part
        ]
        # As the compiled catalogue keys it: "context\x04msgid" (pgettext).
        key = f"{_joined(context)}\x04{_joined(msgid)}" if context else _joined(msgid)
        entries[key] = translations
    entries.pop("", None)  # the header
    return entries


def test_every_string_has_an_english_translation():
    missing = [msgid for msgid, translations in po_entries().items() if not all(translations)]
    assert missing == []
    assert len(po_entries()) > 200
    assert "#, fuzzy" not in (LOCALE / "django.po").read_text(encoding="utf-8")


def test_compiled_catalogue_matches_the_source():
    with (LOCALE / "django.mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    compiled = {key[0] if isinstance(key, tuple) else key for key in catalog} - {""}
    assert compiled == set(po_entries())
