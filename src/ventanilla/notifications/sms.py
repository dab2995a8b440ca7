"""Text messages (SMS) to people's mobile phones, through a gateway chosen in settings.

    VENTANILLA_SMS = {"BACKEND": "console" | "http", "URL": …, "TOKEN": …, "SENDER": …,
                      "TIMEOUT": seconds}

``console`` (the default, used by the demo) writes each message to standard error and the
log. ``http`` POSTs it to an SMS gateway as JSON with a bearer token:

    POST {URL}
    Authorization: Bearer {TOKEN}
    {"to": "+50255551234", "from": "{SENDER}", "text": "…"}
    → any 2xx means accepted

Timeouts, refused connections and 5xx answers are tried once more; then the failure is logged
and ``send_sms`` returns False. Nothing here ever raises into the request that sent it.

A message is at most 160 GSM-7 characters (one SMS): letters the GSM alphabet lacks lose
their accents (á → a), and a longer text is cut at a word and ends with "...".
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

SMS_LENGTH = 160
ELLIPSIS = "..."

# The GSM 03.38 default alphabet (one septet each) and its extension table (two septets: the
# escape character and the character itself). Every Spanish letter except á, í, ó, ú (and
# their capitals but É) is in it.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€")
LOOKALIKES = {
    "…": "...",
    "«": '"',
    "»": '"',
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "–": "-",
    "—": "-",
    "·": ".",
}


def _gsm_char(char: str) -> str:
    if char in GSM_BASIC or char in GSM_EXTENSION:
        return char
    if char in LOOKALIKES:
        return LOOKALIKES[char]
    if char.isspace():
        return " "
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if bare and all(c in GSM_BASIC for c in bare):
        return bare
    return "?"


def to_gsm(text: str) -> str:
    """The text in the GSM-7 alphabet, on one line: 'Revisión' → 'Revision'."""
    return " ".join("".join(_gsm_char(char) for char in text).split())


def septets(text: str) -> int:
    """How much of an SMS the (GSM-7) text takes: extension characters count twice."""
    return sum(2 if char in GSM_EXTENSION else 1 for char in text)


def fit(text: str, limit: int = SMS_LENGTH) -> str:
    """The text in GSM-7, cut politely to ``limit`` septets: at the end of a word, with
    "..." to show something was left out."""
    text = to_gsm(text)
    if septets(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    kept, used = [], 0
    for char in text:
        used += septets(char)
        if used > room:
            break
        kept.append(char)
    cut = "".join(kept)
    if text[len(cut)] != " " and " " in cut[room // 2 :]:
        cut = cut[: cut.rindex(" ")]  # do not break a word, unless it is half the message
    return cut.rstrip(" ,;:.-") + ELLIPSIS


_SEPARATORS = re.compile(r"[\s\-.()/]")


def normalise_phone(raw: str) -> str | None:
    """A Guatemalan number in international form (+502 and eight digits), or None when the
    text is not one: '5555-1234', '502 5555 1234' and '+502 5555-1234' all give
    '+50255551234'."""
    number = _SEPARATORS.sub("", raw or "")
    if number.startswith("+"):
        number = number[1:]
    elif number.startswith("00"):
        number = number[2:]
    if not number.isdigit():
        return None
    if len(number) == 11 and number.startswith("502"):
        number = number[3:]
    # Guatemalan subscriber numbers have eight digits and start with 2 to 7 (3, 4 and 5 are
    # mobile); 0, 1, 8 and 9 start short codes and special services.
    if len(number) != 8 or number[0] not in "234567":
        return None
    return f"+502{number}"


def mask_phone(number: str) -> str:
    """For logs: '+50255551234' → '+502****1234'."""
    return f"{number[:4]}****{number[-4:]}" if len(number) > 8 else "****"


class SmsBackend(Protocol):
    def send(self, to: str, text: str) -> bool:
        """Send ``text`` (already fitted) to ``to`` (+502…). True when the gateway took it."""
        ...


class ConsoleBackend:
    """Writes each message to standard error (and a line to the log): for the demo and for
    development, where no gateway exists."""

    def __init__(self, sender: str = ""):
        self.sender = sender

    def send(self, to: str, text: str) -> bool:
        sys.stderr.write(f"SMS {self.sender or 'Ventanilla'} -> {to}: {text}\n")
        sys.stderr.flush()
        logger.info("SMS to %s written to the console", mask_phone(to))
        return True


@dataclass
class HttpBackend:
    """A real SMS gateway: one JSON POST per message, with a bearer token."""

    url: str
    token: str = ""
    sender: str = ""
    timeout: float = 5.0
    retries: int = 1
    backoff: float = 0.5

    def __post_init__(self):
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"The SMS gateway URL must be http(s): {self.url!r}")

    def _request(self, to: str, text: str) -> urllib.request.Request:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = {"to": to, "from": self.sender, "text": text}
        return urllib.request.Request(  # noqa: S310 - http(s) only, checked in __post_init__
            self.url, data=json.dumps(payload).encode(), headers=headers, method="POST"
        )

    def send(self, to: str, text: str) -> bool:
        for attempt in range(self.retries + 1):
            try:
                with urllib.request.urlopen(  # noqa: S310 - the URL comes from settings
                    self._request(to, text), timeout=self.timeout
                ) as response:
                    response.read()
                return True
            except urllib.error.HTTPError as error:
                if error.code < 500:  # the gateway refused it: trying again will not help
                    logger.error(
                        "SMS gateway refused the message to %s: HTTP %s",
                        mask_phone(to),
                        error.code,
                    )
                    return False
                reason = f"HTTP {error.code}"
            except (OSError, ValueError) as error:  # timeouts, refused connections
                cause = getattr(error, "reason", error)  # URLError wraps the socket's error
                reason = type(cause).__name__ if isinstance(cause, Exception) else str(cause)
            if attempt < self.retries:
                logger.warning("SMS gateway attempt %s failed: %s", attempt + 1, reason)
                time.sleep(self.backoff)
        logger.error("SMS to %s not sent: the gateway failed (%s)", mask_phone(to), reason)
        return False


def backend_from_settings() -> SmsBackend:
    config = getattr(settings, "VENTANILLA_SMS", {}) or {}
    name = config.get("BACKEND", "console")
    if name == "console":
        return ConsoleBackend(sender=config.get("SENDER", ""))
    if name == "http":
        return HttpBackend(
            url=config.get("URL", ""),
            token=config.get("TOKEN", ""),
            sender=config.get("SENDER", ""),
            timeout=float(config.get("TIMEOUT", 5)),
        )
    raise ValueError(f"Unknown SMS backend {name!r}: use 'console' or 'http'")


def send_sms(phone: str, text: str) -> bool:
    """Send one SMS (fitted to 160 GSM-7 characters) to a Guatemalan number. Returns whether
    the gateway took it; a number that is not one, or any failure, is logged, never raised."""
    to = normalise_phone(phone)
    if to is None:
        logger.warning("SMS not sent: %r is not a Guatemalan phone number", mask_phone(phone))
        return False
    try:
        return backend_from_settings().send(to, fit(text))
    except Exception:
        logger.exception("SMS to %s not sent", mask_phone(to))
        return False
