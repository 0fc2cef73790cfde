"""Which adapter manifests we trust: Ed25519 signatures by the release key.

A manifest is trusted only if its exact bytes carry a valid signature by
``TRUSTED_KEY`` *and* it names the adapter the static registry ships under that id
(the class name too), so a signed manifest cannot be re-pointed at another adapter
or grant one adapter the permissions signed for another. The private key stays out
of the repository (``deploy/sign_manifest.py``, ``docs/plugins.md``).
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

#: The release signing key (raw 32-byte Ed25519 public key, base64).
TRUSTED_KEY = "w3GUr9SKwqdeJmwL09eSRUwLfhPFDxqaFzAZ91Vj744="
MANIFESTS = Path(__file__).with_name("manifests")


class Untrusted(Exception):
    """A manifest that must not be used; the message says why."""


class Manifest(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    id: str
    name: str
    version: str
    permissions: tuple[str, ...]
    #: Class name of the adapter in ``adapters.ADAPTERS``.
    adapter: str


def public_key(b64: str = TRUSTED_KEY) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(b64))


def verify(manifest: bytes, signature: bytes, *, adapter_id: str, adapter_class: str, key: Ed25519PublicKey) -> Manifest:
    """The decoded manifest if ``signature`` (base64 text) signs ``manifest`` with ``key``
    and the manifest names this adapter; else ``Untrusted``."""
    try:
        raw = base64.b64decode(signature.strip(), validate=True)
    except binascii.Error:
        raise Untrusted("signature is not base64") from None
    try:
        key.verify(raw, manifest)
    except InvalidSignature:
        raise Untrusted("signature does not match the manifest and the trusted key") from None
    try:
        found = msgspec.json.decode(manifest, type=Manifest)
    except msgspec.DecodeError as exc:  # signed but malformed: a broken release, still refused
        raise Untrusted(f"manifest is not valid: {exc}") from None
    if (found.id, found.adapter) != (adapter_id, adapter_class):
        raise Untrusted(f"manifest is for {found.id}/{found.adapter}, not {adapter_id}/{adapter_class}")
    return found


def load(adapter_id: str, adapter_class: str, folder: Path = MANIFESTS) -> Manifest:
    """Read ``<id>.json`` and ``<id>.json.sig`` from the package data and ``verify`` them."""
    path = folder / f"{adapter_id}.json"
    try:
        manifest, signature = path.read_bytes(), path.with_name(path.name + ".sig").read_bytes()
    except OSError as exc:
        raise Untrusted(f"cannot read the manifest or its signature: {exc.strerror} ({exc.filename})") from None
    return verify(manifest, signature, adapter_id=adapter_id, adapter_class=adapter_class, key=public_key())
