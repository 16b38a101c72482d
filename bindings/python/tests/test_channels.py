"""Inbound channels from Python: verify and map a delivery exactly as `odoosync serve` does."""
import base64
import hashlib
import hmac
import json
import os
import pathlib

import pytest

import odoosync

DATA = pathlib.Path(__file__).resolve().parents[3] / "tests" / "data" / "channels"
# The secret canary when CTest runs this (its leak checks then cover what the channels print).
SECRET = os.environ.get("ODOOSYNC_CANARY_WEBHOOK_SECRET", "pytest-channel-secret-7f3a")


@pytest.fixture
def shop(tmp_path, monkeypatch):
    monkeypatch.setenv("ODOOSYNC_PYTEST_SHOP_SECRET", SECRET)
    config = {"channels": {"shop-eu": {"provider": "shopify", "secret_env": ["ODOOSYNC_PYTEST_SHOP_SECRET"],
                                       "shipping_sku": "SHIPPING", "skus": {"44012345678902": "MUG-1"}}}}
    path = tmp_path / "channels.json"
    path.write_text(json.dumps(config))
    [channel] = odoosync.load_channels(str(path))
    return channel


def signed(body: bytes, topic: str, webhook_id: str = "w-1"):
    sig = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    return {"X-Shopify-Topic": topic, "X-Shopify-Webhook-Id": webhook_id, "X-Shopify-Hmac-Sha256": sig}


def test_receive_maps_a_verified_order(shop):
    body = (DATA / "shopify" / "payloads" / "orders-create.json").read_bytes()
    assert shop.name == "shop-eu" and shop.provider == "shopify" and shop.source == "channel/shop-eu"
    assert shop.verify(body, signed(body, "orders/create")) == {"delivery_id": "w-1", "ping": False}
    got = shop.receive(body, signed(body, "orders/create"))
    [event] = got["events"]
    assert isinstance(event, odoosync.Event)
    d = event.to_dict()
    assert d["id"] == "w-1" and d["type"] == "retail.order.created"
    assert d["data"]["number"] == "9007199254740993"
    assert d["data"]["total"] == {"amount": "30.79", "currency": "EUR"}
    assert got["odoo_records"] == []


def test_forged_and_unmappable_deliveries_raise(shop):
    body = (DATA / "shopify" / "payloads" / "orders-create.json").read_bytes()
    headers = signed(body, "orders/create")
    with pytest.raises(odoosync.AuthError) as forged:
        shop.receive(body + b" ", headers)
    assert SECRET not in str(forged.value)
    bad = body.replace(b'"3.33"', b'"3.333"')
    with pytest.raises(odoosync.InvalidInput, match=r"shopify orders/create: /line_items/1/price"):
        shop.receive(bad, signed(bad, "orders/create"))


def test_nothing_to_take_in_is_a_note(shop):
    body = b'{"id": 1}'
    got = shop.receive(body, [(k, v) for k, v in signed(body, "customers/create").items()])
    assert got["events"] == [] and got["note"] == "topic customers/create is not mapped: nothing to take in"


def test_map_amazon_order_and_submit_to_an_engine(tmp_path, monkeypatch):
    monkeypatch.setenv("ODOOSYNC_PYTEST_SHOP_SECRET", SECRET)
    [amazon] = odoosync.Channel.from_config(json.dumps({"channels": {"amazon-de": {
        "provider": "amazon", "queue_urls": ["https://sqs.eu-west-1.amazonaws.com/123456789012/orders"],
        "shipping_sku": "SHIPPING"}}}))
    event = odoosync.map_amazon_order((DATA / "amazon" / "payloads" / "get-order.json").read_text(),
                                      (DATA / "amazon" / "payloads" / "get-order-items.json").read_text(), amazon)
    assert event.to_dict()["id"] == "order/903-8868176-2219830/created"
    assert event.to_dict()["data"]["channel"] == "marketplace/amazon-de"
    note = (DATA / "amazon" / "payloads" / "order-change-canceled.json").read_bytes()
    got = amazon.receive(note, {}, url="https://sqs.eu-west-1.amazonaws.com/123456789012/orders")
    assert [e.to_dict()["type"] for e in got["events"]] == ["retail.order.cancelled"]
    with pytest.raises(odoosync.AuthError):
        amazon.receive(note, {}, url="https://sqs.eu-west-1.amazonaws.com/123456789012/other")


def test_doctor_finds_too_few_rights_and_a_missing_channel_secret(tmp_path):
    with odoosync.Emulator(odoo_version=18) as emu:
        limited = odoosync.Config(emu.url, database=emu.database, login="rpc_limited", password="rpc_limited")
        report = odoosync.doctor(limited, event_types=["retail.stock.adjusted"])
        assert report["worst"] == "error"
        by_check = {f["check"]: f for f in report["findings"]}
        assert by_check["odoo.version"]["message"] == "Odoo 18.0 over JSON-RPC"
        assert by_check["odoo.access.stock.quant"]["severity"] == "error"
        assert "may not write and create stock.quant" in by_check["odoo.access.stock.quant"]["message"]
    config = tmp_path / "channels.json"
    config.write_text(json.dumps({"channels": {"shop": {"provider": "shopify", "secret_env": ["ODOOSYNC_NO_SUCH_VAR"]}}}))
    report = odoosync.doctor(channels=config)
    [finding] = report["findings"]
    assert finding["check"] == "channel.shop" and finding["severity"] == "error"
    assert "ODOOSYNC_NO_SUCH_VAR is not set" in finding["message"]
