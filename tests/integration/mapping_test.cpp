// Each retail event's Odoo effect, applied to the emulator in 18 and 19 mode through the real Client:
// the effect lands, its probe then says applied, applying it again changes nothing, and a reset after
// Odoo committed is recovered by probing (partial → finish, applied → skip).
#include <doctest/doctest.h>

#include <algorithm>
#include <exception>

#include <canary.hpp>

#include "test_odoo.hpp"

#include <odoosync/http/curl_transport.hpp>
#include <odoosync/http/fake_transport.hpp>
#include <odoosync/odoo/client.hpp>
#include <odoosync/core/json.hpp>
#include <odoosync/retail/odoo_mapping.hpp>

using namespace odoosync;
using namespace odoosync::retail;
using odoo::field;

namespace {

// "model.method" from the emulator's call log, as the operation Odoo checks rights for.
void check_access_table(const std::string& log_json) {
  auto log = json::parse(log_json);
  REQUIRE(log);
  const auto needed = odoo_access_needed();
  for (const auto& entry : log.value().GetArray()) {
    const std::string call(json::text(entry));
    const auto dot = call.rfind('.');
    const std::string model = call.substr(0, dot), method = call.substr(dot + 1);
    char op = 'r';
    if (method == "create" || method == "copy")
      op = 'c';
    else if (method == "write" || method.rfind("action_", 0) == 0 || method.rfind("button_", 0) == 0)
      op = 'w';
    else if (method == "unlink")
      op = 'u';
    else if (method == "load")
      op = 'c';  // and write: load updates the records it finds by external id
    auto it = std::find_if(needed.begin(), needed.end(), [&](const ModelAccess& a) { return a.model == model; });
    const bool covered = it != needed.end() && (op == 'r'   ? it->read
                                                : op == 'w' ? it->write
                                                : op == 'c' ? it->create && (method != "load" || it->write)
                                                            : it->unlink);
    CHECK_MESSAGE(covered, "odoo_access_needed() does not cover " << call);
  }
}

// On the shared fixture (tests/support/test_odoo.hpp), with the default client.
struct Odoo : odoosync::testing::TestOdoo {
  MappingOptions options;
  std::unique_ptr<Resolver> resolver;
  int seq = 0;
  bool check_access = true;  // off where the test itself calls models the effects never touch

  explicit Odoo(int v, std::vector<std::string> modules = {})
      : TestOdoo(v, 0, odoosync::testing::ClientKind::plain, std::move(modules)) {
    options.odoo_major = client->version().value().major;
    resolver = std::make_unique<Resolver>(*client, options);
  }
  // Every call the effects made is covered by the rights odoo_access_needed() says they need (what
  // `odoosync doctor` checks an integration user against).
  ~Odoo() {
    if (check_access && std::uncaught_exceptions() == 0) check_access_table(control("log"));
  }

  Event event(EventData data) {
    auto e = make_event(std::move(data), {.source = "pos/store-1", .id = "e" + std::to_string(++seq)});
    REQUIRE_MESSAGE(e, e.error().message());
    return std::move(e).value();
  }

  std::unique_ptr<OdooEffect> effect(const std::vector<Event>& events, std::string token = {}) {
    std::vector<const Event*> ptrs;
    for (const auto& e : events) ptrs.push_back(&e);
    auto eff = map_to_odoo(ptrs, options, std::move(token));
    REQUIRE_MESSAGE(eff, eff.error().message());
    return std::move(eff).value();
  }

  // Applies, then checks the probe says applied and a second apply adds nothing.
  void apply_once(OdooEffect& eff) {
    auto before = eff.probe(*resolver);
    REQUIRE_MESSAGE(before, before.error().to_string());
    CHECK(before.value() != EffectState::applied);
    auto done = eff.apply(*resolver, before.value());
    REQUIRE_MESSAGE(done, done.error().to_string());
    auto after = eff.probe(*resolver);
    REQUIRE_MESSAGE(after, after.error().to_string());
    CHECK(after.value() == EffectState::applied);
  }

