#include <doctest/doctest.h>

#include <odoosync/core/json.hpp>
#include <odoosync/retail/events.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace odoosync;
using namespace odoosync::retail;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".json") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

const fs::path events_dir = fs::path(ODOOSYNC_TEST_DATA_DIR) / "events";

Timestamp at(const char* t) { return Timestamp::parse(t).value(); }
Money eur(const char* a) { return Money::parse(a, "EUR").value(); }

}  // namespace

TEST_CASE("Every valid example decodes, and encode/decode round-trips exactly") {
  const auto files = files_in(events_dir / "valid");
  REQUIRE(files.size() >= 28);
  std::vector<std::string_view> seen;
  for (const auto& f : files) {
    CAPTURE(f.filename().string());
    auto ev = decode_event(read_file(f));
    REQUIRE_MESSAGE(ev, ev.error().message());
    seen.push_back(ev.value().type());
    const std::string text = encode_event(ev.value());
    auto again = decode_event(text);
    REQUIRE_MESSAGE(again, again.error().message());
    CHECK(again.value() == ev.value());
    CHECK(encode_event(again.value()) == text);  // the canonical form is a fixed point
  }
  for (auto type : event_types()) {
    CAPTURE(type);
    CHECK(std::count(seen.begin(), seen.end(), type) >= 2);
  }
}

TEST_CASE("Every malformed event in the catalogue fails with its exact error") {
  const auto files = files_in(events_dir / "invalid");
  REQUIRE(files.size() >= 50);
  for (const auto& f : files) {
    CAPTURE(f.filename().string());
    auto doc = json::parse(read_file(f));
    REQUIRE(doc);
    const auto& d = doc.value();
    std::string input;
    if (const auto* e = json::find(d, "event"))
      input = json::to_string(*e);
    else if (const auto* t = json::find(d, "text"))
      input = std::string(json::text(*t));
    else
      FAIL("catalogue entry has neither event nor text");
    auto ev = decode_event(input);
    CHECK(!ev);
    if (ev) continue;
    CHECK(ev.error().kind() == ErrorKind::validation);
    if (const auto* exact = json::find(d, "error")) {
      CHECK(ev.error().message() == json::text(*exact));
    } else {
      const auto* prefix = json::find(d, "error_prefix");
      REQUIRE(prefix);
      CHECK(ev.error().message().rfind(std::string(json::text(*prefix)), 0) == 0);
    }
  }
}

TEST_CASE("make_event validates data built in code and derives the subject") {
  StockAdjusted s{
      .sku = {"SKU-1"}, .location = {"WH/Stock"}, .delta = Quantity::units(-2), .counted = {}, .reason = "sale"};
  auto ev = make_event(s, {.source = "pos/store-12", .id = "evt-1", .time = at("2026-12-01T10:00:00Z"), .sequence = 7});
  REQUIRE_MESSAGE(ev, ev.error().message());
  CHECK(ev.value().subject == "sku/SKU-1@WH/Stock");
  CHECK(ev.value().type() == "retail.stock.adjusted");
  CHECK(ev.value().sequence == 7);
  CHECK(std::get<StockAdjusted>(ev.value().data) == s);
  CHECK(encode_event(ev.value()) ==
        R"({"specversion":"1.0","id":"evt-1","source":"pos/store-12","type":"retail.stock.adjusted",)"
        R"("time":"2026-12-01T10:00:00Z","subject":"sku/SKU-1@WH/Stock","datacontenttype":"application/json",)"
        R"("dataschema":"https://odoosync.dev/schemas/retail.stock.adjusted.v1.json","sequence":"7",)"
        R"("data":{"sku":"SKU-1","location":"WH/Stock","delta":{"value":"-2","uom":"Units"},"reason":"sale"}})");

  s.counted = Quantity::units(5);  // both: refused, and nothing half-built comes back
  auto both = make_event(s, {.source = "pos/store-12", .id = "evt-2"});
  REQUIRE(!both);
  CHECK(both.error().message() == "/data: must have exactly one of \"delta\" or \"counted\"");

  auto no_id =
      make_event(StockAdjusted{.sku = {"A"}, .location = {"WH/Stock"}, .delta = Quantity::units(1)}, {.source = "x"});
  CHECK(no_id.error().message() == "/id: must not be empty");
  auto bad_utf8 =
      make_event(CustomerUpserted{{.ref = "C1", .name = "bad \xff name"}}, {.source = "web/shop", .id = "e"});
  REQUIRE(!bad_utf8);
  CHECK(bad_utf8.error().kind() == ErrorKind::validation);
}

