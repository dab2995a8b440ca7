"""Deflated JSON: what is packed comes back exactly, in key order; small values stay plain.
Through the database: tests/cases/test_case_storage.py."""

import json

import pytest

from ventanilla.core.compressed_json import DEFLATED, PLAIN, pack, unpack


def test_small_values_stay_plain_and_large_ones_are_deflated():
    assert pack({}) == b"j{}"
    assert pack({"assignee": 12}) == PLAIN + b'{"assignee":12}'
    large = {"observaciones": "Falta la firma del director en la página dos. " * 40}
    stored = pack(large)
    assert stored[:1] == DEFLATED
    assert len(stored) < len(json.dumps(large)) / 5
    assert unpack(stored) == large
    assert unpack(memoryview(stored)) == large  # what psycopg hands back for bytea


def test_keys_keep_their_order_and_accents_their_letters():
    value = {"z": 1, "a": {"ñandú": "Educación", "b": [3, 2, 1]}, "m": None}
    assert list(unpack(pack(value))) == ["z", "a", "m"]
    assert list(unpack(pack(value))["a"]) == ["ñandú", "b"]
    assert "Educación".encode() in pack(value)  # UTF-8, not \\u escapes


def test_an_unknown_format_is_an_error_not_a_guess():
    with pytest.raises(ValueError, match="unknown stored JSON format"):
        unpack(b"x{}")
