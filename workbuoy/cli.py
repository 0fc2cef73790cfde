"""workbuoy: run a node, control it, look into its bus.

Every command reads and validates the ``WB_*`` environment first; a bad value
stops with a message naming the variable and exit code 2. Commands that talk to a
running node exit 1 when it answers with an error.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import sys
import time
from collections.abc import Callable

import msgspec

from workbuoy import config, private
from workbuoy.bus import runtime
from workbuoy.bus.errors import BusError
from workbuoy.logs import escape_controls
from workbuoy.schemas import outbox as outbox_schema

EXIT_USAGE = 2


def _env() -> config.Env:
    try:
        return config.load()
    except config.ConfigError as exc:
        _die(f"configuration error: {exc}")


def _die(message: str, code: int = EXIT_USAGE) -> None:
    print(f"workbuoy: {message}", file=sys.stderr)
    raise SystemExit(code)


def _client(env: config.Env, timeout: float = 15.0):
    from workbuoy.bus.client import Client
    from workbuoy.supervisor.lock import InstanceLock

    if not InstanceLock(env.data_dir).is_held():  # answer at once instead of waiting for a timeout
        _die(f"no WorkBuoy node is running for {env.data_dir} (start one with `workbuoy node` or `workbuoy run`)", 1)
    try:
        return Client(runtime.locate(env.data_dir), timeout=timeout)
    except FileNotFoundError as exc:
        _die(str(exc), 1)
    except runtime.RuntimeDirError as exc:
        _die(f"refusing an unsafe runtime folder: {exc}")


def call(env: config.Env, channel: str, payload: object = None, timeout: float = 15.0) -> object:
    """One request on the bus; an error reply ends the program with exit 1."""
    with _client(env, timeout) as client:
        try:
            return client.call(channel, payload)
        except BusError as exc:
            _die(f"{channel}: {exc.code}: {exc.message}", 1)


def _print_json(obj: object) -> None:
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(obj)).decode() + "\n")


# -- node ------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace, *, desktop: bool = True) -> int:
    from workbuoy.supervisor.lock import AlreadyRunning, InstanceLock

    env = _env()
    url = getattr(args, "url", None)
    if url and not url.startswith("workbuoy:"):
        _die(f"{url!r} is not a workbuoy: link")
    lock = InstanceLock(env.data_dir)
    try:
        lock.acquire()
    except OSError as exc:
        _die(f"cannot use the data folder {env.data_dir}: {exc.strerror or exc}")
    except AlreadyRunning as exc:
        if url:
            call(env, "wb:sup:deeplink", {"url": url})
            print(f"handed {url} to the running WorkBuoy")
            return 0
        _die(str(exc), 1)
    try:
        endpoints = runtime.prepare(env.data_dir)
    except runtime.RuntimeDirError as exc:
        _die(f"refusing to start: {exc}")
    return _supervise(env, endpoints, desktop, url)


def _supervise(env: config.Env, endpoints: runtime.Endpoints, desktop: bool, url: str | None = None) -> int:
    from workbuoy import crash, metrics

    metrics.prepare(endpoints.folder / "metrics")  # before any metric is touched
    from workbuoy import logs as wblog
    from workbuoy.supervisor.arbiter import Arbiter
    from workbuoy.supervisor.spec import DESKTOP, HEADLESS

    wblog.setup("supervisor", env)
    crash.init("supervisor", env)
    try:
        private.secure(env.data_dir)
    except private.NotPrivate as exc:
        _die(f"refusing to start: {exc}")
    _recover_cache(env)
    arbiter = Arbiter(env, endpoints, DESKTOP if desktop else HEADLESS)
    if url:
        arbiter.open_when_ready(url)  # a cold start by a deep link: opened once the ui is ready
    try:
        server = metrics.serve(env.metrics_port)
        arbiter.metrics_url = f"http://127.0.0.1:{server.server_address[1]}/metrics"
    except OSError as exc:
        print(f"workbuoy: metrics disabled, port {env.metrics_port} is unavailable: {exc}", file=sys.stderr)
    print(f"workbuoy {'desktop' if desktop else 'headless node'} starting (data: {env.data_dir}, pid {os.getpid()})", flush=True)
    return arbiter.run()


def _recover_cache(env: config.Env) -> None:
    """Before any actor opens the store: a damaged cache is moved aside and pulled again; the outbox stays."""
    from workbuoy.store.files import recover_cache

    if (aside := recover_cache(env.db_path)) is not None:
        print(f"workbuoy: the local cache was damaged; moved it to {aside.name}, the next sync pulls it again "
              "(queued writes are kept)", flush=True)


def cmd_node(args: argparse.Namespace) -> int:
    return cmd_run(args, desktop=False)


# -- control ---------------------------------------------------------------------


def cmd_status(args: argparse.Namespace) -> int:
    env = _env()
    status = call(env, "wb:sup:status")
    server = server_state(env)
    if args.json:
        _print_json({"pid": status.pid, "metrics_url": status.metrics_url, "server": server,
                     "actors": {n: msgspec.to_builtins(a) for n, a in status.actors.items()}})
        return 0
    print(f"supervisor pid {status.pid}  data {status.data_dir}  metrics {status.metrics_url or '-'}")
    print(server_line(server))
    print(f"{'actor':<9}{'pid':>8}  {'state':<11}{'restarts':>8}{'uptime':>10}{'heartbeat':>11}  reason")
    for a in status.actors.values():
        hb = "-" if a.last_heartbeat_ago_sec is None else f"{a.last_heartbeat_ago_sec:.1f}s ago"
        print(f"{a.name:<9}{a.pid or '-':>8}  {a.state:<11}{a.restarts:>8}{a.uptime_sec:>9.1f}s{hb:>11}  {a.reason}")
    return 0


def server_state(env: config.Env) -> outbox_schema.ServerState | str:
    """The queue's breaker as ``wb:queue:status`` says, or why it cannot be known."""
    try:
        with _client(env, 5.0) as client:
            return client.call("wb:queue:status").server
    except BusError as exc:
        return f"unknown (wb:queue:status: {exc.message})"


