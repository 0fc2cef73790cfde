"""Every message on the bus, one msgspec Struct per request, reply and event.

``registry.CHANNELS`` maps each ``wb:*`` channel to its types, owner and callers.
"""

from workbuoy.schemas.base import ENTITIES, Empty, Msg, Ok
from workbuoy.schemas.envelope import Envelope, ErrorInfo, Kind
from workbuoy.schemas.registry import CHANNELS, EVENTS, Channel, Event

__all__ = ["CHANNELS", "ENTITIES", "EVENTS", "Channel", "Empty", "Envelope", "ErrorInfo", "Event", "Kind", "Msg", "Ok"]
