#!/usr/bin/env python3
"""Checks the JSON Schemas of the canonical retail events and the event test data.

Usage: /usr/bin/python3 tests/events/check_schemas.py [ROOT]
ROOT defaults to the repository root (two directories above this script). Needs python3-jsonschema
(4.x, RefResolver API); no network: defs.v1.json and every event schema are resolved from a local store.

What it checks:

1. docs/schemas/*.json: every file is a valid 2020-12 schema (check_schema), has the $id its file name
   implies, and every member of every "properties" has a "description" (the schemas are the producers'
   documentation). There is one event schema per type of docs/events.md, plus defs.v1.json.
2. tests/data/events/valid/<type>-<n>.json: one CloudEvent each, whose type is the <type> of its name;
   it must pass the schema of its type, and pass the reference decoder below. Order and refund totals and
   invoice tax are recomputed with decimal.Decimal (line total = round half away from zero of
   quantity x unit_price to the minor unit, minus discount; subtotal = sum of line totals;
   tax_total = sum of line taxes; total = subtotal + tax_total; refund line amounts add up to amount).
   Every type has at least two examples: one with only the required members and one with every
   optional data member and every optional envelope attribute.
3. tests/data/events/invalid/NNN-short-name.json: an object with "description", exactly one of "error"
   (the exact message of the C++ decoder) or "error_prefix" (only for text that is not JSON: the message
   starts with it, the rest is the parser's wording), "schema" ("rejects" or "accepts"), "why" (exactly
   when "accepts": why JSON Schema cannot express the rule), and exactly one of "event" (the event as
   JSON) or "text" (raw text: not JSON, not an object, or with duplicate member names, which a parsed
   JSON value cannot hold).
   Which schema judges it:
   - an object whose "type" is one of the 15 types: the v1 schema of that type. That includes events
     whose dataschema names another version or another form: the schema pins dataschema to its own $id,
     so it rejects them.
   - anything else (type missing, not a string, or unknown; not an object at all): no schema exists for
     it, and "rejects" means every one of the 15 schemas rejects it ("accepts" is not allowed).
   - text: when it is not JSON there is no instance at all, so "schema" must be "rejects". Otherwise it
     is parsed as a JSON Schema validator would see it (for a duplicate name the last value wins) and
     judged as above.
   The reference decoder must produce the file's error (or a message with its error_prefix).
   Every type appears in at least one invalid file, and every row of the error table of
   docs/events.md is covered by at least one invalid file.

The reference decoder is a Python reading of docs/events.md (the interpretation the C++ decoder
matches): it stops at the first problem, checks the envelope in the order specversion, id, source,
type, time, subject (type only), datacontenttype, dataschema, sequence, traceparent, extension
attributes (document order), data; then the data members in the order the type lists them; then the
rules across members; last the subject's value. Its currency table is ISO 4217 as of 2025; the C++
table is authoritative.

Readings of docs/events.md where it leaves a choice (the test data pins most of them):
- Parsing: not JSON, then not an object, then duplicate names (an object's own names first, the first
  repeated one in document order, then its members' values in order), then the checks below.
- null is a wrong JSON type like any other (never "absent"). A non-string specversion,
  datacontenttype, dataschema, sequence, traceparent or subject is "must be a string".
- "characters" are Unicode code points; control characters are Unicode Cc (U+0000-U+001F,
  U+007F-U+009F), for id and source too; "space" is U+0020. source: no U+0020 ("must not contain
  whitespace"; the other ASCII whitespace are control characters).
- "" is "must not be empty" wherever a minimum length applies (1-N, and email's 3-254); for Channel,
  Timestamp, Date, country_code, sequence, traceparent it is their form message.
- Decimal places count as written ("24.900" EUR has 3); "-0" is zero. A decimal string with more than
  18 significant digits is "is out of range" before its decimals are counted. Money's "at most 18
  digits" means |amount in minor units| < 10^18 (EUR: at most 16 integer digits).
- Within Money: amount is a string, currency (required, string, known), then the amount's syntax,
  decimals, range, sign, then (where the type requires it) its currency equals the order's /
  list_price's / amount's / amount_total's, right there, before the next member. Within Quantity:
  value is a string, uom, then the value's syntax, decimals, range, sign.
- Barcode: printable ASCII other than space (U+0021-U+007E), at most 48 (bytes = characters).
- Timestamps: upper-case T and Z, seconds 00-59 (no leap second), offset hours 00-23, a real day.
- Location: no control characters; segments neither empty nor starting or ending with a space; any
  number of them ("WH" alone is one). warehouse: 1-32 characters. country_code: form only.
- email: 3-254 characters, containing "@", not starting or ending with "@", no character <= U+0020
  and no U+007F ("must be an email address").
- dataschema: v<N> with N = [1-9][0-9]{0,8}; another type's URI, v0, v01 or any other URI is
  "must be https://odoosync.dev/schemas/<the event's type>.v<N>.json" (<N> written literally).
- sequence: every string problem, values above 9223372036854775807 included, is the sequence message.
- Extension values: strings, booleans, and numbers written as integers within int64 (1.0 is refused).
- Order arithmetic after all members: line by line discount then total, then subtotal, tax_total,
  total; amounts in these messages are written with the currency's decimals.
- A refund's lines must add up to amount only when there is at least one line ("lines": [] is no lines).

Prints one summary line; exits 1 with the list of failures otherwise.
"""

import json
import math
import os
import re
import sys
from decimal import Decimal, ROUND_HALF_UP

try:
    import jsonschema
    from jsonschema.validators import validator_for
except ImportError:  # pragma: no cover
    sys.exit("check_schemas: python3-jsonschema is not installed (apt-get install python3-jsonschema)")

TYPES = [
    "retail.product.upserted", "retail.price.changed", "retail.stock.adjusted", "retail.stock.reserved",
    "retail.stock.released", "retail.goods.received", "retail.transfer.completed", "retail.order.created",
    "retail.order.cancelled", "retail.payment.captured", "retail.refund.approved",
    "retail.shipment.dispatched", "retail.shipment.tracked", "retail.invoice.posted", "retail.customer.upserted",
]
SHIPMENT_STATUSES = ["pre_transit", "in_transit", "out_for_delivery", "delivered", "available_for_pickup",
                     "returned", "failure", "cancelled", "unknown"]