  double on_hand(const char* sku, const char* location) {
    auto p = resolver->product(Sku{sku});
    REQUIRE(p);
    auto l = resolver->location(LocationRef{location});
    REQUIRE(l);
    auto q = client->search_read("stock.quant", field("product_id") == p.value() && field("location_id") == l.value(),
                                 {"quantity"});
    REQUIRE(q);
    double sum = 0;
    for (const auto& r : q.value().GetArray()) sum += r["quantity"].GetDouble();
    return sum;
  }
  std::int64_t count(const char* model, const odoo::Domain& d) { return client->search_count(model, d).value(); }
};

Money eur(const char* a) { return Money::parse(a, "EUR").value(); }
Quantity qty(const char* v) { return Quantity::parse(v).value(); }
Timestamp at(const char* t) { return Timestamp::parse(t).value(); }

ProductUpserted product(const char* sku, const char* name, const char* price) {
  ProductUpserted p;
  p.product.sku = {sku};
  p.product.name = name;
  p.product.list_price = eur(price);
  return p;
}

OrderCreated order(const char* number, const char* customer, const char* sku, const char* quantity, const char* unit) {
  OrderCreated o;
  o.order.number = number;
  o.order.channel = {"pos/store-1"};
  if (customer) o.order.customer = customer;
  o.order.currency = Currency::of("EUR").value();
  o.order.ordered_at = at("2026-12-01T09:30:00Z");
  OrderLine l;
  l.sku = {sku};
  l.quantity = qty(quantity);
  l.unit_price = eur(unit);
  l.total = extend(l.quantity, l.unit_price).value();
  o.order.lines.push_back(l);
  o.order.subtotal = l.total;
  o.order.tax_total = eur("0");
  o.order.total = l.total;
  return o;
}

}  // namespace

TEST_CASE("mapping: products and customers upsert through load with external ids, once") {
  for (int version : {18, 19}) {
    CAPTURE(version);
    Odoo odoo(version);
    // FURN_7777 exists in the demo data without our external id: it is adopted, not duplicated.
    std::vector<Event> evs = {
        odoo.event(product("SKU-NEW-1", "Blue Mug", "4.50")),
        odoo.event(product("FURN_7777", "Office Chair (POS)", "99.00")),
        odoo.event(product("SKU-NEW-1", "Blue Mug 350ml", "4.90"))};  // the last upsert of a SKU wins
    auto eff = odoo.effect(evs);
    auto plan = eff->plan(*odoo.resolver);
    REQUIRE(plan);
    REQUIRE(plan.value().size() == 1);
    CHECK(plan.value()[0].method == "load");
    CHECK(plan.value()[0].payload.find("odoosync.product_SKU-NEW-1") != std::string::npos);
    odoo.apply_once(*eff);
    REQUIRE(eff->apply(*odoo.resolver, EffectState::absent));  // a blind repeat is still one product each
    CHECK(odoo.count("product.product", field("default_code") == "SKU-NEW-1") == 1);
    CHECK(odoo.count("product.product", field("default_code") == "FURN_7777") == 1);
    auto mug =
        odoo.client->search_read("product.product", field("default_code") == "SKU-NEW-1", {"name", "list_price"});
    REQUIRE(mug);
    CHECK(std::string(mug.value()[0]["name"].GetString()) == "Blue Mug 350ml");
    CHECK(mug.value()[0]["list_price"].GetDouble() == doctest::Approx(4.90));
    auto chair = odoo.client->search_read("product.product", field("default_code") == "FURN_7777", {"id", "name"});
    CHECK(chair.value()[0]["id"].GetInt64() == 5);  // the demo record itself
    CHECK(std::string(chair.value()[0]["name"].GetString()) == "Office Chair (POS)");

    // A price change is a load of list_price on the same external id.
    PriceChanged pc;
    pc.price = {.sku = {"FURN_7777"}, .list_price = eur("89.00"), .effective_at = {}};
    auto price = odoo.effect({odoo.event(pc)});
    odoo.apply_once(*price);
    CHECK(odoo.client->read("product.product", {5}, {"list_price"}).value()[0]["list_price"].GetDouble() ==
          doctest::Approx(89.0));

    CustomerUpserted cu;
    cu.customer = {.ref = "C-1",
                   .name = "Ada Lovelace",
                   .email = "ada@example.com",
                   .phone = {},
                   .is_company = false,
                   .street = "1 Analytical St",
                   .city = "London",
                   .zip = {},
                   .country_code = {},
                   .vat = {}};
    auto cust = odoo.effect({odoo.event(cu)});
    odoo.apply_once(*cust);
    CHECK(odoo.count("res.partner", field("ref") == "C-1") == 1);
    CHECK(odoo.resolver->partner("C-1").value() > 0);

    // An unknown SKU is a permanent error naming it.
    auto bad =
        odoo.effect({odoo.event(PriceChanged{{.sku = {"NOPE"}, .list_price = eur("1.00"), .effective_at = {}}})});
    (void)bad;
    auto unknown = odoo.resolver->product(Sku{"NOPE"});
    REQUIRE(!unknown);
    CHECK(unknown.error().kind() == ErrorKind::not_found);
    CHECK(unknown.error().message().find("\"NOPE\"") != std::string::npos);
  }
}

