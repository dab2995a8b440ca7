"""Client for a RENAP-style REST service.

    POST {url}/v1/verificaciones
    {"cui": "…", "nombres": "…", "apellidos": "…", "fecha_nacimiento": "YYYY-MM-DD"}
    → 200 {"resultado": "coincide" | "no_coincide" | "no_encontrado"}

    POST {url}/v1/filiaciones          (is the first CUI a parent of the second?)
    {"cui_progenitor": "…", "cui_hijo": "…"}
    → 200 {"resultado": "coincide" | "no_coincide" | "no_encontrado"}

Both questions share one request path (``_ask``): the same credentials, timeout and retries.
Timeouts, connection errors and 5xx answers are retried with a short backoff, then reported
as UNAVAILABLE so that registration can go on at assurance level 1. Mutual TLS: the client
certificate and key, and the CA bundle that signs the registry's certificate, come from
settings. The standard library is enough for this (one JSON POST), so no HTTP package is added.
"""

from __future__ import annotations

import json
import logging
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from ventanilla.identity.registry.base import IdentityClaim, RegistryAnswer

logger = logging.getLogger(__name__)

ANSWERS = {
    "coincide": RegistryAnswer.MATCH,
    "no_coincide": RegistryAnswer.MISMATCH,
    "no_encontrado": RegistryAnswer.NOT_FOUND,
}


@dataclass
class HttpRegistryClient:
    url: str
    timeout: float = 3.0
    retries: int = 2
    backoff: float = 0.2
    token: str = ""
    client_cert: str = ""
    client_key: str = ""
    ca_bundle: str = ""

    def __post_init__(self):
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"The identity registry URL must be http(s): {self.url!r}")

    def _ssl_context(self) -> ssl.SSLContext | None:
        if not self.url.startswith("https:"):
            return None
        context = ssl.create_default_context(cafile=self.ca_bundle or None)
        if self.client_cert:
            context.load_cert_chain(self.client_cert, self.client_key or None)
        return context

    def _request(self, path: str, payload: dict) -> urllib.request.Request:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return urllib.request.Request(  # noqa: S310 - http(s) only, checked in __post_init__
            f"{self.url.rstrip('/')}{path}",
            data=json.dumps(payload).encode(),
            headers=headers,
            method="POST",
        )

    def _ask(self, path: str, payload: dict) -> RegistryAnswer:
        """POST one question; retry what may pass on a second try, and turn anything that is
        not one of the three answers into UNAVAILABLE."""
        context = self._ssl_context()
        for attempt in range(self.retries + 1):
            try:
                with urllib.request.urlopen(  # noqa: S310 - the URL comes from settings
                    self._request(path, payload), timeout=self.timeout, context=context
                ) as response:
                    body = json.loads(response.read())
                answer = body.get("resultado") if isinstance(body, dict) else None
                return ANSWERS.get(answer, RegistryAnswer.UNAVAILABLE)
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    logger.warning("Identity registry refused the request: HTTP %s", error.code)
                    return RegistryAnswer.UNAVAILABLE
                reason = f"HTTP {error.code}"
            except (OSError, ValueError) as error:  # timeouts, refused connections, bad JSON
                reason = type(error).__name__
            logger.info("Identity registry attempt %s failed: %s", attempt + 1, reason)
            if attempt < self.retries:
                time.sleep(self.backoff * (2**attempt))
        return RegistryAnswer.UNAVAILABLE

    def verify(self, claim: IdentityClaim) -> RegistryAnswer:
        return self._ask(
            "/v1/verificaciones",
            {
                "cui": claim.cui,
                "nombres": claim.first_names,
                "apellidos": claim.last_names,
                "fecha_nacimiento": claim.birth_date.isoformat(),
            },
        )

    def verify_parenthood(self, parent_cui: str, child_cui: str) -> RegistryAnswer:
        return self._ask("/v1/filiaciones", {"cui_progenitor": parent_cui, "cui_hijo": child_cui})


def registry_from_settings() -> HttpRegistryClient:
    config = settings.VENTANILLA_REGISTRY
    return HttpRegistryClient(
        url=config["URL"],
        timeout=config["TIMEOUT"],
        retries=config["RETRIES"],
        token=config["TOKEN"],
        client_cert=config["CLIENT_CERT"],
        client_key=config["CLIENT_KEY"],
        ca_bundle=config["CA_BUNDLE"],
    )