SCHEMA_BASE = "https://odoosync.dev/schemas/"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

# ISO 4217 codes and their exponents (minor unit digits); codes without a minor unit (XAU, XDR, ...) are
# left out.
_EXP0 = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_EXP3 = "BHD IQD JOD KWD LYD OMR TND"
_EXP4 = "CLF UYW"
_EXP2 = ("AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD "
         "CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS "
         "GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL "
         "MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK "
         "PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS "
         "TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG")
CURRENCIES = {}
for _codes, _exp in ((_EXP0, 0), (_EXP2, 2), (_EXP3, 3), (_EXP4, 4)):
    CURRENCIES.update({c: _exp for c in _codes.split()})

# Rows of the error table of docs/events.md: each must be matched by the error of an invalid file.
ERROR_ROWS = [
    ("not JSON", r"^\(event\): not JSON:"),
    ("not an object", r"^\(event\): must be an object$"),
    ("duplicate name", r"^/.*: duplicate member$"),
    ("missing", r"^/.*: is required$"),
    ("wrong JSON type: string", r"^/.*: must be a string$"),
    ("wrong JSON type: object", r"^/.*: must be an object$"),
    ("wrong JSON type: array", r"^/.*: must be an array$"),
    ("wrong JSON type: boolean", r"^/.*: must be a boolean$"),
    ("specversion", r'^/specversion: must be "1\.0"$'),
    ("unknown type", r'^/type: unknown event type ".*"$'),
    ("version", r"^/dataschema: version \d+ of retail\.[a-z]+\.[a-z]+ is not supported \(this build knows v1\)$"),
    ("dataschema form", r"^/dataschema: must be https://odoosync\.dev/schemas/.*\.v<N>\.json$"),
    ("datacontenttype", r'^/datacontenttype: must be "application/json"$'),
    ("sequence", r'^/sequence: must be a decimal integer string such as "42"$'),
    ("traceparent", r'^/traceparent: must be a W3C traceparent such as "00-<32 hex>-<16 hex>-<2 hex>"$'),
    ("extension name", r"^/.*: not a CloudEvents attribute name \(1-20 lowercase letters or digits\)$"),
    ("extension value", r"^/[a-z0-9]+: extension attributes must be strings, integers or booleans$"),
    ("empty string", r": must not be empty$"),
    ("too long", r": must be at most \d+ characters$"),
    ("too short", r": must be at least \d+ characters$"),
    ("control characters", r": must not contain control characters$"),
    ("leading/trailing space", r": must not start or end with a space$"),
    ("Sku with @", r': must not contain "@"$'),
    ("decimal syntax", r': must be a decimal string such as "12\.50"$'),
    ("too many decimals (money)", r"/amount: has \d+ decimal places; [A-Z]{3} allows \d$"),
    ("too many decimals (quantity)", r"/value: has \d+ decimal places; at most 6 allowed$"),
    ("too large", r": is out of range$"),
    ("unknown currency", r': unknown currency ".*"$'),
    ("sign: positive", r": must be positive$"),
    ("sign: not negative", r": must not be negative$"),
    ("sign: not zero", r": must not be zero$"),
    ("timestamp", r': must be an RFC 3339 timestamp such as "2026-12-01T10:15:00Z"$'),
    ("date", r': must be a date such as "2026-12-31"$'),
    ("location", r': must be a location such as "WH/Stock"$'),
    ("channel", r': must be a channel such as "pos/store-12"$'),
    ("barcode check digit", r": check digit is wrong \(expected \d\)$"),
    ("barcode characters", r": must be printable ASCII$"),
    ("country", r": must be two uppercase letters \(ISO 3166-1 alpha-2\)$"),
    ("email", r": must be an email address$"),
    ("array size: at least", r": must have at least 1 item$"),
    ("array size: at most", r": must have at most 1000 items$"),
    ("delta and counted", r'^/data: must have exactly one of "delta" or "counted"$'),
    ("same locations", r'^/data/to: must differ from "from"$'),
    ("currency mismatch: orders", r"^/data/.*/currency: must be [A-Z]{3} like the order$"),
    ("currency mismatch: refund lines", r"^/data/lines/\d+/amount/currency: must be [A-Z]{3} like amount$"),
    ("currency mismatch: invoice tax", r"^/data/amount_tax/currency: must be [A-Z]{3} like amount_total$"),
    ("currency mismatch: product cost", r"^/data/cost/currency: must be [A-Z]{3} like list_price$"),
    ("discount too large", r"^/data/lines/\d+/discount/amount: must not exceed quantity \u00d7 unit_price \(-?[0-9.]+\)$"),
    ("line total", r"^/data/lines/\d+/total/amount: must be -?[0-9.]+ \(quantity \u00d7 unit_price \u2212 discount\), not -?[0-9.]+$"),
    ("subtotal", r"^/data/subtotal/amount: must be -?[0-9.]+ \(the sum of line totals\), not -?[0-9.]+$"),
    ("tax total", r"^/data/tax_total/amount: must be -?[0-9.]+ \(the sum of line taxes\), not -?[0-9.]+$"),
    ("total", r"^/data/total/amount: must be -?[0-9.]+ \(subtotal \+ tax_total\), not -?[0-9.]+$"),
    ("refund lines", r"^/data/lines: amounts add up to -?[0-9.]+, not the refund's -?[0-9.]+$"),
    ("invoice tax", r"^/data/amount_tax/amount: must not exceed amount_total$"),
    ("shipment status", r"^/data/status: must be one of pre_transit, in_transit, out_for_delivery, delivered, "
                        r"available_for_pickup, returned, failure, cancelled, unknown$"),
    ("subject", r'^/subject: must be ".*" for this event$'),
]


# --------------------------------------------------------------------------------------------------
# Reference decoder (docs/events.md)

class Invalid(Exception):
    pass


def bad(ptr, what):
    raise Invalid("%s: %s" % (ptr, what))