TEST_CASE("mapping: stock deltas coalesce per subject and land as validated transfers, counts are absolute") {
  for (int version : {18, 19}) {
    CAPTURE(version);
    Odoo odoo(version);
    const double a0 = odoo.on_hand("FURN_7777", "WH/Stock"), b0 = odoo.on_hand("FURN_8888", "WH/Stock");
    std::vector<Event> evs;
    for (const char* d : {"5", "-2", "1"}) {
      evs.push_back(odoo.event(
          StockAdjusted{.sku = {"FURN_7777"}, .location = {"WH/Stock"}, .delta = qty(d), .counted = {}, .reason = {}}));
    }
    evs.push_back(odoo.event(StockAdjusted{
        .sku = {"FURN_8888"}, .location = {"WH/Stock"}, .delta = qty("-1.5"), .counted = {}, .reason = {}}));
    evs.push_back(odoo.event(
        StockAdjusted{.sku = {"FURN_9999"}, .location = {"WH/Stock"}, .delta = qty("2"), .counted = {}, .reason = {}}));
    evs.push_back(odoo.event(StockAdjusted{
        .sku = {"FURN_9999"}, .location = {"WH/Stock"}, .delta = qty("-2"), .counted = {}, .reason = {}}));
    auto eff = odoo.effect(evs, "batch-1");
    CHECK(eff->token() == "odoosync:stock:batch-1");
    auto plan = eff->plan(*odoo.resolver);
    REQUIRE(plan);
    CHECK(plan.value()[0].method == "load");
    odoo.apply_once(*eff);
    CHECK(odoo.on_hand("FURN_7777", "WH/Stock") == doctest::Approx(a0 + 4));
    CHECK(odoo.on_hand("FURN_8888", "WH/Stock") == doctest::Approx(b0 - 1.5));
    // one transfer in, one out; FURN_9999's +2 −2 moved nothing
    CHECK(odoo.count("stock.picking", field("origin").eq_like("odoosync:stock:batch-1#%")) == 2);
    CHECK(odoo.count("stock.move", field("product_id") == odoo.resolver->product(Sku{"FURN_9999"}).value() &&
                                       field("origin").eq_like("odoosync:stock:batch-1#%")) == 0);
    REQUIRE(eff->apply(*odoo.resolver, eff->probe(*odoo.resolver).value()));  // probed: nothing more
    CHECK(odoo.on_hand("FURN_7777", "WH/Stock") == doctest::Approx(a0 + 4));

    auto count = odoo.effect({odoo.event(StockAdjusted{.sku = {"FURN_7777"},
                                                       .location = {"WH/Stock/Shelf 1"},
                                                       .delta = {},
                                                       .counted = qty("12"),
                                                       .reason = "stock take"})});
    odoo.apply_once(*count);
    CHECK(odoo.on_hand("FURN_7777", "WH/Stock/Shelf 1") == doctest::Approx(12));
    REQUIRE(count->apply(*odoo.resolver, EffectState::absent));  // absolute: a repeat leaves 12
    CHECK(odoo.on_hand("FURN_7777", "WH/Stock/Shelf 1") == doctest::Approx(12));
  }
}

