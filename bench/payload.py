"""Storage per row: the payload column as JSON text, SQLite's JSONB, or a msgpack blob.

Run: ``PYTHONPATH=. .venv/bin/python bench/payload.py [--rows 200000]``.

Each format gets a fresh file with the cache's table shape and the same seed rows (every
entity, one org): bytes per row of the file, upsert rows/s (pages of 1000, one
transaction each), read-and-decode rows/s back to Python dicts, and the time to build a
sort index from the payload (``->>`` works on JSON text and JSONB; msgpack needs a Python
function, which every index and every connection would then depend on).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import apsw
import msgspec

sys.path[0] = str(Path(__file__).resolve().parents[1])

from workbuoy.sandbox.seed import Dataset  # noqa: E402
from workbuoy.schemas.base import ENTITIES  # noqa: E402

TABLE = ("CREATE TABLE rows (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, updated_at INTEGER NOT NULL,"
         " payload {type} NOT NULL)")
FORMATS = {
    # name: (column type, SQL value expression, encode, SQL read expression, decode, sort key expression)
    "json text": ("TEXT", "?", lambda r: msgspec.json.encode(r).decode(), "payload", msgspec.json.decode,
                  "payload ->> '$.\"name\"'"),
    "jsonb": ("BLOB", "jsonb(?)", lambda r: msgspec.json.encode(r).decode(), "json(payload)", msgspec.json.decode,
              "payload ->> '$.\"name\"'"),
    "msgpack": ("BLOB", "?", msgspec.msgpack.encode, "payload", msgspec.msgpack.decode, "mp_get(payload, 'name')"),
}


def measure(folder: Path, name: str, rows: list[dict]) -> tuple[float, float, float, float]:
    kind, value, encode, read, decode, key = FORMATS[name]
    path = folder / f"{name.replace(' ', '_')}.db"
    conn = apsw.Connection(str(path))
    conn.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
    conn.create_scalar_function("mp_get", lambda blob, field: msgspec.msgpack.decode(blob).get(field), 2,
                                deterministic=True)
    conn.execute(TABLE.format(type=kind))
    sql = f"INSERT INTO rows VALUES (?, ?, ?, {value}) ON CONFLICT (id) DO UPDATE SET payload = excluded.payload"
    started = time.perf_counter()
    for first in range(0, len(rows), 1000):
        with conn:
            conn.executemany(sql, [(r["id"], r["org_id"], r["updated_at"], encode(r)) for r in rows[first:first + 1000]])
    upsert = len(rows) / (time.perf_counter() - started)
    started = time.perf_counter()
    decoded = [decode(p) for (p,) in conn.execute(f"SELECT {read} FROM rows")]
    assert len(decoded) == len(rows)
    reads = len(rows) / (time.perf_counter() - started)
    started = time.perf_counter()
    conn.execute(f"CREATE INDEX by_name ON rows (org_id, ({key}), id)")
    index_s = time.perf_counter() - started
    conn.execute("DROP INDEX by_name")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    conn.close()
    return path.stat().st_size / len(rows), upsert, reads, index_s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    data = Dataset(args.rows, 1, seed=7)
    rows = [data.row(e, "org-1", i) for e in ENTITIES for i in range(data.count(e, "org-1"))]
    print(f"{len(rows):,} seed rows of every entity; payload JSON {sum(len(msgspec.json.encode(r)) for r in rows) / len(rows):.0f} bytes on average")
    print(f"{'format':10} {'bytes/row':>10} {'upsert rows/s':>14} {'read+decode rows/s':>19} {'sort index build':>17}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in FORMATS:
            size, upsert, reads, index_s = measure(Path(tmp), name, rows)
            print(f"{name:10} {size:10,.0f} {upsert:14,.0f} {reads:19,.0f} {index_s:15.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