TEST_CASE("Order totals must add up, in the order's currency") {
  const Currency c = Currency::of("EUR").value();
  Order o;
  o.number = "SO-1";
  o.channel = {"web/shop"};
  o.currency = c;
  o.ordered_at = at("2026-12-01T09:00:00Z");
  o.lines.push_back({.sku = {"A"},
                     .quantity = Quantity::parse("3").value(),
                     .unit_price = eur("9.99"),
                     .discount = eur("1.00"),
                     .tax = eur("5.50"),
                     .total = eur("28.97")});
  o.lines.push_back({.sku = {"B"},
                     .quantity = Quantity::parse("0.333").value(),
                     .unit_price = eur("10.00"),
                     .discount = {},
                     .tax = {},
                     .total = eur("3.33")});
  o.subtotal = eur("32.30");
  o.tax_total = eur("5.50");
  o.total = eur("37.80");
  auto ok = make_event(OrderCreated{o}, {.source = "web/shop", .id = "o1"});
  REQUIRE_MESSAGE(ok, ok.error().message());
  CHECK(ok.value().subject == "order/SO-1");

  Order wrong = o;
  wrong.lines[1].total = eur("3.34");
  CHECK(make_event(OrderCreated{wrong}, {.source = "web/shop", .id = "o1"}).error().message() ==
        "/data/lines/1/total/amount: must be 3.33 (quantity × unit_price − discount), not 3.34");
  wrong = o;
  wrong.total = eur("37.81");
  CHECK(make_event(OrderCreated{wrong}, {.source = "web/shop", .id = "o1"}).error().message() ==
        "/data/total/amount: must be 37.80 (subtotal + tax_total), not 37.81");
  wrong = o;
  wrong.lines[0].tax = Money::parse("5.50", "USD").value();
  CHECK(make_event(OrderCreated{wrong}, {.source = "web/shop", .id = "o1"}).error().message() ==
        "/data/lines/0/tax/currency: must be EUR like the order");
  wrong = o;
  wrong.lines[0].discount = eur("30.00");
  CHECK(make_event(OrderCreated{wrong}, {.source = "web/shop", .id = "o1"}).error().message() ==
        "/data/lines/0/discount/amount: must not exceed quantity × unit_price (29.97)");
}

