// Reconciliation (snapshot parsing, drift against the emulator's quants, correcting events) and outbound
// pulls (stock levels, prices, cancelled orders to sinks, checkpointed only after every sink accepted).
#include <canary.hpp>
#include <doctest/doctest.h>

#include <odoosync/emulator/emulated_odoo.hpp>
#include <odoosync/odoo/client.hpp>
#include <odoosync/retail/odoo_mapping.hpp>
#include <odoosync/sync/memory_store.hpp>
#include <odoosync/sync/outbound.hpp>
#include <odoosync/sync/reconcile.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <unistd.h>

using namespace odoosync;
namespace oss = odoosync::sync;  // not `sync`: POSIX has ::sync()
namespace retail = odoosync::retail;
using odoo::field;

namespace {

struct Odoo {
  std::unique_ptr<EmulatedOdoo> emulator;
  std::shared_ptr<odoo::Client> client;

  explicit Odoo(int version = 18) {
    auto e = EmulatedOdoo::start({.odoo_version = version});
    REQUIRE_MESSAGE(e, e.error().to_string());
    emulator = std::move(e).value();
    odoo::Config c;
    c.url = emulator->url();
    c.database = emulator->database();
    c.login = emulator->login();
    c.api_key = Secret(emulator->api_key());
    auto made = odoo::Client::create(c);
    REQUIRE_MESSAGE(made, made.error().to_string());
    client = std::move(made).value();
  }

  std::int64_t id_of(std::string_view model, const odoo::Domain& domain) {
    auto ids =
        client->search(model, domain, {.limit = 1, .order = "id asc"}, {.context_json = R"({"active_test": false})"});
    REQUIRE_MESSAGE(ids, ids.error().to_string());
    REQUIRE(ids.value().size() == 1);
    return ids.value()[0];
  }
  std::int64_t product(const char* sku) { return id_of("product.product", field("default_code") == sku); }
  std::int64_t location(const char* name) { return id_of("stock.location", field("complete_name") == name); }

  // An inventory count, as a user applies one in Odoo.
  void set_stock(const char* sku, const char* location_name, odoo::Decimal quantity) {
    auto q = client->create("stock.quant",
                            odoo::Values()
                                .set("product_id", product(sku))
                                .set("location_id", location(location_name))
                                .set("inventory_quantity_auto_apply", quantity),
                            {.context_json = R"({"inventory_mode": true})"});
    REQUIRE_MESSAGE(q, q.error().to_string());
  }
};

std::vector<oss::SnapshotRow> parse_ok(std::string_view text, oss::SnapshotFormat format) {
  auto rows = oss::parse_stock_snapshot(text, format);
  REQUIRE_MESSAGE(rows, rows.error().message());
  return std::move(rows).value();
}

std::string parse_error(std::string_view text, oss::SnapshotFormat format) {
  auto rows = oss::parse_stock_snapshot(text, format);
  REQUIRE_FALSE(rows);
  CHECK(rows.error().kind() == ErrorKind::validation);
  return rows.error().message();
}

oss::ReconcileReport reconcile_ok(odoo::Client& client, const std::vector<oss::SnapshotRow>& rows,
                                  const oss::ReconcileOptions& options = {}) {
  auto report = oss::reconcile_stock(client, rows, options);
  REQUIRE_MESSAGE(report, report.error().to_string());
  return std::move(report).value();
}

// A sink that keeps what it was handed and fails the calls it is told to.
struct RecordingSink final : oss::EventSink {
  std::vector<retail::Event> events;
  std::vector<std::size_t> page_sizes;
  std::set<std::size_t> fail_calls;  // 1-based
  std::size_t calls = 0;

  result<void> accept(std::span<const retail::Event> page) override {
    ++calls;
    if (fail_calls.count(calls)) return Error::validation("the shop is down for maintenance");
    events.insert(events.end(), page.begin(), page.end());
    page_sizes.push_back(page.size());
    return success();
  }
  const retail::Event* find(std::string_view subject) const {
    const retail::Event* found = nullptr;
    for (const auto& e : events) {
      if (e.subject == subject) found = &e;  // the latest
    }
    return found;
  }
};

std::string counted(const retail::Event& e) {
  const auto& s = std::get<retail::StockAdjusted>(e.data);
  REQUIRE(s.counted);
  return s.counted->value();
}

std::size_t pull_ok(oss::OutboundPuller& puller, oss::Feed feed) {
  auto n = puller.pull(feed);
  REQUIRE_MESSAGE(n, n.error().to_string());
  return n.value();
}

std::string stored_checkpoint(oss::Store& store, oss::Feed feed) {
  auto cp = store.checkpoint(oss::checkpoint_name(feed));
  REQUIRE(cp);
  return cp.value().value_or("<none>");
}

}  // namespace

// --- snapshots ------------------------------------------------------------------------------------------