TEST_CASE("mapping: a reset after Odoo committed the transfer is finished by probing, never doubled") {
  Odoo odoo(18);
  const double a0 = odoo.on_hand("FURN_7777", "WH/Stock");
  auto eff =
      odoo.effect({odoo.event(StockAdjusted{
                      .sku = {"FURN_7777"}, .location = {"WH/Stock"}, .delta = qty("3"), .counted = {}, .reason = {}})},
                  "b2");
  odoo.inject(R"({"kind": "reset_after", "model": "stock.picking", "method": "load", "times": 1})");
  auto first = eff->apply(*odoo.resolver);
  REQUIRE(!first);
  CHECK(first.error().outcome_unknown());
  auto state = eff->probe(*odoo.resolver);
  REQUIRE(state);
  CHECK(state.value() == EffectState::partial);  // created with its token, not validated
  REQUIRE(eff->apply(*odoo.resolver, state.value()));
  CHECK(odoo.on_hand("FURN_7777", "WH/Stock") == doctest::Approx(a0 + 3));
  CHECK(odoo.count("stock.picking", field("origin").eq_like("odoosync:stock:b2#%")) == 1);

  odoo.inject(R"({"kind": "reset_after", "model": "stock.picking", "method": "button_validate", "times": 1})");
  auto eff2 = odoo.effect(
      {odoo.event(StockAdjusted{
          .sku = {"FURN_7777"}, .location = {"WH/Stock"}, .delta = qty("-1"), .counted = {}, .reason = {}})},
      "b3");
  auto second = eff2->apply(*odoo.resolver);
  REQUIRE(!second);
  CHECK(second.error().outcome_unknown());
  CHECK(eff2->probe(*odoo.resolver).value() == EffectState::applied);  // the validation did commit
  CHECK(odoo.on_hand("FURN_7777", "WH/Stock") == doctest::Approx(a0 + 2));
}

TEST_CASE(
    "mapping: the life of an order - created and confirmed once, paid, shipped, invoiced, refunded, or cancelled") {
  for (int version : {18, 19}) {
    CAPTURE(version);
    Odoo odoo(version);
    CustomerUpserted cu;
    cu.customer.ref = "walk-in";
    cu.customer.name = "Walk-in customer";
    odoo.effect({odoo.event(cu)})->apply(*odoo.resolver).value();
    // enough stock for the delivery
    odoo.effect({odoo.event(StockAdjusted{
                    .sku = {"FURN_8888"}, .location = {"WH/Stock"}, .delta = {}, .counted = qty("10"), .reason = {}})})
        ->apply(*odoo.resolver)
        .value();

    auto created = odoo.effect({odoo.event(order("POS1-0001", nullptr, "FURN_8888", "2", "12.50")),
                                odoo.event(order("POS1-0002", nullptr, "FURN_8888", "1", "12.50"))});
    odoo.inject(R"({"kind": "reset_after", "model": "sale.order", "method": "load", "times": 1})");
    auto first = created->apply(*odoo.resolver);
    REQUIRE(!first);
    CHECK(first.error().outcome_unknown());
    CHECK(created->probe(*odoo.resolver).value() == EffectState::partial);
    REQUIRE(created->apply(*odoo.resolver, EffectState::partial));
    CHECK(created->probe(*odoo.resolver).value() == EffectState::applied);
    CHECK(odoo.count("sale.order", field("client_order_ref") == "POS1-0001") == 1);
    auto so = odoo.resolver->order("POS1-0001").value();
    CHECK(so.state == "sale");
    auto amounts = odoo.client->read("sale.order", {so.id}, {"amount_untaxed", "origin"}).value();
    CHECK(amounts[0]["amount_untaxed"].GetDouble() == doctest::Approx(25.0));
    CHECK(std::string(amounts[0]["origin"].GetString()) == "pos/store-1");

    PaymentCaptured pay;
    pay.payment = {.reference = "PAY-77",
                   .order_number = "POS1-0001",
                   .amount = eur("25.00"),
                   .method = "card",
                   .captured_at = at("2026-12-01T09:31:00Z"),
                   .provider = "stripe"};
    odoo.apply_once(*odoo.effect({odoo.event(pay)}));
    CHECK(odoo.count("account.payment", field("memo") == "PAY-77") == 1);

    ShipmentDispatched ship;
    ship.shipment = {.reference = "SHIP-1",
                     .order_number = "POS1-0001",
                     .dispatched_at = at("2026-12-01T15:00:00Z"),
                     .carrier = "DHL",
                     .tracking_number = "00340434161094042557",
                     .lines = {}};
    odoo.apply_once(*odoo.effect({odoo.event(ship)}));
    CHECK(odoo.on_hand("FURN_8888", "WH/Stock") ==
          doctest::Approx(8));  // 10 counted, 2 shipped (the other order is open)

    InvoicePosted inv;
    inv.invoice = {.number = "INV-2026-9",
                   .order_number = "POS1-0001",
                   .amount_total = eur("25.00"),
                   .amount_tax = {},
                   .posted_at = at("2026-12-02T08:00:00Z"),
                   .due_date = CalendarDate::parse("2026-12-31").value()};
    odoo.apply_once(*odoo.effect({odoo.event(inv)}));
    auto moves = odoo.client->search_read("account.move", field("ref") == "INV-2026-9", {"state", "move_type"}).value();
    REQUIRE(moves.Size() == 1);
    CHECK(std::string(moves[0]["move_type"].GetString()) == "out_invoice");

    RefundApproved rf;
    rf.refund = {.reference = "RF-1",
                 .order_number = "POS1-0001",
                 .amount = eur("12.50"),
                 .approved_at = at("2026-12-03T10:00:00Z"),
                 .lines = std::vector<RefundLine>{{.sku = {"FURN_8888"}, .quantity = qty("1"), .amount = eur("12.50")}},
                 .restock = false,
                 .reason = "damaged"};
    odoo.apply_once(*odoo.effect({odoo.event(rf)}));
    auto refunds = odoo.client->search_read("account.move", field("ref") == "RF-1", {"state", "move_type"}).value();
    REQUIRE(refunds.Size() == 1);
    CHECK(std::string(refunds[0]["move_type"].GetString()) == "out_refund");
    CHECK(std::string(refunds[0]["state"].GetString()) == "posted");

    odoo.apply_once(*odoo.effect({odoo.event(OrderCancelled{.number = "POS1-0002", .reason = "customer left"})}));
    CHECK(odoo.resolver->order("POS1-0002").value().state == "cancel");

    // An order event for an order Odoo does not have is a permanent, named error.
    auto ghost = odoo.effect({odoo.event(OrderCancelled{.number = "NOPE-1", .reason = {}})})->probe(*odoo.resolver);
    REQUIRE(!ghost);
    CHECK(ghost.error().kind() == ErrorKind::not_found);
  }
}