def esc(name):
    return name.replace("~", "~0").replace("/", "~1")


MISSING = object()
CTL = re.compile("[\u0000-\u001f\u007f-\u009f]")
# Free text (names, notes, uom) may hold tab, line feed and carriage return, no other control character.
TEXT_CTL = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]")
# White space beyond U+0020 that source refuses (Unicode's White_Space outside the control characters).
UNICODE_SPACE = re.compile("[\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)(\.([0-9]+))?")
TIMESTAMP = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?"
                       r"(Z|[+-]([0-9]{2}):([0-9]{2}))")
DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
CHANNEL = re.compile(r"[a-z][a-z0-9-]{0,31}/[A-Za-z0-9._-]{1,64}")
DATASCHEMA = re.compile(r"https://odoosync\.dev/schemas/(.+)\.v([1-9][0-9]{0,8})\.json")
SEQUENCE = re.compile(r"0|[1-9][0-9]*")
TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}")
ATTRIBUTE_NAME = re.compile(r"[a-z0-9]{1,20}")
COUNTRY = re.compile(r"[A-Z]{2}")
INT64 = (-2 ** 63, 2 ** 63 - 1)


def member(obj, ptr, name, required):
    if name in obj:
        return obj[name]
    if required:
        bad(ptr + "/" + esc(name), "is required")
    return MISSING


def string(ptr, v, lo=0, hi=None, ctl=False, space=False, edges=False, at=False, textctl=False):
    if not isinstance(v, str):
        bad(ptr, "must be a string")
    if lo >= 1 and v == "":
        bad(ptr, "must not be empty")
    if len(v) < lo:
        bad(ptr, "must be at least %d characters" % lo)
    if hi is not None and len(v) > hi:
        bad(ptr, "must be at most %d characters" % hi)
    if ctl and CTL.search(v):
        bad(ptr, "must not contain control characters")
    if textctl and TEXT_CTL.search(v):
        bad(ptr, "must not contain control characters")
    if space and (" " in v or UNICODE_SPACE.search(v)):
        bad(ptr, "must not contain whitespace")
    if edges and (v.startswith(" ") or v.endswith(" ")):
        bad(ptr, "must not start or end with a space")
    if at and "@" in v:
        bad(ptr, 'must not contain "@"')
    return v


def boolean(ptr, v):
    if not isinstance(v, bool):
        bad(ptr, "must be a boolean")
    return v


def obj(ptr, v):
    if not isinstance(v, dict):
        bad(ptr, "must be an object")
    return v


def decimal_string(ptr, v):
    if not isinstance(v, str):
        bad(ptr, "must be a string")
    m = DECIMAL.fullmatch(v)
    if not m:
        bad(ptr, 'must be a decimal string such as "12.50"')
    if len(re.sub("[^0-9]", "", v).lstrip("0")) > 18:  # more significant digits than any value can have
        bad(ptr, "is out of range")
    return Decimal(v), len(m.group(3) or "")


def sign(ptr, value, rule):
    if rule == "positive" and value <= 0:
        bad(ptr, "must be positive")
    if rule == "nonnegative" and value < 0:
        bad(ptr, "must not be negative")
    if rule == "nonzero" and value == 0:
        bad(ptr, "must not be zero")


def currency_code(ptr, v):
    if not isinstance(v, str):
        bad(ptr, "must be a string")
    if v not in CURRENCIES:
        bad(ptr, 'unknown currency "%s"' % v)
    return v


class Money:
    def __init__(self, minor, currency):
        self.minor, self.currency = minor, currency


def fmt_minor(minor, currency):
    exp = CURRENCIES[currency]
    digits = str(abs(minor)).rjust(exp + 1, "0")
    text = digits if exp == 0 else digits[:-exp] + "." + digits[-exp:]
    return ("-" if minor < 0 else "") + text


def money(ptr, v, rule=None, like=None):
    """like: (currency, name) the Money's currency must equal, checked once the Money itself is valid."""
    obj(ptr, v)
    text = member(v, ptr, "amount", True)
    if not isinstance(text, str):
        bad(ptr + "/amount", "must be a string")
    currency = currency_code(ptr + "/currency", member(v, ptr, "currency", True))
    amount, places = decimal_string(ptr + "/amount", text)
    exp = CURRENCIES[currency]
    if places > exp:
        bad(ptr + "/amount", "has %d decimal places; %s allows %d" % (places, currency, exp))
    minor = int(amount.scaleb(exp))
    if abs(minor) >= 10 ** 18:
        bad(ptr + "/amount", "is out of range")
    sign(ptr + "/amount", minor, rule)
    if like and currency != like[0]:
        bad(ptr + "/currency", "must be %s like %s" % like)
    return Money(minor, currency)


def quantity(ptr, v, rule=None):
    obj(ptr, v)
    text = member(v, ptr, "value", True)
    if not isinstance(text, str):
        bad(ptr + "/value", "must be a string")
    string(ptr + "/uom", member(v, ptr, "uom", True), 1, 32, textctl=True)
    value, places = decimal_string(ptr + "/value", text)
    if places > 6:
        bad(ptr + "/value", "has %d decimal places; at most 6 allowed" % places)
    if abs(value) >= 10 ** 12:
        bad(ptr + "/value", "is out of range")
    sign(ptr + "/value", value, rule)
    return value


def real_day(y, m, d):
    if not 1 <= m <= 12 or d < 1:
        return False
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    return d <= [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]


def timestamp(ptr, v):
    if not isinstance(v, str):
        bad(ptr, "must be a string")
    m = TIMESTAMP.fullmatch(v)
    ok = bool(m) and real_day(int(m[1]), int(m[2]), int(m[3])) and int(m[4]) <= 23 and int(m[5]) <= 59 \
        and int(m[6]) <= 59 and (m[8] == "Z" or (int(m[9]) <= 23 and int(m[10]) <= 59))
    if not ok:
        bad(ptr, 'must be an RFC 3339 timestamp such as "2026-12-01T10:15:00Z"')
    return v


