"""Plain-text helpers shared by search and display: accent folding and Spanish stems."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[a-z0-9]+")
_stemmer = snowballstemmer.stemmer("spanish")

# Words too common to help find a procedure. PostgreSQL's Spanish configuration drops
# these (and more) from the index, so a query must not require them either.
STOPWORDS = frozenset(
    (
        "a al algo con como de del el en entre es esta este la las lo los mas me mi o para "
        "pero por que se si sin sobre su sus un una uno unos y ya"
    ).split()
)


def fold(text: str) -> str:
    """Lower-case and without accents: 'Inscripción' → 'inscripcion' (ñ becomes n)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def stems(text: str) -> list[str]:
    return [stem(word) for word in words(text)]
