#!/usr/bin/env python3
"""Stock changes from a CSV file into Odoo through the odoosync sync engine.

The CSV has a header naming the columns sku, location and either delta (a change: -2 sold, +10
received) or counted (an absolute count from a stock take), plus an optional uom column:

    sku,location,delta
    FURN_7777,WH/Stock,10
    FURN_7777,WH/Stock,-2

Each row becomes a retail.stock.adjusted event (odoosync.make_event) whose id is derived from the file's
content and the row number, so feeding the same file twice submits duplicates, not new changes. The
events go to an Engine over a SqliteStore (durable: a crash or an Odoo outage loses nothing), which
runs until idle; then the status, any dead letters and the resulting stock are printed.

    PYTHONPATH=build/dev/bindings/python /usr/bin/python3 examples/python/stock_sync_from_csv.py --emulator
    ODOO_URL=... ODOO_DB=... ODOO_USER=... ODOO_API_KEY=... \\
        /usr/bin/python3 examples/python/stock_sync_from_csv.py --csv moves.csv --store /var/lib/pos/odoosync.db

Without --csv a sample file is written next to the store and used. Exit status: 0 when every event
was applied or was a duplicate, 1 when some are dead-lettered (listed), 2 on bad input.
"""

from __future__ import annotations

import argparse
import csv
import decimal
import hashlib
import os
import pathlib
import sys

import odoosync

SAMPLE_CSV = """\
sku,location,delta,uom
FURN_7777,WH/Stock,10,Units
FURN_7777,WH/Stock,-2,Units
FURN_8888,WH/Stock,5,Units
FURN_9999,WH/Stock,3,Units
FURN_8888,WH/Stock,-1,Units
"""


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--csv", help="CSV with sku,location,delta|counted[,uom] (default: a sample file)")
    p.add_argument("--store", default=os.environ.get("ODOOSYNC_STORE", "odoosync-stock.db"),
                   help="SQLite store file (default $ODOOSYNC_STORE or ./odoosync-stock.db)")
    p.add_argument("--source", default="pos/store-1", help="the channel these changes come from (event source)")
    p.add_argument("--emulator", action="store_true",
                   help="start an in-process Odoo emulator instead of using ODOO_URL etc. (Client.from_env())")
    p.add_argument("--max-time", type=float, default=120.0, help="seconds to wait for the queue to drain")
    return p.parse_args(argv)


def read_rows(path):
    """[(line, sku, location, kind, value, uom)] where kind is "delta" or "counted"."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        kinds = [k for k in ("delta", "counted") if k in header]
        if not {"sku", "location"} <= set(header) or len(kinds) != 1:
            raise ValueError(f"{path}: the header must name sku, location and one of delta or counted, got {header}")
        kind = kinds[0]
        rows = []
        for rec in reader:
            if not any((v or "").strip() for v in rec.values()):
                continue  # blank line
            rows.append((reader.line_num, rec["sku"].strip(), rec["location"].strip(), kind,
                         rec[kind].strip(), (rec.get("uom") or "").strip() or "Units"))
        return rows


def build_events(rows, source, file_digest):
    events = []
    for line, sku, location, kind, value, uom in rows:
        try:
            qty = odoosync.Quantity(decimal.Decimal(value), uom)
        except (decimal.InvalidOperation, odoosync.InvalidInput) as e:
            raise ValueError(f"line {line}: {kind} {value!r}: {e}") from None
        events.append(odoosync.make_event(
            "retail.stock.adjusted",
            {"sku": sku, "location": location, kind: qty, "reason": f"csv line {line}"},
            source=source,
            id=f"csv-{file_digest}-{line}"))   # stable: the same file gives the same ids
    return events


def on_hand(client, sku, location):
    rows = client.search_read("stock.quant", [("product_id.default_code", "=", sku),
                                              ("location_id.complete_name", "=", location)], fields=["quantity"])
    total = sum((decimal.Decimal(repr(r["quantity"])) for r in rows), decimal.Decimal(0))
    return format(total.normalize(), "f")     # "8", "2.5": Odoo's float as its exact decimal text


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    store_path = pathlib.Path(args.store)
    csv_path = pathlib.Path(args.csv) if args.csv else store_path.with_name(store_path.stem + "-sample.csv")
    if not args.csv:
        csv_path.write_text(SAMPLE_CSV, encoding="utf-8")
        print(f"wrote a sample CSV: {csv_path}")

    try:
        rows = read_rows(csv_path)
        digest = hashlib.sha256(csv_path.read_bytes()).hexdigest()[:16]
        events = build_events(rows, args.source, digest)
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"read {len(events)} stock changes from {csv_path}")

    emulator = odoosync.Emulator(odoo_version=18) if args.emulator else None
    try:
        client = emulator.client() if emulator else odoosync.Client.from_env()
        if emulator:
            print(f"started the Odoo emulator at {emulator.url}")
        locations = sorted({(sku, loc) for _, sku, loc, _, _, _ in rows})
        before = {k: on_hand(client, *k) for k in locations}

        engine = odoosync.Engine(odoosync.SqliteStore(str(store_path)), client)
        outcomes = engine.submit_many(events)             # one transaction: all stored, or none
        print(f"submitted: {outcomes.count('accepted')} accepted, {outcomes.count('duplicate')} duplicate "
              f"(store {store_path})")

        summary = engine.run_until_idle(max_time=args.max_time)
        print(f"run: idle={summary['idle']} batches={summary['batches']} applied={summary['applied']} "
              f"retried={summary['retried']} dead_lettered={summary['dead_lettered']}")
        for lane, s in engine.status().items():
            print(f"status {lane}: pending={s['pending']} in_flight={s['in_flight']} applied={s['applied']} "
                  f"dead={s['dead']} discarded={s['discarded']}")
        for (sku, loc) in locations:
            print(f"on hand {sku} @ {loc}: {before[(sku, loc)]} -> {on_hand(client, sku, loc)}")

        dead = engine.dead_letters()
        for d in dead:
            print(f"dead letter {d['source']} {d['id']} ({d['subject']}, {d['attempts']} attempts): {d['error']}")
        if dead:
            print(f"{len(dead)} event(s) dead-lettered: fix the cause, then replay them "
                  "(engine.replay(source, id)) or discard them with a reason", file=sys.stderr)
            return 1
        if not summary["idle"]:
            print("the queue did not drain in time; run again to continue", file=sys.stderr)
            return 1
        return 0
    except odoosync.Error as e:
        print(f"error: {type(e).__name__} [{e.kind}]: {e.message}", file=sys.stderr)
        return 1
    finally:
        if emulator:
            emulator.stop()


if __name__ == "__main__":
    sys.exit(main())
