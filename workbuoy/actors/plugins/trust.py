"""Which adapter manifests we trust: signed like TUF targets, by the release key.

A manifest is trusted only if all of this holds (checked in this order):

* its exact bytes carry a valid Ed25519 signature by ``TRUSTED_KEY``;
* it names the adapter the static registry ships under that id (the class name too),
  so a signed manifest cannot be re-pointed at another adapter;
* its ``version`` is not lower than the highest version this machine ever accepted
  for that adapter (the caller keeps that floor), so an older signed manifest cannot
  be put back (a rollback);
* it has not ``expires``, so a manifest cannot stay valid forever (a freeze);
* the adapter's module file on disk hashes to its ``adapter_sha256``, so the code the
  permissions were signed for is the code that runs.

The private key stays out of the repository (``deploy/sign_manifest.py``, ``docs/plugins.md``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import inspect
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

#: The release signing key (raw 32-byte Ed25519 public key, base64).
TRUSTED_KEY = "cNIwZ2guzgFyeoEpZyIeXVd1WkahA6BE1Bnq/taE4cI="
MANIFESTS = Path(__file__).with_name("manifests")
#: ``major.minor.patch``, compared as numbers (``1.10.0`` is newer than ``1.9.0``).
Version = Annotated[str, msgspec.Meta(pattern=r"^(0|[1-9][0-9]{0,8})(\.(0|[1-9][0-9]{0,8})){2}$")]


class Untrusted(Exception):
    """A manifest that must not be used; the message says why."""


class Manifest(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    id: str
    name: str
    version: Version
    #: After this instant (RFC 3339 with a zone) the manifest is refused.
    expires: Annotated[datetime, msgspec.Meta(tz=True)]
    permissions: tuple[str, ...]
    #: Class name of the adapter in ``adapters.ADAPTERS``.
    adapter: str
    #: SHA-256 (hex) of the adapter's module file, the code these permissions are for.
    adapter_sha256: Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$")]


@dataclass(frozen=True)
class Binding:
    """What a manifest must name and hash to: one adapter class of the registry."""

    id: str
    adapter_class: str
    #: The module file whose bytes ``adapter_sha256`` covers.
    module: Path

    @classmethod
    def of(cls, adapter: type) -> Binding:
        return cls(adapter.id, adapter.__name__, Path(inspect.getfile(adapter)))

    def code_sha256(self) -> str:
        try:
            return hashlib.sha256(self.module.read_bytes()).hexdigest()
        except OSError as exc:
            raise Untrusted(f"cannot read the adapter code {self.module}: {exc.strerror}") from None


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def public_key(b64: str = TRUSTED_KEY) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(b64))


def _signed(manifest: bytes, signature: bytes, key: Ed25519PublicKey) -> Manifest:
    try:
        raw = base64.b64decode(signature.strip(), validate=True)
    except binascii.Error:
        raise Untrusted("signature is not base64") from None
    try:
        key.verify(raw, manifest)
    except InvalidSignature:
        raise Untrusted("signature does not match the manifest and the trusted key") from None
    try:
        return msgspec.json.decode(manifest, type=Manifest)
    except msgspec.DecodeError as exc:  # signed but malformed: a broken release, still refused
        raise Untrusted(f"manifest is not valid: {exc}") from None


def verify(manifest: bytes, signature: bytes, binding: Binding, *, key: Ed25519PublicKey, now: datetime,
           floor: str | None) -> Manifest:
    """The decoded manifest if ``signature`` (base64 text) signs ``manifest`` with ``key``, the
    manifest names ``binding``, its version is not below ``floor`` (the highest accepted
    before, ``None`` if none was), it has not expired at ``now`` and the adapter code on
    disk is the code it signs; else ``Untrusted`` saying which failed."""
    found = _signed(manifest, signature, key)
    if (found.id, found.adapter) != (binding.id, binding.adapter_class):
        raise Untrusted(f"manifest is for {found.id}/{found.adapter}, not {binding.id}/{binding.adapter_class}")
    if floor is not None and version_key(found.version) < version_key(floor):
        raise Untrusted(f"rollback: version {found.version} is older than {floor}, already accepted on this machine")
    if now >= found.expires:
        raise Untrusted(f"expired on {found.expires.isoformat()}")
    if binding.code_sha256() != found.adapter_sha256:
        raise Untrusted(f"the adapter code {binding.module.name} is not the code the manifest signs (SHA-256 differs)")
    return found


def load(binding: Binding, *, now: datetime, floor: str | None, folder: Path = MANIFESTS,
         key: Ed25519PublicKey | None = None) -> Manifest:
    """Read ``<id>.json`` and ``<id>.json.sig`` from ``folder`` (the package data) and ``verify``
    them with ``key`` (``TRUSTED_KEY`` unless a test passes its own)."""
    path = folder / f"{binding.id}.json"
    try:
        manifest, signature = path.read_bytes(), path.with_name(path.name + ".sig").read_bytes()
    except OSError as exc:
        raise Untrusted(f"cannot read the manifest or its signature: {exc.strerror} ({exc.filename})") from None
    return verify(manifest, signature, binding, key=key or public_key(), now=now, floor=floor)