def date(ptr, v):
    if not isinstance(v, str):
        bad(ptr, "must be a string")
    m = DATE.fullmatch(v)
    if not (m and real_day(int(m[1]), int(m[2]), int(m[3]))):
        bad(ptr, 'must be a date such as "2026-12-31"')
    return v


def sku(ptr, v):
    return string(ptr, v, 1, 64, ctl=True, edges=True, at=True)


def reference(ptr, v):
    return string(ptr, v, 1, 64, ctl=True, edges=True)


def location(ptr, v):
    string(ptr, v, 1, 128, ctl=True)
    if any(seg == "" or seg.startswith(" ") or seg.endswith(" ") for seg in v.split("/")):
        bad(ptr, 'must be a location such as "WH/Stock"')
    return v


def channel(ptr, v):
    if not isinstance(v, str):
        bad(ptr, "must be a string")
    if not CHANNEL.fullmatch(v):
        bad(ptr, 'must be a channel such as "pos/store-12"')
    return v


def barcode(ptr, v):
    if not isinstance(v, str):
        bad(ptr, "must be a string")
    if v == "":
        bad(ptr, "must not be empty")
    if len(v.encode("utf-8")) > 48:  # counted in bytes: anything but ASCII is refused anyway
        bad(ptr, "must be at most 48 characters")
    if any(not 0x21 <= ord(c) <= 0x7e for c in v):
        bad(ptr, "must be printable ASCII")
    if v.isdigit() and len(v) in (8, 12, 13, 14):
        body = [int(c) for c in v[:-1]]
        total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
        expected = (10 - total % 10) % 10
        if int(v[-1]) != expected:
            bad(ptr, "check digit is wrong (expected %d)" % expected)
    return v


def array(ptr, v, lo):
    if not isinstance(v, list):
        bad(ptr, "must be an array")
    if len(v) < lo:
        bad(ptr, "must have at least %d item%s" % (lo, "" if lo == 1 else "s"))
    if len(v) > 1000:
        bad(ptr, "must have at most 1000 items")
    for i, item in enumerate(v):
        obj("%s/%d" % (ptr, i), item)
    return v


class Data:
    """Reads the members of data in order; opt() returns MISSING for an absent optional member."""

    def __init__(self, d):
        self.d = d

    def req(self, name, check, *args):
        return check("/data/" + name, member(self.d, "/data", name, True), *args)

    def opt(self, name, check, *args):
        v = member(self.d, "/data", name, False)
        return MISSING if v is MISSING else check("/data/" + name, v, *args)


def text(lo=0, hi=None):
    return lambda ptr, v: string(ptr, v, lo, hi, textctl=True)


def email(ptr, v):
    string(ptr, v, 3, 254)
    if "@" not in v or v[0] == "@" or v[-1] == "@" or any(c <= " " or c == "\x7f" for c in v):
        bad(ptr, "must be an email address")
    return v


def country(ptr, v):
    if not isinstance(v, str):
        bad(ptr, "must be a string")
    if not COUNTRY.fullmatch(v):
        bad(ptr, "must be two uppercase letters (ISO 3166-1 alpha-2)")
    return v


def stock_lines(ptr, v, lo):
    array(ptr, v, lo)
    for i, line in enumerate(v):
        p = "%s/%d" % (ptr, i)
        sku(p + "/sku", member(line, p, "sku", True))
        quantity(p + "/quantity", member(line, p, "quantity", True), "positive")
    return v


def check_product(d):
    sk = d.req("sku", sku)
    d.req("name", text(1, 256))
    price = d.req("list_price", money, "nonnegative")
    d.opt("barcode", barcode)
    d.opt("cost", money, "nonnegative", (price.currency, "list_price"))
    d.opt("uom", text(1, 32))
    d.opt("category", text(1, 256))
    d.opt("storable", boolean)
    d.opt("active", boolean)
    d.opt("description", text(0, 4096))
    return "product/" + sk


def check_price(d):
    sk = d.req("sku", sku)
    d.req("list_price", money, "nonnegative")
    d.opt("effective_at", timestamp)
    return "product/" + sk


def check_adjusted(d):
    sk = d.req("sku", sku)
    loc = d.req("location", location)
    delta = d.opt("delta", quantity, "nonzero")
    counted = d.opt("counted", quantity, "nonnegative")
    d.opt("reason", text(0, 128))
    if (delta is MISSING) == (counted is MISSING):
        bad("/data", 'must have exactly one of "delta" or "counted"')
    return "sku/%s@%s" % (sk, loc)


def check_reserved(d):
    sk = d.req("sku", sku)
    loc = d.req("location", location)
    d.req("quantity", quantity, "positive")
    d.req("reservation", reference)
    d.opt("order_number", reference)
    d.opt("expires_at", timestamp)
    return "sku/%s@%s" % (sk, loc)


def check_released(d):
    sk = d.req("sku", sku)
    loc = d.req("location", location)
    d.req("quantity", quantity, "positive")
    d.req("reservation", reference)
    return "sku/%s@%s" % (sk, loc)


def check_received(d):
    ref = d.req("reference", reference)
    d.req("location", location)
    d.opt("supplier", reference)
    d.req("lines", stock_lines, 1)
    d.opt("received_at", timestamp)
    return "receipt/" + ref


def check_transfer(d):
    ref = d.req("reference", reference)
    src = d.req("from", location)
    dst = d.req("to", location)
    d.req("lines", stock_lines, 1)
    if src == dst:
        bad("/data/to", 'must differ from "from"')
    return "transfer/" + ref


def round_minor(value):
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))  # ROUND_HALF_UP: ties away from zero


