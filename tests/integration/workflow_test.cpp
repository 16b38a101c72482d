// Business workflows of the emulator, driven through the real Client: an order confirmed creates its
// delivery, validating a transfer moves stock, an inventory count sets the quantity, an invoice posts.
#include <doctest/doctest.h>

#include "test_odoo.hpp"

#include <odoosync/emulator/emulated_odoo.hpp>
#include <odoosync/odoo/models.hpp>

#include <filesystem>
#include <fstream>

using namespace odoosync;
using namespace odoosync::odoo;

namespace {
// The shared fixture with the default client (retry, circuit breaker).
struct Shop {
  testing::TestOdoo odoo;
  std::shared_ptr<Client> client = odoo.client;
  explicit Shop(int version) : odoo(version, 0, testing::ClientKind::plain) {}
  Decimal on_hand(std::int64_t product, std::int64_t location) {
    auto q = search_read_as<StockQuant>(*client, field("product_id") == product && field("location_id") == location);
    REQUIRE(q);
    return q.value().empty() ? Decimal{} : q.value()[0].quantity;
  }
  double reserved(std::int64_t product, std::int64_t location) {
    auto q = client->search_read("stock.quant", field("product_id") == product && field("location_id") == location,
                                 {"reserved_quantity"});
    REQUIRE(q);
    return q.value().Empty() ? 0.0 : q.value()[0]["reserved_quantity"].GetDouble();
  }
};
}  // namespace

TEST_CASE("a confirmed order creates its delivery, validating it takes the stock out") {
  for (int version : {18, 19}) {
    CAPTURE(version);
    Shop shop(version);
    auto& c = *shop.client;
    const std::int64_t stock = version >= 19 ? 5 : 8;  // WH/Stock in each demo database
    // put 10 units of product 5 in WH/Stock by an inventory count
    auto quant =
        c.create("stock.quant",
                 Values().set("product_id", 5).set("location_id", stock).set("inventory_quantity", Decimal{10, 0}),
                 {.context_json = R"({"inventory_mode": true})"});
    REQUIRE_MESSAGE(static_cast<bool>(quant), (quant ? std::string() : quant.error().to_string()));
    REQUIRE(c.call_named("stock.quant", "action_apply_inventory", {quant.value()}));
    CHECK(shop.on_hand(5, stock) == Decimal{10, 0});

    auto order =
        c.create("sale.order",
                 Values()
                     .set("partner_id", 10)
                     .set("client_order_ref", "POS-12/0042")
                     .set("order_line", std::vector<Command>{Command::create(
                                            Values().set("product_id", 5).set("product_uom_qty", Decimal{3, 0}))}));
    REQUIRE_MESSAGE(static_cast<bool>(order), (order ? std::string() : order.error().to_string()));
    auto so = read_as<SaleOrder>(c, {order.value()});
    REQUIRE(so);
    CHECK(so.value()[0].state == "draft");
    CHECK(so.value()[0].amount_untaxed == Decimal{210, 0});  // 3 × 70.0, the product's price
    REQUIRE(c.call_named("sale.order", "action_confirm", {order.value()}));
    auto again = c.call_named("sale.order", "action_confirm", {order.value()});
    REQUIRE_FALSE(again);
    CHECK(again.error().odoo_class() == "odoo.exceptions.UserError");

    auto pickings = c.search("stock.picking", field("origin") == so.value()[0].name);
    REQUIRE(pickings);
    REQUIRE(pickings.value().size() == 1);
    auto moves = c.search_read("stock.move", field("picking_id") == pickings.value()[0],
                               {"product_id", "product_uom_qty", "state"});
    REQUIRE(moves);
    REQUIRE(moves.value().Size() == 1);
    CHECK(moves.value()[0]["product_uom_qty"].GetDouble() == 3.0);
    CHECK(shop.reserved(5, stock) == 3.0);  // the delivery holds its units
    REQUIRE(c.call_named("stock.picking", "button_validate", {pickings.value()[0]}));
    CHECK(shop.on_hand(5, stock) == Decimal{7, 0});
    CHECK(shop.reserved(5, stock) == 0.0);
    // Validating it again: 18's sanity check finds no open move with a quantity (a UserError); 19
    // leaves done transfers out and answers True.
    auto twice = c.call_named("stock.picking", "button_validate", {pickings.value()[0]});
    if (version >= 19) {
      REQUIRE(twice);
      CHECK(twice.value().IsBool());
    } else {
      REQUIRE_FALSE(twice);
      CHECK(twice.error().odoo_class() == "odoo.exceptions.UserError");
      CHECK(twice.error().odoo_message().find("no quantities are reserved") != std::string::npos);
    }
    CHECK(shop.on_hand(5, stock) == Decimal{7, 0});  // either way, nothing moved twice
  }
}

