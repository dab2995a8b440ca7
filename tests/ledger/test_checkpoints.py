"""Signed checkpoints, checked the way an outsider checks them: standard library only."""

import base64
import os

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.ledger.test_tree import entries
from ventanilla.ledger import checkpoints, merkle, outsider, tree
from ventanilla.ledger.models import Checkpoint

# RFC 8032, section 7.1: TEST 1 and TEST 2.
RFC8032 = [
    (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39"
        "701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f36"
        "13d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
]


@pytest.mark.parametrize(("key", "message", "signature"), RFC8032, ids=["test1", "test2"])
def test_the_outsiders_ed25519_accepts_rfc8032_and_refuses_any_change(key, message, signature):
    key, message, signature = (bytes.fromhex(v) for v in (key, message, signature))
    assert outsider.ed25519_verify(key, message, signature)
    assert not outsider.ed25519_verify(key, message + b"\x00", signature)
    assert not outsider.ed25519_verify(key, message, bytes([signature[0] ^ 1]) + signature[1:])
    assert not outsider.ed25519_verify(key, message, signature[:32] + bytes(32))
    assert not outsider.ed25519_verify(key[:31], message, signature)


def test_the_outsiders_ed25519_agrees_with_cryptography():
    for _ in range(20):
        private = Ed25519PrivateKey.generate()
        public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        message = os.urandom(os.urandom(1)[0])
        signature = private.sign(message)
        assert outsider.ed25519_verify(public, message, signature)
        other = (
            Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        )
        assert not outsider.ed25519_verify(other, message, signature)


@pytest.mark.django_db
def test_a_checkpoint_opens_with_the_verifier_key_and_states_the_root():
    tree.append(entries(13))
    checkpoint = checkpoints.make_checkpoint()
    assert checkpoints.make_checkpoint().pk == checkpoint.pk  # nothing new: the same one
    opened = outsider.open_checkpoint(checkpoint.note, checkpoints.verifier_key())
    assert opened.origin == checkpoints.origin() == "127.0.0.1:8000/registro-publico"
    assert opened.size == 13
    assert opened.root == bytes(checkpoint.root) == merkle.root(tree.StoredNodes(), 13)
    lines = checkpoint.note.split("\n")
    assert lines[:3] == [checkpoints.origin(), "13", base64.b64encode(opened.root).decode()]
    assert lines[4].startswith("— " + checkpoints.origin() + " ")

    tree.append(entries(2, 13))
    assert checkpoints.make_checkpoint().size == 15
    assert Checkpoint.objects.count() == 2  # all kept


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        lambda note: note.replace("\n13\n", "\n14\n", 1),
        lambda note: note.replace("registro-publico\n", "registro-falso\n", 1),
        lambda note: note[: note.rindex(" ") + 5] + ("A" if note[-6] != "A" else "B") + note[-5:],
        lambda note: note.split("\n\n")[0] + "\n",
    ],
    ids=["size", "origin", "signature", "unsigned"],
)
def test_a_changed_checkpoint_is_refused(change):
    tree.append(entries(13))
    note = checkpoints.make_checkpoint().note
    with pytest.raises(outsider.NoteError):
        outsider.open_checkpoint(change(note), checkpoints.verifier_key())


@pytest.mark.django_db
def test_another_key_is_refused():
    tree.append(entries(3))
    note = checkpoints.make_checkpoint().note
    stranger = (
        Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    )
    with pytest.raises(outsider.NoteError):
        outsider.open_checkpoint(note, outsider.verifier_key(checkpoints.origin(), stranger))