def check_order(d):
    number = d.req("number", reference)
    d.req("channel", channel)
    d.opt("customer", reference)
    currency = d.req("currency", currency_code)
    d.req("ordered_at", timestamp)
    d.opt("warehouse", text(1, 32))
    like = (currency, "the order")
    lines = d.req("lines", array, 1)
    parsed = []
    for i, line in enumerate(lines):
        p = "/data/lines/%d" % i
        sku(p + "/sku", member(line, p, "sku", True))
        q = quantity(p + "/quantity", member(line, p, "quantity", True), "positive")
        price = money(p + "/unit_price", member(line, p, "unit_price", True), "nonnegative", like)
        disc = member(line, p, "discount", False)
        disc = MISSING if disc is MISSING else money(p + "/discount", disc, "nonnegative", like)
        tax = member(line, p, "tax", False)
        tax = MISSING if tax is MISSING else money(p + "/tax", tax, "nonnegative", like)
        total = money(p + "/total", member(line, p, "total", True), None, like)
        parsed.append((p, q, price, disc, tax, total))
    subtotal = d.req("subtotal", money, None, like)
    tax_total = d.req("tax_total", money, None, like)
    total = d.req("total", money, None, like)
    d.opt("note", text(0, 4096))
    f = lambda minor: fmt_minor(minor, currency)  # noqa: E731
    line_sum = tax_sum = 0
    for p, q, price, disc, tax, line_total in parsed:
        gross = round_minor(q * price.minor)
        discount = 0 if disc is MISSING else disc.minor
        if discount > gross:
            bad(p + "/discount/amount", "must not exceed quantity \u00d7 unit_price (%s)" % f(gross))
        if line_total.minor != gross - discount:
            bad(p + "/total/amount", "must be %s (quantity \u00d7 unit_price \u2212 discount), not %s"
                % (f(gross - discount), f(line_total.minor)))
        line_sum += line_total.minor
        tax_sum += 0 if tax is MISSING else tax.minor
    if subtotal.minor != line_sum:
        bad("/data/subtotal/amount", "must be %s (the sum of line totals), not %s" % (f(line_sum), f(subtotal.minor)))
    if tax_total.minor != tax_sum:
        bad("/data/tax_total/amount", "must be %s (the sum of line taxes), not %s" % (f(tax_sum), f(tax_total.minor)))
    if total.minor != subtotal.minor + tax_total.minor:
        bad("/data/total/amount", "must be %s (subtotal + tax_total), not %s"
            % (f(subtotal.minor + tax_total.minor), f(total.minor)))
    return "order/" + number


def check_cancelled(d):
    number = d.req("number", reference)
    d.opt("reason", text(0, 256))
    return "order/" + number


def check_payment(d):
    d.req("reference", reference)
    number = d.req("order_number", reference)
    d.req("amount", money, "positive")
    d.req("method", text(1, 64))
    d.req("captured_at", timestamp)
    d.opt("provider", text(1, 64))
    return "order/" + number


def check_refund(d):
    d.req("reference", reference)
    number = d.req("order_number", reference)
    amount = d.req("amount", money, "positive")
    d.req("approved_at", timestamp)
    lines = d.opt("lines", array, 0)
    amounts = []
    if lines is not MISSING:
        for i, line in enumerate(lines):
            p = "/data/lines/%d" % i
            sku(p + "/sku", member(line, p, "sku", True))
            quantity(p + "/quantity", member(line, p, "quantity", True), "positive")
            amounts.append((p, money(p + "/amount", member(line, p, "amount", True), "nonnegative",
                                     (amount.currency, "amount"))))
    d.opt("restock", boolean)
    d.opt("reason", text(0, 256))
    if amounts:  # an empty lines array is the same as no lines
        added = sum(m.minor for _, m in amounts)
        if added != amount.minor:
            bad("/data/lines", "amounts add up to %s, not the refund's %s"
                % (fmt_minor(added, amount.currency), fmt_minor(amount.minor, amount.currency)))
    return "order/" + number


def check_shipment(d):
    d.req("reference", reference)
    number = d.req("order_number", reference)
    d.req("dispatched_at", timestamp)
    d.opt("carrier", text(1, 64))
    d.opt("tracking_number", text(1, 128))
    d.opt("lines", stock_lines, 0)
    return "order/" + number


def tracking_number(ptr, v):
    return string(ptr, v, 1, 128, ctl=True, edges=True)


def shipment_status(ptr, v):
    if not isinstance(v, str):
        bad(ptr, "must be a string")
    if v not in SHIPMENT_STATUSES:
        bad(ptr, "must be one of " + ", ".join(SHIPMENT_STATUSES))
    return v


def check_tracked(d):
    number = d.req("tracking_number", tracking_number)
    d.opt("carrier", text(1, 64))
    d.req("status", shipment_status)
    d.req("at", timestamp)
    d.opt("order_number", reference)
    d.opt("detail", text(0, 1024))
    return "tracking/" + number


def check_invoice(d):
    d.req("number", reference)
    number = d.req("order_number", reference)
    total = d.req("amount_total", money, "nonnegative")
    tax = d.opt("amount_tax", money, "nonnegative", (total.currency, "amount_total"))
    d.req("posted_at", timestamp)
    d.opt("due_date", date)
    if tax is not MISSING and tax.minor > total.minor:
        bad("/data/amount_tax/amount", "must not exceed amount_total")
    return "order/" + number


def check_customer(d):
    ref = d.req("ref", reference)
    d.req("name", text(1, 256))
    d.opt("email", email)
    d.opt("phone", text(1, 64))
    d.opt("is_company", boolean)
    d.opt("street", text(0, 256))
    d.opt("city", text(0, 128))
    d.opt("zip", text(0, 32))
    d.opt("country_code", country)
    d.opt("vat", text(1, 32))
    return "customer/" + ref


CHECKS = dict(zip(TYPES, [check_product, check_price, check_adjusted, check_reserved, check_released,
                          check_received, check_transfer, check_order, check_cancelled, check_payment,
                          check_refund, check_shipment, check_tracked, check_invoice,
                          check_customer]))
ENVELOPE_REQUIRED = {"specversion", "id", "source", "type", "time", "data"}
ENVELOPE_OPTIONAL = {"subject", "datacontenttype", "dataschema", "sequence", "traceparent"}
ENVELOPE = ["specversion", "id", "source", "type", "time", "subject", "datacontenttype", "dataschema",
            "sequence", "traceparent", "data"]


