#!/usr/bin/python3
"""The crash harness against a REAL Odoo (opt-in, never in CI): `odoosync sync run` SIGKILLed again and
again while it talks to Odoo through a fault proxy (tests/live/fault_proxy.py: 503s, resets after Odoo
answered, record-creating calls held before they are forwarded so that they reach Odoo after their client
was killed), on a workload with 14 of the 15 event types (not yet retail.shipment.tracked), dependent ones on one subject in
`sequence`, 10 % resubmitted duplicates. Then Odoo's final state is checked: quants, orders and their
states, deliveries, payments, invoices, refunds, receipts, transfers, prices, names, customers, and no
record twice. It writes into the database (new SKUs, orders, ... per run).

    PYTHONPATH=build/dev/bindings/python /usr/bin/python3 tests/live/crash_harness_live.py \\
        --env ~/.odoo18/odoo18.env [--kills 25] [--seed 1] [--orders 40] [--skus 16] [--cli build/dev/bin/odoosync]

Exit 0 when every check passed; the last line is a summary (kills, kills while a create was running,
faults, events, wrong outcomes, RPCs per event, events/s).
"""
import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal

import odoosync
from odoosync import Money, Quantity

HERE = os.path.dirname(os.path.abspath(__file__))


def read_env(path):
    env = {}
    for line in open(os.path.expanduser(path)):
        line = line.strip()
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            env[k] = v
    return env


class Odoo:
    """Plain JSON-RPC straight to Odoo (not through the proxy), for the final checks."""

    def __init__(self, env):
        self.env = env

    def call(self, model, method, *args, **kw):
        e = self.env
        body = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
            "service": "object", "method": "execute_kw",
            "args": [e["ODOO_DB"], int(e["ODOO_UID"]), e["ODOO_API_KEY"], model, method, list(args), kw]}}
        req = urllib.request.Request(e["ODOO_URL"] + "/jsonrpc", json.dumps(body).encode(),
                                     {"Content-Type": "application/json"})
        out = json.loads(urllib.request.urlopen(req, timeout=300).read())
        if "error" in out:
            raise RuntimeError(f"{model}.{method}: {out['error']['data']['message']}")
        return out["result"]

    def search_read(self, model, domain, fields):
        return self.call(model, "search_read", domain, fields=fields, context={"active_test": False})


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def proxy_state(url, change=None):
    req = urllib.request.Request(url + "/__proxy__/state", json.dumps(change or {}).encode() if change else None)
    return json.loads(urllib.request.urlopen(req, timeout=10).read())