TEST_CASE("reconcile: a CSV snapshot with columns in any order, quoting, CRLF, a BOM and blank lines") {
  const auto rows = parse_ok(
      "\xEF\xBB\xBFlocation, Quantity ,sku,uom,note\r\n"
      "WH/Stock,12.5,SKU-1,,first\r\n"
      "\r\n"
      "\"WH/Stock/Shelf 2\",  3 , \"SKU,2\" ,Dozens,\"said \"\"hi\"\"\"\r\n"
      "WH/Stock,0,SKU-M,,\"a note\nover two lines\"\n"
      "WH/Stock,1.000001,SKU-3,Units,\n",
      oss::SnapshotFormat::csv);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].sku.value == "SKU-1");
  CHECK(rows[0].location.value == "WH/Stock");
  CHECK(rows[0].quantity == retail::Quantity(12'500'000, "Units"));
  CHECK(rows[0].line == 2);
  CHECK(rows[1].sku.value == "SKU,2");
  CHECK(rows[1].location.value == "WH/Stock/Shelf 2");
  CHECK(rows[1].quantity == retail::Quantity(3'000'000, "Dozens"));
  CHECK(rows[1].line == 4);
  CHECK(rows[2].sku.value == "SKU-M");
  CHECK(rows[2].line == 5);  // a quoted line break is part of the field...
  CHECK(rows[3].line == 7);  // ...and still counts as a line
  CHECK(rows[3].quantity.micro_units() == 1'000'001);
  // A header alone is an empty snapshot.
  CHECK(parse_ok("sku,location,quantity\n", oss::SnapshotFormat::csv).empty());
}

TEST_CASE("reconcile: CSV snapshot errors name the line and the column") {
  const auto csv = oss::SnapshotFormat::csv;
  CHECK(parse_error("", csv) ==
        "the CSV snapshot is empty: it needs a header row naming the columns sku, location and quantity");
  CHECK(parse_error("\n\n", csv) ==
        "the CSV snapshot is empty: it needs a header row naming the columns sku, location and quantity");
  CHECK(parse_error("sku,location,qty\nA,WH/Stock,1\n", csv) ==
        "line 1: the header has no \"quantity\" column (it must name the columns sku, location and quantity)");
  CHECK(parse_error("sku,location,quantity,SKU\n", csv) == "line 1: column \"sku\" appears twice in the header");
  CHECK(parse_error("sku,location,quantity\nA,WH/Stock\n", csv) == "line 2: 2 fields where the header has 3");
  CHECK(parse_error("sku,location,quantity\nA,WH/Stock,1,2\n", csv) == "line 2: 4 fields where the header has 3");
  CHECK(parse_error("sku,location,quantity\nA,WH/Stock,1\nB,WH/Stock,1,5\n", csv) ==
        "line 3: 4 fields where the header has 3");
  CHECK(parse_error("sku,location,quantity\nA,WH/Stock,\"1,5\"\n", csv) ==
        "line 2, column \"quantity\": \"1,5\" must be a decimal string such as \"12.50\"");
  CHECK(parse_error("sku,location,quantity\nA,WH/Stock,\n", csv) == "line 2, column \"quantity\": must not be empty");
  CHECK(parse_error("sku,location,quantity\nA,WH/Stock,1.1234567\n", csv) ==
        "line 2, column \"quantity\": \"1.1234567\" has 7 decimal places; at most 6 allowed");
  CHECK(parse_error("sku,location,quantity\nA,WH/Stock,1e3\n", csv) ==
        "line 2, column \"quantity\": \"1e3\" must be a decimal string such as \"12.50\"");
  CHECK(parse_error("sku,location,quantity\nA,WH/Stock,-2\n", csv) ==
        "line 2, column \"quantity\": \"-2\" must not be negative (a snapshot holds counts)");
  CHECK(parse_error("sku,location,quantity\nA,WH/Stock,1000000000000\n", csv) ==
        "line 2, column \"quantity\": \"1000000000000\" is out of range");
  CHECK(parse_error("sku,location,quantity\n,WH/Stock,1\n", csv) == "line 2, column \"sku\": must not be empty");
  CHECK(parse_error("sku,location,quantity\nA@B,WH/Stock,1\n", csv) ==
        "line 2, column \"sku\": \"A@B\" must not contain \"@\"");
  CHECK(parse_error("sku,location,quantity\nA,WH//Stock,1\n", csv) ==
        "line 2, column \"location\": \"WH//Stock\" must be a location such as \"WH/Stock\"");
  CHECK(parse_error("sku,location,quantity,uom\nA,WH/Stock,1,\"a\tb\"\n", csv) ==
        "line 2, column \"uom\": \"a\tb\" must not contain control characters");
  CHECK(parse_error("sku,location,quantity\n\"A,WH/Stock,1\n", csv) == "line 2: a quoted field is not closed");
  CHECK(parse_error("sku,location,quantity\n\"A\"x,WH/Stock,1\n", csv) ==
        "line 2: text after the closing quote of a field");
  CHECK(parse_error("sku,location,quantity\nA\"x,WH/Stock,1\n", csv) ==
        "line 2: a quote inside an unquoted field (quote the whole field and double the quote)");
  CHECK(parse_error("sku,location,quantity\nA,WH/Stock,1\n\xC3(,WH/Stock,1\n", csv) == "line 3: invalid UTF-8");
  CHECK(parse_error("sku,location,quantity\nA,WH/Stock,1\nB,WH/Stock,2\n\nA,WH/Stock,3\n", csv) ==
        "lines 2 and 5: SKU \"A\" at location \"WH/Stock\" is given twice");
  // The same SKU at two locations is two rows, not a duplicate.
  CHECK(parse_ok("sku,location,quantity\nA,WH/Stock,1\nA,WH/Input,2\n", csv).size() == 2);
}