TEST_CASE("reservations never exceed what is free, and a cancelled order releases its own") {
  for (int version : {18, 19}) {
    CAPTURE(version);
    Shop shop(version);
    auto& c = *shop.client;
    const std::int64_t stock = version >= 19 ? 5 : 8;
    auto quant = c.create(
        "stock.quant",
        Values().set("product_id", 5).set("location_id", stock).set("inventory_quantity_auto_apply", Decimal{4, 0}),
        {.context_json = R"({"inventory_mode": true})"});
    REQUIRE(quant);
    const auto order_of = [&](int qty) {
      auto o =
          c.create("sale.order",
                   Values()
                       .set("partner_id", 10)
                       .set("order_line", std::vector<Command>{Command::create(
                                              Values().set("product_id", 5).set("product_uom_qty", Decimal{qty, 0}))}));
      REQUIRE(o);
      REQUIRE(c.call_named("sale.order", "action_confirm", {o.value()}));
      return o.value();
    };
    const auto first = order_of(3);
    CHECK(shop.reserved(5, stock) == 3.0);
    const auto second = order_of(3);  // only 1 of 3 is free
    CHECK(shop.reserved(5, stock) == 4.0);
    // 18 shows the cancel wizard for a confirmed order unless disable_cancel_warning (unkind_test.cpp)
    REQUIRE(c.call_named("sale.order", "action_cancel", {first}, "{}",
                         {.context_json = R"({"disable_cancel_warning": true})"}));
    CHECK(shop.reserved(5, stock) == 1.0);  // the first order's 3 released, the second keeps its 1
    auto open = c.search("stock.picking", field("sale_id") == first && field("state") == "cancel");
    REQUIRE(open);
    CHECK(open.value().size() == 1);
    (void)second;
  }
}

TEST_CASE("a payment posts, named after its journal, posting it again changes nothing (18, no journal entry)") {
  Shop shop(18);
  auto& c = *shop.client;
  auto pay = c.create("account.payment", Values()
                                             .set("payment_type", "inbound")
                                             .set("partner_type", "customer")
                                             .set("partner_id", 10)
                                             .set("amount", Decimal{4250, 2})
                                             .set("journal_id", 6)
                                             .set("memo", "PAY-1"));
  REQUIRE_MESSAGE(static_cast<bool>(pay), (pay ? std::string() : pay.error().to_string()));
  REQUIRE(c.call_named("account.payment", "action_post", {pay.value()}));
  auto posted = c.read("account.payment", {pay.value()}, {"state", "name"});
  REQUIRE(posted);
  CHECK(std::string(posted.value()[0]["state"].GetString()) == "in_process");
  CHECK(std::string(posted.value()[0]["name"].GetString()).rfind("PBNK1/", 0) == 0);
  // 18: action_post on an in_process payment without a journal entry sets in_process again, no error
  auto again = c.call_named("account.payment", "action_post", {pay.value()});
  REQUIRE(again);
  auto after = c.read("account.payment", {pay.value()}, {"state", "name"});
  REQUIRE(after);
  CHECK(std::string(after.value()[0]["name"].GetString()) == posted.value()[0]["name"].GetString());
  CHECK(std::string(after.value()[0]["state"].GetString()) == "in_process");
}

