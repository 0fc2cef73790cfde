"""Sign plugin manifests for a release (the private key never enters the repository).

    python deploy/sign_manifest.py keygen KEYFILE          # once: new key, prints the public key for trust.py
    python deploy/sign_manifest.py sign KEYFILE MANIFEST…   # writes MANIFEST.sig next to each manifest

The signature is Ed25519 over the manifest file's exact bytes, stored as base64 text.
See ``docs/plugins.md`` for the release step.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


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


def sign(keyfile: Path, manifests: list[Path]) -> None:
    key = serialization.load_pem_private_key(keyfile.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SystemExit(f"{keyfile}: not an Ed25519 private key")
    for manifest in manifests:
        signature = key.sign(manifest.read_bytes())
        manifest.with_name(manifest.name + ".sig").write_text(base64.b64encode(signature).decode() + "\n")
        print(f"signed {manifest} with {public_b64(key)}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="sign_manifest.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("keygen").add_argument("keyfile", type=Path)
    signer = sub.add_parser("sign")
    signer.add_argument("keyfile", type=Path)
    signer.add_argument("manifests", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if args.command == "keygen":
        keygen(args.keyfile)
    else:
        sign(args.keyfile, args.manifests)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