TEST_CASE("reconcile: a JSON Lines snapshot takes decimal strings and plain JSON numbers, exactly") {
  const auto rows = parse_ok(
      "{\"sku\": \"SKU-1\", \"location\": \"WH/Stock\", \"quantity\": \"12.5\"}\n"
      "\n"
      "{\"quantity\": 7, \"location\": \"WH/Input\", \"sku\": \"SKU-2\", \"uom\": \"Dozens\", \"note\": {\"x\": "
      "[1]}}\r\n"
      "  {\"sku\": \"SKU-3\", \"location\": \"WH/Stock\", \"quantity\": 0.000001}  \n"
      "{\"sku\": \"SKU-4\", \"location\": \"WH/Stock\", \"quantity\": 999999999999.999999}",
      oss::SnapshotFormat::jsonl);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].quantity == retail::Quantity(12'500'000, "Units"));
  CHECK(rows[0].line == 1);
  CHECK(rows[1].sku.value == "SKU-2");
  CHECK(rows[1].quantity == retail::Quantity(7'000'000, "Dozens"));
  CHECK(rows[1].line == 3);
  CHECK(rows[2].quantity.micro_units() == 1);  // not 9.99999e-07 through a double
  CHECK(rows[3].quantity.micro_units() == 999'999'999'999'999'999);
  CHECK(rows[3].line == 5);
  CHECK(parse_ok("", oss::SnapshotFormat::jsonl).empty());
}

TEST_CASE("reconcile: JSON Lines snapshot errors name the line and the field") {
  const auto jl = oss::SnapshotFormat::jsonl;
  CHECK(parse_error("{\"sku\": \"A\", \"location\": \"WH/Stock\", \"quantity\": 1}\n{\"sku\": \"B\",}\n", jl) ==
        "line 2: invalid JSON at byte 12: Missing a name for object member.");
  CHECK(parse_error("{\"sku\": \"A\", \"location\": \"WH/Stock\", \"quantity\": 1} x\n", jl) ==
        "line 1: invalid JSON at byte 52: The document root must not be followed by other values.");
  CHECK(parse_error("[\"A\", \"WH/Stock\", 1]\n", jl) ==
        "line 1: must be a JSON object such as {\"sku\": \"SKU-1\", \"location\": \"WH/Stock\", \"quantity\": \"2\"}");
  CHECK(parse_error("{\"sku\": \"A\", \"quantity\": 1}\n", jl) == "line 1: field \"location\" is missing");
  CHECK(parse_error("{\"sku\": 12, \"location\": \"WH/Stock\", \"quantity\": 1}\n", jl) ==
        "line 1, field \"sku\": must be a string, got a number");
  CHECK(parse_error("{\"sku\": \"A\", \"location\": null, \"quantity\": 1}\n", jl) ==
        "line 1, field \"location\": must be a string, got null");
  CHECK(parse_error("{\"sku\": \"A\", \"location\": \"WH/Stock\", \"quantity\": true}\n", jl) ==
        "line 1, field \"quantity\": must be a decimal string such as \"12.5\" or a number, got true");
  CHECK(parse_error("{\"sku\": \"A\", \"location\": \"WH/Stock\", \"quantity\": 1.5e3}\n", jl) ==
        "line 1, field \"quantity\": 1.5e3 has an exponent; write the quantity as a plain decimal");
  CHECK(parse_error("{\"sku\": \"A\", \"location\": \"WH/Stock\", \"quantity\": 0.1234567}\n", jl) ==
        "line 1, field \"quantity\": 0.1234567 has 7 decimal places; at most 6 allowed");
  CHECK(parse_error("{\"sku\": \"A\", \"location\": \"WH/Stock\", \"quantity\": \"0.1234567\"}\n", jl) ==
        "line 1, field \"quantity\": \"0.1234567\" has 7 decimal places; at most 6 allowed");
  CHECK(parse_error("{\"sku\": \"A\", \"location\": \"WH/Stock\", \"quantity\": -1}\n", jl) ==
        "line 1, field \"quantity\": -1 must not be negative (a snapshot holds counts)");
  CHECK(parse_error("{\"sku\": \"A\", \"location\": \"WH/Stock\", \"quantity\": 1, \"sku\": \"B\"}\n", jl) ==
        "line 1: field \"sku\" appears twice");
  CHECK(parse_error("{\"sku\": \"A \", \"location\": \"WH/Stock\", \"quantity\": 1}\n", jl) ==
        "line 1, field \"sku\": \"A \" must not start or end with a space");
  CHECK(parse_error("{\"sku\": \"A\", \"location\": \"WH/Stock\", \"quantity\": 1, \"uom\": \"\"}\n", jl) ==
        "line 1, field \"uom\": must not be empty");
  CHECK(parse_error("{\"sku\": \"\\ud800\", \"location\": \"WH/Stock\", \"quantity\": 1}\n", jl) ==
        "line 1: invalid JSON at byte 9: The surrogate pair in string is invalid.");
  CHECK(parse_error("{\"sku\": \"\xC3(\", \"location\": \"WH/Stock\", \"quantity\": 1}\n", jl) ==
        "line 1: invalid UTF-8 in JSON string at byte 9");
  CHECK(parse_error("{\"sku\": \"A\", \"location\": \"WH/Stock\", \"quantity\": 1}\n"
                    "{\"sku\": \"A\", \"location\": \"WH/Stock\", \"quantity\": 2}\n",
                    jl) == "lines 1 and 2: SKU \"A\" at location \"WH/Stock\" is given twice");
}

