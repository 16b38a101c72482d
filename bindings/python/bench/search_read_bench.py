#!/usr/bin/python3
"""search_read of 10,000 rows into Python objects: odoosync vs Debian's python3-odoorpc, against the
same server in the same run (docs/benchmarks.md). Default server: the odoosync emulator with 10,000
generated products, in its own process (build/release/bin/odoosync-emulator, or
$ODOOSYNC_EMULATOR_BIN), so this process's CPU time is the client's alone; with ODOO_URL, ODOO_DB,
ODOO_USER, ODOO_PASSWORD (and ODOO_API_KEY for odoosync) set, that server instead.

    PYTHONPATH=build/release/bindings/python /usr/bin/python3 bindings/python/bench/search_read_bench.py [ROWS] [RUNS]
"""
import os
import statistics
import subprocess
import sys
import time
from urllib.parse import urlparse

import odoorpc

import odoosync

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
fields = ["name", "default_code", "list_price", "barcode"]

emulator = None
if os.environ.get("ODOO_URL"):
    url, db, user, password = (os.environ[k] for k in ("ODOO_URL", "ODOO_DB", "ODOO_USER", "ODOO_PASSWORD"))
    client = odoosync.Client.from_env()
else:
    here = os.path.dirname(os.path.abspath(__file__))
    binary = os.environ.get("ODOOSYNC_EMULATOR_BIN") or os.path.join(here, "../../../build/release/bin/odoosync-emulator")
    emulator = subprocess.Popen([binary, "--products", str(rows), "--keep-alive"], stdout=subprocess.PIPE, text=True)
    env = {}
    while "ODOO_PASSWORD" not in env:
        line = emulator.stdout.readline()
        if not line:
            sys.exit("the emulator did not start")
        k, _, v = line.strip().partition("=")
        env[k] = v
    url, db, user, password = env["ODOO_URL"], env["ODOO_DB"], env["ODOO_USER"], env["ODOO_PASSWORD"]
    client = odoosync.Client(url, database=db, login=user, api_key=env["ODOO_API_KEY"])

u = urlparse(url)
rpc = odoorpc.ODOO(u.hostname, protocol="jsonrpc", port=u.port or 80)
rpc.login(db, user, password)  # odoorpc logs in through /web/session/authenticate: a password only


def with_odoosync():
    return client.search_read("product.product", [], fields=fields, limit=rows, order="id asc")


def with_odoorpc():
    return rpc.env["product.product"].search_read([], fields, limit=rows, order="id asc")


def timed(fn):
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        assert len(result) == rows, (fn.__name__, len(result))
        del result
    return wall, cpu


a, b = with_odoosync(), with_odoorpc()  # warm up both, and check they agree
assert [r["id"] for r in a] == [r["id"] for r in b], "the two clients read different rows"
assert a[0]["name"] == b[0]["name"] and isinstance(a[0], dict)
results = {}
for name, fn in (("odoosync", with_odoosync), ("odoorpc", with_odoorpc), ("odoosync again", with_odoosync)):
    results[name] = timed(fn)
base_wall = statistics.median(results["odoorpc"][0])
base_cpu = statistics.median(results["odoorpc"][1])
print(f"search_read of {rows} rows x {len(fields)} fields into Python dicts, {runs} runs each, "
      f"server {'the emulator (own process, keep-alive)' if emulator else url}")
print("| client | wall, median s | client CPU, median s | wall vs odoorpc | client CPU vs odoorpc |")
print("| --- | --- | --- | --- | --- |")
for name, (wall, cpu) in results.items():
    w, c = statistics.median(wall), statistics.median(cpu)
    print(f"| {name} | {w:.3f} | {c:.3f} | {base_wall / w:.2f}x | {base_cpu / c:.2f}x |")
if emulator:
    emulator.terminate()
    emulator.wait()
