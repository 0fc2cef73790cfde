"""``workbuoy doctor``: what is wrong with this installation, and what to do about each problem.

Every check is read-only and works whether or not a node is running: the integrity of
both database files, the modes of the data folder and its files (they hold CRM data and,
with the file keyring, the encrypted session), the free space beside them, access to the
keyring, and whether the server answers.
"""

from __future__ import annotations

import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import apsw
import httpx
import msgspec

from workbuoy.config import Env
from workbuoy.platform import current
from workbuoy.platform.errors import NotPrivate
from workbuoy.schemas.settings import Settings, upgrade
from workbuoy.store.db import cache_path_for
from workbuoy.store.files import check_file

#: Below this much free space beside the data a sync or a write may soon hit a full disk.
MIN_FREE_BYTES = 512 * 1024 * 1024
SERVER_TIMEOUT_S = 10.0


class Finding(NamedTuple):
    check: str
    ok: bool
    detail: str
    fix: str = ""


def run(env: Env) -> list[Finding]:
    return [*integrity(env), *modes(env), free_space(env), keyring_access(env), server(env)]


def integrity(env: Env) -> Iterator[Finding]:
    """``PRAGMA integrity_check`` of the main file (outbox) and the cache file."""
    main, cache = env.db_path, cache_path_for(env.db_path)
    fixes = {
        main: "it holds the queued writes: stop WorkBuoy, copy the folder somewhere safe, then run "
              f"`sqlite3 {main} .recover | sqlite3 {main.with_name('recovered.db')}` and ask support",
        cache: "restart WorkBuoy: a damaged cache is moved aside at start and pulled again from the server",
    }
    for path in (main, cache):
        if not path.exists():
            yield Finding(f"integrity {path.name}", True, "not created yet")
            continue
        try:
            problem = check_file(path, full=True)
        except apsw.Error as exc:
            yield Finding(f"integrity {path.name}", False, f"cannot check it: {type(exc).__name__}: {exc}",
                          "check the disk and the file's permissions, then run `workbuoy doctor` again")
            continue
        yield Finding(f"integrity {path.name}", problem is None, problem or "ok", fixes[path] if problem else "")


def modes(env: Env) -> Iterator[Finding]:
    """The data folder is ours alone (0700) and its files are not readable by others (0600)."""
    folder = env.data_dir
    if not folder.exists():
        yield Finding("data folder", True, f"{folder} not created yet")
        return
    yield _owned(folder, "data folder", f"chmod 700 {folder}")
    loose = [p for p in _data_files(folder) if p.stat().st_mode & 0o077]
    if loose:
        names = ", ".join(p.name for p in loose[:5]) + (" …" if len(loose) > 5 else "")
        yield Finding("file modes", False, f"readable by others: {names}",
                      f"chmod 600 {' '.join(str(p) for p in loose)}")
    else:
        yield Finding("file modes", True, "only the owner can read the data files")


def _owned(path: Path, check: str, fix: str) -> Finding:
    try:
        current.check_private(path)
    except NotPrivate as exc:
        return Finding(check, False, f"{exc}: others may look inside", fix)
    return Finding(check, True, f"{path} (mode {stat.filemode(path.stat().st_mode)})")


def _data_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and (p.suffix in (".db", ".cfg", ".json") or "-cache.db" in p.name
                                                                   or p.name.endswith((".db-wal", ".db-shm"))))


def free_space(env: Env) -> Finding:
    folder = next((p for p in (env.data_dir, *env.data_dir.parents) if p.exists()), Path("/"))
    free = shutil.disk_usage(folder).free
    detail = f"{free / 2**20:,.0f} MiB free on the disk of {folder}"
    if free < MIN_FREE_BYTES:
        return Finding("free space", False, detail,
                       f"free at least {MIN_FREE_BYTES // 2**20} MiB there: a full disk refuses new writes and syncs")
    return Finding("free space", True, detail)


def _portal_origin(env: Env) -> str:
    """The origin whose session entry the auth actor uses: the environment's, else the saved setting (read only)."""
    if "portal_origin" in env.settings_overrides:
        return env.settings_overrides["portal_origin"]
    try:
        saved = msgspec.json.decode((env.data_dir / "settings.json").read_bytes())
        return msgspec.convert(upgrade(saved), type=Settings).portal_origin
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        return Settings().portal_origin


def keyring_access(env: Env) -> Finding:
    """Read the session entry (never write): the keyring is there, unlocked and ours."""
    from workbuoy.actors.auth.secrets import CookieVault, KeyringUnavailable

    vault = CookieVault(env, _portal_origin(env))
    try:
        cookie = vault.backend().get_password(vault.service, vault.username)
    except KeyringUnavailable as exc:
        return Finding("keyring", False, str(exc), "see `Signing in, and a headless server` in the README")
    except Exception as exc:  # noqa: BLE001 - any backend failure is the finding itself
        return Finding("keyring", False, f"{type(exc).__name__}: {exc}",
                       "unlock the keyring (or check WB_KEYRING_KEY for WB_KEYRING_BACKEND=file)")
    backend = type(vault.backend()).__name__
    return Finding("keyring", True, f"{backend}: {'a session is stored' if cookie else 'no session stored (not signed in)'}")


def server(env: Env) -> Finding:
    """Any HTTP answer below 500 from ``<api>/me`` (401 without a session) means the server is there."""
    url = f"{env.api_base_url}/me"
    try:
        status = httpx.get(url, timeout=SERVER_TIMEOUT_S).status_code
    except httpx.HTTPError as exc:
        return Finding("server", False, f"{url}: {type(exc).__name__}: {exc}",
                       "check the network, a proxy or captive portal, and WB_API_BASE_URL; queued writes wait meanwhile")
    if status >= 500:
        return Finding("server", False, f"{url} answered {status}", "the server has a problem; queued writes wait and retry")
    return Finding("server", True, f"{url} answered {status}")


def report(findings: list[Finding]) -> str:
    lines = []
    for f in findings:
        lines.append(f"{'ok     ' if f.ok else 'PROBLEM'}  {f.check}: {f.detail}")
        if f.fix:
            lines.append(f"         what to do: {f.fix}")
    bad = sum(not f.ok for f in findings)
    lines.append(f"{bad} problem{'s' if bad != 1 else ''} found" if bad else "no problem found")
    return "\n".join(lines)