TEST_CASE("reconcile: read_stock_snapshot picks the format by extension and names the file in errors") {
  const auto dir = std::filesystem::temp_directory_path() / ("odoosync-reconcile-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto write = [&](const char* name, std::string_view text) {
    std::ofstream(dir / name, std::ios::binary) << text;
    return (dir / name).string();
  };
  const std::string csv = write("store.CSV", "sku,location,quantity\nA,WH/Stock,2\n");
  const std::string jsonl = write("store.jsonl", "{\"sku\": \"A\", \"location\": \"WH/Stock\", \"quantity\": 2}\n");
  const std::string ndjson =
      write("store.ndjson", "{\"sku\": \"A\", \"location\": \"WH/Stock\", \"quantity\": \"2\"}\n");
  for (const auto& path : {csv, jsonl, ndjson}) {
    CAPTURE(path);
    auto rows = oss::read_stock_snapshot(path);
    REQUIRE_MESSAGE(rows, rows.error().message());
    REQUIRE(rows.value().size() == 1);
    CHECK(rows.value()[0].quantity.micro_units() == 2'000'000);
  }
  const std::string bad = write("bad.csv", "sku,location,quantity\nA,WH/Stock,two\n");
  CHECK(oss::read_stock_snapshot(bad).error().message() ==
        bad + ": line 2, column \"quantity\": \"two\" must be a decimal string such as \"12.50\"");
  const std::string txt = write("store.txt", "sku,location,quantity\n");
  auto unknown = oss::read_stock_snapshot(txt);
  CHECK(unknown.error().kind() == ErrorKind::validation);
  CHECK(unknown.error().message() ==
        txt + ": unknown snapshot format: the file name must end in .csv, .jsonl or .ndjson");
  const std::string missing = (dir / "missing.csv").string();
  auto gone = oss::read_stock_snapshot(missing);
  CHECK(gone.error().kind() == ErrorKind::storage);
  CHECK(gone.error().message() == missing + ": cannot open the snapshot: No such file or directory");
  std::filesystem::create_directories(dir / "folder.csv");
  auto folder = oss::read_stock_snapshot((dir / "folder.csv").string());
  CHECK(folder.error().kind() == ErrorKind::storage);
  CHECK(folder.error().message() == (dir / "folder.csv").string() + ": cannot read the snapshot: Is a directory");
  odoosync::testing::remove_scratch(dir);
}

// --- reconciliation against Odoo ------------------------------------------------------------------------

TEST_CASE("reconcile: the emulator's demo stock matches a snapshot of it, then a changed quant is the exact drift") {
  for (int version : {18, 19}) {
    CAPTURE(version);
    Odoo odoo(version);
    const auto snapshot = parse_ok(
        "sku,location,quantity\n"
        "FURN_0789,WH/Stock,16\n"
        "E-COM07,WH/Stock,500\n"
        "FURN_5555,WH/Stock/Shelf 2,90\n"  // two lots: 50 + 40
        "FURN_0789,WH/Input,0\n"           // known product and location, no quant
        "FURN_0096,WH/Stock,45.000\n",
        oss::SnapshotFormat::csv);
    std::vector<std::pair<std::size_t, std::size_t>> progress;
    auto report = reconcile_ok(
        *odoo.client, snapshot,
        {.page_size = 2, .progress = [&](std::size_t done, std::size_t total) { progress.emplace_back(done, total); }});
    CHECK(report.compared == 5);
    CHECK(report.matching == 5);
    CHECK(report.drift.empty());
    // Paged: every page reported, the last one at the total of quants at those locations.
    auto quants = odoo.client->search_count(
        "stock.quant",
        field("location_id.complete_name").in(std::vector<std::string>{"WH/Stock", "WH/Stock/Shelf 2", "WH/Input"}) &&
            field("product_id.default_code")
                .in(std::vector<std::string>{"FURN_0789", "E-COM07", "FURN_5555", "FURN_0096"}));
    REQUIRE(quants);
    const auto total = static_cast<std::size_t>(quants.value());
    REQUIRE(total == 5);  // FURN_5555 has two lots
    CHECK(progress == std::vector<std::pair<std::size_t, std::size_t>>{{2, 5}, {4, 5}, {5, 5}});
    CHECK(progress.back() == std::pair{total, total});

    // A count in Odoo changes one quant: the drift is the channel's 16 minus Odoo's 12.25.
    odoo.set_stock("FURN_0789", "WH/Stock", {1225, 2});
    report = reconcile_ok(*odoo.client, snapshot);
    CHECK(report.compared == 5);
    CHECK(report.matching == 4);
    REQUIRE(report.drift.size() == 1);
    const oss::DriftRow& d = report.drift[0];
    CHECK(d.sku == "FURN_0789");
    CHECK(d.location == "WH/Stock");
    CHECK(d.channel.value() == "16");
    CHECK(d.odoo.value() == "12.25");
    CHECK(d.drift.value() == "3.75");
    CHECK_FALSE(d.unknown_in_odoo);
  }
}