TEST_CASE("mapping: goods received and transfers are validated pickings keyed by origin, reservations touch nothing") {
  for (int version : {18, 19}) {
    CAPTURE(version);
    Odoo odoo(version);
    const double stock0 = odoo.on_hand("FURN_9999", "WH/Stock"), shelf0 = odoo.on_hand("FURN_9999", "WH/Stock/Shelf 2");
    GoodsReceived gr;
    gr.receipt = {.reference = "ASN-1",
                  .location = {"WH/Stock"},
                  .supplier = {},
                  .lines = {{.sku = {"FURN_9999"}, .quantity = qty("6")}},
                  .received_at = {}};
    odoo.apply_once(*odoo.effect({odoo.event(gr)}));
    CHECK(odoo.on_hand("FURN_9999", "WH/Stock") == doctest::Approx(stock0 + 6));
    TransferCompleted tr;
    tr.transfer = {.reference = "T-1",
                   .from = {"WH/Stock"},
                   .to = {"WH/Stock/Shelf 2"},
                   .lines = {{.sku = {"FURN_9999"}, .quantity = qty("4")}}};
    odoo.apply_once(*odoo.effect({odoo.event(tr)}));
    CHECK(odoo.on_hand("FURN_9999", "WH/Stock") == doctest::Approx(stock0 + 2));
    CHECK(odoo.on_hand("FURN_9999", "WH/Stock/Shelf 2") == doctest::Approx(shelf0 + 4));
    CHECK(odoo.count("stock.picking", field("origin") == "odoosync:receipt:ASN-1") == 1);

    auto res = odoo.effect({odoo.event(StockReserved{.sku = {"FURN_9999"},
                                                     .location = {"WH/Stock"},
                                                     .quantity = qty("1"),
                                                     .reservation = "R-1",
                                                     .order_number = {},
                                                     .expires_at = {}})});
    CHECK(res->plan(*odoo.resolver).value().empty());
    CHECK(res->probe(*odoo.resolver).value() == EffectState::applied);
  }
}

