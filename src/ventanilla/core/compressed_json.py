"""A model field that holds JSON like ``JSONField`` but stores it deflated (zlib) in a binary
column, for the large documents that are only ever read whole: a case's workflow state and
its events' before/after.

Why not ``JSONField``: SQLite does not compress at all, and PostgreSQL compresses a jsonb
value only once its row passes ~2 KB, so a typical finished case took 14.8 KB on SQLite
(bench/results/case_size.md). Deflated JSON takes a fifth of that. What is given up: querying
inside the document in SQL (``state__tasks__...``); nothing in Ventanilla does that.

The first byte says how the rest is stored, so small values are not made bigger by the zlib
header and a later format can be added beside these:

- ``j``: UTF-8 JSON as it is (what deflate would not make smaller);
- ``z``: zlib-deflated UTF-8 JSON.

Keys keep the order they were written in (``json`` keeps insertion order; jsonb sorted them).
"""

from __future__ import annotations

import json
import zlib

from django.db import models

PLAIN, DEFLATED = b"j", b"z"
# Below this many bytes of JSON deflate rarely pays for its 6 bytes of header and checksum.
_WORTH_DEFLATING = 64
_LEVEL = 6  # zlib's default: level 9 saves ~1 % more here at twice the time


def pack(value, encoder=None) -> bytes:
    text = json.dumps(value, cls=encoder, ensure_ascii=False, separators=(",", ":"))
    raw = text.encode()
    if len(raw) >= _WORTH_DEFLATING:
        deflated = zlib.compress(raw, _LEVEL)
        if len(deflated) < len(raw):
            return DEFLATED + deflated
    return PLAIN + raw


def unpack(stored: bytes | memoryview, decoder=None):
    stored = bytes(stored)
    kind, body = stored[:1], stored[1:]
    if kind == DEFLATED:
        body = zlib.decompress(body)
    elif kind != PLAIN:
        raise ValueError(f"unknown stored JSON format {kind!r}")
    return json.loads(body, cls=decoder)


class CompressedJSONField(models.BinaryField):
    description = "JSON, stored deflated"

    def __init__(self, *args, encoder=None, decoder=None, **kwargs):
        self.encoder, self.decoder = encoder, decoder
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for option in ("encoder", "decoder"):
            if getattr(self, option) is not None:
                kwargs[option] = getattr(self, option)
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return None if value is None else unpack(value, self.decoder)

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        if not isinstance(value, bytes | memoryview):
            value = pack(value, self.encoder)
        return super().get_db_prep_value(value, connection, prepared)

    def to_python(self, value):
        # What ``loaddata`` gives back from ``value_to_string``: the JSON itself.
        if isinstance(value, str):
            return json.loads(value, cls=self.decoder)
        if isinstance(value, bytes | memoryview):
            return unpack(value, self.decoder)
        return value

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), cls=self.encoder, ensure_ascii=False)