TEST_CASE(
    "reconcile: a snapshot that differs gives drift per row in snapshot order, unknown SKUs and locations flagged") {
  Odoo odoo(18);
  const auto snapshot = parse_ok(
      "{\"sku\": \"E-COM07\", \"location\": \"WH/Stock\", \"quantity\": \"498.5\"}\n"
      "{\"sku\": \"NO-SUCH-SKU\", \"location\": \"WH/Stock\", \"quantity\": 3}\n"
      "{\"sku\": \"FURN_0789\", \"location\": \"WH/Nowhere\", \"quantity\": 1}\n"
      "{\"sku\": \"FURN_0789\", \"location\": \"Partners/Customers\", \"quantity\": 1}\n"
      "{\"sku\": \"FURN_5555\", \"location\": \"WH/Stock/Shelf 2\", \"quantity\": 100}\n"
      "{\"sku\": \"FURN_0789\", \"location\": \"WH/Stock\", \"quantity\": 16}\n"
      "{\"sku\": \"FURN_0269\", \"location\": \"WH/Input\", \"quantity\": 4}\n",
      oss::SnapshotFormat::jsonl);
  const auto report = reconcile_ok(*odoo.client, snapshot);
  CHECK(report.compared == 7);
  CHECK(report.matching == 1);
  REQUIRE(report.drift.size() == 6);
  const auto row = [&](std::size_t i) {
    const auto& d = report.drift[i];
    return d.sku + "@" + d.location + " channel " + d.channel.value() + " odoo " + d.odoo.value() + " drift " +
           d.drift.value() + (d.unknown_in_odoo ? " unknown" : "");
  };
  CHECK(row(0) == "E-COM07@WH/Stock channel 498.5 odoo 500 drift -1.5");
  CHECK(row(1) == "NO-SUCH-SKU@WH/Stock channel 3 odoo 0 drift 3 unknown");
  CHECK(row(2) == "FURN_0789@WH/Nowhere channel 1 odoo 0 drift 1 unknown");
  CHECK(row(3) == "FURN_0789@Partners/Customers channel 1 odoo 0 drift 1 unknown");  // not an internal location
  CHECK(row(4) == "FURN_5555@WH/Stock/Shelf 2 channel 100 odoo 90 drift 10");
  CHECK(row(5) == "FURN_0269@WH/Input channel 4 odoo 0 drift 4");
  // A snapshot of many SKUs (lookups in chunks, every quant at its locations read): the same answers.
  std::string big = "sku,location,quantity\nE-COM07,WH/Stock,500\nFURN_5555,WH/Stock/Shelf 2,91\n";
  for (int i = 0; i < 1200; ++i) big += "GEN-" + std::to_string(i) + ",WH/Stock," + std::to_string(i % 7) + "\n";
  const auto many = reconcile_ok(*odoo.client, parse_ok(big, oss::SnapshotFormat::csv), {.page_size = 3});
  CHECK(many.compared == 1202);
  CHECK(many.matching == 1);
  REQUIRE(many.drift.size() == 1201);
  CHECK(many.drift[0].sku == "FURN_5555");
  CHECK(many.drift[0].drift.value() == "1");
  CHECK(many.drift[1200].sku == "GEN-1199");
  CHECK(many.drift[1200].unknown_in_odoo);
  // An empty snapshot compares nothing and asks Odoo nothing.
  const auto none = reconcile_ok(*odoo.client, {});
  CHECK(none.compared == 0);
  CHECK(none.drift.empty());
}