TEST_CASE("mapping: a shipment's tracking - the number on the delivery and one note per event in its chatter") {
  for (int version : {18, 19}) {
    for (bool delivery_module : {true, false}) {
      CAPTURE(version);
      CAPTURE(delivery_module);
      Odoo odoo(version, delivery_module ? std::vector<std::string>{"stock_delivery"} : std::vector<std::string>{});
      CHECK(odoo.resolver->has_field("stock.picking", "carrier_tracking_ref").value() == delivery_module);
      CustomerUpserted cu;
      cu.customer.ref = "walk-in";
      cu.customer.name = "Walk-in customer";
      odoo.effect({odoo.event(cu)})->apply(*odoo.resolver).value();
      odoo
          .effect({odoo.event(StockAdjusted{
              .sku = {"FURN_8888"}, .location = {"WH/Stock"}, .delta = {}, .counted = qty("10"), .reason = {}})})
          ->apply(*odoo.resolver)
          .value();
      odoo.effect({odoo.event(order("WEB-T1", nullptr, "FURN_8888", "1", "12.50"))})->apply(*odoo.resolver).value();
      ShipmentDispatched ship;
      ship.shipment = {.reference = "SHIP-T1",
                       .order_number = "WEB-T1",
                       .dispatched_at = at("2026-12-01T15:00:00Z"),
                       .carrier = {},
                       .tracking_number = {},
                       .lines = {}};
      odoo.apply_once(*odoo.effect({odoo.event(ship)}));
      const auto so = odoo.resolver->order("WEB-T1").value();
      auto out = odoo.client->search_read("stock.picking", field("sale_id") == so.id, {"state"}).value();
      REQUIRE(out.Size() == 1);
      const std::int64_t picking = out[0]["id"].GetInt64();
      const auto notes = [&](const std::string& text) {
        return odoo.count("mail.message",
                          field("model") == "stock.picking" && field("res_id") == picking && field("body").ilike(text));
      };

      ShipmentTracked t;
      t.tracking_number = "1Z999AA10123456784";
      t.carrier = "UPS";
      t.status = "in_transit";
      t.at = at("2026-12-02T08:10:41Z");
      t.order_number = "WEB-T1";
      t.detail = "Departed <facility> & on its way";
      const Event first = odoo.event(t);
      auto eff = odoo.effect({first});
      auto plan = eff->plan(*odoo.resolver).value();
      REQUIRE(plan.size() == (delivery_module ? 2u : 1u));
      CHECK(plan.back().model == "mail.message");
      CHECK(plan.back().method == "load");
      odoo.apply_once(*eff);
      CHECK(eff->probe_detail().find("note odoosync.tracking_" + eff->token()) != std::string::npos);
      CHECK(notes("1Z999AA10123456784") == 1);
      CHECK(notes("odoosync:tracking:" + eff->token()) == 1);
      auto msg = odoo.client
                     ->search_read("mail.message", field("model") == "stock.picking" && field("res_id") == picking,
                                   {"body", "message_type", "subtype_id"})
                     .value();
      REQUIRE(msg.Size() == 1);
      const std::string body = msg[0]["body"].GetString();
      CHECK(body.find("<b>In transit</b> at 2026-12-02 08:10:41 UTC") != std::string::npos);
      CHECK(body.find("(UPS)") != std::string::npos);
      CHECK(body.find("Departed &lt;facility&gt; &amp; on its way") !=
            std::string::npos);  // the carrier's words as text
      CHECK(std::string(msg[0]["message_type"].GetString()) == "comment");
      CHECK(msg[0]["subtype_id"][0].GetInt64() == 2);  // mail.mt_note
      if (delivery_module) {
        auto ref = odoo.client->read("stock.picking", {picking}, {"carrier_tracking_ref"}).value();
        CHECK(std::string(ref[0]["carrier_tracking_ref"].GetString()) == "1Z999AA10123456784");
      }
      // Applied again as if nothing had been found (a crash before the probe): the external id keeps it one note.
      REQUIRE(odoo.effect({first})->apply(*odoo.resolver, EffectState::absent));
      CHECK(notes("1Z999AA10123456784") == 1);

      // Delivered, with a reset after Odoo committed the note: the probe finds it, nothing is posted twice.
      t.status = "delivered";
      t.detail = "Delivered, front door";
      if (delivery_module) t.order_number.reset();  // found by the tracking number alone
      auto delivered = odoo.effect({odoo.event(t)});
      odoo.inject(R"({"kind": "reset_after", "model": "mail.message", "method": "load", "times": 1})");
      auto lost = delivered->apply(*odoo.resolver);
      REQUIRE(!lost);
      CHECK(lost.error().outcome_unknown());
      CHECK(delivered->probe(*odoo.resolver).value() == EffectState::applied);
      CHECK(notes("1Z999AA10123456784") == 2);
      CHECK(notes("Delivered, front door") == 1);

      // message_post as real 18/19 answer it (the mapping does not use it): an id in 18, a list of one in
      // 19, the body taken as text; one record only.
      if (delivery_module) {
        auto posted = odoo.client->call_named("stock.picking", "message_post", {picking},
                                              R"({"body": "a <b>x</b> & 'y'", "message_type": "comment",
                                                  "subtype_xmlid": "mail.mt_note"})");
        REQUIRE_MESSAGE(posted, posted.error().to_string());
        const std::int64_t mid = version >= 19 ? posted.value()[0].GetInt64() : posted.value().GetInt64();
        CHECK((version >= 19 ? posted.value().IsArray() && posted.value().Size() == 1 : posted.value().IsInt64()));
        auto m =
            odoo.client->read("mail.message", {mid}, {"body", "subtype_id", "model", "res_id", "author_id"}).value();
        CHECK(std::string(m[0]["body"].GetString()) == "<p>a &lt;b&gt;x&lt;/b&gt; &amp; &#39;y&#39;</p>");
        CHECK(m[0]["res_id"].GetInt64() == picking);
        CHECK(m[0]["subtype_id"][0].GetInt64() == 2);
        CHECK(m[0]["author_id"].IsArray());
        auto two = odoo.client->call_named("stock.picking", "message_post", {picking, picking + 1000000},
                                           R"({"body": "two"})");
        REQUIRE(!two);
        CHECK(two.error().message().find("Expected singleton") != std::string::npos);
        auto not_thread = odoo.client->call_named("stock.location", "message_post", {1}, R"({"body": "x"})");
        CHECK(!not_thread);
      }

      // No delivery to note it on: a permanent error naming the tracking number.
      ShipmentTracked stray;
      stray.tracking_number = "9400110898825022579493";
      stray.status = "pre_transit";
      stray.at = at("2026-12-02T09:00:00Z");
      auto none = odoo.effect({odoo.event(stray)})->apply(*odoo.resolver);
      REQUIRE(!none);
      CHECK(none.error().kind() == ErrorKind::not_found);
      CHECK(none.error().message().find("9400110898825022579493") != std::string::npos);
      stray.order_number = "NOPE-7";
      auto ghost = odoo.effect({odoo.event(stray)})->apply(*odoo.resolver);
      REQUIRE(!ghost);
      CHECK(ghost.error().kind() == ErrorKind::not_found);
      CHECK(ghost.error().message() ==
            "tracking number 9400110898825022579493: order NOPE-7 is not in Odoo (no sale.order with this "
            "client_order_ref)");
      CHECK(odoo.count("mail.message", field("body").ilike("9400110898825022579493")) == 0);
    }
  }
}

