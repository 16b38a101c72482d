// The odoosync tool's sync commands, black-box, against the emulator: submit (no Odoo needed), run,
// status, the dead-letter queue, audit, metrics and stock reconciliation with --fix.
#include <canary.hpp>
#include <doctest/doctest.h>

#include "test_odoo.hpp"

#include <odoosync/core/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

struct Run {
  int code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Cli {
  fs::path dir = fs::temp_directory_path() / ("odoosync-sync-cli-" + std::to_string(::getpid()));
  std::string env;
  Cli() {
    odoosync::testing::remove_scratch(dir);
    fs::create_directories(dir);
  }
  ~Cli() { odoosync::testing::remove_scratch(dir); }

  Run run(const std::string& args, const std::string& stdin_file = "/dev/null") {
    const std::string cmd =
        "cd '" + dir.string() + "' && env -u ODOO_URL -u ODOO_DB -u ODOO_USER -u ODOO_API_KEY -u ODOO_PASSWORD " +
        "-u ODOOSYNC_STORE " + env + " '" ODOOSYNC_CLI_PATH "' " + args + " >out 2>err <'" + stdin_file + "'";
    const int status = std::system(cmd.c_str());
    Run r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(dir / "out");
    r.err = slurp(dir / "err");
    return r;
  }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir / name) << text; }
};

std::string stock(const std::string& id, const std::string& sku, const std::string& delta) {
  return R"({"specversion":"1.0","id":")" + id +
         R"(","source":"pos/store-1","type":"retail.stock.adjusted","time":"2026-12-01T10:15:00Z","data":{"sku":")" +
         sku + R"(","location":"WH/Stock","delta":{"value":")" + delta + R"(","uom":"Units"}}})";
}

}  // namespace