TEST_CASE("a receipt validated brings stock in, an invoice posts once") {
  Shop shop(18);
  auto& c = *shop.client;
  const Decimal before = shop.on_hand(27, 8);
  auto receipt =
      c.create("stock.picking",
               Values()
                   .set("picking_type_id", 1)
                   .set("location_id", 4)
                   .set("location_dest_id", 8)
                   .set("origin", "PO-9")
                   .set("move_ids", std::vector<Command>{Command::create(Values()
                                                                             .set("name", "in")
                                                                             .set("product_id", 27)
                                                                             .set("product_uom_qty", Decimal{5, 0})
                                                                             .set("location_id", 4)
                                                                             .set("location_dest_id", 8))}));
  REQUIRE_MESSAGE(static_cast<bool>(receipt), (receipt ? std::string() : receipt.error().to_string()));
  REQUIRE(c.call_named("stock.picking", "button_validate", {receipt.value()}));
  CHECK(std::stod(shop.on_hand(27, 8).to_string()) == std::stod(before.to_string()) + 5);

  auto inv = c.create("account.move", Values().set("move_type", "out_invoice").set("partner_id", 10));
  REQUIRE_MESSAGE(static_cast<bool>(inv), (inv ? std::string() : inv.error().to_string()));
  REQUIRE(c.call_named("account.move", "action_post", {inv.value()}));
  auto posted = c.read("account.move", {inv.value()}, {"state", "name"});
  REQUIRE(posted);
  CHECK(std::string(posted.value()[0]["state"].GetString()) == "posted");
  CHECK(std::string(posted.value()[0]["name"].GetString()).rfind("INV/", 0) == 0);
  CHECK(c.call_named("account.move", "action_post", {inv.value()}).error().odoo_class() == "odoo.exceptions.UserError");
}

TEST_CASE("a JSON fixture adds and changes records over the seed, a bad one is refused clearly") {
  const auto path = std::filesystem::temp_directory_path() / "odoosync-fixture.json";
  std::ofstream(path)
      << R"({"res.partner": [{"id": 3, "name": "Renamed Admin Partner"}, {"id": 500, "name": "Fixture Shop", "ref": "FX-1"}],
                             "product.product": [{"name": "Fixture Widget", "default_code": "FX-W", "barcode": "5901234123457", "list_price": 9.99}]})";
  const EmulatedOdooOptions o{.fixture_file = path.string(), .data_dir = ODOOSYNC_EMULATOR_DATA_DIR};
  auto server = EmulatedOdoo::start(o);
  REQUIRE_MESSAGE(server, (server ? std::string() : server.error().to_string()));
  Config c;
  c.url = server.value()->url();
  c.database = "retail18";
  c.login = "admin";
  c.api_key = Secret(server.value()->api_key());
  auto client = Client::create(c).value();
  auto partners = read_as<Partner>(*client, {3, 500});
  REQUIRE(partners);
  REQUIRE(partners.value().size() == 2);
  CHECK(partners.value()[0].name == "Renamed Admin Partner");
  CHECK(partners.value()[1].ref == "FX-1");
  auto widget = search_read_as<Product>(*client, field("barcode") == "5901234123457");
  REQUIRE(widget);
  REQUIRE(widget.value().size() == 1);
  CHECK(widget.value()[0].list_price.to_string() == "9.99");
  CHECK(client->create("res.partner", Values().set("name", "Next")).value() == 501);  // ids go on after the fixture's

  // Refused with an error naming the problem, not an exception: what Odoo would say of the record, and
  // a file that is not {"model": [records]}.
  std::ofstream(path) << R"({"res.partner": [{"name": "x", "no_such_field": 1}]})";
  auto unknown_field = EmulatedOdoo::start(o);
  REQUIRE_FALSE(unknown_field);
  CHECK(unknown_field.error().kind() == ErrorKind::validation);
  CHECK_MESSAGE(
      unknown_field.error().message().find("Invalid field 'no_such_field' on model 'res.partner'") != std::string::npos,
      unknown_field.error().message());
  std::ofstream(path) << "[1, 2]";
  auto not_an_object = EmulatedOdoo::start(o);
  REQUIRE_FALSE(not_an_object);
  CHECK(not_an_object.error().kind() == ErrorKind::storage);
  CHECK_MESSAGE(not_an_object.error().message().find("is not a JSON object") != std::string::npos,
                not_an_object.error().message());
  std::filesystem::remove(path);
}

TEST_CASE("a char field that is not set matches = false and not != false, as in Odoo") {
  Shop shop(18);
  auto& c = *shop.client;
  const auto all = c.search_count("product.product", {}).value();
  const auto unset = c.search_count("product.product", field("default_code") == false).value();
  const auto set = c.search_count("product.product", field("default_code") != false).value();
  CHECK(unset > 0);
  CHECK(set > 0);
  CHECK(unset + set == all);
  // A boolean false is a value: sale_ok = false matches exactly the products not for sale.
  const auto not_for_sale = c.search_count("product.product", field("sale_ok") == false).value();
  const auto for_sale = c.search_count("product.product", field("sale_ok") == true).value();
  CHECK(not_for_sale + for_sale == all);
}