TEST_CASE("Envelope rules: versions, extensions, subject, sequence, duplicates, limits") {
  const std::string base_data = R"("data":{"sku":"A","location":"WH/Stock","delta":{"value":"1","uom":"Units"}})";
  const auto ev = [&](const std::string& extra) {
    return R"({"specversion":"1.0","id":"e1","source":"pos/s1","type":"retail.stock.adjusted","time":"2026-12-01T10:00:00Z",)" +
           extra + base_data + "}";
  };
  CHECK(decode_event(ev("")));
  CHECK(decode_event(ev(R"("dataschema":"https://odoosync.dev/schemas/retail.stock.adjusted.v2.json",)"))
            .error()
            .message() == "/dataschema: version 2 of retail.stock.adjusted is not supported (this build knows v1)");
  CHECK(decode_event(ev(R"("dataschema":"https://example.com/x.json",)")).error().message() ==
        "/dataschema: must be https://odoosync.dev/schemas/retail.stock.adjusted.v<N>.json");
  auto with_ext = decode_event(ev(R"("tenant":"acme","priority":3,"replay":false,)"));
  REQUIRE(with_ext);
  REQUIRE(with_ext.value().extensions.size() == 3);
  CHECK(with_ext.value().extensions[1].json == "3");
  CHECK(encode_event(with_ext.value()).find(R"("tenant":"acme","priority":3,"replay":false)") != std::string::npos);
  CHECK(decode_event(ev(R"("Tenant":"acme",)")).error().message() ==
        "/Tenant: not a CloudEvents attribute name (1-20 lowercase letters or digits)");
  CHECK(decode_event(ev(R"("tenant":{"a":1},)")).error().message() ==
        "/tenant: extension attributes must be strings, integers or booleans");
  CHECK(decode_event(ev(R"("subject":"sku/B@WH/Stock",)")).error().message() ==
        "/subject: must be \"sku/A@WH/Stock\" for this event");
  CHECK(decode_event(ev(R"("sequence":"007",)")).error().message() ==
        "/sequence: must be a decimal integer string such as \"42\"");
  CHECK(decode_event(ev(R"("sequence":42,)")).error().message() == "/sequence: must be a string");
  CHECK(decode_event(ev(R"("sequence":"9223372036854775807",)")).value().sequence == INT64_MAX);
  CHECK(!decode_event(ev(R"("sequence":"9223372036854775808",)")));
  CHECK(decode_event(ev(R"("id":"again",)")).error().message() == "/id: duplicate member");
  CHECK(decode_event(R"({"specversion":"1.0","data":{"a":1,"a":2}})").error().message() == "/data/a: duplicate member");
  CHECK(decode_event("[]").error().message() == "(event): must be an object");
  CHECK(decode_event("{").error().message().rfind("(event): not JSON: ", 0) == 0);
  CHECK(decode_event(std::string(2 << 20, ' ')).error().message().rfind("(event): not JSON: ", 0) == 0);
  std::string deep(100, '[');
  CHECK(decode_event(deep).error().message().rfind("(event): not JSON: ", 0) == 0);
  // Members of data the type does not define are ignored (additive changes stay compatible).
  auto extra = decode_event(ev("").replace(ev("").find(R"("sku")"), 0, R"("new_field":[1,2],)"));
  REQUIRE_MESSAGE(extra, extra.error().message());
}

TEST_CASE("decode_event: texts its fast parser leaves to json::parse, and a decode inside a decode") {
  const auto stock = [](const std::string& reason) {
    return R"({"specversion":"1.0","id":"e1","source":"pos/1","type":"retail.stock.adjusted",)"
           R"("time":"2026-12-01T10:15:00Z","data":{"sku":"A","location":"WH/Stock",)"
           R"("delta":{"value":"-1","uom":"Units"},"reason":")" +
           reason + R"("}})";
  };
  // Non-ASCII text, raw or escaped, decodes the same either way.
  auto raw = decode_event(stock("café"));
  auto escaped = decode_event(stock("caf\\u00e9"));
  REQUIRE_MESSAGE(raw, raw.error().message());
  REQUIRE_MESSAGE(escaped, escaped.error().message());
  CHECK(raw.value() == escaped.value());
  // A lone surrogate escape, invalid UTF-8 and a NUL byte are refused with json::parse's own words.
  CHECK(decode_event(stock("\\udc00")).error().message() ==
        "(event): not JSON: invalid UTF-16 surrogate escape in JSON string");
  CHECK(decode_event(stock("caf\xC3")).error().message().rfind("(event): not JSON: invalid UTF-8", 0) == 0);
  CHECK(decode_event(stock("x") + std::string(1, '\0') + "{}")
            .error()
            .message()
            .rfind("(event): not JSON: invalid JSON at byte", 0) == 0);
  // A host's subject rule that decodes an event itself, while the outer one is being decoded.
  CustomType host;
  host.type = "acme.thing.happened";
  host.subject = [&](std::string_view data) -> result<std::string> {
    auto inner = decode_event(stock("inner"));
    if (!inner) return inner.error();
    return "thing/" + inner.value().subject + "/" + std::to_string(data.size());
  };
  const std::string outer = R"({"specversion":"1.0","id":"h1","source":"pos/1","type":"acme.thing.happened",)"
                            R"("time":"2026-12-01T10:15:00Z","data":{"n":1}})";
  auto ev = decode_event(outer, std::span<const CustomType>(&host, 1));
  REQUIRE_MESSAGE(ev, ev.error().message());
  CHECK(ev.value().subject == "thing/sku/A@WH/Stock/7");
  CHECK(ev.value().id == "h1");
  // and the thread's parser is usable again afterwards
  auto after = decode_event(stock("after"));
  REQUIRE_MESSAGE(after, after.error().message());
  CHECK(std::get<StockAdjusted>(after.value().data).reason == "after");
}

