"""The queue actor: channels only; the engine lives in ``writes``, ``flusher`` and ``conflict``.

Every write handler commits durably (and shows the write in the cache) before it
replies, then wakes the flusher. ``docs/queue.md`` describes the whole life of an item.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any, TypeVar

import httpx
import msgspec

from workbuoy import logs as wblog
from workbuoy import metrics
from workbuoy.actors.base import Actor, handles, on_event
from workbuoy.actors.queue import checks, conflict, writes
from workbuoy.actors.queue.flusher import REJECTED, Flusher, Policy
from workbuoy.actors.queue.writes import Write
from workbuoy.actors.queue.outgoing import ASSISTANT, Request
from workbuoy.actors.queue.replies import failed_event, fields_of, ref, view
from workbuoy.api import ApiClient, ApiError, api_result, bus_error, decode
from workbuoy.schemas import orgs, outbox
from workbuoy.schemas.auth import AuthState, Me
from workbuoy.schemas.base import Empty, Ok
from workbuoy.schemas.settings import Settings
from workbuoy.store import QueueItem, Store
from workbuoy.store.db import now_ms

T = TypeVar("T")
POLICY = Policy()
RETENTION_MS = 7 * 24 * 3600 * 1000
PRUNE_EVERY_S = 3600.0
CHANGED_DEBOUNCE_S = 0.25  # queue_depth() counts the whole table, synced history included
#: Store meta: the highest item id a ``wb:queue:stuck`` was published for (one notice per write).
STUCK_NOTIFIED = "queue_stuck_notified_id"


class QueueActor(Actor):
    name = "queue"

    async def start(self) -> None:
        self.store = Store.open(self.env.db_path)
        conflict.use_default(self.env.crdt_tenants)
        # The client reuses credentials for up to 10 s (ApiClient.credentials_ttl): a flush of
        # hundreds of writes a second costs the auth actor a few calls, not one per write.
        self.api = ApiClient.for_actor(self, attempts=2, max_connections=POLICY.concurrency)
        self._publishing: asyncio.Task | None = None
        self.flusher = Flusher(self.store, self._send, self._reachable, self._changed,
                               self._policy(self.settings), self._server_state, self._failed)
        self.after(0, self.flusher.run)
        self.every(PRUNE_EVERY_S, self._prune)
        self._stuck_timer = self.every(self._stuck_every, self._check_stuck)
        self._changed()

    async def stop(self) -> None:
        await self.api.aclose()
        self.store.close()

    async def on_settings(self, settings: Settings) -> None:
        self.flusher.policy = self._policy(settings)
        self._stuck_timer.cancel()  # it may be sleeping out the old, longer period
        self._stuck_timer = self.every(self._stuck_every, self._check_stuck)

    def _stuck_every(self) -> float:
        """A quarter of the stuck threshold, at most a minute: a notice comes at most that late."""
        return min(60.0, self.settings.queue_stuck_after_sec / 4)

    @staticmethod
    def _policy(settings: Settings) -> Policy:
        return dataclasses.replace(POLICY, backoff_cap_s=float(settings.queue_retry_cap_sec))

    # -- writes --------------------------------------------------------------------

    def _commit(self, channel: str, writes_: list[Write], org_id: str | None, *, workflow: bool = False) -> list[QueueItem]:
        org = checks.org_for(self.store, channel, org_id)
        with wblog.for_org(org):
            for w in writes_:
                if w.qtype == "crm":
                    checks.crm_write(self.store, channel, w)
            items = writes.commit(self.store, org, writes_, workflow=workflow)
        self.flusher.wake()
        self._changed()
        return items

    @handles("wb:queue:create")
    async def create(self, request: outbox.QueueCreate, caller: str) -> outbox.QueueItemRef:
        w = Write("crm", request.payload, request.entity, request.op, request.entity_id)
        return ref(self._commit("wb:queue:create", [w], request.org_id)[0])

    @handles("wb:email:draft")
    async def email_draft(self, request: outbox.EmailDraft, caller: str) -> outbox.QueueItemRef:
        return ref(self._commit("wb:email:draft", [Write("email", fields_of(request, "org_id"))], request.org_id)[0])

    @handles("wb:calendar:create")
    async def calendar_create(self, request: outbox.CalendarCreate, caller: str) -> outbox.QueueItemRef:
        return ref(self._commit("wb:calendar:create", [Write("calendar", fields_of(request, "org_id"))], request.org_id)[0])

    @handles("wb:assistant:apply")
    async def assistant_apply(self, request: outbox.AssistantApply, caller: str) -> outbox.AssistantApplied:
        org_ids = {a.org_id for a in request.actions if a.org_id is not None}
        if len(org_ids) > 1:
            raise checks.refused("wb:assistant:apply", "all actions of one session must go to one org")
        # The first write stands for the session: it is counted once the server takes it.
        ws = [Write("crm", a.payload, a.entity, a.op, a.entity_id, ASSISTANT if n == 0 else None)
              for n, a in enumerate(request.actions)]
        items = self._commit("wb:assistant:apply", ws, next(iter(org_ids), None))
        return outbox.AssistantApplied(items=[ref(i) for i in items])

    @handles("wb:workflow:run")
    async def workflow_run(self, request: outbox.WorkflowManifest, caller: str) -> outbox.WorkflowEnqueued:
        return self._workflow("wb:workflow:run", request)

    def _workflow(self, channel: str, manifest: outbox.WorkflowManifest) -> outbox.WorkflowEnqueued:
        ws = [Write(s.qtype, s.payload, s.entity, s.op, s.entity_id) for s in manifest.steps]
        items = self._commit(channel, ws, manifest.org_id, workflow=True)
        return outbox.WorkflowEnqueued(wf_id=items[0].wf_id or "", items=[ref(i) for i in items])

    # -- the queue itself ------------------------------------------------------------

    @handles("wb:queue:list")
    async def list_queue(self, request: outbox.QueueList, caller: str) -> outbox.QueueListReply:
        items = await self.read(lambda store: store.list_queue(request.status, request.limit))  # can scan
        return outbox.QueueListReply(items=[view(i) for i in items])

    @handles("wb:queue:status")
    def status(self, request: Empty, caller: str) -> outbox.QueueStatusReply:
        return outbox.QueueStatusReply(server=self.flusher.breaker.state, depth=self.store.queue_depth())

    @handles("wb:queue:retry")
    async def retry(self, request: outbox.QueueRetry, caller: str) -> outbox.QueueItemRef:
        item = self.store.get_queue_item(request.id)
        if item is None or item.status != "failed" or item.conflicted:
            raise checks.refused("wb:queue:retry", f"item {request.id} is not a failed write"
                                 + (" (a conflict: use wb:queue:resolveConflict)" if item and item.conflicted else ""), "failed")
        retried = self.store.retry(item.id, new_key=(item.last_error or "").startswith(REJECTED))
        if retried is None:
            raise checks.changed_meanwhile("wb:queue:retry", f"item {request.id}")
        self.flusher.wake()
        self._changed()
        return ref(retried)

    @handles("wb:queue:discard")
    async def discard(self, request: outbox.QueueDiscard, caller: str) -> outbox.QueueItemRef:
        item = self.store.get_queue_item(request.id)
        if item is None or item.status != "failed":
            raise checks.refused("wb:queue:discard", f"item {request.id} is not a failed write", "failed")
        done = writes.discard(self.store, item, checks.stamp(caller))
        if done is None:
            raise checks.changed_meanwhile("wb:queue:discard", f"item {request.id}")
        self._changed()
        return ref(done)

    @handles("wb:queue:resolveConflict")
    async def resolve_conflict(self, request: outbox.ResolveConflict, caller: str) -> Ok:
        channel = "wb:queue:resolveConflict"
        item = next((i for i in self.store.pending_for(request.entity, request.entity_id) if i.conflicted), None)
        if item is None:
            raise checks.refused(channel, f"no open conflict on {request.entity}/{request.entity_id}", "failed")
        note = checks.stamp(caller, request.resolution)
        if request.resolution == "keepLocal":
            done = writes.rebase(self.store, item, conflict.keep_local(item, item.server_payload), item.server_payload, note)
        else:
            done = writes.keep_server(self.store, item, note)
        if done is None:
            raise checks.changed_meanwhile(channel, "the conflict")
        self.after(0, lambda: self.audit("queue.conflict_resolved", {
            "entity": request.entity, "resolution": request.resolution, "by": caller, "item": item.id}))
        self.flusher.wake()
        self._changed()
        return Ok()

    # -- orgs and the assistant -----------------------------------------------------

    @handles("wb:org:list")
    async def org_list(self, request: orgs.OrgList, caller: str) -> orgs.OrgListReply:
        if request.refresh:
            try:
                self.store.set_me(decode(await self.api.request("GET", "/me", endpoint="me"), Me, endpoint="me"))
            except ApiError as exc:
                raise bus_error(exc, "cannot refresh the orgs") from None
        return self._orgs()

    @handles("wb:org:switch")
    async def org_switch(self, request: orgs.OrgSwitch, caller: str) -> orgs.OrgListReply:
        checks.org_for(self.store, "wb:org:switch", request.org_id)
        self.store.set_active_org(request.org_id)
        return self._orgs()

    def _orgs(self) -> orgs.OrgListReply:
        me = self.store.me()
        listed = [orgs.Org(id=o.id, name=o.name, roles=o.roles) for o in (me.orgs if me else [])]
        return orgs.OrgListReply(orgs=listed, active=self.store.active_org())

    @handles("wb:ai:chat")
    async def ai_chat(self, request: outbox.AiChat, caller: str) -> outbox.AiChatReply:
        body = {"messages": [msgspec.structs.asdict(m) for m in request.messages]}
        return await self._ask_ai("chat", body, outbox.AiChatReply)

    @handles("wb:ai:workflow")
    async def ai_workflow(self, request: outbox.AiWorkflow, caller: str) -> outbox.WorkflowEnqueued:
        body = {"entity": request.entity, "entityId": request.entity_id, "kind": request.kind}
        manifest = await self._ask_ai("workflow", body, outbox.WorkflowManifest)
        return self._workflow("wb:ai:workflow", manifest)

    async def _ask_ai(self, kind: str, body: dict[str, Any], into: type[T]) -> T:
        """A direct API call for a user waiting on the answer: no queue, clear errors offline.

        Counted in ``ai_requests{kind,result}``, ``result`` being ``ok`` or ``api_result``'s
        name for the failure (``refused``, ``unavailable``, ``unauthenticated``, ``invalid``),
        ``internal`` for anything else.
        """
        result = "internal"  # stays so only for what is not the API's doing: a bug, a cancelled call
        try:
            answer = decode(await self.api.request("POST", f"/ai/{kind}", json=body, endpoint=f"ai/{kind}"), into,
                            endpoint=f"ai/{kind}")
            result = "ok"
            return answer
        except ApiError as exc:
            result = api_result(exc)
            raise bus_error(exc, f"the assistant's {kind} failed") from None
        finally:
            metrics.ai_requests.labels(kind, result).inc()

    # -- plumbing --------------------------------------------------------------------

    @on_event("wb:auth:state")
    async def on_auth(self, state: AuthState) -> None:
        self.api.forget_credentials()
        if state.state == "signed_in":
            self.flusher.reconnect()

    async def _send(self, req: Request) -> httpx.Response:
        return await req.send(self.api)

    async def _reachable(self) -> bool:
        try:
            await self.api.request("GET", "/me", endpoint="me")
            return True
        except ApiError:
            return False

    def _server_state(self, state: outbox.ServerState) -> None:
        """The breaker opened or closed: tell the tray and the status lines."""
        self.log.info("queue: server %s%s", "online" if state.online else "offline", f" ({state.reason})" if state.reason else "")
        self.after(0, lambda: self.publish("wb:server:state", state))

    def _failed(self, item: QueueItem, error: str, conflicted: bool) -> None:
        """A write now waits for the user: tell the ui, which notifies (``wb:queue:failed``)."""
        item = self.store.get_queue_item(item.id) or item  # as finished: with the server's version of a conflict
        event = failed_event(item, error, conflicted)
        self.after(0, lambda: self.publish("wb:queue:failed", event))

    async def _check_stuck(self) -> None:
        """Publish ``wb:queue:stuck`` once for writes unsent longer than the setting (never again for them)."""
        after_id = int(self.store.get_meta(STUCK_NOTIFIED) or 0)
        stuck = self.store.stuck_since(now_ms() - self.settings.queue_stuck_after_sec * 1000, after_id)
        if stuck is None:
            return
        count, top_id, oldest = stuck
        self.store.set_meta(STUCK_NOTIFIED, str(top_id))
        self.log.warning("queue: %d write(s) unsent for over %d s", count, self.settings.queue_stuck_after_sec)
        await self.publish("wb:queue:stuck", outbox.QueueStuck(
            count=count, oldest_id=oldest.id, since=oldest.created_at, last_error=oldest.last_error))

    def _changed(self) -> None:
        """Publish the depth soon: many changes in a burst make one event."""
        if self._publishing is None or self._publishing.done():
            self._publishing = self.after(CHANGED_DEBOUNCE_S, self._publish_depth)

    async def _publish_depth(self) -> None:
        depth = self.store.queue_depth()
        for status, count in depth.items():
            metrics.queue_depth.labels(status).set(count)
        await self.publish("wb:queue:changed", outbox.QueueChanged(depth=depth))

    async def _prune(self) -> None:
        pruned = self.store.prune_synced(RETENTION_MS)
        if pruned:
            self.log.info("queue: pruned %d synced items older than %d days", pruned, RETENTION_MS // 86_400_000)


ACTOR = QueueActor