TEST_CASE("reconcile: correcting events set Odoo to the channel's counts, with ids that repeat for the same fix") {
  Odoo odoo(18);
  const auto snapshot = parse_ok(
      "sku,location,quantity\n"
      "FURN_0789,WH/Stock,11\n"
      "NO-SUCH-SKU,WH/Stock,3\n"
      "FURN_0269,WH/Input,4\n"
      "E-COM07,WH/Stock,500\n",
      oss::SnapshotFormat::csv);
  const auto report = reconcile_ok(*odoo.client, snapshot);
  REQUIRE(report.drift.size() == 3);
  const auto at = retail::Timestamp::parse("2026-12-01T10:00:00Z").value();
  auto fix = oss::correcting_events(report, "pos/store-12", at);
  REQUIRE_MESSAGE(fix, fix.error().message());
  REQUIRE(fix.value().size() == 2);  // the unknown SKU cannot be fixed in Odoo
  const retail::Event& first = fix.value()[0];
  CHECK(first.source == "pos/store-12");
  CHECK(first.time == at);
  CHECK(first.subject == "sku/FURN_0789@WH/Stock");
  CHECK(first.id.starts_with("reconcile-"));
  CHECK(first.id.size() == 42);
  const auto& adj = std::get<retail::StockAdjusted>(first.data);
  CHECK(adj.counted == retail::Quantity(11'000'000, "Units"));
  CHECK_FALSE(adj.delta);
  CHECK(adj.reason == "reconciliation: Odoo had 16");
  CHECK(fix.value()[1].subject == "sku/FURN_0269@WH/Input");
  CHECK(counted(fix.value()[1]) == "4");

  // The same fix again: the same ids. Another time or another source: new ids.
  auto again = oss::correcting_events(report, "pos/store-12", at);
  REQUIRE(again);
  CHECK(again.value()[0].id == first.id);
  CHECK(again.value()[1].id == fix.value()[1].id);
  CHECK(first.id != fix.value()[1].id);
  CHECK(oss::correcting_events(report, "pos/store-12", retail::Timestamp::parse("2026-12-01T10:00:01Z").value())
            .value()[0]
            .id != first.id);
  CHECK(oss::correcting_events(report, "pos/store-13", at).value()[0].id != first.id);

  // Applied to Odoo through the stock-count mapping, the drift is gone (the unknown SKU stays).
  std::vector<const retail::Event*> members;
  for (const auto& e : fix.value()) members.push_back(&e);
  auto effect = retail::map_to_odoo(members, {});
  REQUIRE_MESSAGE(effect, effect.error().message());
  retail::Resolver resolver(*odoo.client, {});
  auto applied = effect.value()->apply(resolver);
  REQUIRE_MESSAGE(applied, applied.error().to_string());
  const auto after = reconcile_ok(*odoo.client, snapshot);
  CHECK(after.matching == 3);
  REQUIRE(after.drift.size() == 1);
  CHECK(after.drift[0].sku == "NO-SUCH-SKU");
  CHECK(after.drift[0].unknown_in_odoo);

  // A count cannot be negative: a hand-made report that says so is refused, naming the row.
  oss::ReconcileReport odd;
  odd.drift.push_back({.sku = "FURN_0789",
                       .location = "WH/Stock",
                       .channel = retail::Quantity(-1'000'000, "Units"),
                       .odoo = {},
                       .drift = retail::Quantity(-1'000'000, "Units")});
  auto refused = oss::correcting_events(odd, "pos/store-12", at);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message() == "correcting FURN_0789 at WH/Stock: /data/counted/value: must not be negative");
}

// --- outbound pulls -------------------------------------------------------------------------------------