def build_workload(run, n_skus, n_orders, rng):
    """(seed events, day events, expectations). Day events are in a plausible arrival order."""
    seq = {}

    def ev(type_, data, source, subject_key=None, sequenced=True):
        ev.n += 1
        s = None
        if sequenced:
            key = (source, subject_key or type_)
            seq[key] = seq.get(key, 0) + 1
            s = seq[key]
        return odoosync.make_event(type_, data, source=source, id=f"h{run}-{ev.n}", sequence=s)
    ev.n = 0

    usd = lambda a: Money(Decimal(a), "USD")
    locs = ["WH/Stock", "WH/Stock/Shelf 1"]
    skus = [f"H{run}-S{i:02d}" for i in range(n_skus)]
    group_a, group_b = skus[: n_skus // 2], skus[n_skus // 2:]   # A: counts and deltas; B: orders, receipts, transfers
    customers = [f"H{run}-C{i}" for i in range(5)]
    x = {"quant": {}, "price": {}, "name": {}, "customers": customers, "orders": {}, "receipts": [], "transfers": [],
         "payments": [], "invoices": [], "refunds": [], "shipped": {}}

    # The catalogue first, then the opening counts: a count of a SKU Odoo does not know yet is refused
    # (unknown SKU: dead letter), and the two travel in different lanes.
    seed = [ev("retail.customer.upserted", {"ref": c, "name": f"Harness customer {c}"}, "erp/crm", f"c/{c}") for c in customers]
    for s in skus:
        seed.append(ev("retail.product.upserted", {"sku": s, "name": f"Harness {s}", "list_price": usd("10.00")}, "erp/pim", f"p/{s}"))
        x["price"][s], x["name"][s] = Decimal("10.00"), f"Harness {s}"
    counts = []
    for s in skus:
        for loc, q in zip(locs, (200, 50)):
            counts.append(ev("retail.stock.adjusted", {"sku": s, "location": loc, "counted": Quantity(q)}, "erp/stocktake",
                           sequenced=False))
            x["quant"][(s, loc)] = Decimal(q)

    day = []
    # stock: deltas from two tills on every SKU; on group A a stock-take count between sales (same till's sequence)
    for i in range(n_skus * 12):
        s, loc = rng.choice(skus), rng.choice(locs)
        d = Decimal(rng.choice([-3, -2, -1, -1, 1, 2]))
        if s in group_a and rng.random() < 0.06:
            q = Decimal(rng.randint(20, 80))
            day.append(ev("retail.stock.adjusted", {"sku": s, "location": loc, "counted": Quantity(q)}, "pos/till", f"q/{s}@{loc}"))
            x["quant"][(s, loc)] = q
            continue
        day.append(ev("retail.stock.adjusted", {"sku": s, "location": loc, "delta": Quantity(d)}, "pos/till", f"q/{s}@{loc}"))
        x["quant"][(s, loc)] += d
        if rng.random() < 0.05:  # a basket hold and its release: nothing in Odoo
            r = f"R{run}-{i}"
            day.append(ev("retail.stock.reserved", {"sku": s, "location": loc, "quantity": Quantity(1), "reservation": r}, "pos/till", f"q/{s}@{loc}"))
            day.append(ev("retail.stock.released", {"sku": s, "location": loc, "quantity": Quantity(1), "reservation": r}, "pos/till", f"q/{s}@{loc}"))
    # catalogue: renames and price changes, in order per product
    for i in range(n_skus * 2):
        s = rng.choice(skus)
        if rng.random() < 0.5:
            p = usd(f"{rng.randint(5, 40)}.{rng.randint(0, 99):02d}")
            day.append(ev("retail.price.changed", {"sku": s, "list_price": p}, "erp/pim", f"p/{s}"))
            x["price"][s] = Decimal(p.amount)
        else:
            name = f"Harness {s} v{i}"
            p = usd(f"{rng.randint(5, 40)}.00")
            day.append(ev("retail.product.upserted", {"sku": s, "name": name, "list_price": p}, "erp/pim", f"p/{s}"))
            x["price"][s], x["name"][s] = Decimal(p.amount), name
    # goods received and transfers on group B
    for i in range(4):
        ref = f"ASN{run}-{i}"
        lines = [{"sku": s, "quantity": Quantity(5 + i)} for s in rng.sample(group_b, 2)]
        day.append(ev("retail.goods.received", {"reference": ref, "location": "WH/Stock", "lines": lines}, "wms/dock", f"r/{ref}"))
        for l in lines:
            x["quant"][(l["sku"], "WH/Stock")] += 5 + i
        x["receipts"].append(ref)
    for i in range(4):
        ref = f"TR{run}-{i}"
        lines = [{"sku": s, "quantity": Quantity(3)} for s in rng.sample(group_b, 2)]
        day.append(ev("retail.transfer.completed", {"reference": ref, "from": "WH/Stock", "to": "WH/Stock/Shelf 1", "lines": lines},
                      "wms/floor", f"t/{ref}"))
        for l in lines:
            x["quant"][(l["sku"], "WH/Stock")] -= 3
            x["quant"][(l["sku"], "WH/Stock/Shelf 1")] += 3
        x["transfers"].append(ref)
    # web orders and what follows each, in sequence on the order's subject
    for i in range(n_orders):
        number = f"H{run}-SO{i:03d}"
        lines, subtotal = [], Decimal(0)
        for s in rng.sample(group_b, rng.randint(1, 3)):
            q, unit = Decimal(rng.randint(1, 3)), Decimal("12.50")
            lines.append({"sku": s, "quantity": Quantity(q), "unit_price": usd(unit), "total": usd(q * unit)})
            subtotal += q * unit
        key = f"o/{number}"
        events = [ev("retail.order.created", {"number": number, "channel": "web/shop", "currency": "USD",
                                              "customer": rng.choice(customers), "ordered_at": "2026-12-01T10:00:00Z",
                                              "lines": lines, "subtotal": usd(subtotal), "tax_total": usd(0), "total": usd(subtotal)},
                     "web/shop", key)]
        events.append(ev("retail.payment.captured", {"reference": f"PAY{run}-{i}", "order_number": number, "amount": usd(subtotal),
                                                     "method": rng.choice(["card", "cash"]), "captured_at": "2026-12-01T10:01:00Z"},
                         "web/shop", key))
        x["payments"].append(f"PAY{run}-{i}")
        o = {"lines": len(lines), "state": "sale", "shipped": False}
        if i % 8 == 7:
            events.append(ev("retail.order.cancelled", {"number": number, "reason": "customer"}, "web/shop", key))
            o["state"] = "cancel"
        else:
            if i % 3 != 2:
                events.append(ev("retail.shipment.dispatched", {"reference": f"SH{run}-{i}", "order_number": number,
                                                                "dispatched_at": "2026-12-01T15:00:00Z"}, "web/shop", key))
                o["shipped"] = True
                # The delivery takes from WH/Stock or any location under it (Odoo reserves from children
                # too, Shelf 1 here): only the SKU's total over both is known.
                for l in lines:
                    x["shipped"][l["sku"]] = x["shipped"].get(l["sku"], Decimal(0)) + Decimal(str(l["quantity"].value))
            if i % 2 == 0:
                events.append(ev("retail.invoice.posted", {"number": f"INV{run}-{i}", "order_number": number,
                                                           "amount_total": usd(subtotal), "posted_at": "2026-12-01T16:00:00Z"},
                                 "web/shop", key))
                x["invoices"].append(f"INV{run}-{i}")
            if i % 5 == 0:
                events.append(ev("retail.refund.approved", {"reference": f"RF{run}-{i}", "order_number": number,
                                                            "amount": usd("12.50"), "approved_at": "2026-12-02T10:00:00Z"},
                                 "web/shop", key))
                x["refunds"].append(f"RF{run}-{i}")
        x["orders"][number] = o
        day.extend(events)
    # arrival order: shuffled, but each subject's events keep their order (the engine would restore a
    # source's sequence anyway; intake order is what a real feed gives)
    by_subject = {}
    for e in day:
        by_subject.setdefault(e.subject, []).append(e)
    queues = list(by_subject.values())
    arrival = []
    while queues:
        q = rng.choice(queues)
        arrival.append(q.pop(0))
        if not q:
            queues.remove(q)
    x["group_b"] = group_b
    return [seed, counts], arrival, x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--env", required=True)
    ap.add_argument("--kills", type=int, default=25)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--orders", type=int, default=40)
    ap.add_argument("--skus", type=int, default=16)
    ap.add_argument("--cli", default=os.path.join(HERE, "..", "..", "build", "dev", "bin", "odoosync"))
    ap.add_argument("--grace", default="0", help="--grace of sync run (0: the result rests on the external ids alone)")
    ap.add_argument("--keep", help="folder for the store and logs (default: a temporary one)")
    ap.add_argument("--hold-ms", default="3000", help="how long the proxy holds a create before forwarding it (x0.5-1.5)")
    a = ap.parse_args()

    env = read_env(a.env)
    odoo = Odoo(env)
    rng = random.Random(a.seed)
    run = time.strftime("%H%M%S")
    work = a.keep or tempfile.mkdtemp(prefix="odoosync-live-crash-")
    os.makedirs(work, exist_ok=True)
    store = os.path.join(work, "odoosync.db")
    print(f"crash_harness_live: {env['ODOO_URL']} run {run}, work in {work}", flush=True)

    port = free_port()
    proxy_url = f"http://127.0.0.1:{port}"
    proxy = subprocess.Popen([sys.executable, os.path.join(HERE, "fault_proxy.py"), "--listen", f"127.0.0.1:{port}",
                              "--upstream", env["ODOO_URL"], "--seed", str(a.seed), "--hold-ms", a.hold_ms],
                             stdout=subprocess.PIPE, text=True)
    proxy.stdout.readline()
    child_env = dict(os.environ, ODOO_URL=proxy_url, ODOO_DB=env["ODOO_DB"], ODOO_USER=env["ODOO_USER"],
                     ODOO_API_KEY=env["ODOO_API_KEY"], ODOOSYNC_STORE=store)
    child_env.pop("ODOO_PASSWORD", None)

    seed, day, x = build_workload(run, a.skus, a.orders, rng)
    log = open(os.path.join(work, "runs.log"), "a")

    def submit(events):
        path = os.path.join(work, "chunk.jsonl")
        with open(path, "w") as f:
            for e in events:
                f.write(e.to_json() + "\n")
        subprocess.run([a.cli, "sync", "submit", path], env=child_env, stdout=log, stderr=log, check=True)

    def run_args():
        return [a.cli, "sync", "run", "--until-idle", "--grace", a.grace, "--realtime-batch", "20", "--bulk-batch", "40"]

    started = time.monotonic()
    for part in seed:
        submit(part)
        subprocess.run(run_args(), env=child_env, stdout=log, stderr=log, timeout=1800)
    seed = seed[0] + seed[1]

    chunks = [day[i * len(day) // (a.kills + 1):(i + 1) * len(day) // (a.kills + 1)] for i in range(a.kills + 1)]
    submitted = []
    kills = kills_in_create = 0
    for i, chunk in enumerate(chunks):
        dup = rng.sample(submitted, min(len(submitted), len(chunk) // 10))  # ~10 % resubmitted
        submit(chunk + dup)
        submitted.extend(chunk)
        if i == len(chunks) - 1:
            break
        child = subprocess.Popen(run_args(), env=child_env, stdout=log, stderr=log)
        in_create = False
        if i % 2 == 0:
            # wait for a record-creating call in flight (or held by the proxy), then kill
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and child.poll() is None:
                st = proxy_state(proxy_url)
                if st["held"] > 0 or st["inflight"].get("load", 0) > 0 or st["inflight"].get("create", 0) > 0:
                    in_create = True
                    break
                time.sleep(0.01)
        else:
            time.sleep(rng.uniform(0.2, 4.0))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            child.wait()
            kills += 1
            kills_in_create += in_create
        print(f"  chunk {i + 1}/{len(chunks)}: {len(chunk)} events (+{len(dup)} again), "
              f"{'killed' if in_create or child.returncode == -9 else 'finished'}{' during a create' if in_create else ''}",
              flush=True)
    # the rest without faults or kills
    faults = proxy_state(proxy_url, {"p503": 0, "preset": 0, "phold": 0})["counts"]
    t = time.monotonic()
    last = subprocess.run(run_args() + ["--metrics"], env=child_env, capture_output=True, text=True, timeout=3600)
    log.write(last.stdout + last.stderr)
    elapsed = time.monotonic() - started
    requests = proxy_state(proxy_url)["counts"]["requests"]
    proxy.terminate()

    wrong = []
    dead = subprocess.run([a.cli, "sync", "dlq", "list"], env=child_env, capture_output=True, text=True).stdout
    if "empty" not in dead:
        wrong.append(f"dead letters: {dead[:500]}")
    skus = sorted({s for s, _ in x["quant"]})
    quants = odoo.search_read("stock.quant", [["product_id.default_code", "in", skus], ["location_id.usage", "=", "internal"]],
                              ["product_id", "location_id", "quantity"])
    prods = {p["id"]: p for p in odoo.search_read("product.product", [["default_code", "in", skus]], ["default_code", "list_price", "name"])}
    have = {}
    for q in quants:
        key = (prods[q["product_id"][0]]["default_code"], q["location_id"][1])
        have[key] = have.get(key, Decimal(0)) + Decimal(str(q["quantity"]))
    for key, want in x["quant"].items():
        if key[0] in x["group_b"]:
            continue
        if have.get(key, Decimal(0)) != want:
            wrong.append(f"quant {key}: Odoo {have.get(key)}, expected {want}")
    for s in x["group_b"]:
        want = sum(v for (k, _), v in x["quant"].items() if k == s) - x["shipped"].get(s, Decimal(0))
        got = sum(v for (k, _), v in have.items() if k == s)
        if got != want:
            wrong.append(f"quant {s} (WH/Stock and Shelf 1): Odoo {got}, expected {want}")
    codes = [p["default_code"] for p in prods.values()]
    for s in skus:
        if codes.count(s) != 1:
            wrong.append(f"product {s}: {codes.count(s)} in Odoo")
    for p in prods.values():
        s = p["default_code"]
        if Decimal(str(p["list_price"])).quantize(Decimal("0.01")) != x["price"][s] or p["name"] != x["name"][s]:
            wrong.append(f"product {s}: {p['name']!r} {p['list_price']}, expected {x['name'][s]!r} {x['price'][s]}")
    for c in x["customers"]:
        n = odoo.call("res.partner", "search_count", [["ref", "=", c]])
        if n != 1:
            wrong.append(f"customer {c}: {n} in Odoo")
    orders = odoo.search_read("sale.order", [["client_order_ref", "in", list(x["orders"])]], ["client_order_ref", "state", "order_line"])
    seen = {}
    for o in orders:
        seen.setdefault(o["client_order_ref"], []).append(o)
    for number, want in x["orders"].items():
        got = seen.get(number, [])
        if len(got) != 1:
            wrong.append(f"order {number}: {len(got)} in Odoo")
            continue
        o = got[0]
        if o["state"] != want["state"] or len(o["order_line"]) != want["lines"]:
            wrong.append(f"order {number}: state {o['state']} with {len(o['order_line'])} lines, expected {want['state']} with {want['lines']}")
        picks = odoo.search_read("stock.picking", [["sale_id", "=", o["id"]]], ["state"])
        states = sorted(p["state"] for p in picks)
        if len(picks) != 1:
            wrong.append(f"order {number}: {len(picks)} deliveries ({states})")
        elif want["shipped"] and states != ["done"]:
            wrong.append(f"order {number}: delivery {states}, expected done")
        elif not want["shipped"] and states[0] == "done":
            wrong.append(f"order {number}: delivered without a shipment event")
    memo = "memo" if "memo" in odoo.call("account.payment", "fields_get", ["memo"]) else "ref"
    for ref in x["payments"]:
        p = odoo.search_read("account.payment", [[memo, "=", ref]], ["state"])
        if len(p) != 1 or p[0]["state"] not in ("in_process", "paid", "posted"):
            wrong.append(f"payment {ref}: {p}")
    for ref, kind in [(r, "out_invoice") for r in x["invoices"]] + [(r, "out_refund") for r in x["refunds"]]:
        m = odoo.search_read("account.move", [["ref", "=", ref], ["move_type", "=", kind]], ["state"])
        if len(m) != 1 or m[0]["state"] != "posted":
            wrong.append(f"{kind} {ref}: {m}")
    for ref, prefix in [(r, "odoosync:receipt:") for r in x["receipts"]] + [(r, "odoosync:transfer:") for r in x["transfers"]]:
        p = odoo.search_read("stock.picking", [["origin", "=", prefix + ref]], ["state"])
        if len(p) != 1 or p[0]["state"] != "done":
            wrong.append(f"picking {prefix}{ref}: {p}")
    adj = odoo.search_read("stock.picking", [["origin", "like", "odoosync:stock:"], ["move_ids.product_id.default_code", "in", skus]],
                           ["origin", "state"])
    origins = [p["origin"] for p in adj]
    for o in set(origins):
        if origins.count(o) != 1:
            wrong.append(f"stock transfer {o}: {origins.count(o)} in Odoo")
    if any(p["state"] != "done" for p in adj):
        wrong.append(f"stock transfers not done: {[p for p in adj if p['state'] != 'done'][:3]}")

    for w in wrong[:30]:
        print("  WRONG:", w)
    n_events = len(seed) + len(day)
    print(f"crash_harness_live: {env['ODOO_URL']}: {kills} kills ({kills_in_create} while a create was running), "
          f"faults {faults}, {n_events} events (+~10 % duplicates), {len(wrong)} wrong outcomes, "
          f"{requests / n_events:.2f} RPCs per event, {n_events / elapsed:.1f} events/s over {elapsed:.0f} s: "
          f"{'PASS' if not wrong else 'FAIL'}", flush=True)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
