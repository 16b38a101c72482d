"""Pushing to channels from Python: the Odoo emulator's stock and prices reach the Shopify and WooCommerce
emulators through odoosync.Pusher (pull from Odoo into the outbox, then run), compare-and-set keeps a sale
made in the shop between the pull and the push, a refused item is a dead letter that replay pushes again,
a host can push itself through odoosync.channel_client, and failures raise the exception of their kind
with a message naming the channel."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest

import odoosync
from odoosync import Level, Money, Price, Fulfilment, Pusher, channel_client

TOKEN = "shpat_emulator"  # the Shopify emulator's default access token (not a real secret)
SKUS = ["FURN_0789", "E-COM08", "FURN_7800"]  # the Odoo 18 emulator's demo stock in WH/Stock: 16, 18, 60
SAFETY = 2
CURRENCY = "USD"  # the Odoo emulator's company currency: the shops use it too


# --------------------------------------------------------------------------------------------- fixtures


@pytest.fixture
def odoo(fresh_emulator):
    """Exact stock levels matter: an Odoo emulator of this test's own."""
    return fresh_emulator(odoo_version=18).client()


class Shop:
    """A ShopifyEmulator and its location's id."""

    def __init__(self):
        self.emulator = odoosync.ShopifyEmulator(currency=CURRENCY)
        self.location = self.emulator.add_location("Main")

    def __getattr__(self, name):
        return getattr(self.emulator, name)


@pytest.fixture
def shop():
    """A Shopify shop with one location and the three SKUs listed, stocked at 0, priced 1.00."""
    s = Shop()
    for sku in SKUS:
        s.add_variant(sku, "1.00")
        assert s.set_available(sku, s.location, 0)
    yield s
    s.stop()


@pytest.fixture
def woo():
    w = odoosync.WooCommerceEmulator(currency=CURRENCY)
    for sku in SKUS:
        w.seed_product(sku, 0, "1.00")
    yield w
    w.stop()


def gid(location):
    return f"gid://shopify/Location/{location}"


def shopify_client(shop, channel="shop-eu", token=TOKEN):
    return channel_client("shopify", shop.url, secrets={"access_token": lambda: token}, channel=channel)


def woo_client(woo, channel="woo"):
    return channel_client("woocommerce", woo.base_url, settings={"allow_insecure_loopback": True},
                          secrets={"consumer_key": lambda: "ck_emulator", "consumer_secret": lambda: "cs_emulator"},
                          channel=channel)


def shopify_pusher(store, shop, **kwargs):
    return Pusher(store, shopify_client(shop), "shop-eu", stock_locations={gid(shop.location): ["WH/Stock"]},
                  safety_stock=SAFETY, **kwargs)


def sellable(stock_of, odoo, sku, safety=SAFETY):
    return max(0, int(stock_of(odoo, sku)) - safety)


def count_in_odoo(odoo, events, sku, counted):
    """An inventory count in Odoo, through the engine; the pull that follows must see it in a later second
    than the last pull read up to (pulls here do not wait for rows to settle)."""
    time.sleep(1.1)
    engine = odoosync.Engine(odoosync.MemoryStore(), odoo)
    assert engine.submit(events.count(sku, counted)) == "accepted"
    engine.run_until_idle(max_time=60)
    assert engine.dead_letters() == [], engine.dead_letters()


def list_price(odoo, sku):
    [row] = odoo.search_read("product.product", [("default_code", "=", sku)], fields=["list_price"])
    return Decimal(f"{row['list_price']:.2f}")


# --------------------------------------------------------------------------------------------- stock


def test_stock_reaches_shopify_as_odoo_on_hand_less_safety_stock(store, odoo, shop, stock_of):
    pusher = shopify_pusher(store, shop)
    pulled = pusher.pull(odoo, "stock", settle=None)
    assert pulled["events"] >= len(SKUS), pulled
    summary = pusher.run("stock")
    assert summary["counts"]["applied"] == len(SKUS), summary
    assert (summary["pending"], summary["dead"], summary["last_error"]) == (0, 0, ""), summary
    for sku in SKUS:
        want = sellable(stock_of, odoo, sku)
        assert shop.available(sku, shop.location) == want, f"{sku}: shop {shop.available(sku, shop.location)}, " \
                                                           f"Odoo {stock_of(odoo, sku)} less {SAFETY}"
    assert shop.available("FURN_7800", shop.location) == 58  # 60 in Odoo's demo data, less 2

    # Pulled again with nothing new: nothing is sent.
    requests = shop.stats()["requests"]
    pusher.pull(odoo, "stock", settle=None)
    again = pusher.run("stock")
    assert again["counts"]["applied"] == 0 and again["counts"]["calls"] == 0, again
    assert shop.stats()["requests"] == requests
    assert pusher.status().get("stock", {}).get("pending", 0) == 0


