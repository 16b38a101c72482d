#!/usr/bin/env python3
"""Export product.product from Odoo to CSV or JSON Lines, incrementally, with a resumable checkpoint.

Rows come from Client.changes(): ordered by (write_date, id), a page at a time. After every whole
page (and at the end) the checkpoint ("2026-11-22 22:31:54#36") is written to the checkpoint file,
so the next run, or a run restarted after a crash, continues where the last one stopped: it exports
only products created or changed since, and appends them to the output.

    PYTHONPATH=build/dev/bindings/python /usr/bin/python3 examples/python/product_export.py --emulator \\
        --out products.csv --checkpoint products.checkpoint
    ODOO_URL=... ODOO_DB=... ODOO_USER=... ODOO_API_KEY=... \\
        /usr/bin/python3 examples/python/product_export.py --format jsonl --out products.jsonl

--emulator starts an in-process Odoo emulator (its demo data) instead of Client.from_env(); with it,
--touch SKU changes that product's price first, so that a second run has something new to export.
The last line printed (stderr) is "exported N rows; checkpoint: <value>".
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pathlib
import sys

import odoosync

DEFAULT_FIELDS = ["default_code", "name", "barcode", "list_price", "uom_id", "active", "write_date"]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--format", choices=["csv", "jsonl"], help="default: from --out's extension, else csv")
    p.add_argument("--out", help="output file, appended to when resuming (default: standard output)")
    p.add_argument("--checkpoint", help="file holding the checkpoint (default: <out>.checkpoint, none for stdout)")
    p.add_argument("--fields", default=",".join(DEFAULT_FIELDS), help="comma-separated product fields")
    p.add_argument("--page-size", type=int, default=200)
    p.add_argument("--all", action="store_true", help="also products without an internal reference")
    p.add_argument("--emulator", action="store_true", help="export from an in-process Odoo emulator")
    p.add_argument("--touch", metavar="SKU", action="append", default=[],
                   help="(with --emulator) raise this product's price by 1 before exporting")
    return p.parse_args(argv)


def cell(value):
    """A CSV cell: many2one [id, name] -> name, False (Odoo's empty) -> "", lists -> ids joined."""
    if value is False or value is None:
        return ""
    if isinstance(value, list):
        if len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str):
            return value[1]
        return " ".join(str(v) for v in value)
    if isinstance(value, float):
        return repr(value)                       # shortest round-trip text: 12.5, not 12.500000001
    return str(value)


def load_checkpoint(path):
    if path and path.exists():
        text = path.read_text(encoding="utf-8").strip()
        return text
    return ""


def save_checkpoint(path, value):
    if not path or not value:
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(value + "\n", encoding="utf-8")
    os.replace(tmp, path)                        # atomic: a crash leaves the old or the new one


def export(client, args, out, checkpoint_path, since):
    fields = [f.strip() for f in args.fields.split(",") if f.strip()]
    columns = ["id"] + [f for f in fields if f != "id"]
    domain = None if args.all else [("default_code", "!=", False)]
    fmt = args.format or ("jsonl" if args.out and args.out.endswith((".jsonl", ".ndjson")) else "csv")
    writer = None
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        at_start = out.tell() == 0 if out.seekable() else not since
        if at_start:                             # a new file (or stdout on a first run): the header
            writer.writerow(columns)
    rows = 0
    it = client.changes("product.product", domain, fields=fields, since=since, page_size=args.page_size)
    for rec in it:
        if fmt == "csv":
            writer.writerow([cell(rec.get(c)) for c in columns])
        else:
            out.write(json.dumps({c: rec.get(c) for c in columns}, ensure_ascii=False) + "\n")
        rows += 1
        if rows % args.page_size == 0:          # a whole page handed over: its checkpoint is safe to keep
            out.flush()
            save_checkpoint(checkpoint_path, it.checkpoint)
    out.flush()
    final = it.checkpoint or since
    save_checkpoint(checkpoint_path, final)
    return rows, final


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.touch and not args.emulator:
        print("error: --touch only works with --emulator (it writes to Odoo)", file=sys.stderr)
        return 2
    checkpoint_path = pathlib.Path(args.checkpoint) if args.checkpoint else (
        pathlib.Path(args.out + ".checkpoint") if args.out else None)
    since = load_checkpoint(checkpoint_path)
    if since:
        print(f"resuming from checkpoint {since}", file=sys.stderr)

    emulator = odoosync.Emulator(odoo_version=18) if args.emulator else None
    try:
        client = emulator.client() if emulator else odoosync.Client.from_env()
        for sku in args.touch:
            ids = client.search("product.product", [("default_code", "=", sku)])
            if not ids:
                print(f"error: no product with internal reference {sku!r}", file=sys.stderr)
                return 2
            price = client.read("product.product", ids, ["list_price"])[0]["list_price"]
            client.write("product.product", ids, {"list_price": price + 1})
            print(f"touched {sku}: list_price {price} -> {price + 1}", file=sys.stderr)
        if args.out:
            with open(args.out, "a", newline="", encoding="utf-8") as out:
                rows, final = export(client, args, out, checkpoint_path, since)
        else:
            rows, final = export(client, args, sys.stdout, checkpoint_path, since)
        print(f"exported {rows} rows; checkpoint: {final}", file=sys.stderr)
        return 0
    except odoosync.Error as e:
        print(f"error: {type(e).__name__} [{e.kind}]: {e.message}", file=sys.stderr)
        return 1
    finally:
        if emulator:
            emulator.stop()


if __name__ == "__main__":
    sys.exit(main())