TEST_CASE("mapping: batch keys group what may share a call, and mixed groups are refused") {
  Odoo odoo(18);
  auto a = odoo.event(product("A", "A", "1.00"));
  auto b =
      odoo.event(StockAdjusted{.sku = {"A"}, .location = {"WH/Stock"}, .delta = qty("1"), .counted = {}, .reason = {}});
  auto c =
      odoo.event(StockAdjusted{.sku = {"A"}, .location = {"WH/Stock"}, .delta = {}, .counted = qty("1"), .reason = {}});
  CHECK(batch_key(a) == "retail.product.upserted");
  CHECK(batch_key(b) == "retail.stock.adjusted/delta");
  CHECK(batch_key(c) == "retail.stock.adjusted/counted");
  ShipmentTracked t;
  t.tracking_number = "1Z1";
  t.status = "delivered";
  t.at = at("2026-12-02T09:00:00Z");
  auto t1 = odoo.event(t), t2 = odoo.event(t);
  CHECK(batch_key(t1) != batch_key(t2));  // each status is its own effect
  CHECK(batch_key(t1).starts_with("retail.shipment.tracked|"));
  std::vector<const Event*> mixed = {&a, &b};
  auto r = map_to_odoo(mixed, odoo.options);
  REQUIRE(!r);
  CHECK(r.error().kind() == ErrorKind::validation);
  // Odoo 17: storable products are type "product" (no is_storable).
  MappingOptions v17 = odoo.options;
  v17.odoo_major = 17;
  std::vector<const Event*> one = {&a};
  auto plan17 = map_to_odoo(one, v17).value()->plan(*odoo.resolver).value();
  CHECK(plan17[0].payload.find("\"product\"") != std::string::npos);
  CHECK(plan17[0].payload.find("is_storable") == std::string::npos);
  auto plan18 = map_to_odoo(one, odoo.options).value()->plan(*odoo.resolver).value();
  CHECK(plan18[0].payload.find("is_storable") != std::string::npos);
}

