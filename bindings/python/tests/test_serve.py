"""The webhook receiver from Python: handle() for a host's own HTTP server, listen()/stop() for the
built-in one; a Shopify channel whose secret is the canary (ODOOSYNC_CANARY_WEBHOOK_SECRET), so that a
leak into an answer or a metric is caught."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import urllib.error
import urllib.request

import pytest

import odoosync

SECRET = os.environ.get("ODOOSYNC_CANARY_WEBHOOK_SECRET", "whsec_python_test_secret")


def sign(body: bytes) -> str:
    return base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()


@pytest.fixture
def receiver(tmp_path):
    (tmp_path / "shop.secret").write_text(SECRET)
    config = tmp_path / "serve.json"
    config.write_text(json.dumps({"retry_after_s": 11, "channels": {
        "shop": {"provider": "shopify", "secret_files": ["shop.secret"], "max_body_bytes": 1024,
                 "locations": {"655441491": "WH/Stock"}, "skus": {"808950810": "TSHIRT-M"}}}}))
    engine = odoosync.Engine(odoosync.SqliteStore(tmp_path / "queue.db"))
    r = odoosync.WebhookReceiver(engine, str(config))
    yield r, engine
    r.stop()


def shopify_headers(body: bytes, signature=None):
    return {"X-Shopify-Topic": "orders/create", "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
            "X-Shopify-Hmac-Sha256": signature or sign(body), "Content-Type": "application/json"}


def held(engine):
    return sum(sum(v for k, v in lane.items() if k in ("pending", "in_flight", "applied", "dead", "discarded"))
               for lane in engine.status().values())


LEVEL = (b'{"inventory_item_id":808950810,"location_id":655441491,"available":6,'
         b'"updated_at":"2024-04-02T08:57:27-05:00"}')


def test_a_signed_delivery_is_durable_when_answered_and_its_retry_is_a_duplicate(receiver):
    r, engine = receiver
    headers = dict(shopify_headers(LEVEL), **{"X-Shopify-Topic": "inventory_levels/update"})
    status, _, answer = r.handle("POST", "/webhooks/shop", headers, LEVEL)
    assert status == 200, answer
    assert json.loads(answer) == {"status": "accepted", "events": 1, "duplicates": 0}
    assert held(engine) == 1
    stored = engine.get("channel/shop", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
    assert stored["subject"] == "sku/TSHIRT-M@WH/Stock"
    status, _, answer = r.handle("POST", "/webhooks/shop", headers, LEVEL)
    assert status == 200 and json.loads(answer)["status"] == "duplicate"
    assert held(engine) == 1
    assert r.metrics()["shop"]["accepted"] == 1 and r.metrics()["shop"]["duplicate"] == 1


def test_a_tampered_delivery_is_refused_with_401_and_nothing_is_stored(receiver):
    r, engine = receiver
    body = b'{"id":820982911946154508,"name":"#9999"}'
    status, headers, answer = r.handle("POST", "/webhooks/shop", shopify_headers(body), body.replace(b"9999", b"1001"))
    assert status == 401
    assert ("Content-Type", "application/json") in headers
    assert json.loads(answer)["error"] == "unauthorized"
    assert "signature mismatch" in json.loads(answer)["reason"]
    assert SECRET.encode() not in answer
    assert held(engine) == 0
    assert r.metrics()["shop"]["unauthorized"] == 1


def test_routes_methods_and_the_body_limit(receiver):
    r, engine = receiver
    assert r.channels == ["shop"]
    assert r.handle("POST", "/webhooks/nope", {}, b"{}")[0] == 404
    status, headers, _ = r.handle("GET", "/webhooks/shop")
    assert status == 405 and ("Allow", "POST") in headers
    body = b"x" * 2000
    assert r.handle("POST", "/webhooks/shop", shopify_headers(body), body)[0] == 413
    status, _, answer = r.handle("GET", "/healthz")
    assert status == 200 and json.loads(answer) == {"status": "ok", "realtime": 0, "bulk": 0}
    text = r.prometheus()
    assert 'odoosync_webhook_deliveries_total{channel="shop",outcome="too_large"} 1' in text
    assert "odoosync_queue_depth" in text
    assert SECRET not in text
    assert held(engine) == 0


def test_the_built_in_server_answers_over_http_and_stops(receiver):
    r, _ = receiver
    address = r.listen("127.0.0.1:0", threads=2)
    assert address.startswith("127.0.0.1:") and r.address == address
    with urllib.request.urlopen(f"http://{address}/healthz", timeout=10) as res:
        assert res.status == 200
    body = b'{"id":1}'
    req = urllib.request.Request(f"http://{address}/webhooks/shop", data=body, method="POST",
                                 headers=shopify_headers(body, signature=sign(b"something else")))
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=10)
    assert refused.value.code == 401
    with pytest.raises(ValueError):
        r.listen("127.0.0.1:0")
    assert r.stop() is True
    assert r.address is None
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://{address}/healthz", timeout=5)


def test_a_configuration_error_raises_invalid_input(tmp_path):
    engine = odoosync.Engine(odoosync.MemoryStore())
    config = tmp_path / "serve.json"
    config.write_text(json.dumps({"listne": "127.0.0.1:0", "channels": {}}))
    with pytest.raises(odoosync.InvalidInput, match='unknown key "listne"'):
        odoosync.WebhookReceiver(engine, str(config))
    with pytest.raises(TypeError):
        odoosync.WebhookReceiver("not an engine", str(config))