def server_line(state: outbox_schema.ServerState | str) -> str:
    """``server online`` / ``server offline since 10:42:07 (unreachable: …), next probe in 4 s``."""
    if isinstance(state, str):
        return f"server: {state}"
    if state.online:
        return "server online"
    since = time.strftime("%H:%M:%S", time.localtime(state.since / 1000))
    probe = "" if state.next_probe_at is None else f", next probe in {max(0, state.next_probe_at / 1000 - time.time()):.0f} s"
    return f"server offline since {since} ({state.reason}){probe}"


def cmd_restart(args: argparse.Namespace) -> int:
    call(_env(), "wb:sup:restart", {"actor": args.actor})
    print(f"{args.actor} restarting")
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    from workbuoy.supervisor.lock import InstanceLock

    env = _env()
    call(env, "wb:sup:stop")
    lock = InstanceLock(env.data_dir)
    deadline = time.monotonic() + args.timeout
    print("stopping", end="", flush=True)
    while time.monotonic() < deadline:
        if not lock.is_held():
            print(" stopped")
            return 0
        print(".", end="", flush=True)
        time.sleep(0.25)
    _die(f"the supervisor still runs after {args.timeout:g}s", 1)


def cmd_call(args: argparse.Namespace) -> int:
    try:
        payload = json.loads(args.json) if args.json else {}
    except json.JSONDecodeError as exc:
        _die(f"the payload is not JSON: {exc}")
    _print_json(call(_env(), args.channel, payload, timeout=args.timeout))
    return 0