TEST_CASE("cli: sync submit, run, status, dead letters, audit, metrics, reconcile with --fix") {
  odoosync::testing::TestOdoo odoo;  // Odoo 18; the tool talks to it by its URL and API key
  Cli cli;

  // No store yet: status says so (exit 8, storage).
  auto none = cli.run("sync status");
  CHECK(none.code == 8);
  CHECK(none.err.find("no store at 'odoosync.db'") != std::string::npos);

  // Intake needs no Odoo: no ODOO_URL is set.
  cli.write("day.jsonl", stock("e1", "FURN_7777", "5") + "\n" + stock("e2", "GHOST-1", "-1") + "\n" +
                             stock("e1", "FURN_7777", "5") + "\n" + stock("e3", "FURN_7777", "oops") + "\n\n" +
                             stock("e4", "FURN_8888", "-2") + "\n");
  auto sub = cli.run("sync submit day.jsonl");
  CHECK(sub.code == 3);  // one line was rejected
  CHECK(sub.err.find("line 4 rejected: /data/delta/value") != std::string::npos);
  CHECK(sub.err.find("3 stored, 1 duplicates, 1 rejected") != std::string::npos);
  CHECK(fs::exists(cli.dir / "odoosync.db"));
  auto again = cli.run("sync submit -", (cli.dir / "day.jsonl").string());
  CHECK(again.err.find("0 stored, 4 duplicates, 1 rejected") != std::string::npos);

  auto st = cli.run("--json sync status");
  REQUIRE(st.code == 0);
  CHECK(st.out.find("\"realtime\":{\"pending\":3,") != std::string::npos);

  cli.env = "ODOO_URL=" + odoo.url() + " ODOO_DB=retail18 ODOO_USER=admin ODOO_API_KEY=" + odoo.emulator->api_key();
  auto ran = cli.run("sync run --until-idle --metrics");
  REQUIRE_MESSAGE(ran.code == 0, ran.err);
  CHECK(ran.err.find("idle:") != std::string::npos);
  CHECK(ran.out.find("odoosync_events_applied_total{lane=\"realtime\",type=\"retail.stock.adjusted\"} 2") !=
        std::string::npos);
  CHECK(ran.out.find("odoosync_rpc_seconds_count ") != std::string::npos);

  auto dlq = cli.run("sync dlq list");
  REQUIRE(dlq.code == 0);
  CHECK(dlq.out.find("pos/store-1 e2") != std::string::npos);
  CHECK(dlq.out.find("unknown SKU \"GHOST-1\"") != std::string::npos);
  auto show = cli.run("sync dlq show e2");
  CHECK(show.out.find("status     dead") != std::string::npos);
  auto audit = cli.run("sync audit e2");
  REQUIRE(audit.code == 0);
  CHECK(audit.out.find("submitted") != std::string::npos);
  CHECK(audit.out.find("dead") != std::string::npos);
  auto by_subject = cli.run("--json sync audit --subject sku/FURN_7777@WH/Stock");
  CHECK(by_subject.out.find("\"action\":\"applied\"") != std::string::npos);
  auto missing = cli.run("sync dlq replay nope");
  CHECK(missing.code == 5);
  auto discard_no_reason = cli.run("sync dlq discard e2");
  CHECK(discard_no_reason.code == 2);
  auto discarded = cli.run("sync dlq discard e2 --reason 'test SKU'");
  CHECK(discarded.code == 0);
  CHECK(cli.run("sync dlq list").out.find("empty") != std::string::npos);

  auto metrics = cli.run("metrics");
  REQUIRE(metrics.code == 0);
  CHECK(metrics.out.find("odoosync_events_submitted_total{lane=\"realtime\",type=\"retail.stock.adjusted\"} 3") !=
        std::string::npos);
  CHECK(metrics.out.find("odoosync_queue_depth{lane=\"realtime\"} 0") != std::string::npos);

  // Reconcile: read what Odoo holds, compare a snapshot that agrees, then one that does not, and fix it.
  auto on_hand = cli.run(
      "--json search-read stock.quant --domain '[[\"location_id.complete_name\",\"=\",\"WH/Stock\"],"
      "[\"product_id.default_code\",\"=\",\"FURN_7777\"]]' --fields quantity");
  REQUIRE(on_hand.code == 0);
  const auto q = on_hand.out.find("\"quantity\":");
  REQUIRE(q != std::string::npos);
  const std::string qty = on_hand.out.substr(q + 11, on_hand.out.find_first_of(",}", q + 11) - (q + 11));
  cli.write("same.csv", "sku,location,quantity\nFURN_7777,WH/Stock," + qty + "\n");
  auto same = cli.run("reconcile stock --snapshot same.csv");
  CHECK_MESSAGE(same.code == 0, (same.out + same.err));
  CHECK(same.err.find("1 rows compared, 1 match, 0 drift") != std::string::npos);
  cli.write("off.csv", "sku,location,quantity\nFURN_7777,WH/Stock,250\n");
  auto off = cli.run("reconcile stock --snapshot off.csv --fix");
  CHECK(off.code == 1);
  CHECK(off.out.find("FURN_7777") != std::string::npos);
  CHECK(off.err.find("1 correcting stock counts submitted") != std::string::npos);
  auto twice = cli.run("reconcile stock --snapshot off.csv --fix");  // the same snapshot: the same correction
  CHECK(twice.err.find("0 correcting stock counts submitted (1 already queued)") != std::string::npos);
  REQUIRE(cli.run("sync run --until-idle").code == 0);
  auto fixed = cli.run("reconcile stock --snapshot off.csv");
  CHECK_MESSAGE(fixed.code == 0, (fixed.out + fixed.err));
}

