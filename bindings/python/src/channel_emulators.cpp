// The channel emulators for a host's push tests: odoosync.ShopifyEmulator (Admin GraphQL) and
// odoosync.WooCommerceEmulator (REST v3), loopback fakes that keep state, check credentials, enforce rate
// limits and inject faults (docs/push/shopify.md, docs/push/woocommerce.md). Only what a test seeds,
// plays (a sale in the shop) and reads back is bound.
#include "common.hpp"

#include <odoosync/emulator/shopify.hpp>
#include <odoosync/emulator/woocommerce.hpp>

#include <pybind11/stl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ce = odoosync::channel_emulator;

namespace binding {

namespace {

// A price as exact text: Decimal, str or int (never float), through odoosync.values' own rule.
std::string price_text(const py::object& v, const char* what) {
  return py::module_::import("odoosync.values").attr("_decimal_text")(v, what).cast<std::string>();
}

py::object decimal_or_none(const std::optional<std::string>& text) {
  if (!text) return py::none();
  return py::module_::import("decimal").attr("Decimal")(*text);
}

ce::ShopifyEmulator::FaultKind shopify_fault(const std::string& kind) {
  using K = ce::ShopifyEmulator::FaultKind;
  if (kind == "http_error") return K::http_error;
  if (kind == "throttled") return K::throttled;
  if (kind == "reset") return K::reset;
  if (kind == "reset_after_apply") return K::reset_after_apply;
  if (kind == "user_error") return K::user_error;
  if (kind == "unauthorized") return K::unauthorized;
  raise(os::Error::validation("ShopifyEmulator.inject: unknown fault kind '" + kind +
                              "' (http_error, throttled, reset, reset_after_apply, user_error, unauthorized)"));
}

ce::WooCommerceEmulator::FaultKind woo_fault(const std::string& kind) {
  using K = ce::WooCommerceEmulator::FaultKind;
  if (kind == "status") return K::status;
  if (kind == "too_many_requests") return K::too_many_requests;
  if (kind == "reset") return K::reset;
  if (kind == "item_error") return K::item_error;
  raise(os::Error::validation("WooCommerceEmulator.inject: unknown fault kind '" + kind +
                              "' (status, too_many_requests, reset, item_error)"));
}

}  // namespace

void bind_channel_emulators(py::module_& m) {
  using Shopify = ce::ShopifyEmulator;
  py::class_<Shopify>(m, "ShopifyEmulator", R"(A loopback fake of one Shopify shop's Admin GraphQL API, for push tests
(docs/push/shopify.md): variants with SKUs and prices, locations, available quantities, orders to fulfil;
checks X-Shopify-Access-Token, charges Shopify's query costs against a leaky bucket (THROTTLED when it
cannot hold them), enforces compare quantities and idempotency keys, injects faults.

    with odoosync.ShopifyEmulator() as shop:
        loc = shop.add_location("Main")
        shop.add_variant("SKU-1", "12.50")
        shop.set_available("SKU-1", loc, 5)
        client = odoosync.channel_client("shopify", shop.url, secrets={"access_token": lambda: "shpat_emulator"}))")
      .def(py::init([](const std::string& access_token, const std::string& currency, double maximum_available,
                       double restore_rate, double max_query_cost) {
             Shopify::Options o;
             o.access_token = access_token;
             o.currency = currency;
             o.maximum_available = maximum_available;
             o.restore_rate = restore_rate;
             o.max_query_cost = max_query_cost;
             return take(nogil([&] { return Shopify::start(o); }));
           }),
           py::kw_only(), py::arg("access_token") = "shpat_emulator", py::arg("currency") = "EUR",
           py::arg("maximum_available") = 1000.0, py::arg("restore_rate") = 100.0, py::arg("max_query_cost") = 1000.0,
           "Starts listening on 127.0.0.1 (a free port). The bucket defaults to Shopify's standard plan: 1000 "
           "points restoring at 100 per second.")
      .def_property_readonly("url", &Shopify::url, "http://127.0.0.1:<port>: the client's base URL.")
      .def(
          "add_location", [](Shopify& s, std::string name) { return s.add_location(std::move(name)); }, py::arg("name"),
          "add_location(name) -> the location's numeric id (gid://shopify/Location/<id>).")
      .def(
          "add_variant",
          [](Shopify& s, std::string sku, const py::object& price, std::string product_key) {
            auto ids =
                s.add_variant(std::move(sku), price_text(price, "ShopifyEmulator.add_variant"), std::move(product_key));
            py::dict d;
            d["product"] = ids.product;
            d["variant"] = ids.variant;
            d["inventory_item"] = ids.inventory_item;
            return d;
          },
          py::arg("sku"), py::arg("price"), py::arg("product_key") = "",
          "add_variant(sku, price, product_key='') -> {'product', 'variant', 'inventory_item'}: numeric ids. "
          "price: Decimal, str or int. Variants with the same product_key share a product.")
      .def("set_available", &Shopify::set_available, py::arg("sku"), py::arg("location"), py::arg("available"),
           "Stocks the SKU at the location with this available quantity; False when no variant has the SKU.")
      .def("available", &Shopify::available, py::arg("sku"), py::arg("location"),
           "The available quantity at the location, None when not stocked there.")
      .def("sell", &Shopify::sell, py::arg("sku"), py::arg("location"), py::arg("quantity"),
           "A sale in the shop: available goes down by quantity. False when not stocked there.")
      .def(
          "price", [](const Shopify& s, const std::string& sku) { return decimal_or_none(s.price(sku)); },
          py::arg("sku"), "The variant's price as a Decimal, None for an unknown SKU.")
      .def("add_order", &Shopify::add_order, py::arg("lines"),
           "add_order([(sku, quantity), ...]) -> the order's numeric id, with one open fulfillment order.")
      .def(
          "fulfillments",
          [](const Shopify& s, std::int64_t order) {
            py::list out;
            for (const auto& f : s.fulfillments(order)) {
              py::dict d;
              d["id"] = f.id;
              d["company"] = f.company;
              d["number"] = f.number;
              d["url"] = f.url;
              d["notify_customer"] = f.notify_customer;
              d["lines"] = f.lines;
              out.append(d);
            }
            return out;
          },
          py::arg("order"), "The order's fulfillments: {'id', 'company', 'number', 'url', 'notify_customer', 'lines'}.")
      .def("set_access_token", &Shopify::set_access_token, py::arg("token"),
           "A rotation: the old token is refused from now on.")
      .def(
          "inject",
          [](Shopify& s, const std::string& kind, int times, int status, std::string sku, std::string operation) {
            s.inject(Shopify::Fault{shopify_fault(kind), times, status, std::move(sku), std::move(operation)});
          },
          py::arg("kind"), py::kw_only(), py::arg("times") = 1, py::arg("status") = 503, py::arg("sku") = "",
          py::arg("operation") = "",
          "inject(kind, times=1, status=503, sku='', operation=''): the next `times` matching requests fail. "
          "kind: http_error, throttled, reset, reset_after_apply, user_error (a userError for `sku`), "
          "unauthorized. operation: a root field ('inventorySetQuantities', 'productVariantsBulkUpdate', ...) "
          "or '' for any.")
      .def(
          "stats",
          [](const Shopify& s) {
            auto st = s.stats();
            py::dict d;
            d["requests"] = st.requests;
            d["throttled"] = st.throttled;
            d["unauthorized"] = st.unauthorized;
            d["faults_injected"] = st.faults_injected;
            d["faults_consumed"] = st.faults_consumed;
            d["points_charged"] = st.points_charged;
            d["quantities_set"] = st.quantities_set;
            d["idempotent_replays"] = st.idempotent_replays;
            d["operations"] = st.operations;
            return d;
          },
          "Counters: requests, throttled, unauthorized, faults, points_charged, quantities_set, "
          "idempotent_replays, operations (the root field of each request served).")
      .def(
          "stop", [](Shopify& s) { nogil([&] { s.stop(); }); }, "Stops listening; idempotent.")
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__", [](Shopify& s, const py::args&) {
        nogil([&] { s.stop(); });
        return false;
      });

  using Woo = ce::WooCommerceEmulator;
  py::class_<Woo>(m, "WooCommerceEmulator", R"(A loopback fake of the WooCommerce REST API v3 for push tests
(docs/push/woocommerce.md): products and variations with stock and regular prices, orders with notes;
HTTP Basic auth with a ck_/cs_ key pair, the 100-object batch limit, an optional request rate answered
with 429, injected faults. The client needs settings={"allow_insecure_loopback": True} (plain HTTP).)")
      .def(py::init([](const std::string& consumer_key, const std::string& consumer_secret, const std::string& currency,
                       double requests_per_second, double burst) {
             Woo::Options o;
             o.consumer_key = consumer_key;
             o.consumer_secret = consumer_secret;
             o.currency = currency;
             o.requests_per_second = requests_per_second;
             o.burst = burst;
             return take(nogil([&] { return Woo::start(o); }));
           }),
           py::kw_only(), py::arg("consumer_key") = "ck_emulator", py::arg("consumer_secret") = "cs_emulator",
           py::arg("currency") = "EUR", py::arg("requests_per_second") = 0.0, py::arg("burst") = 1.0,
           "Starts listening on 127.0.0.1 (a free port); requests_per_second 0: no limit, as WooCommerce core.")
      .def_property_readonly("url", &Woo::url, "http://127.0.0.1:<port>")
      .def_property_readonly("base_url", &Woo::base_url, "url + '/wp-json/wc/v3': the client's base URL.")
      .def(
          "seed_product",
          [](Woo& w, const std::string& sku, std::optional<std::int64_t> stock, const py::object& price) {
            return w.seed_product(sku, stock, price_text(price, "WooCommerceEmulator.seed_product"));
          },
          py::arg("sku"), py::arg("stock"), py::arg("price"),
          "seed_product(sku, stock, price) -> the product's id. stock None: WooCommerce does not manage it.")
      .def("seed_order", &Woo::seed_order, py::arg("status") = "processing", "seed_order(status) -> the order's id.")
      .def("simulate_sale", &Woo::simulate_sale, py::arg("sku"), py::arg("quantity"),
           "A sale in the shop: the stock goes down by quantity. False for an unknown SKU.")
      .def("stock", &Woo::stock, py::arg("sku"), "The stock quantity; None for an unknown or unmanaged SKU.")
      .def(
          "regular_price", [](const Woo& w, const std::string& sku) { return decimal_or_none(w.regular_price(sku)); },
          py::arg("sku"), "The regular price as a Decimal, None for an unknown SKU.")
      .def("order_status", &Woo::order_status, py::arg("order"))
      .def(
          "order_notes",
          [](const Woo& w, std::int64_t order) {
            py::list out;
            for (const auto& n : w.order_notes(order)) {
              py::dict d;
              d["note"] = n.note;
              d["customer_note"] = n.customer_note;
              out.append(d);
            }
            return out;
          },
          py::arg("order"), "The order's notes: {'note', 'customer_note'}.")
      .def(
          "inject",
          [](Woo& w, const std::string& kind, int times, int status, double retry_after, std::string sku,
             std::string code, int item_status, std::string path_contains) {
            Woo::Fault f;
            f.kind = woo_fault(kind);
            f.times = times;
            f.status = status;
            f.retry_after = std::chrono::seconds{static_cast<std::int64_t>(retry_after)};
            f.sku = std::move(sku);
            f.code = std::move(code);
            f.item_status = item_status;
            f.path_contains = std::move(path_contains);
            w.inject(std::move(f));
          },
          py::arg("kind"), py::kw_only(), py::arg("times") = 1, py::arg("status") = 503, py::arg("retry_after") = 1.0,
          py::arg("sku") = "", py::arg("code") = "woocommerce_rest_invalid_stock", py::arg("item_status") = 400,
          py::arg("path_contains") = "",
          "inject(kind, times=1, ...): kind status (the answer `status`), too_many_requests (429, Retry-After), "
          "reset, item_error (the batch item with `sku` fails with `code` and `item_status`).")
      .def_property_readonly("requests", &Woo::requests, "Requests that reached the handler.")
      .def_property_readonly("refused_429", &Woo::refused_429, "Answered 429 by the rate limit.")
      .def(
          "stop", [](Woo& w) { nogil([&] { w.stop(); }); }, "Stops listening; idempotent.")
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__", [](Woo& w, const py::args&) {
        nogil([&] { w.stop(); });
        return false;
      });
}

}  // namespace binding