def test_a_sale_in_the_shop_between_pull_and_push_is_kept(odoo, shop, events, stock_of):
    pusher = shopify_pusher(odoosync.MemoryStore(), shop)
    pusher.pull(odoo, "stock", settle=None)
    pusher.run("stock")
    assert shop.available("FURN_0789", shop.location) == 14  # 16 less 2

    count_in_odoo(odoo, events, "FURN_0789", 20)
    pulled = pusher.pull(odoo, "stock", settle=None)
    assert pulled["events"] >= 1, pulled
    assert shop.sell("FURN_0789", shop.location, 3)  # the shop sells 3 meanwhile: it holds 11
    summary = pusher.run("stock")
    assert summary["counts"]["stale"] >= 1, f"compare-and-set should have refused the first send: {summary}"
    # Odoo now says 20 (18 sellable); the 3 sold in the shop are not sold again.
    assert shop.available("FURN_0789", shop.location) == 18 - 3, summary
    assert stock_of(odoo, "FURN_0789") == 20


def test_woocommerce_stock_and_a_sale_between_pull_and_push(odoo, woo, events, stock_of):
    pusher = Pusher(odoosync.MemoryStore(), woo_client(woo), "woo", stock_locations={"": ["WH/Stock"]})
    pusher.pull(odoo, "stock", settle=None)
    summary = pusher.run("stock")
    assert summary["counts"]["applied"] == len(SKUS), summary
    for sku in SKUS:
        assert woo.stock(sku) == sellable(stock_of, odoo, sku, 0), sku

    count_in_odoo(odoo, events, "E-COM08", 30)
    pusher.pull(odoo, "stock", settle=None)
    assert woo.simulate_sale("E-COM08", 4)  # 18 -> 14 in the shop
    summary = pusher.run("stock")
    assert summary["counts"]["stale"] >= 1, summary
    assert woo.stock("E-COM08") == 30 - 4


def test_a_rejected_item_is_a_dead_letter_and_replay_pushes_it(odoo, shop, tmp_path):
    pusher = shopify_pusher(odoosync.SqliteStore(tmp_path / "push.db"), shop)
    shop.inject("user_error", sku="E-COM08", operation="inventorySetQuantities")
    pusher.pull(odoo, "stock", settle=None)
    summary = pusher.run("stock")
    assert summary["counts"]["dead"] == 1 and summary["counts"]["applied"] == len(SKUS) - 1, summary
    assert summary["dead"] == 1, summary
    assert shop.available("E-COM08", shop.location) == 0  # not set
    assert shop.available("FURN_0789", shop.location) == 14  # the rest of the batch applied

    key = f"E-COM08@{gid(shop.location)}"
    [dead] = pusher.dead_letters("stock")
    assert (dead["kind"], dead["key"], dead["status"]) == ("stock", key, "dead"), dead
    assert dead["error"], dead
    assert pusher.status()["stock"]["dead"] == 1

    pusher.replay("stock", key)
    again = pusher.run("stock")
    assert again["counts"]["applied"] == 1, again
    assert shop.available("E-COM08", shop.location) == 16  # 18 less 2
    assert pusher.dead_letters() == []
    with pytest.raises(odoosync.NotFoundError):
        pusher.replay("stock", key)  # not a dead letter any more


# --------------------------------------------------------------------------------------------- prices


def test_prices_reach_shopify_and_woocommerce_as_odoo_list_prices(odoo, shop, woo):
    store = odoosync.MemoryStore()
    for pusher in (shopify_pusher(store, shop), Pusher(store, woo_client(woo), "woo")):
        pulled = pusher.pull(odoo, "prices", settle=None)
        assert pulled["events"] > 0, pulled
        summary = pusher.run("prices")
        # Odoo's other products are not in the shops: not listed, nothing else.
        assert summary["counts"]["applied"] == len(SKUS), summary
        assert summary["counts"]["not_listed"] == pulled["events"] - len(SKUS), summary
        assert summary["dead"] == 0, summary
    for sku in SKUS:
        want = list_price(odoo, sku)
        assert want != Decimal("1.00"), f"{sku}: the test needs a list price other than the shop's 1.00"
        assert shop.price(sku) == want, sku
        assert woo.regular_price(sku) == want, sku
        assert isinstance(shop.price(sku), Decimal)


