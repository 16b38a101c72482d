// Typed records and paging, over a FakeTransport that plays a small JSON-2 server: it evaluates the
// id / write_date domains the cursors send, so page boundaries and shared timestamps are real.
#include <doctest/doctest.h>

#include <canary.hpp>

#include <odoosync/http/fake_transport.hpp>
#include <odoosync/odoo/cursor.hpp>
#include <odoosync/odoo/models.hpp>

#include <algorithm>
#include <functional>

using namespace odoosync;
using namespace odoosync::odoo;
using http::FakeTransport;

namespace {
struct Row {
  std::int64_t id;
  std::string write_date;
};

// Evaluates a prefix-notation domain over id and write_date (enough for the cursors' domains).
bool eval(const json::Value& d, rapidjson::SizeType& i, const Row& r) {
  const auto& item = d[i++];
  if (item.IsString()) {
    std::string op = item.GetString();
    if (op == "!") return !eval(d, i, r);
    bool a = eval(d, i, r);
    bool b = eval(d, i, r);
    return op == "&" ? a && b : a || b;
  }
  std::string f = item[0].GetString(), op = item[1].GetString();
  if (f == "id") {
    auto v = item[2].GetInt64();
    if (op == ">") return r.id > v;
    if (op == "=") return r.id == v;
    FAIL("operator ", op, " not emulated");
    return false;
  }
  if (f != "write_date") return true;  // other fields hold on every row here
  // Stored with microseconds, compared at full precision (as PostgreSQL does): "10:00:00.5" > "10:00:00".
  std::string v = item[2].GetString();
  if (op == ">") return r.write_date > v;
  if (op == ">=") return r.write_date >= v;
  if (op == "<") return r.write_date < v;
  if (op == "=") return r.write_date == v;
  FAIL("operator ", op, " not emulated");
  return false;
}
bool matches(const json::Value& domain, const Row& r) {
  rapidjson::SizeType i = 0;
  bool all = true;
  while (i < domain.Size()) all = eval(domain, i, r) && all;  // leftover terms are and-ed, as in Odoo
  return all;
}

struct Server {
  std::vector<Row> rows;
  int calls = 0;
  std::vector<std::string> domains;  // as sent
  std::function<void()> between_pages;
  std::shared_ptr<FakeTransport> fake = std::make_shared<FakeTransport>();
  Server() {
    fake->set_fallback([this](const http::Request& req) -> result<http::Response> {
      if (calls++ > 0 && between_pages) between_pages();
      auto body = json::parse(req.body);
      REQUIRE(body);
      const auto& b = body.value();
      domains.push_back(json::to_string(b["domain"]));
      std::string order = b["order"].GetString();
      auto limit = b["limit"].GetInt64();
      std::vector<Row> sorted = rows;
      std::sort(sorted.begin(), sorted.end(), [&](const Row& x, const Row& y) {
        if (order.rfind("write_date", 0) == 0 && x.write_date != y.write_date) return x.write_date < y.write_date;
        return x.id < y.id;
      });
      std::string out = "[";
      std::int64_t n = 0;
      for (const auto& r : sorted) {
        if (n == limit || !matches(b["domain"], r)) continue;
        if (n++) out += ',';
        // read back truncated to the second, as Odoo does
        out += "{\"id\":" + std::to_string(r.id) + ",\"write_date\":\"" + r.write_date.substr(0, 19) + "\"}";
      }
      return http::Response{.status = 200, .body = out + "]"};
    });
  }
  std::shared_ptr<Client> client() {
    Config c;
    c.url = "http://odoo.test";
    c.api_key = Secret(odoosync::testing::canary_api_key());
    c.protocol = Protocol::json2;
    return Client::create(c, fake).value();
  }
};
}  // namespace

