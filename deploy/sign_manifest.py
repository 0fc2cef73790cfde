"""Sign plugin manifests for a release (the private key never enters the repository).

    python deploy/sign_manifest.py keygen KEYFILE                  # once: new key, prints the public key for trust.py
    python deploy/sign_manifest.py sign KEYFILE MANIFEST… [--days N]  # binds, stamps and signs each manifest

``sign`` first rewrites each manifest's ``adapter_sha256`` (the SHA-256 of the adapter
module the registry ships under the manifest's id, computed by the app's own
``trust.Binding``) and ``expires`` (now + ``--days``, 365 by default), then writes an
Ed25519 signature over the file's exact bytes, as base64 text, to ``MANIFEST.sig``.
The ``version`` is the release manager's to raise: a machine refuses a version lower
than one it accepted before. See ``docs/plugins.md`` for the release step.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout's workbuoy, run from anywhere
from workbuoy.actors.plugins import trust  # noqa: E402
from workbuoy.actors.plugins.adapters import ADAPTERS  # noqa: E402


def public_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def keygen(keyfile: Path) -> None:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never overwrite a key
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    print(f"TRUSTED_KEY = {public_b64(key)!r}  # paste into workbuoy/actors/plugins/trust.py")


def stamp(manifest: Path, days: int) -> bytes:
    """The manifest bound to its adapter's code and given a new expiry, written back and returned."""
    fields = json.loads(manifest.read_text(encoding="utf-8"))
    adapter = next((cls for cls in ADAPTERS if cls.id == fields.get("id")), None)
    if adapter is None:
        raise SystemExit(f"{manifest}: no adapter with id {fields.get('id')!r} in ADAPTERS")
    fields["adapter_sha256"] = trust.Binding.of(adapter).code_sha256()
    fields["expires"] = (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    body = (json.dumps(fields, indent=2, ensure_ascii=False) + "\n").encode()
    try:
        msgspec.json.decode(body, type=trust.Manifest)  # never sign what the app would refuse as malformed
    except msgspec.DecodeError as exc:
        raise SystemExit(f"{manifest}: {exc}") from None
    manifest.write_bytes(body)
    return body


def sign(keyfile: Path, manifests: list[Path], days: int) -> None:
    key = serialization.load_pem_private_key(keyfile.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SystemExit(f"{keyfile}: not an Ed25519 private key")
    for manifest in manifests:
        signature = key.sign(stamp(manifest, days))
        manifest.with_name(manifest.name + ".sig").write_text(base64.b64encode(signature).decode() + "\n")
        print(f"signed {manifest} with {public_b64(key)}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="sign_manifest.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("keygen").add_argument("keyfile", type=Path)
    signer = sub.add_parser("sign")
    signer.add_argument("keyfile", type=Path)
    signer.add_argument("manifests", type=Path, nargs="+")
    signer.add_argument("--days", type=int, default=365, help="valid for this many days from now (default 365)")
    args = parser.parse_args(argv)
    if args.command == "keygen":
        keygen(args.keyfile)
    else:
        sign(args.keyfile, args.manifests, args.days)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