TEST_CASE("retail.shipment.tracked: decode, encode, make_event, status list and subject") {
  ShipmentTracked t;
  t.tracking_number = "1Z999AA10123456784";
  t.carrier = "UPS";
  t.status = "out_for_delivery";
  t.at = at("2026-12-04T07:30:00+01:00");
  t.order_number = "WEB-2026-004711";
  t.detail = "Out for delivery, Köln";
  auto ev = make_event(t, {.source = "carrier/easypost", .id = "trk-9", .time = at("2026-12-04T06:31:00Z")});
  REQUIRE_MESSAGE(ev, ev.error().message());
  CHECK(ev.value().type() == "retail.shipment.tracked");
  CHECK(ev.value().subject == "tracking/1Z999AA10123456784");
  CHECK(std::get<ShipmentTracked>(ev.value().data) == t);
  const std::string text = encode_event(ev.value());
  CHECK(
      text.find(R"("data":{"tracking_number":"1Z999AA10123456784","carrier":"UPS","status":"out_for_delivery",)"
                R"("at":"2026-12-04T06:30:00Z","order_number":"WEB-2026-004711","detail":"Out for delivery, Köln"})") !=
      std::string::npos);
  auto back = decode_event(text);
  REQUIRE_MESSAGE(back, back.error().message());
  CHECK(back.value() == ev.value());

  // Only the required members: the optional ones stay absent and are not written.
  ShipmentTracked bare;
  bare.tracking_number = "9400110898825022579493";
  bare.status = "pre_transit";
  bare.at = at("2026-12-03T08:10:41Z");
  auto minimal = make_event(bare, {.source = "carrier/shippo", .id = "trk-10"});
  REQUIRE_MESSAGE(minimal, minimal.error().message());
  const std::string small = encode_event(minimal.value());
  CHECK(small.find(R"("carrier")") == std::string::npos);
  CHECK(small.find(R"("order_number")") == std::string::npos);
  CHECK(small.find(R"("detail")") == std::string::npos);
  CHECK(small.find(R"("status":"pre_transit","at":"2026-12-03T08:10:41Z"})") != std::string::npos);

  // Every listed status is taken, and nothing else.
  REQUIRE(shipment_statuses().size() == 9);
  for (auto s : shipment_statuses()) {
    CAPTURE(s);
    ShipmentTracked x = bare;
    x.status = std::string(s);
    CHECK(make_event(x, {.source = "carrier/shippo", .id = "s"}));
  }
  for (const char* s : {"lost", "Delivered", "delivered ", "", "DELIVERED", "in-transit"}) {
    CAPTURE(s);
    ShipmentTracked x = bare;
    x.status = s;
    auto refused = make_event(x, {.source = "carrier/shippo", .id = "s"});
    REQUIRE(!refused);
    CHECK(refused.error().kind() == ErrorKind::validation);
    CHECK(refused.error().message() ==
          "/data/status: must be one of pre_transit, in_transit, out_for_delivery, delivered, available_for_pickup, "
          "returned, failure, cancelled, unknown");
  }
  ShipmentTracked spaced = bare;
  spaced.tracking_number = " 94001";
  auto edge = make_event(spaced, {.source = "carrier/shippo", .id = "s"});
  REQUIRE(!edge);
  CHECK(edge.error().message() == "/data/tracking_number: must not start or end with a space");
  ShipmentTracked nameless = bare;
  nameless.order_number = "";
  auto empty = make_event(nameless, {.source = "carrier/shippo", .id = "s"});
  REQUIRE(!empty);
  CHECK(empty.error().message() == "/data/order_number: must not be empty");

  // The type sits right after retail.shipment.dispatched in the table (the order of EventData).
  const auto& types = event_types();
  auto it = std::find(types.begin(), types.end(), std::string_view("retail.shipment.dispatched"));
  REQUIRE(it != types.end());
  REQUIRE(it + 1 != types.end());
  CHECK(*(it + 1) == "retail.shipment.tracked");
  CHECK(types.size() == std::variant_size_v<EventData> - 1);
}