TEST_CASE(
    "outbound: stock levels and prices are delivered, a second pull delivers nothing, a change comes with the next "
    "pull") {
  for (int version : {18, 19}) {
    CAPTURE(version);
    Odoo odoo(version);
    oss::MemoryStore store;
    oss::OutboundPuller puller(store, *odoo.client, {.page_size = 7, .settle = std::nullopt});
    RecordingSink stock, prices;
    puller.add_sink(oss::Feed::stock_levels, stock);
    puller.add_sink(oss::Feed::prices, prices);

    // Stock: one absolute count per (SKU, internal location), lots summed; the demo has 18 such pairs with
    // a SKU (19 also has a quant of a product without one).
    const std::size_t n = pull_ok(puller, oss::Feed::stock_levels);
    std::set<std::string> subjects;
    for (const auto& e : stock.events) subjects.insert(e.subject);
    CHECK(subjects.size() == (version == 18 ? 18u : 19u));
    CHECK(stock.events.size() == n);  // a pair whose quants fall in two pages comes in both, with its total
    CHECK(puller.last_stats(oss::Feed::stock_levels).events == n);
    CHECK(puller.last_stats(oss::Feed::stock_levels).skipped_no_sku == (version == 18 ? 0u : 1u));
    for (std::size_t size : stock.page_sizes) CHECK(size <= 7);  // a page of quants is one accept
    const retail::Event* shelf = stock.find("sku/FURN_5555@WH/Stock/Shelf 2");
    REQUIRE(shelf);
    CHECK(counted(*shelf) == "90");
    CHECK(shelf->source == "odoo");
    CHECK(std::get<retail::StockAdjusted>(shelf->data).counted->uom() == "Units");
    const retail::Event* cabinet = stock.find("sku/E-COM07@WH/Stock");
    REQUIRE(cabinet);
    CHECK(counted(*cabinet) == "500");
    const std::int64_t cabinet_quant = odoo.id_of("stock.quant", field("product_id.default_code") == "E-COM07" &&
                                                                     field("location_id.complete_name") == "WH/Stock");
    CHECK(cabinet->id == "stock.quant/" + std::to_string(cabinet_quant) + "@" + cabinet->time.to_string());
    CHECK(cabinet->time.to_string().starts_with("2026-11-22T"));
    std::set<std::string> ids;
    for (const auto& e : stock.events) ids.insert(e.id);
    CHECK(ids.size() == stock.events.size());
    // The checkpoint is the last internal quant of the demo, by (write_date, id).
    CHECK(stored_checkpoint(store, oss::Feed::stock_levels) ==
          (version == 18 ? "2026-11-22 22:31:54#36" : "2026-11-22 23:08:52#44"));

    // Prices: every active product with an internal reference, in the company's currency.
    const std::size_t price_count = pull_ok(puller, oss::Feed::prices);
    CHECK(price_count == prices.events.size());
    auto products = odoo.client->search_read("product.product", {}, {"default_code"});
    REQUIRE(products);
    std::size_t with_code = 0, without_code = 0;
    for (const auto& p : products.value().GetArray()) ++(p["default_code"].IsString() ? with_code : without_code);
    CHECK(prices.events.size() == with_code);
    CHECK(puller.last_stats(oss::Feed::prices).skipped_no_sku == without_code);
    CHECK(puller.last_stats(oss::Feed::prices).records == with_code + without_code);
    const retail::Event* desk = prices.find("product/E-COM07");
    REQUIRE(desk);
    CHECK(std::get<retail::PriceChanged>(desk->data).price.list_price.to_string() == "320.00 USD");

    // Nothing changed: nothing delivered, no sink called, checkpoints where they were.
    const std::size_t stock_calls = stock.calls, price_calls = prices.calls;
    const std::string stock_cp = stored_checkpoint(store, oss::Feed::stock_levels);
    CHECK(pull_ok(puller, oss::Feed::stock_levels) == 0);
    CHECK(pull_ok(puller, oss::Feed::prices) == 0);
    CHECK(stock.calls == stock_calls);
    CHECK(prices.calls == price_calls);
    CHECK(stored_checkpoint(store, oss::Feed::stock_levels) == stock_cp);

    // A count and a price change in Odoo arrive with the next pull, once.
    odoo.set_stock("E-COM07", "WH/Stock", {4985, 1});
    REQUIRE(odoo.client->write("product.product", {odoo.product("E-COM07")},
                               odoo::Values().set("list_price", odoo::Decimal{32999, 2})));
    CHECK(pull_ok(puller, oss::Feed::stock_levels) == 1);
    CHECK(counted(stock.events.back()) == "498.5");
    CHECK(stock.events.back().subject == "sku/E-COM07@WH/Stock");
    CHECK(stock.events.back().id != cabinet->id);
    CHECK(stored_checkpoint(store, oss::Feed::stock_levels) != stock_cp);
    CHECK(pull_ok(puller, oss::Feed::prices) == 1);
    CHECK(prices.events.back().subject == "product/E-COM07");
    CHECK(std::get<retail::PriceChanged>(prices.events.back().data).price.list_price.amount() == "329.99");
    CHECK(pull_ok(puller, oss::Feed::stock_levels) == 0);
    CHECK(pull_ok(puller, oss::Feed::prices) == 0);

    // A new puller on the same store resumes from the checkpoints.
    oss::OutboundPuller later(store, *odoo.client, {.settle = std::nullopt});
    RecordingSink fresh;
    later.add_sink(oss::Feed::stock_levels, fresh);
    CHECK(pull_ok(later, oss::Feed::stock_levels) == 0);
  }
}

TEST_CASE(
    "outbound: a failing sink leaves the checkpoint, and the next pull delivers the page again with the same ids") {
  Odoo odoo(18);
  oss::MemoryStore store;
  oss::OutboundPuller puller(store, *odoo.client, {.page_size = 5, .settle = std::nullopt});
  RecordingSink first, flaky;
  flaky.fail_calls = {2};  // the second page
  puller.add_sink(oss::Feed::stock_levels, first);
  puller.add_sink(oss::Feed::stock_levels, flaky);

  auto failed = puller.pull(oss::Feed::stock_levels);
  REQUIRE_FALSE(failed);
  CHECK(failed.error().kind() == ErrorKind::validation);
  CHECK(failed.error().message() ==
        "outbound stock_levels: a sink refused a page (kept for the next pull): the shop is down for maintenance");
  CHECK(puller.last_stats(oss::Feed::stock_levels).pages == 1);
  CHECK(puller.last_stats(oss::Feed::stock_levels).events == 5);
  // The checkpoint is the end of the first page, which both sinks took.
  auto quants = odoo.client->search_read("stock.quant", field("location_id.usage") == "internal", {"write_date"},
                                         {.limit = 5, .order = "write_date asc, id asc"});
  REQUIRE(quants);
  const auto& fifth = quants.value()[4];
  const std::string page_one_end =
      std::string(json::text(fifth["write_date"])) + "#" + std::to_string(fifth["id"].GetInt64());
  CHECK(stored_checkpoint(store, oss::Feed::stock_levels) == page_one_end);
  REQUIRE(first.page_sizes.size() == 2);  // the first sink took page two before the second refused it
  REQUIRE(flaky.page_sizes.size() == 1);
  const std::vector<retail::Event> page_two(first.events.begin() + 5, first.events.end());

  // The next pull starts at page two: the first sink sees it again (same ids: a duplicate to drop).
  const std::size_t n = pull_ok(puller, oss::Feed::stock_levels);
  CHECK(n == 18 - 5);
  CHECK(flaky.events.size() == 18);
  CHECK(first.events.size() == 18 + page_two.size());
  for (std::size_t i = 0; i < page_two.size(); ++i) {
    CHECK(first.events[10 + i] == page_two[i]);  // re-delivered, identical
    CHECK(flaky.events[5 + i] == page_two[i]);
  }
  CHECK(stored_checkpoint(store, oss::Feed::stock_levels) == "2026-11-22 22:31:54#36");
  CHECK(pull_ok(puller, oss::Feed::stock_levels) == 0);
}

