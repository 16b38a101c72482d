#!/usr/bin/env python3
"""Checks what ops/ ships for Prometheus and Grafana (docs/operations.md).

  check_ops.py rules REPO      promtool check rules, then promtool test rules on ops/prometheus/tests/*.yml
                               (each alert fires on the series that should fire it, silent on healthy ones);
                               every alert has a severity, summary, description and a runbook_url whose
                               anchor is a heading of docs/runbooks.md, and a unit test that fires it.
  check_ops.py dashboard REPO  ops/grafana/odoosync.json parses; the data source is a variable every panel
                               uses; the panels cover freshness, backlog and its growth, dead letters, the
                               breaker, RPC errors and latency, events applied; every metric they ask for is
                               one the code exports (tests/integration/metrics_endpoint_test.cpp checks the
                               same names against a real scrape).

Without promtool (Debian's `prometheus` package): exit 77, reported by ctest as skipped, except under
CI=true, where it is a failure.
"""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

SKIP = 77
NAME = re.compile(r"odoosync_[a-z0-9_]+")
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def exported_names(repo):
    """Metric names the code can export: every odoosync_* token in src/, plus the _count/_sum/_max series
    ops::prometheus_text writes for what a MetricsSink observes."""
    names = set()
    for path in (repo / "src").rglob("*.[ch]pp"):
        text = path.read_text(encoding="utf-8")
        names.update(NAME.findall(text))
        for observed in re.findall(r'observe\(\s*"(odoosync_[a-z0-9_]+)"', text):
            names.update({observed + "_count", observed + "_sum", observed + "_max"})
    return names


def slug(heading):
    """GitHub's anchor for a Markdown heading."""
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def check_rules(repo):
    rules_file = repo / "ops/prometheus/odoosync-alerts.yml"
    tests = sorted((repo / "ops/prometheus/tests").glob("*.yml"))
    if not tests:
        fail("no promtool unit tests under ops/prometheus/tests")
    promtool = os.environ.get("PROMTOOL") or shutil.which("promtool")
    if not promtool:
        if os.environ.get("CI", "").lower() == "true":
            print("FAIL: promtool is missing (install Debian's prometheus package: scripts/install-deps)")
            return 1
        print("SKIP: promtool is missing (install Debian's prometheus package: scripts/install-deps)")
        return SKIP
    for cmd in ([promtool, "check", "rules", str(rules_file)], [promtool, "test", "rules", *map(str, tests)]):
        print("$", " ".join(cmd[1:]))
        r = subprocess.run(cmd, capture_output=True, text=True)
        print(r.stdout + r.stderr, end="")
        if r.returncode != 0:
            fail(" ".join(cmd[1:3]) + " failed")

    doc = yaml.safe_load(rules_file.read_text(encoding="utf-8"))
    alerts = [r for g in doc["groups"] for r in g["rules"] if "alert" in r]
    if len(alerts) < 7:
        fail(f"only {len(alerts)} alert rules")
    runbooks = (repo / "docs/runbooks.md").read_text(encoding="utf-8")
    anchors = {slug(h) for h in re.findall(r"^#+ (.+)$", runbooks, re.M)}
    known = exported_names(repo)
    for r in alerts:
        name = r["alert"]
        ann = r.get("annotations", {})
        for key in ("summary", "description", "runbook_url"):
            if not ann.get(key, "").strip():
                fail(f"{name}: no {key}")
        if r.get("labels", {}).get("severity") not in ("warning", "critical"):
            fail(f"{name}: severity is neither warning nor critical")
        url = ann.get("runbook_url", "")
        m = re.fullmatch(r"docs/runbooks\.md#([a-z0-9\-]+)", url)
        if not m:
            fail(f"{name}: runbook_url {url!r} is not docs/runbooks.md#anchor")
        elif m.group(1) not in anchors:
            fail(f"{name}: docs/runbooks.md has no heading for #{m.group(1)}")
        for metric in NAME.findall(r["expr"]):
            if metric not in known:
                fail(f"{name}: {metric} is exported nowhere in src/")

    # Every alert fires in some unit test, and some test expects silence from it.
    fired, silent = set(), set()
    for t in tests:
        for case in yaml.safe_load(t.read_text(encoding="utf-8")).get("tests", []):
            for a in case.get("alert_rule_test", []):
                (fired if a.get("exp_alerts") else silent).add(a["alertname"])
    for name in sorted({r["alert"] for r in alerts}):
        if name not in fired:
            fail(f"{name}: no unit test makes it fire")
        if name not in silent:
            fail(f"{name}: no unit test expects it silent")
    return 1 if failures else 0


