"""The national identity registry (RENAP in Guatemala): does this CUI belong to this person?

``base`` defines the question and the four possible answers, ``http_client`` asks a
RENAP-style REST service, and ``simulator`` is a local service with synthetic people that the
demo and the tests run on loopback.
"""

from ventanilla.identity.registry.base import IdentityClaim, RegistryAnswer, RegistryClient
from ventanilla.identity.registry.http_client import HttpRegistryClient, registry_from_settings

__all__ = [
    "HttpRegistryClient",
    "IdentityClaim",
    "RegistryAnswer",
    "RegistryClient",
    "registry_from_settings",
]