def check_event(ev):
    if not isinstance(ev, dict):
        bad("(event)", "must be an object")
    v = member(ev, "", "specversion", True)
    if not isinstance(v, str):
        bad("/specversion", "must be a string")
    if v != "1.0":
        bad("/specversion", 'must be "1.0"')
    string("/id", member(ev, "", "id", True), 1, 128, ctl=True)
    string("/source", member(ev, "", "source", True), 1, 256, ctl=True, space=True)
    typ = member(ev, "", "type", True)
    if not isinstance(typ, str):
        bad("/type", "must be a string")
    if typ not in CHECKS:
        bad("/type", 'unknown event type "%s"' % typ)
    timestamp("/time", member(ev, "", "time", True))
    subject = member(ev, "", "subject", False)
    if subject is not MISSING and not isinstance(subject, str):
        bad("/subject", "must be a string")
    v = member(ev, "", "datacontenttype", False)
    if v is not MISSING:
        if not isinstance(v, str):
            bad("/datacontenttype", "must be a string")
        if v != "application/json":
            bad("/datacontenttype", 'must be "application/json"')
    v = member(ev, "", "dataschema", False)
    if v is not MISSING:
        if not isinstance(v, str):
            bad("/dataschema", "must be a string")
        m = DATASCHEMA.fullmatch(v)
        if not m or m[1] != typ:
            bad("/dataschema", "must be %s%s.v<N>.json" % (SCHEMA_BASE, typ))
        if m[2] != "1":
            bad("/dataschema", "version %s of %s is not supported (this build knows v1)" % (m[2], typ))
    v = member(ev, "", "sequence", False)
    if v is not MISSING:
        if not isinstance(v, str):
            bad("/sequence", "must be a string")
        if not SEQUENCE.fullmatch(v) or int(v) > INT64[1]:
            bad("/sequence", 'must be a decimal integer string such as "42"')
    v = member(ev, "", "traceparent", False)
    if v is not MISSING:
        if not isinstance(v, str):
            bad("/traceparent", "must be a string")
        m = TRACEPARENT.fullmatch(v)
        if not m or m[1] == "0" * 32 or m[2] == "0" * 16:
            bad("/traceparent", 'must be a W3C traceparent such as "00-<32 hex>-<16 hex>-<2 hex>"')
    for name, v in ev.items():
        if name in ENVELOPE:
            continue
        if not ATTRIBUTE_NAME.fullmatch(name):
            bad("/" + esc(name), "not a CloudEvents attribute name (1-20 lowercase letters or digits)")
        if not (isinstance(v, (str, bool)) or (type(v) is int and INT64[0] <= v <= INT64[1])):
            bad("/" + name, "extension attributes must be strings, integers or booleans")
        if isinstance(v, str) and CTL.search(v):
            bad("/" + name, "must not contain control characters")
    data = obj("/data", member(ev, "", "data", True))
    derived = CHECKS[typ](Data(data))
    if subject is not MISSING and subject != derived:
        bad("/subject", 'must be "%s" for this event' % derived)


class Pairs(dict):
    """A parsed JSON object that remembers its members in order, duplicates included."""

    def __init__(self, pairs):
        super().__init__(pairs)
        self.pairs = pairs


def _no_constant(name):
    raise ValueError("%s is not JSON" % name)


def first_duplicate(v, ptr=""):
    """An object's own names first (the first repeated name in document order), then its members'."""
    if isinstance(v, Pairs):
        seen = set()
        for k, _ in v.pairs:
            if k in seen:
                return ptr + "/" + esc(k)
            seen.add(k)
        for k, x in v.pairs:
            found = first_duplicate(x, ptr + "/" + esc(k))
            if found:
                return found
    elif isinstance(v, list):
        for i, x in enumerate(v):
            found = first_duplicate(x, "%s/%d" % (ptr, i))
            if found:
                return found
    return None


def _finite_float(text):
    """A number beyond the largest double is not read as infinity: it is refused, as the decoder does."""
    value = float(text)
    if math.isinf(value):
        raise ValueError("number out of range: %s" % text)
    return value


def parse_text(text):
    """(value, None) or (None, error message) for raw event text."""
    try:
        value = json.loads(text, object_pairs_hook=Pairs, parse_constant=_no_constant, parse_float=_finite_float)
    except ValueError as e:
        return None, "(event): not JSON: %s" % e
    dup = first_duplicate(value) if isinstance(value, dict) else None
    if dup:
        return value, "%s: duplicate member" % dup
    return value, None


def reference_error(event=MISSING, text=None):
    """The reference decoder's message for an event (parsed) or a raw text; None when it is valid."""
    if text is not None:
        event, error = parse_text(text)
        if error:
            return error
    try:
        check_event(event)
    except Invalid as e:
        return str(e)
    return None


# --------------------------------------------------------------------------------------------------
# Totals of valid examples, recomputed independently of the reference decoder

def to_minor(m):
    return Decimal(m["amount"]).scaleb(CURRENCIES[m["currency"]])


def check_totals(ev):
    d = ev["data"]
    problems = []
    if ev["type"] == "retail.order.created":
        cur = d["currency"]
        moneys = [d["subtotal"], d["tax_total"], d["total"]]
        line_sum = tax_sum = Decimal(0)
        for i, line in enumerate(d["lines"]):
            moneys += [line[k] for k in ("unit_price", "discount", "tax", "total") if k in line]
            exact = Decimal(line["quantity"]["value"]) * to_minor(line["unit_price"])
            gross = exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)
            discount = to_minor(line["discount"]) if "discount" in line else Decimal(0)
            if not 0 <= discount <= gross:
                problems.append("line %d: discount %s outside 0..%s minor units" % (i, discount, gross))
            if to_minor(line["total"]) != gross - discount:
                problems.append("line %d: total %s, expected %s" % (i, line["total"]["amount"], gross - discount))
            line_sum += to_minor(line["total"])
            tax_sum += to_minor(line["tax"]) if "tax" in line else 0
        if any(m["currency"] != cur for m in moneys):
            problems.append("a Money is not in %s" % cur)
        if to_minor(d["subtotal"]) != line_sum:
            problems.append("subtotal %s, lines add up to %s minor units" % (d["subtotal"]["amount"], line_sum))
        if to_minor(d["tax_total"]) != tax_sum:
            problems.append("tax_total %s, taxes add up to %s minor units" % (d["tax_total"]["amount"], tax_sum))
        if to_minor(d["total"]) != to_minor(d["subtotal"]) + to_minor(d["tax_total"]):
            problems.append("total %s is not subtotal + tax_total" % d["total"]["amount"])
    elif ev["type"] == "retail.refund.approved" and d.get("lines"):
        if any(line["amount"]["currency"] != d["amount"]["currency"] for line in d["lines"]):
            problems.append("a line amount is not in %s" % d["amount"]["currency"])
        added = sum(to_minor(line["amount"]) for line in d["lines"])
        if added != to_minor(d["amount"]):
            problems.append("line amounts add up to %s minor units, not %s" % (added, d["amount"]["amount"]))
    elif ev["type"] == "retail.invoice.posted" and "amount_tax" in d:
        if d["amount_tax"]["currency"] != d["amount_total"]["currency"]:
            problems.append("amount_tax currency differs")
        if to_minor(d["amount_tax"]) > to_minor(d["amount_total"]):
            problems.append("amount_tax above amount_total")
    return problems