# --------------------------------------------------------------------------------------------- the client alone


def test_a_host_pushes_levels_prices_and_a_fulfilment_itself(shop):
    c = shopify_client(shop)
    assert (c.provider, c.channel) == ("shopify", "shop-eu")
    assert c.limits()["unit"] == "cost points"
    results = c.set_levels([Level("FURN_0789", 7, gid(shop.location)),
                            {"sku": "E-COM08", "quantity": 5, "location": str(shop.location), "key": "k-1"},
                            Level("NOPE", 1, gid(shop.location))])
    assert [r["outcome"] for r in results] == ["applied", "applied", "not_listed"], results
    assert c.read_level("FURN_0789", gid(shop.location)) == 7
    assert c.read_level("NOPE", gid(shop.location)) is None

    # Compare-and-set: the shop sold 2 since we set 7.
    assert shop.sell("FURN_0789", shop.location, 2)
    [stale] = c.set_levels([Level("FURN_0789", 9, gid(shop.location), expected=7)])
    assert (stale["outcome"], stale["channel_quantity"]) == ("stale", 5), stale
    assert shop.available("FURN_0789", shop.location) == 5

    results = c.set_prices([Price("FURN_0789", Money("12.50", "USD")), Price("E-COM08", Decimal("3.99"), "USD"),
                            {"sku": "FURN_7800", "price": "19", "currency": "USD"},
                            Price("FURN_0789", Money("5.00", "EUR"))])
    assert [r["outcome"] for r in results] == ["applied", "applied", "applied", "rejected"], results
    assert "USD" in results[3]["message"]
    assert (shop.price("FURN_0789"), shop.price("E-COM08"), shop.price("FURN_7800")) == \
        (Decimal("12.50"), Decimal("3.99"), Decimal("19.00"))
    with pytest.raises(TypeError):
        c.set_prices([{"sku": "FURN_0789", "price": 12.5, "currency": "USD"}])  # never a float

    order = shop.add_order([("FURN_0789", 2)])
    [done] = c.fulfil([Fulfilment(str(order), "WH/OUT/00012", [("FURN_0789", 2)], carrier="UPS",
                                  tracking_number="1Z999", tracking_url="https://ups.example/1Z999")])
    assert done["outcome"] == "applied", done
    [f] = shop.fulfillments(order)
    assert (f["company"], f["number"], f["lines"]) == ("UPS", "1Z999", [("FURN_0789", 2)]), f
    [again] = c.fulfil([Fulfilment(str(order), "WH/OUT/00012", [("FURN_0789", 2)], tracking_number="1Z999")])
    assert again["outcome"] == "applied" and len(shop.fulfillments(order)) == 1, again


# --------------------------------------------------------------------------------------------- configuration


def write_config(tmp_path, shop, feeds=("stock", "prices", "fulfilments")):
    (tmp_path / "shopify.secret").write_text(TOKEN + "\n")
    config = {"channels": {
        "shop-eu": {"provider": "shopify", "push": {
            "url": shop.url, "secrets": {"access_token": "file:shopify.secret"}, "safety_stock": SAFETY,
            "safety_stock_by_sku": {"FURN_7800": 10},
            "stock_locations": {gid(shop.location): ["WH/Stock"]}, "feeds": list(feeds)}},
        "inbound-only": {"provider": "shopify"}}}
    path = tmp_path / "channels.json"
    path.write_text(json.dumps(config))
    return path


def test_from_config_builds_the_client_and_mapping_from_the_push_block(odoo, shop, tmp_path, stock_of):
    pusher = Pusher.from_config(odoosync.MemoryStore(), write_config(tmp_path, shop), "shop-eu")
    assert (pusher.channel, pusher.client.provider, pusher.order_origin) == ("shop-eu", "shopify", "web/shop-eu")
    pusher.pull(odoo, "stock", settle=None)
    summary = pusher.run("stock", wait_for_retries=5)
    assert summary["counts"]["applied"] == len(SKUS), summary
    assert shop.available("FURN_0789", shop.location) == sellable(stock_of, odoo, "FURN_0789")
    assert shop.available("FURN_7800", shop.location) == 50  # 60 less its own safety stock of 10


