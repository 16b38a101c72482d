#!/usr/bin/python3
"""The sync engine against a real Odoo (not the emulator): products, a customer, opening counts, stock
deltas at two locations, orders and an unknown SKU, sent through the Python bindings, then Odoo's state
checked. Writes into the database: use a scratch one (../shared/odoo: odoo18-reset-db.sh afterwards).

    set -a; . ~/.odoo18/odoo18.env; set +a
    PYTHONPATH=build/dev/bindings/python /usr/bin/python3 tests/live/engine_live.py [--reset-after]

ENGINE_LIVE_WORKERS sets the realtime lane's workers (default 1); ENGINE_LIVE_SEQUENCED_COUNTS=1 sends
the opening counts as the till's sequence 1 instead of unsequenced from the stock take. The day is submitted twice: the
second time every event is a duplicate and nothing changes in Odoo.

Passed against Odoo 18.0 (2026-12-01) with 1 and 2 workers: 40 quants exact, 10 orders confirmed once,
the unknown SKU dead-lettered, a reconciliation with zero drift, the resubmission changed nothing.
"""
import os
import sys
import tempfile
import time
from decimal import Decimal

import odoosync
from odoosync import Quantity, Money, field

if not os.environ.get("ODOO_URL"):
    print("engine_live: ODOO_URL is not set: skipped")
    sys.exit(77)

run_id = time.strftime("%H%M%S")
c = odoosync.Client.from_env()
v = c.version()
print(f"engine_live: Odoo {v['text']} at {os.environ['ODOO_URL']} ({c.protocol()}), run {run_id}")
store_path = os.path.join(tempfile.mkdtemp(), "live.db")
workers = int(os.environ.get("ENGINE_LIVE_WORKERS", "1"))
engine = odoosync.Engine(odoosync.SqliteStore(store_path), c, realtime_batch_size=100, realtime_workers=workers)

skus = [f"LIVE{run_id}-{i:03d}" for i in range(1, 21)]
locations = ["WH/Stock", "WH/Stock/Shelf 1"]
n = 0


def ev(type_, data, source="live/test", sequence=None):
    global n
    n += 1
    return odoosync.make_event(type_, data, source=source, id=f"{run_id}-{n}", sequence=sequence)


day1 = [ev("retail.customer.upserted", {"ref": "walk-in", "name": "Walk-in customer"})]
day1 += [ev("retail.product.upserted", {"sku": s, "name": f"Live product {s}", "list_price": Money("9.90", "EUR")})
         for s in skus]
t = time.monotonic()
for e in day1:
    engine.submit(e)
r = engine.run_until_idle(max_time=300)
print(f"  catalogue: {r} in {time.monotonic() - t:.1f} s")

expected = {}
day2 = []
seq = {}
for s in skus:
    for loc in locations:
        # The opening count: from the stock take without a sequence (intake order puts it before the
        # sales), or, with ENGINE_LIVE_SEQUENCED_COUNTS=1, as sequence 1 of the till's own sequence.
        if os.environ.get("ENGINE_LIVE_SEQUENCED_COUNTS"):
            seq[(s, loc)] = 1
            day2.append(ev("retail.stock.adjusted", {"sku": s, "location": loc, "counted": Quantity(50)},
                           source="pos/live", sequence=1))
        else:
            day2.append(ev("retail.stock.adjusted", {"sku": s, "location": loc, "counted": Quantity(50)},
                           source="erp/stocktake"))
        expected[(s, loc)] = Decimal(50)
for i in range(200):
    s, loc = skus[i % len(skus)], locations[i % 2]
    d = Decimal(-((i % 3) + 1)) if i % 5 else Decimal(4)
    seq[(s, loc)] = seq.get((s, loc), 0) + 1
    day2.append(ev("retail.stock.adjusted", {"sku": s, "location": loc, "delta": Quantity(d)}, source="pos/live",
                   sequence=seq[(s, loc)]))
    expected[(s, loc)] += d
orders = []
for i in range(10):
    number = f"LIVE{run_id}-SO{i:02d}"
    orders.append(number)
    qty, unit = Decimal(1 + i % 2), Decimal("9.90")
    day2.append(ev("retail.order.created", {
        "number": number, "channel": "web/live", "currency": "EUR", "ordered_at": "2026-12-01T10:00:00Z",
        "lines": [{"sku": skus[i], "quantity": Quantity(qty), "unit_price": Money(unit, "EUR"),
                   "total": Money(qty * unit, "EUR")}],
        "subtotal": Money(qty * unit, "EUR"), "tax_total": Money("0.00", "EUR"), "total": Money(qty * unit, "EUR")}))
ghost = ev("retail.stock.adjusted", {"sku": f"GHOST{run_id}", "location": "WH/Stock", "delta": Quantity(-1)})
day2.append(ghost)

t = time.monotonic()
assert engine.submit_many(day2).count("accepted") == len(day2)
r = engine.run_until_idle(max_time=600)
m = engine.metrics()
print(f"  the day: {len(day2)} events: {r} in {time.monotonic() - t:.1f} s, {m['rpc_count']} RPCs in all")

failures = []
dead = engine.dead_letters()
if [d["id"] for d in dead] != [ghost.id]:
    failures.append(f"dead letters: {[(d['id'], d['error']) for d in dead]}")
for (s, loc), want in expected.items():
    rows = c.search_read("stock.quant", (field("product_id.default_code") == s) & (field("location_id.complete_name") == loc),
                         fields=["quantity"])
    got = sum(Decimal(str(row["quantity"])) for row in rows)
    if got != want:
        failures.append(f"{s}@{loc}: Odoo has {got}, expected {want}")
for number in orders:
    found = c.search_read("sale.order", field("client_order_ref") == number, fields=["state", "order_line"])
    if len(found) != 1 or found[0]["state"] != "sale" or len(found[0]["order_line"]) != 1:
        failures.append(f"order {number}: {found}")
report = odoosync.reconcile_stock(c, [(s, loc, str(q)) for (s, loc), q in expected.items()])
if report["drift"]:
    failures.append(f"reconcile: {report['drift'][:3]}")

# The same day again: every event is a duplicate, nothing changes in Odoo.
before = c.search_count("stock.picking")
again = engine.submit_many(day1 + day2)
r2 = engine.run_until_idle(max_time=120)
if again.count("duplicate") != len(day1) + len(day2) or c.search_count("stock.picking") != before:
    failures.append("submitting the day again changed something")

for f in failures[:20]:
    print("  FAIL:", f)
print(f"engine_live: {len(expected)} quants, {len(orders)} orders, reconcile {report['compared']} rows: "
      f"{'PASS' if not failures else 'FAIL'}")
sys.exit(1 if failures else 0)
