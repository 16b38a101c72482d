"""The Python examples run end to end against their own in-process emulator (--emulator) and exit 0."""

from __future__ import annotations

import csv
import json
import os
import pathlib
import re
import subprocess
import sys

import odoosync

EXAMPLES = pathlib.Path(__file__).resolve().parents[3] / "examples" / "python"


def run_example(name, *args, cwd):
    env = dict(os.environ)
    # The module the tests import is the one the examples must use.
    module_dir = str(pathlib.Path(odoosync.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([module_dir] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    for var in ("ODOO_URL", "ODOO_DB", "ODOO_USER", "ODOO_API_KEY", "ODOO_PASSWORD", "ODOOSYNC_STORE"):
        env.pop(var, None)
    return subprocess.run([sys.executable, str(EXAMPLES / name), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_stock_sync_from_csv_with_the_sample_file(tmp_path):
    store = tmp_path / "stock.db"
    r = run_example("stock_sync_from_csv.py", "--emulator", "--store", str(store), cwd=tmp_path)
    assert r.returncode == 0, f"exit {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}"
    out = r.stdout
    assert "submitted: 5 accepted, 0 duplicate" in out, out
    assert "run: idle=True" in out and "applied=5" in out, out
    assert re.search(r"status realtime: pending=0 in_flight=0 applied=5 dead=0", out), out
    # Sample: FURN_7777 +10 -2, FURN_8888 +5 -1, FURN_9999 +3 (none had stock in WH/Stock).
    assert "on hand FURN_7777 @ WH/Stock: 0 -> 8" in out, out
    assert "on hand FURN_8888 @ WH/Stock: 0 -> 4" in out, out
    assert "on hand FURN_9999 @ WH/Stock: 0 -> 3" in out, out
    assert store.exists(), "the SQLite store file was created"


def test_stock_sync_from_csv_with_counts_and_a_dead_letter(tmp_path):
    moves = tmp_path / "counts.csv"
    moves.write_text("sku,location,counted\nFURN_7777,WH/Stock,12\nNO-SUCH-SKU,WH/Stock,1\n", encoding="utf-8")
    store = tmp_path / "counts.db"
    r = run_example("stock_sync_from_csv.py", "--emulator", "--csv", str(moves), "--store", str(store), cwd=tmp_path)
    assert r.returncode == 1, f"a dead letter should exit 1, got {r.returncode}\n{r.stdout}\n{r.stderr}"
    assert "on hand FURN_7777 @ WH/Stock: 0 -> 12" in r.stdout, r.stdout
    assert re.search(r"dead letter pos/store-1 csv-[0-9a-f]+-3 .*NO-SUCH-SKU", r.stdout), r.stdout
    # The same file again: its events are duplicates (stable ids), nothing is applied twice.
    again = run_example("stock_sync_from_csv.py", "--emulator", "--csv", str(moves), "--store", str(store), cwd=tmp_path)
    assert "submitted: 0 accepted, 2 duplicate" in again.stdout, again.stdout


def test_stock_sync_from_csv_refuses_a_bad_file(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,location,delta\nFURN_7777,WH/Stock,lots\n", encoding="utf-8")
    r = run_example("stock_sync_from_csv.py", "--emulator", "--csv", str(bad), "--store", str(tmp_path / "x.db"),
                    cwd=tmp_path)
    assert r.returncode == 2 and "line 2" in r.stderr, f"exit {r.returncode}: {r.stderr}"


def test_product_export_csv_then_resume_from_the_checkpoint(tmp_path):
    out = tmp_path / "products.csv"
    cp = tmp_path / "products.checkpoint"
    r = run_example("product_export.py", "--emulator", "--out", str(out), "--checkpoint", str(cp),
                    "--page-size", "10", cwd=tmp_path)
    assert r.returncode == 0, f"exit {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}"
    m = re.search(r"exported (\d+) rows; checkpoint: (\S+ \S+)", r.stderr)
    assert m, r.stderr
    n = int(m.group(1))
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == n and n >= 30, f"{n} rows reported, {len(rows)} in the file"
    assert {"FURN_7777", "FURN_8888", "FURN_9999"} <= {row["default_code"] for row in rows}
    assert all(row["default_code"] for row in rows), "only products with an internal reference by default"
    assert cp.read_text().strip() == m.group(2), "the checkpoint file holds the final checkpoint"
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d#\d+$", m.group(2))

    # Second run: resumes; only the product changed since is exported and appended.
    r2 = run_example("product_export.py", "--emulator", "--out", str(out), "--checkpoint", str(cp),
                     "--touch", "FURN_8888", cwd=tmp_path)
    assert r2.returncode == 0, r2.stderr
    assert "resuming from checkpoint" in r2.stderr and "exported 1 rows" in r2.stderr, r2.stderr
    with open(out, newline="", encoding="utf-8") as f:
        rows2 = list(csv.DictReader(f))
    assert len(rows2) == n + 1 and rows2[-1]["default_code"] == "FURN_8888", rows2[-1]
    assert cp.read_text().strip() != m.group(2)


def test_product_export_jsonl_to_stdout(tmp_path):
    r = run_example("product_export.py", "--emulator", "--format", "jsonl", "--fields", "default_code,list_price",
                    cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    assert lines and all(set(rec) == {"id", "default_code", "list_price"} for rec in lines), lines[:3]
    assert any(rec["default_code"] == "FURN_7777" for rec in lines)
    assert "exported" in r.stderr
