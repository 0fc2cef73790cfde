"""``workbuoy demo``: sandbox server + node + demo user, with live status (the work is in ``workbuoy.demo``)."""

from workbuoy.demo import add_arguments, run

__all__ = ["add_arguments", "run"]
