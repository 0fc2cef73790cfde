"""The adapters this build ships: one static tuple, no dynamic loading of any kind.

Adding an adapter means a reviewed code change here plus a manifest signed with the
release key (``docs/plugins.md``); nothing on disk or in the environment can add one.
"""

from __future__ import annotations

from workbuoy.actors.plugins.adapters.base import Adapter
from workbuoy.actors.plugins.adapters.csv_export import CsvExport
from workbuoy.actors.plugins.adapters.ics_export import IcsExport

ADAPTERS: tuple[type[Adapter], ...] = (CsvExport, IcsExport)
