"""``csv-export``: the active org's cached deals and customers as CSV files.

Writes ``<data>/exports/deals-<org>.csv`` and ``customers-<org>.csv`` (UTF-8, a
header row, times as ISO 8601 UTC). Text that a spreadsheet would run as a formula
(starting with ``= + - @``, a tab or a carriage return) gets a leading ``'``: the
rows come from other users through the server, so a cell must never execute.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from workbuoy.actors.plugins.adapters.base import Adapter, slug, utc

COLUMNS: dict[str, tuple[str, ...]] = {
    "deals": ("id", "name", "company", "stage", "amount", "currency", "close_date", "owner", "updated_at"),
    "customers": ("id", "name", "company", "email", "phone", "city", "status", "updated_at"),
}
TIMES = frozenset({"close_date", "updated_at"})
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(column: str, value: Any) -> Any:
    if value is None:
        return ""
    if column in TIMES and isinstance(value, int):
        return utc(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([cell(c, row.get(c)) for c in columns] for row in rows)
    return out.getvalue()


class CsvExport(Adapter):
    id = "csv-export"

    def work(self) -> str:
        org = self.ctx.org()
        counts = []
        for entity, columns in COLUMNS.items():
            rows = self.ctx.rows(entity, org)
            self.ctx.write(f"{entity}-{slug(org)}.csv", to_csv(rows, columns))
            counts.append(f"{len(rows)} {entity}")
        return f"wrote {' and '.join(counts)} of {org}"