TEST_CASE(
    "emulator 17 mode: what it claims, storable type \"product\", name_search args and name_get, the mapping follows") {
  Odoo odoo(17);
  odoo.check_access = false;  // it reads product.template itself
  CHECK(odoo.client->version().value().major == 17);
  CHECK(odoo.options.odoo_major == 17);
  auto fields = odoo.client->fields_get("product.template", {"type", "selection"});
  REQUIRE(fields);
  CHECK(json::find(fields.value(), "is_storable") == nullptr);
  CHECK(json::find(fields.value(), "detailed_type") != nullptr);
  CHECK(json::to_string(fields.value()["type"]["selection"]).find("\"product\"") != std::string::npos);
  auto storable = odoo.client->search_count("product.template", field("type") == "product");
  REQUIRE(storable);
  CHECK(storable.value() > 0);  // the demo's storable goods
  CHECK(odoo.client->name_search("res.partner", "Azure", field("is_company") == true).value().size() >= 1);
  auto names = odoo.client->call("res.partner", "name_get", "[[3]]");
  REQUIRE_MESSAGE(names, names.error().to_string());
  CHECK(names.value()[0][0].GetInt64() == 3);

  odoo.apply_once(*odoo.effect({odoo.event(product("SKU-17", "Tea Pot", "19.90"))}));
  auto tea = odoo.client->search_read("product.product", field("default_code") == "SKU-17", {"type"});
  REQUIRE(tea);
  REQUIRE(tea.value().Size() == 1);
  CHECK(std::string(tea.value()[0]["type"].GetString()) == "product");
}

TEST_CASE("mapping: a button that answers with a window action (a wizard) has not acted - an error that names it") {
  // Odoo 17/18's sale.order.action_cancel answers a confirmed order with the cancel wizard and cancels
  // nothing unless the context says not to warn: the mapping sends that context, and if an action still
  // comes back it is an error, never "done".
  auto fake = std::make_shared<http::FakeTransport>();
  std::string cancel_body;
  fake->set_fallback([&](const http::Request& req) -> result<http::Response> {
    if (req.url.ends_with("/json/2/sale.order/search_read")) {
      return http::Response{.status = 200,
                            .body = R"([{"id": 7, "name": "S00007", "partner_id": [3, "Acme"], "state": "sale"}])"};
    }
    if (req.url.ends_with("/json/2/sale.order/action_cancel")) {
      cancel_body = req.body;
      return http::Response{
          .status = 200,
          .body = R"({"type": "ir.actions.act_window", "res_model": "sale.order.cancel", "view_mode": "form",
                                        "views": [[false, "form"]], "target": "new", "context": {"default_order_id": 7}})"};
    }
    return http::Response{.status = 404, .body = "{}"};
  });
  odoo::Config c;
  c.url = "http://odoo.test";
  c.api_key = Secret(odoosync::testing::canary_api_key());
  c.protocol = odoo::Protocol::json2;
  auto client = odoo::Client::create(c, fake).value();
  MappingOptions mo;
  mo.odoo_major = 18;
  Resolver resolver(*client, mo);
  auto ev = make_event(OrderCancelled{.number = "WEB-7", .reason = {}}, {.source = "web/shop", .id = "c1"}).value();
  const Event* p = &ev;
  auto eff = map_to_odoo({&p, 1}, mo).value();
  auto done = eff->apply(resolver, EffectState::absent);
  REQUIRE_FALSE(done);
  CHECK(done.error().message().find(
            "sale.order.action_cancel on [7] answered with an action ir.actions.act_window (sale.order.cancel)") !=
        std::string::npos);
  CHECK(cancel_body.find(R"("disable_cancel_warning":true)") != std::string::npos);
  REQUIRE(eff->probe(resolver));
  CHECK(eff->probe_detail() == "order WEB-7: sale.order 7 in state sale (done when cancel)");
}