TEST_CASE("IdCursor walks every row once, a page at a time, even with inserts during the walk") {
  Server s;
  for (int i = 1; i <= 23; ++i) s.rows.push_back({i * 2, "2026-11-22 10:00:00"});
  s.between_pages = [&s] { s.rows.push_back({static_cast<std::int64_t>(1000 + s.calls), "2026-11-22 11:00:00"}); };
  auto c = s.client();
  IdCursor cur(*c, "res.partner", field("active") == true, {"name"}, 10);
  std::vector<std::int64_t> seen;
  int pages = 0;
  for (;;) {
    auto page = cur.next();
    REQUIRE(page);
    if (!page.value()) break;
    ++pages;
    CHECK(page.value()->Size() <= 10);
    for (const auto& r : page.value()->GetArray()) seen.push_back(r["id"].GetInt64());
  }
  REQUIRE(seen.size() >= 23);
  CHECK(std::is_sorted(seen.begin(), seen.end()));
  CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());  // no duplicates
  for (int i = 1; i <= 23; ++i) CHECK(std::find(seen.begin(), seen.end(), i * 2) != seen.end());
  CHECK(s.fake->requests()[0].body.find(R"("domain":["&",["active","=",true],["id",">",0]])") != std::string::npos);
  CHECK(s.fake->requests()[0].body.find(R"("fields":["name","id"])") != std::string::npos);
}

TEST_CASE("ChangeCursor never skips rows that share a timestamp across a page boundary, and resumes") {
  Server s;
  // 7 rows in the same second: a page of 3 cuts through them twice.
  for (int i = 1; i <= 7; ++i) s.rows.push_back({10 + i, "2026-11-22 10:00:00"});
  s.rows.push_back({5, "2026-11-22 10:00:01"});
  s.rows.push_back({3, "2026-11-22 09:59:59"});
  auto c = s.client();
  ChangeCursor cur(*c, "product.product", {}, {"name"}, {}, 3);
  std::vector<std::int64_t> seen;
  Checkpoint saved;
  for (int page = 0;; ++page) {
    auto p = cur.next();
    REQUIRE(p);
    if (!p.value()) break;
    for (const auto& r : p.value()->GetArray()) seen.push_back(r["id"].GetInt64());
    if (page == 1) saved = cur.checkpoint();
  }
  CHECK(seen == std::vector<std::int64_t>{3, 11, 12, 13, 14, 15, 16, 17, 5});
  CHECK(cur.checkpoint().to_string() == "2026-11-22 10:00:01#5");

  // Resuming from the checkpoint saved after the second page gives exactly the rest.
  CHECK(saved.to_string() == "2026-11-22 10:00:00#13");  // pages: {3} {11,12,13}
  auto parsed = Checkpoint::parse(saved.to_string());
  REQUIRE(parsed);
  CHECK(parsed.value() == saved);
  ChangeCursor again(*c, "product.product", {}, {"name"}, parsed.value(), 3);
  std::vector<std::int64_t> rest;
  for (;;) {
    auto p = again.next();
    REQUIRE(p);
    if (!p.value()) break;
    for (const auto& r : p.value()->GetArray()) rest.push_back(r["id"].GetInt64());
  }
  CHECK(rest == std::vector<std::int64_t>{14, 15, 16, 17, 5});
  CHECK_FALSE(Checkpoint::parse("yesterday"));
  CHECK_FALSE(Checkpoint::parse("2026-11-22 10:00:00#x"));
  CHECK(Checkpoint::parse("").value().to_string().empty());
}

TEST_CASE("ChangeCursor is exact when Odoo keeps microseconds and reads seconds: a bulk load larger than a page ends") {
  // Odoo 18 showed it: one `load` of 500 products shares one write_date second (stored with
  // microseconds), and a cursor that asked for `write_date = t` (matches nothing) or `> t` (the whole
  // second again) read the same page forever.
  Server s;
  for (int i = 1; i <= 1000; ++i) s.rows.push_back({100 + i, "2026-11-22 18:59:06.716001"});
  // rows of other transactions in that second: ids out of microsecond order (a late commit)
  s.rows.push_back({90, "2026-11-22 18:59:06.900000"});
  s.rows.push_back({2000, "2026-11-22 18:59:06.100000"});
  s.rows.push_back({50, "2026-11-22 18:59:05.999999"});
  s.rows.push_back({60, "2026-11-22 18:59:07.000001"});
  auto c = s.client();
  ChangeCursor cur(*c, "product.product", {}, {"name"}, {}, 64);
  std::vector<std::int64_t> seen;
  int pages = 0;
  for (;;) {
    auto p = cur.next();
    REQUIRE(p);
    if (!p.value()) break;
    REQUIRE(++pages < 100);
    for (const auto& r : p.value()->GetArray()) seen.push_back(r["id"].GetInt64());
  }
  CHECK(seen.size() == 1004);
  auto sorted = seen;
  std::sort(sorted.begin(), sorted.end());
  CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());  // each row once
  CHECK(seen.front() == 50);
  CHECK(seen.back() == 60);
  CHECK(cur.checkpoint().to_string() == "2026-11-22 18:59:07#60");
  // the second is read between its bounds, never with `=` on a truncated time
  for (const auto& d : s.domains) CHECK(d.find(R"("write_date","=")") == std::string::npos);
}