def cmd_trace(args: argparse.Namespace) -> int:
    from workbuoy.bus.client import Subscriber

    env = _env()
    try:
        endpoints = runtime.locate(env.data_dir)
    except (FileNotFoundError, runtime.RuntimeDirError) as exc:
        _die(str(exc), 1)
    sub = Subscriber(endpoints.trace, endpoints=endpoints)
    keep = _trace_filter(args.channel, args.actor)
    shown, deadline = 0, (time.monotonic() + args.duration) if args.duration else None
    print(f"tracing {endpoints.bus} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        for rec in sub.traces(timeout=0.2):
            if deadline is not None and time.monotonic() > deadline:
                break
            if rec is None or not keep(rec):
                continue
            print(_trace_line(rec, args.json), flush=True)
            shown += 1
            if args.count and shown >= args.count:
                break
    except KeyboardInterrupt:
        pass
    finally:
        sub.close()
    return 0


def _trace_filter(channel_glob: str | None, actor: str | None) -> Callable:
    def keep(rec) -> bool:
        if channel_glob and not fnmatch.fnmatchcase(rec.channel, channel_glob):
            return False
        return not actor or actor in (rec.sender, rec.receiver)

    return keep


def _trace_line(rec, as_json: bool) -> str:
    if as_json:
        return msgspec.json.encode(rec).decode()
    ts = time.strftime("%H:%M:%S", time.localtime(rec.ts)) + f".{int(rec.ts * 1000) % 1000:03d}"
    lat = f" {rec.latency_ms:.2f}ms" if rec.latency_ms is not None else ""
    body = rec.error or msgspec.json.encode(rec.payload).decode()
    if len(body) > 160:
        body = body[:157] + "..."
    line = f"{ts} {rec.kind:<5}{rec.sender:>10} -> {rec.receiver:<10} {rec.channel} #{rec.cid} {rec.size}B{lat}  {body}"
    return escape_controls(line)  # a peer's channel name or identity must not drive the terminal


def cmd_login(args: argparse.Namespace) -> int:
    import getpass

    env = _env()
    email = args.email or input("E-mail: ").strip()
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else getpass.getpass("Password: ")
    state = call(env, "wb:auth:login", {"email": email, "password": password}, timeout=60)
    print(f"signed in as {state.email}")
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    call(_env(), "wb:auth:logout", timeout=60)
    print("signed out")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    """Start a run and follow it: events for a live line, status polls because events can be lost."""
    from workbuoy.bus.client import Subscriber

    env = _env()
    endpoints = runtime.locate(env.data_dir)
    events = Subscriber(endpoints.events, ("wb:sync:progress",), endpoints=endpoints)  # before starting: no miss
    try:
        started = call(env, "wb:sync:start", {"entity": args.entity} if args.entity else {})
        note = " (already running)" if started.already_running else ""
        print(f"sync run {started.run_id}{note}", file=sys.stderr, flush=True)
        status = _follow_sync(env, events, started.run_id, time.monotonic() + args.timeout)
    finally:
        events.close()
    return _sync_summary(status)


def _follow_sync(env: config.Env, events, run_id: int, deadline: float):
    from workbuoy.schemas.sync import SyncProgress

    decoder = msgspec.msgpack.Decoder(SyncProgress)
    start, end = ("\r\033[K", "") if sys.stderr.isatty() else ("", "\n")  # one live line, or a log
    next_poll = 0.0
    while time.monotonic() < deadline:
        for _, envelope in events.events(timeout=0.2):
            p = decoder.decode(envelope.payload)
            if p.run_id == run_id and p.entity:
                print(f"{start}{p.entity:<10} {p.org_id:<10} pages {p.pages:>5}  rows {p.rows:>8}  {p.state}",
                      end=end, file=sys.stderr, flush=True)
            if time.monotonic() > next_poll:
                break
        if time.monotonic() >= next_poll:
            status = call(env, "wb:sync:status")
            if not status.running or status.run_id != run_id:
                print(file=sys.stderr, end="\n" if start else "")
                return status
            next_poll = time.monotonic() + 0.5
    _die("the sync did not end in time", 1)


def _sync_summary(status) -> int:
    failed = [s for s in status.entities if s.last_error]
    for s in status.entities:
        print(f"{s.entity:<10} {s.org_id:<10} rows {s.rows:>8}  {('error: ' + s.last_error) if s.last_error else 'ok'}")
    print(f"{sum(s.rows for s in status.entities)} rows cached, {len(failed)} stream(s) failed")
    return 1 if failed else 0


def cmd_queue_list(args: argparse.Namespace) -> int:
    payload = {"limit": args.limit, **({"status": args.status} if args.status else {})}
    items = call(_env(), "wb:queue:list", payload).items
    if args.json:
        _print_json(items)
        return 0
    now = int(time.time() * 1000)
    for i in items:
        target = f"{i.entity}/{i.entity_id}" if i.entity else i.qtype
        flow = f"  wf {i.wf_id[:8]}#{i.step_index}" if i.wf_id else ""
        flag = " CONFLICT" if i.conflicted else ""
        detail = f"  ({i.last_error})" if i.last_error and i.status == "pending" else ""
        print(f"{i.id:>7} {i.status:<8}{flag} {i.op or 'send':<6} {target}{flow}  {outbox_schema.describe(i, now)}{detail}")
    return 0


def cmd_queue_retry(args: argparse.Namespace) -> int:
    item = call(_env(), "wb:queue:retry", {"id": args.id})
    print(f"item {item.id} is {item.status} again")
    return 0


def cmd_queue_resolve(args: argparse.Namespace) -> int:
    resolution = {"local": "keepLocal", "server": "keepServer"}[args.keep]
    call(_env(), "wb:queue:resolveConflict", {"entity": args.entity, "entityId": args.entity_id, "resolution": resolution})
    print(f"{args.entity}/{args.entity_id}: kept the {args.keep} version")
    return 0


def cmd_update_check(args: argparse.Namespace) -> int:
    """Start a check and wait for its result; exit 1 when the update was refused or failed."""
    env = _env()
    call(env, "wb:update:check")
    deadline = time.monotonic() + args.timeout
    while (status := call(env, "wb:update:status")).checking:
        if time.monotonic() > deadline:
            _die(f"the update check did not end within {args.timeout:g}s", 1)
        time.sleep(0.2)
    if args.json:
        _print_json(status)
    else:
        found = f" -> {status.version}" if status.version and status.phase != "up_to_date" else ""
        print(f"{status.current}{found} ({status.channel}): {status.phase}  {status.detail}")
    return 1 if status.phase in ("refused", "failed") else 0


def cmd_update_apply(args: argparse.Namespace) -> int:
    status = call(_env(), "wb:update:apply")
    print(f"restarting into {status.version}")
    return 0


def cmd_install_desktop(args: argparse.Namespace) -> int:
    """The desktop entry, the workbuoy: handler, the icon, and autostart when startAtLogin is on."""
    from workbuoy.desktop import integration
    from workbuoy.schemas.settings import Settings

    env = _env()
    try:
        start_at_login = msgspec.json.decode((env.data_dir / "settings.json").read_bytes(), type=Settings).start_at_login
    except (FileNotFoundError, msgspec.DecodeError, msgspec.ValidationError):
        start_at_login = Settings().start_at_login
    try:
        done = integration.install(start_at_login=args.autostart or start_at_login)
    except RuntimeError as exc:
        _die(str(exc), 1)
    print("\n".join(done))
    return 0


def cmd_uninstall_desktop(args: argparse.Namespace) -> int:
    from workbuoy.desktop import integration

    print("\n".join(integration.uninstall()) or "nothing to remove")
    return 0
def cmd_doctor(args: argparse.Namespace) -> int:
    from workbuoy import doctor

    findings = doctor.run(_env())
    print(doctor.report(findings))
    return 1 if any(not f.ok for f in findings) else 0


def cmd_schemas(args: argparse.Namespace) -> int:
    from workbuoy.schemas.registry import json_schemas

    _print_json(json_schemas())
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from workbuoy.demo import run

    return run(args)


def cmd_sandbox(args: argparse.Namespace) -> int:
    from workbuoy.sandbox.cli import run

    return run(args)


# -- parser ----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbuoy", description=__doc__.splitlines()[0])
    from workbuoy import __version__

    parser.add_argument("--version", action="version", version=f"workbuoy {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="run the desktop node (every actor, with the UI)")
    p.add_argument("url", nargs="?", help="a workbuoy: deep link to open (handed to a running node)")
    p.set_defaults(fn=cmd_run)
    sub.add_parser("node", help="run the headless sync node (every actor but the UI)").set_defaults(fn=cmd_node)

    p = sub.add_parser("status", help="each actor's pid, state, uptime, restarts and heartbeat")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_status)

    from workbuoy.schemas.base import ACTOR_NAMES, ENTITIES

    p = sub.add_parser("restart", help="restart one actor")
    p.add_argument("actor", choices=ACTOR_NAMES)
    p.set_defaults(fn=cmd_restart)

    p = sub.add_parser("stop", help="stop the running node")
    p.add_argument("--timeout", type=float, default=60.0)
    p.set_defaults(fn=cmd_stop)

    p = sub.add_parser("call", help="send one request on the bus and print the reply as JSON")
    p.add_argument("channel")
    p.add_argument("json", nargs="?", default="{}")
    p.add_argument("--timeout", type=float, default=30.0)
    p.set_defaults(fn=cmd_call)

    p = sub.add_parser("trace", help="show bus messages live, one line each")
    p.add_argument("--channel", help="glob, e.g. 'wb:queue:*'")
    p.add_argument("--actor", help="only messages from or to this actor")
    p.add_argument("--json", action="store_true")
    p.add_argument("--count", type=int, default=0, help="stop after N messages")
    p.add_argument("--duration", type=float, default=0.0, help="stop after S seconds")
    p.set_defaults(fn=cmd_trace)

    p = sub.add_parser("login", help="sign in at the portal; the session goes to the OS keyring")
    p.add_argument("--email")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p.set_defaults(fn=cmd_login)
    sub.add_parser("logout", help="revoke the session and forget it").set_defaults(fn=cmd_logout)

    p = sub.add_parser("sync", help="sync now and show progress until it ends")
    p.add_argument("--entity", choices=ENTITIES)
    p.add_argument("--timeout", type=float, default=3600.0, help="give up waiting after S seconds")
    p.set_defaults(fn=cmd_sync)

    p = sub.add_parser("queue", help="queued writes: list, retry a failed one, resolve a conflict")
    qsub = p.add_subparsers(dest="queue_command", required=True, metavar="SUBCOMMAND")
    p = qsub.add_parser("list", help="queued writes, newest first")
    p.add_argument("--status", choices=("pending", "inflight", "failed", "synced"))
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_queue_list)
    p = qsub.add_parser("retry", help="send a failed write again")
    p.add_argument("id", type=int)
    p.set_defaults(fn=cmd_queue_retry)
    p = qsub.add_parser("resolve", help="end a conflict keeping the local or the server version")
    p.add_argument("entity", choices=ENTITIES)
    p.add_argument("entity_id")
    p.add_argument("--keep", choices=("local", "server"), required=True)
    p.set_defaults(fn=cmd_queue_resolve)

    p = sub.add_parser("update", help="signed updates: check the feed, apply a verified version")
    usub = p.add_subparsers(dest="update_command", required=True, metavar="SUBCOMMAND")
    p = usub.add_parser("check", help="check the feed now; download and verify a newer version")
    p.add_argument("--json", action="store_true")
    p.add_argument("--timeout", type=float, default=900.0, help="give up waiting after S seconds")
    p.set_defaults(fn=cmd_update_check)
    usub.add_parser("apply", help="restart into the verified, staged version").set_defaults(fn=cmd_update_apply)

    p = sub.add_parser("install-desktop", help="desktop entry, workbuoy: link handler, icon, autostart (Linux)")
    p.add_argument("--autostart", action="store_true", help="start at login even if the startAtLogin setting is off")
    p.set_defaults(fn=cmd_install_desktop)
    sub.add_parser("uninstall-desktop", help="remove what install-desktop wrote").set_defaults(fn=cmd_uninstall_desktop)

    sub.add_parser("doctor", help="check the database files, modes, free space, keyring and server; say what to do")\
        .set_defaults(fn=cmd_doctor)
    sub.add_parser("schemas", help="print the JSON Schema of every channel").set_defaults(fn=cmd_schemas)

    p = sub.add_parser("demo", help="sandbox server + node + demo user, with live status")
    from workbuoy.demo import add_arguments as demo_arguments

    demo_arguments(p)
    p.set_defaults(fn=cmd_demo)

    p = sub.add_parser("sandbox", help="run the sandbox WorkBuoy server")
    from workbuoy.sandbox.cli import add_arguments

    add_arguments(p)
    p.set_defaults(fn=cmd_sandbox)
    return parser


def main(argv: list[str] | None = None) -> int:
    private.restrict_umask()  # first: nothing this program or its children create is readable by others
    args = build_parser().parse_args(argv)
    try:
        code = args.fn(args)
        sys.stdout.flush()  # inside the try: a closed pipe shows up at this flush as often as at a print
        return code
    except BrokenPipeError:
        # The reader went away (`workbuoy status | head`): stop quietly, as `cat` does. Python
        # flushes stdout once more at exit, so it is pointed at /dev/null first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a command a closed pipe stopped