TEST_CASE("outbound: cancelled orders become OrderCancelled under the channel's number, other states are not sent") {
  for (int version : {18, 19}) {
    CAPTURE(version);
    Odoo odoo(version);
    oss::MemoryStore store;
    oss::OutboundPuller puller(store, *odoo.client, {.settle = std::nullopt});
    RecordingSink orders;
    puller.add_sink(oss::Feed::order_states, orders);
    CHECK(pull_ok(puller, oss::Feed::order_states) == 0);  // the demo has no cancelled order

    // One order from a channel (client_order_ref), one made in Odoo; both cancelled, a third confirmed.
    const std::int64_t partner = odoo.id_of("res.partner", field("is_company") == true);
    const auto order = [&](const char* ref) {
      odoo::Values v;
      v.set("partner_id", partner);
      if (ref) v.set("client_order_ref", ref);
      auto id = odoo.client->create("sale.order", v);
      REQUIRE_MESSAGE(id, id.error().to_string());
      return id.value();
    };
    const std::int64_t from_channel = order("WEB-1001"), from_odoo = order(nullptr), confirmed = order("WEB-1002");
    REQUIRE(odoo.client->call_named("sale.order", "action_cancel", {from_channel}));
    REQUIRE(odoo.client->call_named("sale.order", "action_cancel", {from_odoo}));
    REQUIRE(odoo.client->call_named("sale.order", "action_confirm", {confirmed}));
    CHECK(pull_ok(puller, oss::Feed::order_states) == 2);
    REQUIRE(orders.events.size() == 2);
    auto names = odoo.client->read("sale.order", {from_odoo}, {"name"});
    REQUIRE(names);
    const std::string odoo_name(json::text(names.value()[0]["name"]));
    std::map<std::string, std::optional<std::string>> cancelled;
    for (const auto& e : orders.events) {
      const auto& c = std::get<retail::OrderCancelled>(e.data);
      cancelled[c.number] = c.reason;
      CHECK(e.id.starts_with("sale.order/"));
    }
    REQUIRE(cancelled.count("WEB-1001"));
    REQUIRE(cancelled.count(odoo_name));
    auto channel_name = odoo.client->read("sale.order", {from_channel}, {"name"});
    REQUIRE(channel_name);
    CHECK(cancelled["WEB-1001"] == "cancelled in Odoo as " + std::string(json::text(channel_name.value()[0]["name"])));
    CHECK(cancelled[odoo_name] == "cancelled in Odoo");
    CHECK(pull_ok(puller, oss::Feed::order_states) == 0);
  }
}

TEST_CASE("outbound: no sink, a damaged checkpoint and feed names give clear errors") {
  Odoo odoo(18);
  oss::MemoryStore store;
  oss::OutboundPuller puller(store, *odoo.client, {.settle = std::nullopt});
  auto none = puller.pull(oss::Feed::prices);
  REQUIRE_FALSE(none);
  CHECK(none.error().kind() == ErrorKind::validation);
  CHECK(none.error().message() == "outbound prices: no sink is registered for this feed");
  CHECK(store.checkpoint("outbound/prices").value() == std::nullopt);

  RecordingSink sink;
  puller.add_sink(oss::Feed::prices, sink);
  REQUIRE(store.set_checkpoint("outbound/prices", "yesterday"));
  auto damaged = puller.pull(oss::Feed::prices);
  REQUIRE_FALSE(damaged);
  CHECK(damaged.error().message() ==
        "outbound prices: stored checkpoint 'outbound/prices': checkpoint 'yesterday' is not 'YYYY-MM-DD HH:MM:SS#id'");
  CHECK(sink.calls == 0);

  CHECK(oss::to_string(oss::Feed::stock_levels) == "stock_levels");
  CHECK(oss::to_string(oss::Feed::order_states) == "order_states");
  CHECK(oss::checkpoint_name(oss::Feed::prices) == "outbound/prices");
  CHECK(oss::parse_feed("prices").value() == oss::Feed::prices);
  CHECK(oss::parse_feed("stock").error().message() ==
        "feed: expected stock_levels, prices, order_states or fulfilments, got 'stock'");
}
