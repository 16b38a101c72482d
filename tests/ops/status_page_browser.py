#!/usr/bin/env python3
"""The status page in a real browser (Debian's chromium, headless, driven over its DevTools protocol on
a pipe): the real `odoosync` binary serves it, first in the service mode of `sync run --metrics-listen`
against the Odoo emulator, then from `odoosync serve` on the same SQLite store.

It checks that the page renders (lanes table, both charts as SVG with data points, no script error, no
Content-Security-Policy violation), that its numbers are the store's (`odoosync --json sync status` and
`sync dlq list`), that clicking a dead letter's Replay button without the token and with a wrong one is
refused and leaves the store unchanged, and that with the right token the dead letter is pending again.
The token never appears in what either process printed.

Exit 0: passed; 1: failed; 77: chromium is missing outside CI (under CI=true that is a failure).
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)
    return cond


class DevTools:
    """A minimal Chrome DevTools Protocol client over --remote-debugging-pipe (fd 3 in, fd 4 out; each
    message one JSON text ended by a NUL byte), attached to one page with a flat session."""

    def __init__(self, chromium, profile):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def fds():
            # Copies first: a pipe may itself be fd 3 or 4, and dup2 onto itself would keep close-on-exec.
            r, w = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        args = [chromium, "--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                "--user-data-dir=" + profile, "--remote-debugging-pipe", "--window-size=1280,2000", "about:blank"]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # chromium refuses to run as root with its sandbox
        self.proc = subprocess.Popen(args, preexec_fn=fds, close_fds=False, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(profile, "..", "chromium.log"), "wb"))
        os.close(to_child_r)
        os.close(from_child_w)
        self.next_id = 0
        self.replies = {}
        self.events = []
        self.cv = threading.Condition()
        self.closed = False
        threading.Thread(target=self._read, daemon=True).start()
        self.session = None
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(domain + ".enable")

    def _read(self):
        buf = b""
        while True:
            try:
                chunk = os.read(self.from_child, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self.cv:
                    self.closed = True
                    self.cv.notify_all()
                return
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                with self.cv:
                    if "id" in msg:
                        self.replies[msg["id"]] = msg
                    else:
                        self.events.append(msg)
                    self.cv.notify_all()

    def call(self, method, timeout=30, **params):
        with self.cv:
            self.next_id += 1
            mid = self.next_id
        msg = {"id": mid, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            msg["sessionId"] = self.session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        with self.cv:
            while mid not in self.replies:
                if self.closed or not self.cv.wait(max(0.0, deadline - time.time())):
                    raise RuntimeError("chromium did not answer " + method)
            reply = self.replies.pop(mid)
        if "error" in reply:
            raise RuntimeError(method + ": " + json.dumps(reply["error"]))
        return reply.get("result", {})

    def js(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError("script failed: " + json.dumps(r["exceptionDetails"])[:500])
        return r["result"].get("value")

    def wait_for(self, expression, what, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            v = self.js(expression)
            if v:
                return v
            time.sleep(0.1)
        raise RuntimeError("timed out waiting for " + what)

    def click(self, selector):
        """A real mouse click at the middle of the element (scrolled into view first)."""
        box = self.js("(() => { const e = document.querySelector(%s); if (!e) return null; e.scrollIntoView({block: 'center'});"
                      " const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()"
                      % json.dumps(selector))
        if not box:
            raise RuntimeError("nothing to click at " + selector)
        x, y = box
        self.call("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
        self.call("Input.dispatchMouseEvent", type="mousePressed", x=x, y=y, button="left", clickCount=1)
        self.call("Input.dispatchMouseEvent", type="mouseReleased", x=x, y=y, button="left", clickCount=1)

    def type_into(self, selector, text):
        self.click(selector)
        self.js("document.querySelector(%s).value = ''" % json.dumps(selector))
        self.call("Input.insertText", text=text)

    def problems(self):
        """Script exceptions, console errors and CSP violations the page reported."""
        out = []
        with self.cv:
            events = list(self.events)
        for e in events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.exceptionThrown":
                out.append("exception: " + json.dumps(p.get("exceptionDetails", {}))[:300])
            elif m == "Runtime.consoleAPICalled" and p.get("type") == "error":
                out.append("console error: " + json.dumps(p.get("args", []))[:300])
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                text = p["entry"].get("text", "")
                if p["entry"].get("url", "").endswith("/favicon.ico"):
                    continue  # the browser's own guess, not an asset of the page
                # A refused replay is a 401/403 the page shows on purpose: chromium logs the status as an error.
                if "status of 401" in text or "status of 403" in text:
                    continue
                out.append("log: " + text[:300] + " " + p["entry"].get("url", ""))
        return out

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Process:
    """A program; with a `prefix`, started once a line of its stdout begins with it."""

    def __init__(self, args, env, err_path, prefix):
        self.err_path = err_path
        self.proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=open(err_path, "wb"), text=True)
        self.lines = []
        if prefix is None:  # it says where it listens on stderr: the caller reads err_path
            return
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.lines.append(line.rstrip("\n"))
            if line.startswith(prefix):
                return
        raise RuntimeError("%s did not start: %s" % (args[0], open(err_path).read()[-2000:]))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def stock(event_id, sku, delta):
    return json.dumps({"specversion": "1.0", "id": event_id, "source": "pos/store-1", "type": "retail.stock.adjusted",
                       "time": "2026-12-01T10:15:00Z",
                       "data": {"sku": sku, "location": "WH/Stock", "delta": {"value": delta, "uom": "Units"}}})


def run_cli(cli, env, *args, stdin=None):
    r = subprocess.run([cli, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120)
    return r


def store_status(cli, env):
    r = run_cli(cli, env, "--json", "sync", "status")
    if r.returncode != 0:
        raise RuntimeError("sync status: " + r.stderr)
    return json.loads(r.stdout)


def dead_letters(cli, env):
    r = run_cli(cli, env, "--json", "sync", "dlq", "list", "--limit", "1000")
    if r.returncode != 0:
        raise RuntimeError("dlq list: " + r.stderr)
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def page_state(dt):
    return dt.js("""(() => {
      const lanes = {};
      for (const tr of document.querySelectorAll('#lanes tbody tr')) {
        const row = {};
        for (const td of tr.querySelectorAll('td[data-field]')) row[td.dataset.field] = td.textContent;
        lanes[tr.dataset.lane] = row;
      }
      const dead = [...document.querySelectorAll('#dead tbody tr')].map((tr) => [tr.dataset.source, tr.dataset.id]);
      const charts = {};
      for (const id of ['chart-backlog', 'chart-fresh']) {
        const svg = document.getElementById(id);
        charts[id] = {tag: svg ? svg.tagName.toLowerCase() : null, points: svg ? svg.querySelectorAll('circle.point').length : 0,
                      lines: svg ? svg.querySelectorAll('path.line').length : 0,
                      label: svg ? svg.getAttribute('aria-labelledby') : null};
      }
      const channels = {};
      for (const tr of document.querySelectorAll('#channels tbody tr')) {
        const row = {};
        for (const td of tr.querySelectorAll('td[data-field]')) row[td.dataset.field] = td.textContent;
        channels[tr.dataset.channel] = row;
      }
      const now = {};
      for (const lane of ['realtime', 'bulk']) {
        const pts = document.querySelectorAll('#chart-backlog circle.point[data-lane=' + lane + ']');
        now[lane] = pts.length ? pts[pts.length - 1].dataset.value : null;
      }
      return {lanes, dead, charts, channels, backlog_now: now, total: document.getElementById('dead-summary').dataset.total,
              breaker: document.getElementById('breaker').textContent,
              headers: document.querySelectorAll('#lanes thead th[scope=col]').length,
              alt: document.getElementById('alt-backlog').textContent,
              errors: document.getElementById('errors').textContent};
    })()""")


def load(dt, url):
    dt.call("Page.navigate", url=url)
    dt.wait_for("document.readyState === 'complete' && document.body && document.body.dataset.loaded", "the page's data")


def check_against_store(dt, cli, env, where):
    s = page_state(dt)
    st = store_status(cli, env)
    dl = dead_letters(cli, env)
    check(s["headers"] == 8, where + ": the lanes table has its 8 column headers")
    for lane in ("realtime", "bulk"):
        row, want = s["lanes"].get(lane), st[lane]
        if not check(row is not None, where + ": a row for the %s lane" % lane):
            continue
        check(row["depth"] == str(want["pending"] + want["in_flight"]),
              where + ": %s queued %s = the store's pending + in flight %d" % (lane, row["depth"], want["pending"] + want["in_flight"]))
        check(row["dead"] == str(want["dead"]), where + ": %s dead letters %s = the store's %d" % (lane, row["dead"], want["dead"]))
        check(row["applied"] == str(want["applied"]), where + ": %s applied %s = the store's %d" % (lane, row["applied"], want["applied"]))
        check(s["backlog_now"][lane] == str(want["pending"] + want["in_flight"]),
              where + ": the %s backlog chart ends at the store's queue (%s)" % (lane, s["backlog_now"][lane]))
    check(s["total"] == str(len(dl)), where + ": the dead-letter count %s = the store's %d" % (s["total"], len(dl)))
    check(sorted(map(tuple, s["dead"])) == sorted((d["source"], d["id"]) for d in dl),
          where + ": the dead letters listed are the store's")
    for cid, c in s["charts"].items():
        check(c["tag"] == "svg" and c["points"] >= 2 and c["lines"] >= 1,
              where + ": %s is an SVG with data points (%d points, %d lines)" % (cid, c["points"], c["lines"]))
        check(bool(c["label"]), where + ": %s has a text alternative" % cid)
    check(s["alt"].startswith("Backlog, realtime: now "), where + ": the backlog chart's description reads " + repr(s["alt"][:60]))
    check(s["errors"] == "", where + ": no error shown (%r)" % s["errors"][:200])
    return s


def replay_click(dt, source, event_id):
    dt.js("document.getElementById('replay-result').dataset.status = ''")
    dt.click('#dead tr[data-id=%s] button.replay' % json.dumps(event_id))
    return dt.wait_for("document.getElementById('replay-result').dataset.status", "the replay's answer")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--emulator", required=True)
    ap.add_argument("--data", required=True, help="tests/data")
    a = ap.parse_args()

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        if os.environ.get("CI") == "true":
            print("FAIL chromium is missing (scripts/install-deps installs it): the browser test cannot run under CI")
            return 1
        print("skipped: chromium is not installed (scripts/install-deps installs it)")
        return 77

    work = tempfile.mkdtemp(prefix="odoosync-status-browser-")
    procs, dt = [], None
    token = secrets.token_hex(24)
    try:
        env = dict(os.environ)
        env["ODOOSYNC_STORE"] = os.path.join(work, "odoosync.db")
        token_file = os.path.join(work, "status-token.secret")
        with open(token_file, "w") as f:
            f.write(token + "\n")

        # The Odoo emulator, and a day: two stock moves applied, two for unknown SKUs dead-lettered.
        emu = Process([a.emulator, "--odoo-version", "18", "--products", "5"], env, os.path.join(work, "emulator.err"),
                      "ODOO_PASSWORD=")
        procs.append(emu)
        for line in emu.lines:
            k, _, v = line.partition("=")
            if k in ("ODOO_URL", "ODOO_DB", "ODOO_USER", "ODOO_API_KEY"):
                env[k] = v
        day = "\n".join([stock("e1", "EMU-00001", "5"), stock("e2", "GHOST-1", "-1"), stock("e3", "EMU-00002", "3"),
                         stock("e4", "GHOST-2", "2")]) + "\n"
        r = run_cli(a.cli, env, "sync", "submit", "-", stdin=day)
        check(r.returncode == 0, "sync submit: " + r.stderr.strip()[-200:])
        r = run_cli(a.cli, env, "sync", "run", "--until-idle")
        check(r.returncode == 0, "sync run --until-idle: " + r.stderr.strip()[-200:])

        profile = os.path.join(work, "profile")
        os.makedirs(profile)
        dt = DevTools(chromium, profile)

        # 1. The service mode: `sync run --metrics-listen` with the replay token, Odoo reachable.
        svc = Process([a.cli, "sync", "run", "--metrics-listen", "127.0.0.1:0", "--status-token-file", token_file],
                      env, os.path.join(work, "run.err"), None)
        procs.append(svc)
        deadline = time.time() + 20
        address = None
        while time.time() < deadline and not address:
            text = open(svc.err_path).read()
            marker = "metrics on http://"
            if marker in text:
                address = text.split(marker, 1)[1].split("/", 1)[0]
            else:
                time.sleep(0.1)
        if not check(address is not None, "sync run --metrics-listen printed its address"):
            raise RuntimeError("no address")
        load(dt, "http://%s/status" % address)
        s = check_against_store(dt, a.cli, env, "sync run")
        check(s["breaker"] == "closed", "sync run: the breaker is shown closed (%r)" % s["breaker"])
        check(len(s["dead"]) == 2, "sync run: both dead letters are listed")
        check("No webhook receiver" in dt.js("document.getElementById('channels-note').textContent"),
              "sync run: the channels panel says there is no receiver here")
        # The right token here: the running engine takes the replayed event at once (and dead-letters it
        # again: the SKU is still unknown); the audit keeps the replay.
        dt.type_into("#token", token)
        dt.click("#token-use")
        status = replay_click(dt, "pos/store-1", "e2")
        check(status == "200", "sync run: Replay with the right token answered 200 (%s)" % status)
        audit = run_cli(a.cli, env, "sync", "audit", "e2")
        check("replayed" in audit.stdout, "sync run: the store's audit has the replay of e2")
        check(dt.js("sessionStorage.getItem('odoosync-status-token')") == token, "the token is kept in this tab's sessionStorage")
        dt.click("#token-forget")
        check(dt.js("sessionStorage.getItem('odoosync-status-token')") is None, "Forget token removes it")
        check(svc.stop() == 0, "sync run stopped cleanly on SIGTERM")
        procs.remove(svc)
        deadline = time.time() + 10
        while time.time() < deadline and len(dead_letters(a.cli, env)) != 2:
            time.sleep(0.2)

        # 2. The receiver: `odoosync serve` (intake only) on the same store, a signed delivery and a forged one.
        secret = os.environ.get("ODOOSYNC_CANARY_WEBHOOK_SECRET", "whsec_test_only_" + secrets.token_hex(8))
        with open(os.path.join(work, "shop.secret"), "w") as f:
            f.write(secret)
        config = os.path.join(work, "serve.json")
        with open(config, "w") as f:
            json.dump({"channels": {"shop": {"provider": "shopify", "secret_files": ["shop.secret"],
                                             "locations": {"655441491": "WH/Stock"}, "skus": {"808950810": "TSHIRT-M"}}}}, f)
        srv = Process([a.cli, "serve", "--listen", "127.0.0.1:0", "--config", config, "--status-token-file", token_file],
                      env, os.path.join(work, "serve.err"), "listening on ")
        procs.append(srv)
        base = "http://" + srv.lines[-1].split("listening on ", 1)[1].strip()
        body = open(os.path.join(a.data, "channels/shopify/payloads/inventory-levels-update.json"), "rb").read()
        sig = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
        for signature, want in ((sig, 200), ("AAAA" + sig[4:], 401)):
            req = urllib.request.Request(base + "/webhooks/shop", data=body, method="POST", headers={
                "X-Shopify-Topic": "inventory_levels/update", "X-Shopify-Webhook-Id": "0b7c6c7e-1111-4a57-9b6f-9d7e0e4f1a21",
                "X-Shopify-Hmac-Sha256": signature, "X-Shopify-Shop-Domain": "shop.myshopify.com",
                "Content-Type": "application/json"})
            try:
                got = urllib.request.urlopen(req, timeout=10).status
            except urllib.error.HTTPError as e:
                got = e.code
            check(got == want, "serve: a %s delivery answered %d" % ("signed" if want == 200 else "forged", got))

        load(dt, base + "/status")
        s = check_against_store(dt, a.cli, env, "serve")
        check(s["lanes"]["realtime"]["depth"] == "1", "serve: the delivery's event is queued (%s)" % s["lanes"]["realtime"]["depth"])
        check(s["breaker"].startswith("not sending"), "serve: no breaker state for an intake-only receiver (%r)" % s["breaker"])
        shop = s["channels"].get("shop", {})
        check(shop.get("accepted") == "1" and shop.get("refused") == "1" and shop.get("events") == "1",
              "serve: channel deliveries: accepted 1, refused 1, events 1 (%r)" % shop)
        check(dt.js("document.querySelector('#dead button.replay').disabled") is False, "serve: replay buttons are enabled")

        before = (store_status(a.cli, env), dead_letters(a.cli, env))
        status = replay_click(dt, "pos/store-1", "e4")
        check(status == "401", "serve: Replay without a token is refused with 401 (%s)" % status)
        check(dt.js("document.getElementById('replay-result').textContent").find("refused (401)") >= 0,
              "serve: the page says the replay was refused")
        check((store_status(a.cli, env)["realtime"]["dead"], dead_letters(a.cli, env)) == (before[0]["realtime"]["dead"], before[1]),
              "serve: the store is unchanged after the refused replay")
        dt.type_into("#token", "not-the-token-" + secrets.token_hex(8))
        dt.click("#token-use")
        status = replay_click(dt, "pos/store-1", "e4")
        check(status == "401", "serve: Replay with a wrong token is refused with 401 (%s)" % status)
        check(dead_letters(a.cli, env) == before[1], "serve: the store is unchanged after the wrong token")
        # A cross-site form post carrying the right token in the body cannot replay either.
        form = urllib.request.Request(base + "/status/replay", data=b"source=pos%2Fstore-1&id=e4&token=" + token.encode(),
                                      method="POST", headers={"Content-Type": "application/x-www-form-urlencoded",
                                                              "Origin": "https://elsewhere.example"})
        try:
            got = urllib.request.urlopen(form, timeout=10).status
        except urllib.error.HTTPError as e:
            got = e.code
        check(got in (401, 403, 415), "serve: a cross-site form post is refused (%d)" % got)
        check(dead_letters(a.cli, env) == before[1], "serve: the store is unchanged after the form post")

        dt.type_into("#token", token)
        dt.click("#token-use")
        status = replay_click(dt, "pos/store-1", "e4")
        check(status == "200", "serve: Replay with the right token answered 200 (%s)" % status)
        after = store_status(a.cli, env)
        check(after["realtime"]["dead"] == before[0]["realtime"]["dead"] - 1, "serve: one dead letter fewer in the store")
        check(after["realtime"]["pending"] == before[0]["realtime"]["pending"] + 1, "serve: one more event pending in the store")
        check("e4" not in [d["id"] for d in dead_letters(a.cli, env)], "serve: e4 is no longer a dead letter")
        dt.wait_for("!document.querySelector('#dead tr[data-id=\"e4\"]')", "the page to drop the replayed dead letter")
        check_against_store(dt, a.cli, env, "serve after the replay")

        problems = dt.problems()
        check(not problems, "no script error, console error or CSP violation: %s" % "; ".join(problems)[:600])
        check(srv.stop() == 0, "serve stopped cleanly on SIGTERM")
        procs.remove(srv)
        for name in ("run.err", "serve.err"):
            text = open(os.path.join(work, name), errors="replace").read()
            check(token not in text, "the token is not in what %s printed" % name.split(".")[0])
        check(token.encode() not in open(env["ODOOSYNC_STORE"], "rb").read(), "the token is not in the store")
    except Exception as e:  # noqa: BLE001 - report, then fail
        check(False, "the test ran to its end: %s: %s" % (type(e).__name__, e))
    finally:
        if dt:
            dt.close()
        for p in procs:
            p.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