TEST_CASE("cli: doctor exits 1 on a user with too few rights, 0 with warnings only, 1 with --strict") {
  odoosync::testing::TestOdoo odoo(18);
  Cli cli;
  const std::string where = "ODOO_URL=" + odoo.url() + " ODOO_DB=retail18 no_proxy=127.0.0.1 ";
  cli.env = where + "ODOO_USER=rpc_limited ODOO_PASSWORD=rpc_limited";
  auto limited = cli.run("--json doctor --types retail.order.created");
  CHECK(limited.code == 1);
  CHECK(limited.out.find(R"({"worst":"error",)") == 0);
  CHECK(limited.out.find(R"("check":"odoo.access.sale.order","severity":"error")") != std::string::npos);
  CHECK(limited.out.find(R"("check":"odoo.access.stock.warehouse","severity":"ok")") != std::string::npos);
  cli.env = where + "ODOO_USER=admin ODOO_API_KEY=" + odoo.emulator->api_key();
  auto admin = cli.run("doctor --types retail.order.cancelled");
  CHECK(admin.code == 0);
  CHECK(admin.out.find("warning odoo.user") != std::string::npos);
  CHECK(admin.out.find(odoo.emulator->api_key()) == std::string::npos);
  CHECK(cli.run("doctor --strict --types retail.order.cancelled").code == 1);
  auto unknown = cli.run("doctor --types retail.nope");
  CHECK(unknown.code == 3);
  CHECK(unknown.err.find("unknown event type \"retail.nope\"") != std::string::npos);
  cli.env.clear();
  auto unconfigured = cli.run("doctor");
  CHECK(unconfigured.code == 1);
  CHECK(unconfigured.out.find("odoo.connection") != std::string::npos);
}

TEST_CASE("cli: sync audit --trace follows a sale from the till's submit to the RPC that applied it") {
  odoosync::testing::TestOdoo odoo;
  Cli cli;
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string traceparent = "00-" + trace + "-00f067aa0ba902b7-01";
  std::string sale = stock("sale-1", "FURN_7777", "-1");
  sale.insert(sale.find("\"data\":"), "\"traceparent\":\"" + traceparent + "\",");
  cli.write("day.jsonl", sale + "\n" + stock("count-1", "FURN_8888", "1") + "\n");
  REQUIRE(cli.run("sync submit day.jsonl").code == 0);
  cli.env = "ODOO_URL=" + odoo.url() + " ODOO_DB=retail18 ODOO_USER=admin ODOO_API_KEY=" + odoo.emulator->api_key();
  REQUIRE(cli.run("sync run --until-idle").code == 0);

  auto text = cli.run("sync audit --trace " + trace);
  REQUIRE_MESSAGE(text.code == 0, text.err);
  CHECK(text.out.find("submitted") != std::string::npos);
  CHECK(text.out.find("pos/store-1 sale-1  trace " + trace) != std::string::npos);
  CHECK(text.out.find("applied") != std::string::npos);
  CHECK(text.out.find("    rpc ") != std::string::npos);
  CHECK(text.out.find("count-1") != std::string::npos);  // carried by the same RPCs

  // As JSON, by the whole traceparent: the applied row names the span the emulator saw on the write.
  auto rows = cli.run("--json sync audit --trace " + traceparent);
  REQUIRE_MESSAGE(rows.code == 0, rows.err);
  std::string span, rpc_id;
  std::istringstream lines(rows.out);
  for (std::string line; std::getline(lines, line);) {
    auto row = odoosync::json::parse(line);
    REQUIRE(row);
    if (std::string(row.value()["id"].GetString()) == "sale-1" &&
        std::string(row.value()["action"].GetString()) == "applied") {
      CHECK(std::string(row.value()["trace_id"].GetString()) == trace);
      CHECK(std::string(row.value()["rpc_trace_id"].GetString()) == trace);
      span = row.value()["rpc_span_id"].GetString();
      rpc_id = row.value()["rpc_id"].GetString();
    }
  }
  REQUIRE(span.size() == 16);
  auto seen = odoosync::json::parse(odoo.control("requests"));
  REQUIRE(seen);
  int found = 0;
  for (const auto& c : seen.value().GetArray()) {
    if (std::string(c["traceparent"].GetString()) != "00-" + trace + "-" + span + "-01") continue;
    ++found;
    CHECK(std::string(c["call"].GetString()) == "stock.picking.button_validate");
    CHECK(std::string(c["correlation_id"].GetString()) == rpc_id);
  }
  CHECK(found == 1);

  auto malformed = cli.run("sync audit --trace 4bf92f35");
  CHECK(malformed.code == 3);
  CHECK(malformed.err.find("--trace") != std::string::npos);
  CHECK(cli.run("sync audit --trace " + std::string(32, 'f')).code == 5);  // nothing of that trace
}
