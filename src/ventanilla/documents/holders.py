"""What a public page may say about a document's holder: initials of each name and the last
four digits of the CUI, enough to tell "this is my diploma" from someone else's, too little to
learn who someone is from a code."""

from __future__ import annotations


def mask_name(name: str) -> str:
    return " ".join(f"{part[0]}." for part in name.split() if part)


def mask_holder(name: str, cui: str = "") -> str:
    masked = mask_name(name)
    digits = "".join(ch for ch in cui if ch.isdigit())
    return f"{masked} (CUI ···· {digits[-4:]})" if len(digits) >= 4 else masked
