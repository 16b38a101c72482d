#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target from real data in the repository.

    tests/fuzz/seeds.py TARGET DIR

writes the seeds of TARGET into DIR as <name>-<sha1 prefix> files (the same seed always gets the same name, so writing
into a corpus that a fuzzer has grown adds the seeds again and removes nothing). Sources: the recorded Odoo 18
and 19 exchanges (tests/data/odoo18, tests/data/odoo19), the event examples (tests/data/events), the
JSON schemas (docs/schemas), the examples in docs/*.md, plus a few hand-written edge cases per target.
Run from the repository root (scripts/fuzz does).
"""
import hashlib
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(".")
RECORDED = [ROOT / "tests/data/odoo18", ROOT / "tests/data/odoo19"]


def exchanges():
    for d in RECORDED:
        for f in sorted(d.glob("*.json")):
            e = json.loads(f.read_text())
            if "request" in e and "response" in e:
                yield f, e


def body_text(part):
    body = part.get("body")
    if body is None:
        return ""
    if part.get("body_encoding") == "json":
        return json.dumps(body, ensure_ascii=False)
    return body if isinstance(body, str) else json.dumps(body)


def is_json2(e):
    return e.get("protocol") == "json2" or e["request"].get("path", "").startswith(("/json/2", "/doc-bearer"))


def walk(v):
    yield v
    if isinstance(v, dict):
        for x in v.values():
            yield from walk(x)
    elif isinstance(v, list):
        for x in v:
            yield from walk(x)


def event_seeds():
    for f in sorted((ROOT / "tests/data/events/valid").glob("*.json")):
        yield f.name, f.read_text()
    for f in sorted((ROOT / "tests/data/events/invalid").glob("*.json")):
        entry = json.loads(f.read_text())
        text = json.dumps(entry["event"]) if "event" in entry else entry.get("text", "")
        yield "invalid-" + f.name, text


def json_seeds():
    for f, e in exchanges():
        yield f.parent.name + "-" + f.stem + "-request", body_text(e["request"])
        if e["response"].get("body_encoding") == "json":
            yield f.parent.name + "-" + f.stem + "-response", body_text(e["response"])
    for name, text in event_seeds():
        yield "event-" + name, text
    for f in sorted((ROOT / "docs/schemas").glob("*.json")):
        yield "schema-" + f.name, f.read_text()
    # numbers at the edges of int64, uint64 and double, and texts the reader must refuse
    yield "numbers", ("[0,-0,1,-1,9223372036854775807,-9223372036854775808,9223372036854775808,"
                      "18446744073709551615,18446744073709551616,-9223372036854775809,0.1,-0.0,1e308,1.7976931348623157e308,"
                      "2.2250738585072014e-308,4.9e-324,2.4703282292062328e-324,1e-400,0.184467440737095516159,"
                      "1E+2,1e-2,123456789012345678901234567890]")
    yield "out-of-range", "[1e309]"
    yield "nested", "[" * 40 + "]" * 40
    yield "escapes", '{"a\\u00e9":"\\ud83d\\ude00\\n\\t\\"\\\\\\/\\b\\f\\r","k":[true,false,null]}'
    yield "lone-surrogate", '["\\udc00"]'
    yield "nul", '{"a":1}\x00x'


def response_seed(e):
    r = e["response"]
    status = r.get("status") or 200
    headers = {k.lower(): v for k, v in (r.get("headers") or {}).items()}
    return f"{status}\n{headers.get('retry-after', '')}\n{body_text(r)}"


def synthetic_responses():
    html = "<!doctype html>\n<html lang=en>\n<title>503 Service Unavailable</title>\n<h1>Service Unavailable</h1>\n" \
           "<p>The server is &lt;busy&gt; &amp; &#39;down&#39;.</p>\n"
    yield "503-html", f"503\n120\n{html}"
    yield "429-date", "429 d3\nSun, 22 Nov 2026 10:00:30 GMT\n"
    yield "502-asctime", "502 2\nSun Nov  6 08:49:37 1994\nBad Gateway"
    yield "504-rfc850", "504\nSunday, 06-Nov-94 08:49:37 GMT\n{}"
    yield "404-empty", "404\n\n"


def jsonrpc_response_seeds():
    for f, e in exchanges():
        if not is_json2(e):
            yield f.parent.name + "-" + f.stem, response_seed(e)
    yield from synthetic_responses()
    yield "concurrency", ('200 d\n\n{"jsonrpc":"2.0","id":1,"error":{"code":200,"message":"Odoo Server Error","data":'
                          '{"name":"psycopg2.errors.SerializationFailure","message":"could not serialize access",'
                          '"arguments":["x",1],"debug":"Traceback"}}}')
    yield "session", '200\n\n{"jsonrpc":"2.0","id":1,"error":{"code":100,"message":"Odoo Session Expired"}}'
    yield "no-result", '200\n\n{"jsonrpc":"2.0","id":1}'


def json2_response_seeds():
    for f, e in exchanges():
        if is_json2(e):
            yield f.parent.name + "-" + f.stem, response_seed(e)
    yield from synthetic_responses()
    for status in (400, 401, 403, 404, 409, 415, 422, 429, 500, 502, 503, 504):
        yield f"exception-{status}", (f'{status} d\n\n{{"name":"odoo.exceptions.AccessDenied","message":"no",'
                                      f'"arguments":["no"],"context":{{}},"debug":"Traceback"}}')
    yield "empty-204", "204\n\n"


def domain_seeds():
    seen = set()
    for f, e in exchanges():
        body = e["request"].get("body")
        for v in walk(body):
            if isinstance(v, dict) and isinstance(v.get("domain"), list):
                seen.add(json.dumps(v["domain"]))
            if isinstance(v, dict) and v.get("method") == "execute_kw":
                args = v.get("args", [])
                if len(args) > 5 and args[4] in ("search", "search_read", "search_count"):
                    if isinstance(args[5], list) and args[5] and isinstance(args[5][0], list):
                        seen.add(json.dumps(args[5][0]))
    for i, d in enumerate(sorted(seen)):
        yield f"recorded-{i}", d
    yield "docs-header", '["&", ["sale_ok","=",true], "|", ["list_price",">",10], ["name","ilike","desk"]]'
    yield "unit-or", '["|",["a","=",1],["b","ilike","x"]]'
    yield "implicit-and", '[["a","=",1],["b","=",2]]'
    yield "empty", "[]"
    yield "not", '["!",["active","=",false]]'
    yield "false-leaf", '[[0,"=",1]]'
    yield "values", ('[["a","in",[1,2,3]],["b","not in",["x","y"]],["c","=",12.50],["d","child_of",7],'
                     '["e","any",[["f","=?",null]]],["g","=like","a%"],["h","not any",[]]]')
    yield "missing-operand", '["&",["a","=",1]]'


def checkpoint_seeds():
    for i, t in enumerate(["", "2026-11-22 10:05:00#1234", "2026-11-22 10:00:00#0", "2024-02-29 23:59:59#9223372036854775807",
                           "2026-11-22 10:00:00", "2026-11-22", "2026-11-22 10:00:00.123456", "2026-11-22 10:00:00#x",
                           "yesterday", "0000-01-01 00:00:00#1", "9999-12-31 23:59:59#1"]):
        yield f"hand-{i}", t
    stamps = set()
    for f, e in exchanges():
        stamps.update(re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?", f.read_text()))
    for i, s in enumerate(sorted(stamps)[:40]):
        yield f"recorded-{i}", s + ("" if "." in s else f"#{i}")


def retry_after_seeds():
    for i, t in enumerate(["120", " 0 ", "-5", "1.5", "soon", "", "99999999999999999999", "31536000", "31536001",
                           "Sun, 22 Nov 2026 10:00:30 GMT", "Sunday, 22-Nov-26 10:01:00 GMT", "Sun Nov 22 10:00:05 2026",
                           "Sun Nov  2 10:00:05 2026", "Wed, 21 Oct 2015 07:28:00 GMT", "Sun, 22 Foo 2026 10:00:30 GMT",
                           "Sun, 31 Feb 2026 10:00:30 GMT", "Sun, 22 Nov 2026 25:00:30 GMT", "Sun, 06 Nov 1994 08:49:37 GMT",
                           "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "\t60\t",
                           "Tue, 30 Jun 2026 23:59:60 GMT"]):
        yield f"hand-{i}", t


def url_seeds():
    urls = {"HTTPS://Odoo.Example.COM/jsonrpc?x=1#frag", "http://127.0.0.1:8069", "http://[::1]:8070/web",
            "https://admin:hunter2@odoo.example.com/", "odoo.example.com", "ftp://x", "http://x:99999/",
            "http://x:abc/", "http:///path", "https://odoo.example.com", "http://localhost:8069/?db=x",
            "http://[fe80::1%25eth0]:80/"}
    for f in list((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]:
        urls.update(re.findall(r"https?://[^\s`'\")<>]+", f.read_text()))
    for i, u in enumerate(sorted(urls)):
        yield f"url-{i}", u


CSV_DOCS = "sku,location,quantity,uom\nFURN_0789,WH/Stock,16,Units\n\"FURN_5555\",\"WH/Stock/Shelf 2\",90,\n"
CSV_UNIT = ("\ufefflocation, Quantity ,sku,uom,note\r\nWH/Stock,12.5,SKU-1,,first\r\n\r\n"
            "\"WH/Stock/Shelf 2\",  3 , \"SKU,2\" ,Dozens,\"said \"\"hi\"\"\"\r\n"
            "WH/Stock,0,SKU-M,,\"a note\nover two lines\"\nWH/Stock,1.000001,SKU-3,Units,\n")
JSONL_DOCS = ('{"sku": "FURN_0789", "location": "WH/Stock", "quantity": "16"}\n'
              '{"sku": "FURN_5555", "location": "WH/Stock/Shelf 2", "quantity": 90, "uom": "Units"}\n')
JSONL_UNIT = ('{"sku": "SKU-1", "location": "WH/Stock", "quantity": "12.5"}\n\n'
              '{"quantity": 7, "location": "WH/Input", "sku": "SKU-2", "uom": "Dozens", "note": {"x": [1]}}\r\n'
              '  {"sku": "SKU-3", "location": "WH/Stock", "quantity": 0.000001}  \n'
              '{"sku": "SKU-4", "location": "WH/Stock", "quantity": 999999999999.999999}')


def snapshot_csv_seeds():
    yield "docs", CSV_DOCS
    yield "unit", CSV_UNIT
    yield "header-only", "sku,location,quantity\n"
    yield "duplicate", "sku,location,quantity\nA,WH/Stock,1\nB,WH/Stock,2\n\nA,WH/Stock,3\n"
    yield "open-quote", "sku,location,quantity\n\"A,WH/Stock,1\n"
    yield "utf8", "sku,location,quantity,uom\n\"SKU-\u00e9\",\"WH/\u00c9tag\u00e8re 2\",0.5,\"Kg\"\n"


def snapshot_jsonl_seeds():
    yield "docs", JSONL_DOCS
    yield "unit", JSONL_UNIT
    yield "twice", '{"sku": "A", "location": "WH/Stock", "quantity": 1, "sku": "B"}\n'
    yield "exponent", '{"sku": "A", "location": "WH/Stock", "quantity": 1.5e3}\n'
    yield "bom", '\ufeff{"sku": "A", "location": "WH/Stock", "quantity": "0.000001", "uom": "Units"}\n'


def decimal_seeds():
    values = {"12.50", "-0.05", "7", "1.5,1.50", "+3", ".5", "1.", "-", "", "1e3", "0.001", "999999999999999999",
              "0.00000000000000001", "-999999999999999999,1", "1.0,1", "12.5,-12.5", "00012.340"}
    for f in sorted((ROOT / "tests/data/events/valid").glob("*.json")):
        values.update(re.findall(r'"(-?\d+\.\d+)"', f.read_text()))
    for i, v in enumerate(sorted(values)):
        yield f"value-{i}", v


PROVIDERS = ["shopify", "woocommerce", "stripe", "paypal", "square", "easypost", "shippo", "odoo", "amazon"]


def channel_delivery_seeds():
    # Every case of tests/data/channels: the provider's byte, the header lines (with the URL as
    # X-Fuzz-Url), a blank line, the body.
    for index, provider in enumerate(PROVIDERS):
        d = ROOT / "tests/data/channels" / provider
        for i, case in enumerate(json.loads((d / "cases.json").read_text())["cases"]):
            headers = (d / case["headers"]).read_bytes()
            if case.get("url"):
                headers += f"X-Fuzz-Url: {case['url']}\n".encode()
            body = (d / case["body"]).read_bytes()
            yield f"{provider}-{i}", bytes([index]) + headers + b"\n" + body


TARGETS = {
    "event_decode": event_seeds,
    "json": json_seeds,
    "jsonrpc_response": jsonrpc_response_seeds,
    "json2_response": json2_response_seeds,
    "domain": domain_seeds,
    "checkpoint": checkpoint_seeds,
    "retry_after": retry_after_seeds,
    "url": url_seeds,
    "snapshot_csv": snapshot_csv_seeds,
    "snapshot_jsonl": snapshot_jsonl_seeds,
    "decimal": decimal_seeds,
    "channel_delivery": channel_delivery_seeds,
}


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    target, d = sys.argv[1], pathlib.Path(sys.argv[2])
    if target not in TARGETS:
        sys.exit(f"seeds.py: unknown target {target} (known: {', '.join(TARGETS)})")
    d.mkdir(parents=True, exist_ok=True)
    written = set()
    for name, text in TARGETS[target]():
        data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
        digest = hashlib.sha1(data).hexdigest()[:12]
        if digest in written:
            continue
        written.add(digest)
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:80]
        (d / f"seed-{safe}-{digest}").write_bytes(data)
    print(f"seeds: {target}: {len(written)} seeds in {d}")


if __name__ == "__main__":
    main()