def test_events_handed_to_accept_are_pushed(shop):
    pusher = shopify_pusher(odoosync.MemoryStore(), shop)
    count = {"specversion": "1.0", "id": "stock.quant/7@2026-12-01T10:15:00Z", "source": "odoo",
             "type": "retail.stock.adjusted", "time": "2026-12-01T10:15:00Z",
             "data": {"sku": "FURN_0789", "location": "WH/Stock", "counted": {"value": "9.5", "uom": "Units"}}}
    pusher.accept([count])
    assert pusher.status()["stock"]["pending"] == 1
    assert pusher.run("stock")["counts"]["applied"] == 1
    assert shop.available("FURN_0789", shop.location) == 7  # 9.5 rounded down, less 2


# --------------------------------------------------------------------------------------------- errors


def test_a_refused_token_raises_auth_error_naming_the_channel(odoo, shop):
    c = shopify_client(shop, channel="shop-eu", token="shpat_wrong")
    with pytest.raises(odoosync.AuthError) as e:
        c.set_levels([Level("FURN_0789", 1, gid(shop.location))])
    assert "shop-eu" in str(e.value) and "shpat_wrong" not in str(e.value), str(e.value)

    pusher = Pusher(odoosync.MemoryStore(), c, "shop-eu", stock_locations={gid(shop.location): ["WH/Stock"]})
    pusher.pull(odoo, "stock", settle=None)
    with pytest.raises(odoosync.AuthError) as e:
        pusher.run("stock")
    assert "shop-eu" in str(e.value), str(e.value)
    assert pusher.status()["stock"]["pending"] >= len(SKUS)  # the items wait for the credentials


def test_a_secret_callable_that_raises_is_an_auth_error_without_its_text(shop):
    def vault():
        raise RuntimeError("vault says: the token is hunter2")

    c = channel_client("shopify", shop.url, secrets={"access_token": vault}, channel="shop-eu")
    with pytest.raises(odoosync.AuthError) as e:
        c.read_level("FURN_0789", gid(shop.location))
    assert "RuntimeError" in str(e.value) and "hunter2" not in str(e.value), str(e.value)
    assert "shop-eu" in str(e.value)


def test_a_channel_that_cannot_be_reached_leaves_items_pending_and_says_why(odoo, shop):
    pusher = shopify_pusher(odoosync.MemoryStore(), shop, backoff_base=0.01, backoff_max=0.05)
    pusher.pull(odoo, "stock", settle=None)
    shop.stop()
    summary = pusher.run("stock")  # a whole-call failure is recorded on the items, not raised
    assert summary["pending"] >= len(SKUS) and summary["counts"]["applied"] == 0, summary
    assert "transport" in summary["last_error"] and "shop-eu" in summary["last_error"], summary
    time.sleep(0.1)  # the backoff (at most 0.05 s) has passed
    round_ = pusher.push_once("stock")
    assert round_["claimed"] >= len(SKUS) and round_["counts"]["retried"] == round_["claimed"], round_
    assert "shop-eu" in round_["error"], round_


def test_the_clients_whole_call_failures_raise_by_kind_naming_the_channel():
    shop = odoosync.ShopifyEmulator(maximum_available=60, restore_rate=1)  # a bucket of 60 points, 1 a second
    try:
        loc = shop.add_location("Main")
        shop.add_variant("A", "1.00")
        shop.set_available("A", loc, 0)
        c = channel_client("shopify", shop.url, settings={"max_wait_ms": 0, "currency": "USD"},
                           secrets={"access_token": lambda: TOKEN}, channel="shop-eu")
        with pytest.raises(odoosync.BackpressureError) as e:
            for n in range(10):  # each call costs more than the bucket restores meanwhile
                c.set_levels([Level("A", n, str(loc))])
        assert "shop-eu" in str(e.value) and e.value.retryable, str(e.value)
        shop.inject("http_error", status=503, times=5)
        with pytest.raises(odoosync.HttpError) as e:
            c.read_level("A", str(loc))
        assert e.value.http_status == 503 and "shop-eu" in str(e.value), str(e.value)
    finally:
        shop.stop()