TEST_CASE(
    "ChangeCursor: a row that commits late in a second it already read is found by the next pull if its id is "
    "higher, and stop_before keeps unsettled seconds for later") {
  Server s;
  for (int i = 1; i <= 5; ++i) s.rows.push_back({i, "2026-11-22 10:00:00.200000"});
  s.rows.push_back({6, "2026-11-22 10:00:03.000000"});
  auto c = s.client();
  ChangeCursor first(*c, "res.partner", {}, {}, {}, 10);
  first.stop_before(DateTime::parse("2026-11-22 10:00:03").value());
  std::vector<std::int64_t> seen;
  while (auto p = first.next()) {
    REQUIRE(p);
    if (!p.value()) break;
    for (const auto& r : p.value()->GetArray()) seen.push_back(r["id"].GetInt64());
  }
  CHECK(seen == std::vector<std::int64_t>{1, 2, 3, 4, 5});  // 10:00:03 is not settled: not read yet
  CHECK(first.checkpoint().to_string() == "2026-11-22 10:00:00#5");

  s.rows.push_back({7, "2026-11-22 10:00:00.900000"});  // committed after the first pull, same second
  ChangeCursor second(*c, "res.partner", {}, {}, first.checkpoint(), 10);
  seen.clear();
  while (auto p = second.next()) {
    REQUIRE(p);
    if (!p.value()) break;
    for (const auto& r : p.value()->GetArray()) seen.push_back(r["id"].GetInt64());
  }
  CHECK(seen == std::vector<std::int64_t>{7, 6});
  CHECK(second.checkpoint().to_string() == "2026-11-22 10:00:03#6");
}

TEST_CASE("DateTime: seconds arithmetic, order and Odoo's microsecond form") {
  auto t = DateTime::parse("2026-12-31 23:59:59").value();
  CHECK(t.plus(std::chrono::seconds{1}).to_string() == "2027-01-01 00:00:00");
  CHECK(t.plus(std::chrono::seconds{-86400}).to_string() == "2026-12-30 23:59:59");
  CHECK(DateTime::parse("2024-02-28 12:00:00").value().plus(std::chrono::hours{24}).to_string() ==
        "2024-02-29 12:00:00");
  CHECK(t < t.plus(std::chrono::seconds{1}));
  CHECK(DateTime::parse_truncated("2026-11-22 18:59:06.716001").value().to_string() == "2026-11-22 18:59:06");
  CHECK(DateTime::parse_truncated("2026-11-22 18:59:06").value().to_string() == "2026-11-22 18:59:06");
  CHECK_FALSE(DateTime::parse_truncated("2026-11-22 18:59:06.x"));
  CHECK_FALSE(DateTime::parse("2026-11-22 18:59:06.716001"));
}

TEST_CASE("typed records decode straight into structs, unknown fields are ignored") {
  auto fake = std::make_shared<FakeTransport>();
  fake->push_json(
      200, R"([{"id":1,"name":"Restaurant Expenses","default_code":false,"barcode":"4006381333931","list_price":14.0,
    "uom_id":[1,"Units"],"categ_id":[3,"All / Expenses"],"sale_ok":true,"active":true,"write_date":"2026-11-22 15:04:12",
    "extra_field":[1,2,3]},{"id":3,"name":"Virtual Interior Design","default_code":"VID","barcode":false,"list_price":30.75,
    "uom_id":[4,"Hours"],"categ_id":false,"sale_ok":true,"active":true,"write_date":"2026-11-22 15:04:13"}])");
  Config c;
  c.url = "http://odoo.test";
  c.api_key = Secret(odoosync::testing::canary_api_key());
  c.protocol = Protocol::json2;
  auto client = Client::create(c, fake).value();
  auto products = search_read_as<Product>(*client, field("sale_ok") == true, {.limit = 2});
  REQUIRE(products);
  REQUIRE(products.value().size() == 2);
  const Product& p = products.value()[0];
  CHECK(p.id == 1);
  CHECK_FALSE(p.default_code);
  CHECK(p.barcode == "4006381333931");
  CHECK(p.list_price == Decimal{1400, 2});
  CHECK(p.list_price.to_string() == "14.0");
  CHECK(p.uom_id == Many2one{1, "Units"});
  CHECK(p.write_date.to_string() == "2026-11-22 15:04:12");
  CHECK(products.value()[1].list_price.to_string() == "30.75");
  CHECK_FALSE(products.value()[1].categ_id);
  CHECK(
      fake->requests()[0].body.find(
          R"("fields":["id","name","default_code","barcode","list_price","uom_id","categ_id","sale_ok","active","write_date"])") !=
      std::string::npos);
}

