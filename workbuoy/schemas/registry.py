"""The one table that says, for every channel, what it carries and who may use it.

The broker routes and authorises with it, actors register their handlers against
it, and ``workbuoy schemas`` prints it as JSON Schema.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from workbuoy.schemas import audit, auth, control, offline, orgs, outbox, plugins, portal, rbac, settings, store, sync, ui, update
from workbuoy.schemas.envelope import Decoder
from workbuoy.schemas.base import Empty, Ok

HUMANS = frozenset({"ui", "cli"})
API_CALLERS = frozenset({"sync", "queue", "audit", "plugins"})
EVERYONE = frozenset({"supervisor", "auth", "sync", "queue", "audit", "plugins", "ui", "cli"})
#: The portal process shows a web page from the network: it is given only what it needs.
PORTAL = frozenset({"portal"})


@dataclass(frozen=True, slots=True)
class Channel:
    name: str
    request: type[msgspec.Struct]
    reply: type[msgspec.Struct]
    owner: str
    callers: frozenset[str]
    doc: str
    #: The RBAC action the owner checks (``wb:rbac:can``) before the handler runs.
    guard: rbac.Action | None = None

    def decoder(self) -> Decoder[msgspec.Struct]:
        return Decoder(self.request)


@dataclass(frozen=True, slots=True)
class Event:
    name: str
    payload: type[msgspec.Struct]
    publishers: frozenset[str]
    doc: str


_CHANNELS = [
    # supervisor
    Channel("wb:getSettings", Empty, settings.Settings, "supervisor", EVERYONE | PORTAL, "Current settings."),
    Channel("wb:updateSettings", settings.SettingsPatch, settings.Settings, "supervisor", HUMANS, "Validated partial update, written atomically."),
    Channel("wb:metrics:snapshot", Empty, control.MetricsSnapshot, "supervisor", HUMANS, "Current metric samples of every process."),
    Channel("wb:sup:status", Empty, control.Status, "supervisor", EVERYONE, "Every actor's pid, state, restarts and heartbeat."),
    Channel("wb:sup:restart", control.RestartActor, Ok, "supervisor", HUMANS, "Restart one actor."),
    Channel("wb:sup:stop", Empty, Ok, "supervisor", HUMANS, "Orderly shutdown of the node."),
    Channel("wb:sup:deeplink", control.DeepLink, Ok, "supervisor", HUMANS, "A deep link handed over by a second `workbuoy run`."),
    Channel("wb:update:check", Empty, update.UpdateStatus, "supervisor", HUMANS, "Start an update check now (answers at once)."),
    Channel("wb:update:status", Empty, update.UpdateStatus, "supervisor", EVERYONE, "The update check's state and last result."),
    Channel("wb:update:apply", Empty, update.UpdateStatus, "supervisor", HUMANS, "Restart into the verified, staged version."),
    # auth
    Channel("wb:auth:login", auth.Login, auth.AuthState, "auth", HUMANS, "Sign in at the portal; the cookie goes to the OS keyring."),
    Channel("wb:auth:logout", Empty, auth.AuthState, "auth", HUMANS, "Revoke and forget the session."),
    Channel("wb:auth:status", Empty, auth.AuthState, "auth", EVERYONE | PORTAL, "Signed-in state, no secret."),
    Channel("wb:auth:adoptSession", portal.AdoptSession, auth.AuthState, "auth", PORTAL, "Adopt the session the portal's own login page set."),
    Channel("wb:auth:portalCookie", Empty, portal.PortalCookie, "auth", PORTAL, "The session cookie for the portal's web view only."),
    Channel("wb:auth:credentials", auth.CredentialsRequest, auth.Credentials, "auth", API_CALLERS, "Headers for one API call; never for the ui."),
    Channel("wb:rbac:can", rbac.RbacCan, rbac.RbacReply, "auth", EVERYONE, "May the user do this action in this org?"),
    # sync
    Channel("wb:offline:getMessages", offline.GetMessages, offline.MessagesReply, "sync", HUMANS, "Cached messages."),
    Channel("wb:offline:getList", offline.GetList, offline.ListReply, "sync", HUMANS, "A page of one cached table."),
    Channel("wb:offline:getRow", offline.GetRow, offline.RowReply, "sync", HUMANS, "One cached record by id, with its org."),
    Channel("wb:org:list", orgs.OrgList, orgs.OrgListReply, "queue", EVERYONE, "The user's orgs from /me."),
    Channel("wb:sync:start", sync.SyncStart, sync.SyncStarted, "sync", HUMANS | {"supervisor"}, "Start a sync now."),
    Channel("wb:sync:status", Empty, sync.SyncStatus, "sync", EVERYONE, "Per entity and org: last sync, last error, rows."),
    # queue
    Channel("wb:queue:create", outbox.QueueCreate, outbox.QueueItemRef, "queue", HUMANS | {"plugins"}, "Queue a CRM write.", "queue.write"),
    Channel("wb:queue:list", outbox.QueueList, outbox.QueueListReply, "queue", HUMANS, "Queued writes by status."),
    Channel("wb:queue:status", Empty, outbox.QueueStatusReply, "queue", EVERYONE, "Server reachability (the breaker) and queue depth."),
    Channel("wb:queue:retry", outbox.QueueRetry, outbox.QueueItemRef, "queue", HUMANS, "Put a failed write back."),
    Channel("wb:queue:discard", outbox.QueueDiscard, outbox.QueueItemRef, "queue", HUMANS, "Drop a failed write unsent; undo it offline.", "queue.write"),
    Channel("wb:queue:resolveConflict", outbox.ResolveConflict, Ok, "queue", HUMANS, "keepLocal or keepServer.", "queue.resolve"),
    Channel("wb:email:draft", outbox.EmailDraft, outbox.QueueItemRef, "queue", HUMANS | {"plugins"}, "Queue an e-mail draft.", "email.draft"),
    Channel("wb:calendar:create", outbox.CalendarCreate, outbox.QueueItemRef, "queue", HUMANS | {"plugins"}, "Queue a calendar event.", "calendar.create"),
    Channel("wb:assistant:apply", outbox.AssistantApply, outbox.AssistantApplied, "queue", HUMANS, "Queue the assistant's proposed writes.", "queue.write"),
    Channel("wb:workflow:run", outbox.WorkflowManifest, outbox.WorkflowEnqueued, "queue", HUMANS, "Queue a multi-step workflow atomically.", "workflow.run"),
    Channel("wb:ai:workflow", outbox.AiWorkflow, outbox.WorkflowEnqueued, "queue", HUMANS, "Ask the server for a workflow and queue it.", "workflow.run"),
    Channel("wb:ai:chat", outbox.AiChat, outbox.AiChatReply, "queue", HUMANS, "Mini-Buoy chat.", "ai.use"),
    Channel("wb:org:switch", orgs.OrgSwitch, orgs.OrgListReply, "queue", HUMANS, "Change the active org."),
    # audit
    Channel("wb:audit:record", audit.AuditRecord, Ok, "audit", (EVERYONE | PORTAL) - {"cli"}, "Record a sanitized audit event."),
    Channel("wb:audit:flush", Empty, audit.AuditFlushed, "audit", HUMANS | {"supervisor"}, "Flush the audit queue now."),
    # plugins
    Channel("wb:plugins:list", Empty, plugins.PluginsReply, "plugins", HUMANS, "Registered adapters.", "plugins.view"),
    Channel("wb:plugins:toggle", plugins.PluginToggle, plugins.PluginInfo, "plugins", HUMANS, "Enable or disable an adapter.", "plugins.toggle"),
    Channel("wb:plugins:health", plugins.PluginHealthQuery, plugins.PluginHealthReply, "plugins", HUMANS, "Adapter health.", "plugins.view"),
    Channel("wb:plugins:verify", plugins.PluginRef, plugins.PluginVerifyReply, "plugins", HUMANS, "Check an adapter's Ed25519 manifest signature.", "plugins.view"),
    # ui
    Channel("wb:notify", ui.Notify, ui.NotifyReply, "ui", EVERYONE, "Show a native notification."),
    Channel("wb:overlay:toggle", ui.OverlayToggle, ui.OverlayState, "ui", HUMANS, "Show or hide the Mini-Buoy overlay."),
    Channel("wb:ui:windows", Empty, ui.WindowsShown, "ui", HUMANS, "Titles of the app's visible windows and the sign-in window's message."),
    # portal
    Channel("wb:portal:open", portal.PortalOpen, portal.PortalStatus, "portal", HUMANS, "Show the portal window (or the system browser) at a portal path."),
    Channel("wb:portal:status", Empty, portal.PortalStatus, "portal", HUMANS, "What the portal window shows."),
]

_EVENTS = [
    Event("wb:settings:changed", settings.Settings, frozenset({"supervisor"}), "Settings after a change."),
    Event("wb:sup:actor", control.ActorStatus, frozenset({"supervisor"}), "An actor changed state."),
    Event("wb:ui:deeplink", control.DeepLink, frozenset({"supervisor"}), "A deep link to open."),
    Event("wb:update:changed", update.UpdateStatus, frozenset({"supervisor"}), "The update state changed."),
    Event("wb:auth:state", auth.AuthState, frozenset({"auth"}), "Signed in, out or expired."),
    Event("wb:sync:progress", sync.SyncProgress, frozenset({"sync"}), "A sync page committed or a run ended."),
    Event("wb:crm:changed", sync.CrmChange, frozenset({"sync", "queue"}), "New or updated deals, tickets, meetings."),
    Event("wb:queue:changed", outbox.QueueChanged, frozenset({"queue"}), "Queue depth changed."),
    Event("wb:server:state", outbox.ServerState, frozenset({"queue"}), "The server went offline (breaker open) or is back."),
    Event("wb:queue:stuck", outbox.QueueStuck, frozenset({"queue"}), "Writes unsent for longer than the stuck setting."),
    Event("wb:queue:failed", outbox.QueueFailed, frozenset({"queue"}), "A write failed or hit a conflict: the user must act."),
    Event("wb:store:fault", store.StoreFault, frozenset({"auth", "sync", "queue", "audit", "plugins", "ui", "portal"}),
          "The disk was full, corrupt or failed under an actor; it kept running."),
]

#: Channels whose payloads the trace tap never shows, not even masked.
SECRET_CHANNELS = frozenset({"wb:auth:login", "wb:auth:credentials", "wb:auth:adoptSession", "wb:auth:portalCookie"})

CHANNELS: dict[str, Channel] = {c.name: c for c in _CHANNELS}
EVENTS: dict[str, Event] = {e.name: e for e in _EVENTS}


def json_schemas() -> dict:
    """JSON Schema of every channel's request and reply and every event's payload."""
    out: dict = {"channels": {}, "events": {}}
    for c in _CHANNELS:
        (req, rep), _ = msgspec.json.schema_components([c.request, c.reply], ref_template="#/$defs/{name}")
        out["channels"][c.name] = {"owner": c.owner, "callers": sorted(c.callers), "guard": c.guard, "doc": c.doc,
                                   "request": req, "reply": rep}
    for e in _EVENTS:
        out["events"][e.name] = {"publishers": sorted(e.publishers), "doc": e.doc, "payload": msgspec.json.schema(e.payload)}
    return out