# --------------------------------------------------------------------------------------------------

def strict_load(path):
    """Loads a test or schema file; duplicate names or NaN in it are an error (they would be lost)."""
    def hook(pairs):
        names = [k for k, _ in pairs]
        dups = sorted({k for k in names if names.count(k) > 1})
        if dups:
            raise ValueError("duplicate member %s" % ", ".join(dups))
        return dict(pairs)
    with open(path, encoding="utf-8") as f:
        return json.load(f, object_pairs_hook=hook, parse_constant=_no_constant)


def undocumented(node, where):
    """Pointers of "properties" members without a description."""
    found = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "properties" and isinstance(v, dict):
                found += ["%s/properties/%s" % (where, name) for name, s in v.items()
                          if not (isinstance(s, dict) and "description" in s)]
            found += undocumented(v, "%s/%s" % (where, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += undocumented(v, "%s/%d" % (where, i))
    return found


def main(argv):
    root = os.path.abspath(argv[1]) if len(argv) > 1 else \
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    failures = []

    def fail(where, what):
        failures.append("%s: %s" % (os.path.relpath(where, root) if os.path.isabs(where) else where, what))

    # 1. schemas
    schema_dir = os.path.join(root, "docs", "schemas")
    if not os.path.isdir(schema_dir):
        sys.exit("check_schemas: no %s (is %s the repository root?)" % (schema_dir, root))
    store, schemas = {}, {}
    names = sorted(n for n in os.listdir(schema_dir) if n.endswith(".json"))
    for name in names:
        path = os.path.join(schema_dir, name)
        try:
            schema = strict_load(path)
        except ValueError as e:
            fail(path, "not JSON: %s" % e)
            continue
        if schema.get("$schema") != DRAFT:
            fail(path, "$schema is not %s" % DRAFT)
        if schema.get("$id") != SCHEMA_BASE + name:
            fail(path, "$id is %r, expected %r" % (schema.get("$id"), SCHEMA_BASE + name))
        cls = validator_for(schema, default=None)
        if cls is not jsonschema.Draft202012Validator:
            fail(path, "not validated as draft 2020-12 (%s)" % cls)
            continue
        try:
            cls.check_schema(schema)
        except jsonschema.SchemaError as e:
            fail(path, "invalid schema: %s" % e.message)
            continue
        for p in undocumented(schema, "#"):
            fail(path, "%s has no description" % p)
        store[schema["$id"]] = schema
        schemas[name[:-len(".json")]] = schema
    expected = {"defs.v1"} | {t + ".v1" for t in TYPES}
    for missing in sorted(expected - set(schemas)):
        fail(schema_dir, "%s.json is missing or invalid" % missing)
    for extra in sorted(set(schemas) - expected):
        fail(schema_dir, "%s.json: not a known schema" % extra)
    validators = {}
    for t in TYPES:
        s = schemas.get(t + ".v1")
        if s is None:
            continue
        props = s.get("properties", {})
        if props.get("type", {}).get("const") != t or props.get("dataschema", {}).get("const") != s["$id"]:
            fail(schema_dir, "%s.v1.json: type or dataschema is not pinned with const" % t)
        resolver = jsonschema.RefResolver.from_schema(s, store=store)
        validators[t] = jsonschema.Draft202012Validator(s, resolver=resolver)
    if failures:
        report(failures)

    def schema_errors(t, instance):
        try:
            return sorted(validators[t].iter_errors(instance), key=lambda e: list(e.absolute_path))
        except jsonschema.RefResolutionError as e:  # a $ref that the local store cannot resolve
            fail(schema_dir, "%s.v1.json: unresolvable reference: %s" % (t, e))
            return []

    # 2. valid examples
    valid_dir = os.path.join(root, "tests", "data", "events", "valid")
    per_type = {t: 0 for t in TYPES}
    minimal_seen, full_seen = {}, {}
    valid_count = 0
    for name in sorted(os.listdir(valid_dir)) if os.path.isdir(valid_dir) else []:
        path = os.path.join(valid_dir, name)
        m = re.fullmatch(r"(retail\.[a-z]+\.[a-z]+)-([1-9][0-9]*)\.json", name)
        if not m or m[1] not in per_type:
            fail(path, "name is not <type>-<n>.json for a known type")
            continue
        try:
            ev = strict_load(path)
        except ValueError as e:
            fail(path, "not JSON: %s" % e)
            continue
        valid_count += 1
        if not isinstance(ev, dict) or ev.get("type") != m[1]:
            fail(path, "is not a %s event" % m[1])
            continue
        per_type[m[1]] += 1
        data = ev.get("data") if isinstance(ev.get("data"), dict) else {}
        dschema = schemas[m[1] + ".v1"]["properties"]["data"] if m[1] + ".v1" in schemas else None
        if dschema is not None:
            exclusive = {"delta", "counted"} if m[1] == "retail.stock.adjusted" else set()
            absent = set(dschema["properties"]) - set(data)
            if set(ev) == ENVELOPE_REQUIRED and set(data) <= set(dschema["required"]) | exclusive:
                minimal_seen[m[1]] = True
            if ENVELOPE_OPTIONAL <= set(ev) and absent <= exclusive and len(absent) == len(exclusive) // 2:
                full_seen[m[1]] = True
        for e in schema_errors(m[1], ev):
            fail(path, "schema rejects it at /%s: %s" % ("/".join(map(str, e.absolute_path)), e.message))
        error = reference_error(ev)
        if error:
            fail(path, "the reference decoder refuses it: %s" % error)
        try:
            for problem in check_totals(ev):
                fail(path, "totals: %s" % problem)
        except (KeyError, TypeError, ArithmeticError, AttributeError) as e:
            fail(path, "totals cannot be recomputed: %r" % e)
    for t, n in per_type.items():
        if n < 2:
            fail(valid_dir, "%s has %d valid example(s), at least 2 needed" % (t, n))
        if t in schemas and not minimal_seen.get(t):
            fail(valid_dir, "%s has no example with only the required members" % t)
        if t in schemas and not full_seen.get(t):
            fail(valid_dir, "%s has no example with every optional member and envelope attribute" % t)

    # 3. invalid examples
    invalid_dir = os.path.join(root, "tests", "data", "events", "invalid")
    invalid_count = accepts = 0
    numbers, types_seen, rows_seen = {}, set(), set()
    for name in sorted(os.listdir(invalid_dir)) if os.path.isdir(invalid_dir) else []:
        path = os.path.join(invalid_dir, name)
        m = re.fullmatch(r"([0-9]{3})-[a-z0-9]+(-[a-z0-9]+)*\.json", name)
        if not m:
            fail(path, "name is not NNN-short-name.json")
            continue
        if m[1] in numbers:
            fail(path, "number %s is also used by %s" % (m[1], numbers[m[1]]))
        numbers[m[1]] = name
        try:
            case = strict_load(path)
        except ValueError as e:
            fail(path, "not JSON: %s" % e)
            continue
        invalid_count += 1
        if not isinstance(case, dict):
            fail(path, "must be an object")
            continue
        keys = set(case)
        allowed = {"description", "error", "error_prefix", "schema", "why", "event", "text"}
        shape = []
        if keys - allowed:
            shape.append("unexpected member(s) %s" % ", ".join(sorted(keys - allowed)))
        if not isinstance(case.get("description"), str) or not case["description"]:
            shape.append("needs a description")
        if len(keys & {"error", "error_prefix"}) != 1 or not isinstance(case.get("error", case.get("error_prefix")), str):
            shape.append('needs exactly one of "error" and "error_prefix" (a string)')
        if len(keys & {"event", "text"}) != 1 or ("text" in case and not isinstance(case["text"], str)):
            shape.append('needs exactly one of "event" and "text" (a string)')
        if case.get("schema") not in ("rejects", "accepts"):
            shape.append('"schema" must be "rejects" or "accepts"')
        if (case.get("schema") == "accepts") != ("why" in case) or ("why" in case and not case["why"]):
            shape.append('"why" is required exactly when "schema" is "accepts"')
        if shape:
            for s in shape:
                fail(path, s)
            continue
        if case["schema"] == "accepts":
            accepts += 1

        # the reference decoder
        got = reference_error(text=case["text"]) if "text" in case else reference_error(case["event"])
        if "error" in case:
            if got != case["error"]:
                fail(path, "the reference decoder says %r, the file expects %r" % (got, case["error"]))
            message = case["error"]
            if "text" in case and case["error"].startswith("(event): not JSON:"):
                fail(path, 'the parser\'s wording is not part of the contract: use "error_prefix"')
        else:
            message = case["error_prefix"]
            if not case["error_prefix"].startswith("(event): not JSON:"):
                fail(path, 'error_prefix is only for text that is not JSON ("(event): not JSON:")')
            if got is None or not got.startswith(case["error_prefix"]):
                fail(path, "the reference decoder says %r, expected a message starting %r" % (got, message))
        for row, pattern in ERROR_ROWS:
            if re.search(pattern, message):
                rows_seen.add(row)

        # the schema
        if "text" in case:
            try:
                instance = json.loads(case["text"], parse_constant=_no_constant, parse_float=_finite_float)  # duplicates: last wins
            except ValueError:
                if case["schema"] != "rejects":
                    fail(path, 'the text is not JSON, so "schema" must be "rejects"')
                continue
        else:
            instance = case["event"]
        typ = instance.get("type") if isinstance(instance, dict) else None
        if isinstance(typ, str) and typ in validators:
            types_seen.add(typ)
            errs = schema_errors(typ, instance)
            if case["schema"] == "rejects" and not errs:
                fail(path, "the %s schema accepts it, the file says it rejects" % typ)
            if case["schema"] == "accepts" and errs:
                e = errs[0]
                fail(path, "the %s schema rejects it at /%s (%s), the file says it accepts"
                     % (typ, "/".join(map(str, e.absolute_path)), e.message))
        else:
            if case["schema"] != "rejects":
                fail(path, 'no schema exists for this type, so "schema" must be "rejects"')
            for t in validators:
                if not schema_errors(t, instance):
                    fail(path, "the %s schema accepts it" % t)
    if invalid_count < 60:
        fail(invalid_dir, "only %d invalid files, at least 60 needed" % invalid_count)
    for t in TYPES:
        if t not in types_seen:
            fail(invalid_dir, "no invalid %s event" % t)
    for row, _ in ERROR_ROWS:
        if row not in rows_seen:
            fail(invalid_dir, "no invalid file covers the error table row %r" % row)

    if failures:
        report(failures)
    print("check_schemas: ok: %d schemas, %d valid events (%d types), %d invalid events "
          "(%d rejected and %d accepted by the schemas), %d error table rows covered"
          % (len(schemas), valid_count, len(TYPES), invalid_count, invalid_count - accepts, accepts,
             len(rows_seen)))
    return 0


def report(failures):
    for f in failures:
        print("FAIL " + f, file=sys.stderr)
    sys.exit("check_schemas: %d failure(s)" % len(failures))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