TEST_CASE("a missing or mistyped field is a protocol error naming model, record and field") {
  json::Document rows;
  rows.Parse(
      R"([{"id":7,"name":false,"email":false,"phone":false,"ref":false,"is_company":false,"parent_id":false,"write_date":"2026-11-22 10:00:00"}])");
  auto r = decode_records<Partner>(rows);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == ErrorKind::protocol);
  CHECK(r.error().message().find("res.partner record 7: field 'name' expected a string, got false") == 0);
  rows.Parse(R"([{"id":8,"name":"A","email":false,"phone":false,"ref":false,"is_company":false,"parent_id":false}])");
  CHECK(decode_records<Partner>(rows).error().message() ==
        "res.partner record 8: field 'write_date' missing from the answer");
  rows.Parse(
      R"([{"id":9,"name":"A","email":false,"phone":false,"ref":false,"is_company":"yes","parent_id":false,"write_date":"2026-11-22 10:00:00"}])");
  CHECK(decode_records<Partner>(rows).error().message().find("field 'is_company' expected true or false") !=
        std::string::npos);
}

TEST_CASE("typed decoding ignores unmapped nested fields and keeps Odoo's digits") {
  json::Document rows;
  rows.Parse(R"([{"id":7,"extra":{"nested":[1,{"x":2}]},"name":"Gemini","email":false,"phone":"+32","ref":false,
    "is_company":true,"parent_id":[1,"YourCompany"],"write_date":"2026-11-22 10:00:00","tags":[[1,"a"]]}])");
  auto partners = decode_records<Partner>(rows);
  REQUIRE(partners);
  CHECK(partners.value()[0].parent_id == Many2one{1, "YourCompany"});
  CHECK(partners.value()[0].phone == "+32");
  rows.Parse(R"([{"id":1,"product_id":[5,"Desk"],"location_id":[8,"WH/Stock"],"quantity":0.1,
    "reserved_quantity":12345678.125,"inventory_quantity":3,"write_date":"2026-11-22 10:00:00"}])");
  auto q = decode_records<StockQuant>(rows);
  REQUIRE(q);
  CHECK(q.value()[0].quantity.to_string() == "0.1");
  CHECK(q.value()[0].reserved_quantity.to_string() == "12345678.125");
  CHECK(q.value()[0].inventory_quantity.to_string() == "3");
}

TEST_CASE("search_read_as over JSON-RPC decodes rows, and reports Odoo's error") {
  auto fake = std::make_shared<FakeTransport>();
  fake->push_json(200, R"({"jsonrpc":"2.0","id":1,"result":2})")
      .push_json(
          200,
          R"({"jsonrpc":"2.0","id":2,"result":[{"id":9,"name":"Shelf","complete_name":"WH/Stock/Shelf","usage":"internal","warehouse_id":[1,"WH"],"active":true}]})")
      .push_json(
          200,
          R"({"jsonrpc":"2.0","id":3,"error":{"code":200,"message":"Odoo Server Error","data":{"name":"odoo.exceptions.AccessError","debug":"","message":"You are not allowed to access 'Location'","arguments":["You are not allowed to access 'Location'"],"context":{}}}})");
  Config c;
  c.url = "http://odoo.test";
  c.database = "retail18";
  c.login = "admin";
  c.api_key = Secret(odoosync::testing::canary_api_key());
  c.protocol = Protocol::jsonrpc;
  auto client = Client::create(c, fake).value();
  auto locs = search_read_as<Location>(*client, field("usage") == "internal");
  REQUIRE(locs);
  CHECK(locs.value()[0].complete_name == "WH/Stock/Shelf");
  CHECK(locs.value()[0].warehouse_id.name == "WH");
  auto denied = search_read_as<Location>(*client, {});
  REQUIRE_FALSE(denied);
  CHECK(denied.error().kind() == ErrorKind::odoo);
  CHECK(denied.error().odoo_class() == "odoo.exceptions.AccessError");
}
