"""``workbuoy queue list|retry|resolve``: the outbox of queued writes (the module is not ``queue.py``: stdlib)."""

from __future__ import annotations

import argparse
import time

from workbuoy.cli.common import call, env, print_json
from workbuoy.schemas import outbox as outbox_schema


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from workbuoy.schemas.base import ENTITIES

    sub = parser.add_subparsers(dest="queue_command", required=True, metavar="SUBCOMMAND")
    p = sub.add_parser("list", help="queued writes, newest first")
    p.add_argument("--status", choices=("pending", "inflight", "failed", "synced"))
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("retry", help="send a failed write again")
    p.add_argument("id", type=int)
    p = sub.add_parser("resolve", help="end a conflict keeping the local or the server version")
    p.add_argument("entity", choices=ENTITIES)
    p.add_argument("entity_id")
    p.add_argument("--keep", choices=("local", "server"), required=True)


def run(args: argparse.Namespace) -> int:
    return {"list": _list, "retry": _retry, "resolve": _resolve}[args.queue_command](args)


def _list(args: argparse.Namespace) -> int:
    payload = {"limit": args.limit, **({"status": args.status} if args.status else {})}
    items = call(env(), "wb:queue:list", payload).items
    if args.json:
        print_json(items)
        return 0
    now = int(time.time() * 1000)
    for i in items:
        target = f"{i.entity}/{i.entity_id}" if i.entity else i.qtype
        flow = f"  wf {i.wf_id[:8]}#{i.step_index}" if i.wf_id else ""
        flag = " CONFLICT" if i.conflicted else ""
        detail = f"  ({i.last_error})" if i.last_error and i.status == "pending" else ""
        print(f"{i.id:>7} {i.status:<8}{flag} {i.op or 'send':<6} {target}{flow}  {outbox_schema.describe(i, now)}{detail}")
    return 0


def _retry(args: argparse.Namespace) -> int:
    item = call(env(), "wb:queue:retry", {"id": args.id})
    print(f"item {item.id} is {item.status} again")
    return 0


def _resolve(args: argparse.Namespace) -> int:
    resolution = {"local": "keepLocal", "server": "keepServer"}[args.keep]
    call(env(), "wb:queue:resolveConflict", {"entity": args.entity, "entityId": args.entity_id, "resolution": resolution})
    print(f"{args.entity}/{args.entity_id}: kept the {args.keep} version")
    return 0
