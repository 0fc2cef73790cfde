"""The release command: build the wheel and sdist of a checkout and sign them into TUF metadata.

    python -m workbuoy.update.publish --repo REPO --key KEY.pem --out RELEASES --version 0.2.0 [--prerelease]

``REPO/metadata`` is the TUF repository's state across releases (root, targets,
snapshot, timestamp; created with ``--init``). ``RELEASES/<tag>/`` receives what a
GitHub release carries: the wheel, the sdist, ``timestamp.json``, ``snapshot.json``,
``targets.json``, every ``N.root.json`` after the first, and ``release.json`` (tag,
pre-release flag, date) for the sandbox feed. The wheel ships ``REPO``'s root as
``workbuoy/update/root.json``: the trust anchor of the app built from it.

One Ed25519 key signs every role here (a PKCS#8 PEM file, e.g. ``openssl genpkey
-algorithm ed25519``); a production repository keeps the root key offline
(docs/update.md).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Metadata, MetaFile, Root, Snapshot, TargetFile, Targets, Timestamp
from tuf.api.serialization.json import JSONSerializer

ROLES = (Root.type, Targets.type, Snapshot.type, Timestamp.type)
SKIP = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "root.json")


def _expiry(seconds: float) -> datetime:
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).replace(microsecond=0)


def load_signer(key_file: Path) -> CryptoSigner:
    return CryptoSigner(load_pem_private_key(key_file.read_bytes(), password=None))


class Repository:
    """The four top-level roles in ``<folder>/metadata``, one key for all."""

    def __init__(self, folder: Path, signer: CryptoSigner) -> None:
        self.dir = folder / "metadata"
        self.signer = signer

    def path(self, role: str) -> Path:
        return self.dir / f"{role}.json"

    def load(self, role: str) -> Metadata:
        return Metadata.from_file(str(self.path(role)))

    def save(self, md: Metadata) -> None:
        md.signatures.clear()
        md.sign(self.signer)
        md.to_file(str(self.path(md.signed.type)), JSONSerializer(compact=False))
        if md.signed.type == Root.type:
            shutil.copyfile(self.path(Root.type), self.dir / f"{md.signed.version}.root.json")

    def init(self, root_days: float = 365) -> None:
        if self.path(Root.type).exists():
            raise SystemExit(f"{self.path(Root.type)} exists: the repository is already initialised")
        self.dir.mkdir(parents=True, exist_ok=True)
        root = Root(expires=_expiry(root_days * 86400), consistent_snapshot=False)
        for role in ROLES:
            root.add_key(self.signer.public_key, role)
        self.save(Metadata(root))
        self.save(Metadata(Targets(expires=_expiry(90 * 86400))))
        self.save(Metadata(Snapshot(expires=_expiry(30 * 86400))))
        self.save(Metadata(Timestamp(expires=_expiry(7 * 86400))))

    def add_target(self, artifact: Path, version: str, timestamp_sec: float) -> None:
        """List ``artifact`` with its length, hashes and version; re-sign targets, snapshot, timestamp."""
        targets = self.load(Targets.type)
        target = TargetFile.from_file(artifact.name, str(artifact), ["sha256", "sha512"])
        target.unrecognized_fields["custom"] = {"version": version}
        targets.signed.targets[artifact.name] = target
        self._bump(targets, 90 * 86400)
        snapshot = self.load(Snapshot.type)
        snapshot.signed.meta["targets.json"] = MetaFile(targets.signed.version)
        self._bump(snapshot, 30 * 86400)
        timestamp = self.load(Timestamp.type)
        timestamp.signed.snapshot_meta = MetaFile(snapshot.signed.version)
        self._bump(timestamp, timestamp_sec)

    def _bump(self, md: Metadata, expires_sec: float) -> None:
        md.signed.version += 1
        md.signed.expires = _expiry(expires_sec)
        self.save(md)


def build(source: Path, version: str, root: Path | None, out: Path) -> tuple[Path, Path]:
    """Wheel and sdist of ``source`` with ``version`` and, if given, the update root inside."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="workbuoy-build-") as tmp:
        tree = Path(tmp) / "src"
        shutil.copytree(source, tree, ignore=SKIP)
        init = tree / "workbuoy" / "__init__.py"
        text, n = re.subn(r'^__version__ = ".*"$', f'__version__ = "{version}"', init.read_text(), flags=re.M)
        if n != 1:
            raise SystemExit(f"{init}: no __version__ line to set")
        init.write_text(text)
        if root is not None:
            shutil.copyfile(root, tree / "workbuoy" / "update" / "root.json")
        done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", str(out), str(tree)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"the build failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return next(out.glob(f"workbuoy-{version}-*.whl")), next(out.glob(f"workbuoy-{version}.tar.gz"))


def publish(args: argparse.Namespace) -> Path:
    repo = Repository(args.repo, load_signer(args.key))
    if args.init and not repo.path(Root.type).exists():
        repo.init()
    tag = args.tag or f"v{args.version}"
    release = args.out / tag
    shutil.rmtree(release, ignore_errors=True)
    wheel, _sdist = build(args.source, args.version, repo.path(Root.type), release)  # both are release assets
    repo.add_target(wheel, args.version, args.timestamp_expires)
    for role in (Timestamp.type, Snapshot.type, Targets.type):
        shutil.copyfile(repo.path(role), release / f"{role}.json")
    for rotated in repo.dir.glob("*.root.json"):
        if rotated.name != "1.root.json":
            shutil.copyfile(rotated, release / rotated.name)
    published = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    (release / "release.json").write_text(json.dumps({"tag_name": tag, "prerelease": args.prerelease, "published_at": published}))
    return release


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m workbuoy.update.publish", description=__doc__.splitlines()[0])
    p.add_argument("--repo", type=Path, required=True, help="the TUF repository folder (metadata/ inside)")
    p.add_argument("--key", type=Path, required=True, help="Ed25519 private key, PKCS#8 PEM")
    p.add_argument("--out", type=Path, required=True, help="releases folder; the release goes to OUT/<tag>/")
    p.add_argument("--version", required=True, help="the version written into the build")
    p.add_argument("--tag", help="release tag (default v<version>)")
    p.add_argument("--prerelease", action="store_true", help="publish on the beta channel only")
    p.add_argument("--source", type=Path, default=Path.cwd(), help="the checkout to build (default: here)")
    p.add_argument("--init", action="store_true", help="create the repository's metadata if missing")
    p.add_argument("--timestamp-expires", type=float, default=7 * 86400, metavar="SEC",
                   help="seconds until timestamp.json expires (negative: already expired, for tests)")
    args = p.parse_args(argv)
    release = publish(args)
    for f in sorted(release.iterdir()):
        print(f"{f.stat().st_size:>10}  {f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