@pytest.mark.parametrize("make, words", [
    (lambda shop: channel_client("shopify", shop.url, channel="shop-eu"), ["shop-eu", "access_token"]),
    (lambda shop: channel_client("shopify", shop.url, settings={"colour": "red"},
                                 secrets={"access_token": lambda: TOKEN}, channel="shop-eu"), ["shop-eu", "colour"]),
    (lambda shop: channel_client("etsy", shop.url, channel="shop-eu"), ["etsy"]),
    (lambda shop: channel_client("woocommerce", shop.url + "/wp-json/wc/v3",
                                 secrets={"consumer_key": "env:NOPE_KEY", "consumer_secret": "env:NOPE_SECRET"},
                                 channel="woo"), ["woo", "https"]),
    (lambda shop: channel_client("shopify", shop.url, secrets={"access_token": "vault:x"}, channel="shop-eu"),
     ["shop-eu", "access_token"]),
])
def test_a_client_that_cannot_be_made_is_invalid_input_naming_the_channel(shop, make, words):
    with pytest.raises(odoosync.InvalidInput) as e:
        make(shop)
    for w in words:
        assert w in str(e.value), f"{w!r} not in {str(e.value)!r}"


def test_a_secret_given_as_a_plain_value_is_a_type_error_that_does_not_show_it(shop):
    with pytest.raises(TypeError) as e:
        channel_client("shopify", shop.url, secrets={"access_token": b"shpat_plain_bytes"}, channel="shop-eu")
    assert "shpat_plain_bytes" not in str(e.value) and "access_token" in str(e.value)


def test_configuration_errors_name_the_channel(odoo, shop, tmp_path):
    path = write_config(tmp_path, shop, feeds=["stock"])
    with pytest.raises(odoosync.InvalidInput, match="no-such-shop"):
        Pusher.from_config(odoosync.MemoryStore(), path, "no-such-shop")
    with pytest.raises(odoosync.InvalidInput, match="inbound-only"):
        Pusher.from_config(odoosync.MemoryStore(), path, "inbound-only")  # no "push" block
    pusher = Pusher.from_config(odoosync.MemoryStore(), path, "shop-eu")
    with pytest.raises(odoosync.InvalidInput, match="shop-eu.*prices|shop-eu.*price"):
        pusher.pull(odoo, "prices")  # the channel's feeds are stock only
    with pytest.raises(odoosync.InvalidInput, match="kind"):
        pusher.run("stocks")
    with pytest.raises(odoosync.InvalidInput, match="shop-eu"):
        Pusher(odoosync.MemoryStore(), shopify_client(shop), "shop-eu", safety_stock=-1)
    with pytest.raises(TypeError):
        Pusher(odoosync.MemoryStore(), "not a client", "shop-eu")


# --------------------------------------------------------------------------------------------- OutboundPuller


class Collecting:
    """A host's own sink: keeps what it is given; fails while `fail` is set."""

    def __init__(self):
        self.events, self.fail = [], False

    def accept(self, events):
        if self.fail:
            raise RuntimeError("the till is offline")
        self.events.extend(events)


def test_outbound_puller_feeds_a_python_sink_and_a_pusher(odoo, shop):
    store = odoosync.MemoryStore()
    pusher = shopify_pusher(store, shop)
    mine = Collecting()
    puller = odoosync.OutboundPuller(store, odoo, settle=None)
    puller.add_sink("stock_levels", mine)
    puller.add_sink("stock_levels", pusher)

    mine.fail = True
    with pytest.raises(odoosync.InvalidInput, match="RuntimeError.*the till is offline"):
        puller.pull("stock_levels")
    assert mine.events == []

    mine.fail = False
    n = puller.pull("stock_levels")  # the same page again: the checkpoint stayed
    assert n == len(mine.events) >= len(SKUS), (n, len(mine.events))
    assert all(isinstance(e, odoosync.Event) and e.type == "retail.stock.adjusted" for e in mine.events)
    assert {"FURN_0789", "E-COM08", "FURN_7800"} <= {e.to_dict()["data"]["sku"] for e in mine.events}
    assert puller.last_stats("stock_levels")["events"] == n
    assert pusher.run("stock")["counts"]["applied"] == len(SKUS)
    assert shop.available("FURN_7800", shop.location) == 58
    assert puller.pull("stock_levels") == 0  # nothing new since the checkpoint

    with pytest.raises(odoosync.InvalidInput, match="prices"):
        puller.pull("prices")  # no sink for the feed: nothing is read
    with pytest.raises(odoosync.InvalidInput):
        puller.add_sink("stock", mine)  # the feed is "stock_levels"
    with pytest.raises(TypeError):
        puller.add_sink("prices", object())
