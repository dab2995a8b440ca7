"""The public log's storage: the leaves in order, the hashes of complete subtrees (so that a
proof at 10,000,000 leaves reads ~50 rows), the tree's size (the sequencer's row, locked by
every append) and the signed checkpoints."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Leaf(models.Model):
    """One entry: the canonical JSON (RFC 8785) committed to, and its leaf hash. Personal
    data never appears in clear: the entry holds salted hashes (``commitments``)."""

    index = models.BigIntegerField(_("posición"), primary_key=True)
    kind = models.CharField(_("tipo"), max_length=40)
    reference = models.CharField(_("referencia"), max_length=80, db_index=True)
    entry = models.TextField(_("entrada (JSON canónico)"))
    salt = models.BinaryField(_("sal"), max_length=32)
    leaf_hash = models.BinaryField(_("hash de la hoja"), max_length=32)
    appended_at = models.DateTimeField(_("registrada el"), default=timezone.now)

    class Meta:
        ordering = ["index"]
        verbose_name = _("entrada del registro público")
        verbose_name_plural = _("entradas del registro público")

    def __str__(self) -> str:
        return f"{self.index}: {self.reference}"


class Node(models.Model):
    """The hash of a complete subtree: ``2**level`` leaves from ``index * 2**level``, kept
    under one number (``position``) so that a proof reads all it needs with one ``IN``."""

    position = models.BigIntegerField(primary_key=True)
    hash = models.BinaryField(max_length=32)

    LEVEL_SHIFT = 56  # position = level << 56 | index: 2**56 leaves are plenty

    def __str__(self) -> str:
        return f"{self.position >> self.LEVEL_SHIFT}/{self.position & ((1 << 56) - 1)}"

    @classmethod
    def position_of(cls, level: int, index: int) -> int:
        return level << cls.LEVEL_SHIFT | index


class TreeHead(models.Model):
    """One row: how many leaves the log holds. Every append locks it, which makes the
    appends of concurrent transactions take one index after the other: no gap, no fork."""

    size = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.size}"


class Checkpoint(models.Model):
    """A signed statement of the log's size and root (a C2SP signed note)."""

    size = models.BigIntegerField(_("tamaño"), db_index=True)
    root = models.BinaryField(_("raíz"), max_length=32)
    note = models.TextField(_("nota firmada"))
    created_at = models.DateTimeField(_("firmado el"), default=timezone.now)

    class Meta:
        ordering = ["-size"]
        verbose_name = _("punto de control")
        verbose_name_plural = _("puntos de control")

    def __str__(self) -> str:
        return f"{self.size}"