def panels_of(dash):
    for p in dash.get("panels", []):
        yield p
        yield from p.get("panels", [])  # a collapsed row holds its panels


def check_dashboard(repo):
    path = repo / "ops/grafana/odoosync.json"
    try:
        dash = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        fail(f"{path.name} is not JSON: {e}")
        return 1
    for key in ("title", "uid", "panels", "templating", "schemaVersion"):
        if key not in dash:
            fail(f"the dashboard has no {key}")
    variables = {v["name"]: v for v in dash.get("templating", {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        fail("no data source variable `datasource` of type datasource over prometheus")
    ref = "${datasource}"
    known = exported_names(repo)
    used, ids, titles = set(), set(), []
    for p in panels_of(dash):
        if p["id"] in ids:
            fail(f"panel id {p['id']} twice")
        ids.add(p["id"])
        g = p.get("gridPos", {})
        if not (0 <= g.get("x", -1) and g.get("x", 0) + g.get("w", 99) <= 24 and g.get("h", 0) > 0):
            fail(f"panel {p.get('title')!r}: bad gridPos {g}")
        if p.get("type") == "row":
            continue
        titles.append(p.get("title", ""))
        if p.get("datasource", {}).get("uid") != ref:
            fail(f"panel {p.get('title')!r}: its data source is not the variable")
        targets = p.get("targets", [])
        if not targets:
            fail(f"panel {p.get('title')!r}: no query")
        for t in targets:
            if t.get("datasource", {}).get("uid") != ref:
                fail(f"panel {p.get('title')!r} query {t.get('refId')}: its data source is not the variable")
            expr = t.get("expr", "")
            if not expr.strip():
                fail(f"panel {p.get('title')!r} query {t.get('refId')}: empty expression")
            if expr.count("(") != expr.count(")") or expr.count("{") != expr.count("}"):
                fail(f"panel {p.get('title')!r}: unbalanced expression {expr}")
            for metric in NAME.findall(expr):
                used.add(metric)
                if metric not in known:
                    fail(f"panel {p.get('title')!r}: {metric} is exported nowhere in src/")
    # What the dashboard is for: each of these is asked by some panel.
    for metric in ("odoosync_oldest_pending_age_seconds", "odoosync_queue_depth", "odoosync_dead_letters",
                   "odoosync_events_dead_lettered_total", "odoosync_circuit_open", "odoosync_http_requests_total",
                   "odoosync_rpc_seconds_sum", "odoosync_rpc_seconds_count", "odoosync_events_applied_total",
                   "odoosync_api_key_expiry_seconds"):
        if metric not in used:
            fail(f"no panel shows {metric}")
    lowered = " | ".join(titles).lower()
    for word in ("freshness", "backlog", "growth", "dead letters", "circuit breaker", "rpc error rate",
                 "rpc latency", "applied per second"):
        if word not in lowered:
            fail(f"no panel titled with {word!r}")
    print(f"{len(titles)} panels, {len(used)} metrics, all exported")
    return 1 if failures else 0


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("rules", "dashboard"):
        print(__doc__)
        return 2
    repo = Path(sys.argv[2])
    rc = check_rules(repo) if sys.argv[1] == "rules" else check_dashboard(repo)
    if rc == 0:
        print("ok")
    return rc


if __name__ == "__main__":
    sys.exit(main())
