// Issue 15: hostile answers and hostile files given to the real odoosync binary. Each case crashed,
// misread a value, or lost an event before; each must now give an error or the right value.
#include <canary.hpp>
#include <doctest/doctest.h>

#include "cli_support.hpp"

#include <tls_server.hpp>

#include <chrono>
#include <filesystem>
#include <thread>
#include <fstream>
#include <string>

using namespace odoosync::testing::cli;
using odoosync::testing::LoopbackServer;

namespace {
struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("odoosync-hostile-" + std::to_string(::getpid()));
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() { odoosync::testing::remove_scratch(path); }
  std::string file(const std::string& name, const std::string& content) const {
    std::ofstream(path / name, std::ios::binary) << content;
    return (path / name).string();
  }
};

std::string stock_event(const std::string& id, const std::string& extra = {}) {
  return R"({"specversion":"1.0","id":")" + id +
         R"(","source":"pos/store-12","type":"retail.stock.adjusted","time":"2026-12-01T10:15:00Z",)" + extra +
         R"("data":{"sku":"SKU-1","location":"WH/Stock","delta":{"value":"-2","uom":"Units"}}})";
}
}  // namespace

TEST_CASE("a server's number beyond the largest double is an error, not an abort or truncated output") {
  LoopbackServer s;
  // Just below the rounding point above the largest double: read as the largest double, no abort.
  s.script("/web/version",
           {json(R"({"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0", "x": 1.797693134862315807e308})"),
            json(v19), json(v19)});
  auto v = run(env_for(s), "version");
  CHECK(v.code == 0);
  CHECK(v.out == "Odoo 19.0 (major 19), protocol json2\n");

  s.script("/json/2/product.product/search_read", {json(R"([{"id": 1, "list_price": 2e308}])"),
                                                   json(R"([{"id": 1, "list_price": 0.184467440737095516159}])")});
  auto big = run(env_for(s), "--json search-read product.product --fields list_price");
  CHECK(big.code != 0);
  CHECK(big.out.empty());  // no truncated JSON on stdout
  CHECK_MESSAGE(big.err.find("number out of range") != std::string::npos, big.err);

  // RapidJSON's full-precision path read this as 4.70197740328915e-38.
  auto exact = run(env_for(s), "--json search-read product.product --fields list_price");
  CHECK(exact.code == 0);
  CHECK_MESSAGE(exact.out.find("0.1844674407370955") != std::string::npos, exact.out);
}

TEST_CASE("sync submit: every line is stored or refused with its number, whatever bytes it holds") {
  TempDir dir;
  const std::string nul(1, '\0');
  const std::string lines = stock_event("a-1") + "\n" +                                           // 1 stored
                            stock_event("a-2", R"("weight": 1)" + std::string(253, '7') + ",") +  // 2 refused
                            "\n" + stock_event("a-3") + nul + stock_event("a-4") + "\n" +         // 3 refused
                            stock_event("a-5", R"("weight": 2e308,)") + "\n" +                    // 4 refused
                            stock_event("a-6", R"("note": "a\u0000b",)") + "\n" +                 // 5 refused
                            stock_event("a-7") + "\n";                                            // 6 stored
  const auto file = dir.file("events.jsonl", lines);
  const auto store = (dir.path / "s.db").string();
  auto r = run("", "sync submit '" + file + "' --store '" + store + "'");
  CHECK(r.code == 3);
  CHECK_MESSAGE(r.err.find("line 2 rejected: /weight: extension attributes must be strings, integers or booleans") !=
                    std::string::npos,
                r.err);
  CHECK(r.err.find("line 3 rejected: (event): not JSON: invalid JSON at byte") != std::string::npos);
  CHECK(r.err.find("a NUL byte") != std::string::npos);
  CHECK(r.err.find("line 4 rejected: (event): not JSON: number out of range") != std::string::npos);
  CHECK(r.err.find("line 5 rejected: /note: must not contain control characters") != std::string::npos);
  CHECK(r.err.find("2 stored, 0 duplicates, 4 rejected") != std::string::npos);
  auto st = run("", "--json sync status --store '" + store + "'");
  CHECK(st.code == 0);
  CHECK_MESSAGE(st.out.find("\"pending\":2") != std::string::npos, st.out);
}

TEST_CASE("sync submit of a directory or an unreadable file is an error, never a silent success") {
  TempDir dir;
  const auto store = (dir.path / "s.db").string();
  auto d = run("", "sync submit '" + dir.path.string() + "' --store '" + store + "'");
  CHECK(d.code == 3);
  CHECK(d.err.find("is a directory") != std::string::npos);
  auto missing = run("", "sync submit '" + (dir.path / "nope.jsonl").string() + "' --store '" + store + "'");
  CHECK(missing.code == 3);
  CHECK(missing.err.find("No such file or directory") != std::string::npos);
}

TEST_CASE("global options are taken after the subcommand too (--json, --store)") {
  LoopbackServer s;
  s.script("/web/version", {json(v19)});
  s.script("/json/2/res.partner/search_count", {json("7")});
  auto r = run(env_for(s), "count res.partner --json");
  CHECK(r.code == 0);
  CHECK(r.out == "7\n");
  TempDir dir;
  auto st = run("", "sync status --store '" + (dir.path / "none.db").string() + "' --json");
  CHECK(st.code != 0);
  CHECK(st.err.rfind("{\"error\":", 0) == 0);  // the error itself as JSON
}

TEST_CASE("secret files are read with a size limit, and refused with a message naming the path") {
  TempDir dir;
  auto zero = run("ODOO_URL=http://127.0.0.1:1", "--api-key-file /dev/zero version");
  CHECK(zero.code == 3);
  CHECK_MESSAGE(zero.err.find("secret file '/dev/zero': is not a regular file") != std::string::npos, zero.err);
  auto d = run("ODOO_URL=http://127.0.0.1:1", "--api-key-file '" + dir.path.string() + "' version");
  CHECK(d.code == 3);
  CHECK(d.err.find("is a directory") != std::string::npos);
  const auto big = dir.file("big-key", std::string(70 * 1024, 'k'));
  auto b = run("ODOO_URL=http://127.0.0.1:1", "--password-file '" + big + "' version");
  CHECK(b.code == 3);
  CHECK(b.err.find("larger than 65536 bytes") != std::string::npos);
  CHECK(b.err.find("kkkk") == std::string::npos);
  const auto empty = dir.file("empty-key", "\n");
  auto e = run("ODOO_URL=http://127.0.0.1:1", "--api-key-file '" + empty + "' version");
  CHECK(e.code == 3);
  CHECK(e.err.find("is empty") != std::string::npos);
}

TEST_CASE("the cause of a failure is what the CLI says, never only 'circuit breaker is open'") {
  const std::string k = " ODOO_API_KEY=" + key;
  // A closed port.
  auto closed = run("ODOO_URL=http://127.0.0.1:1" + k, "version");
  CHECK(closed.code == 6);
  CHECK_MESSAGE(closed.err.find("could not connect") != std::string::npos, closed.err);
  CHECK(closed.err.find("circuit breaker") == std::string::npos);

  using Action = odoosync::testing::Reply::Action;
  // A server that resets every connection.
  LoopbackServer s;
  std::vector<odoosync::testing::Reply> resets(8, odoosync::testing::Reply{.action = Action::reset_before_body});
  s.script("/web/version", resets);
  auto reset = run(env_for(s), "version");
  CHECK(reset.code == 6);
  CHECK_MESSAGE(reset.err.find("connection reset") != std::string::npos, reset.err);
  CHECK(reset.err.find("circuit breaker") == std::string::npos);

  // A server that answers one byte at a time, too slowly for the timeout.
  LoopbackServer s2;
  s2.script("/web/version", std::vector<odoosync::testing::Reply>(
                                8, odoosync::testing::Reply{.action = Action::drip, .body = v19, .delay_ms = 200}));
  auto slow = run("ODOO_TIMEOUT_MS=700 " + env_for(s2), "version");
  CHECK(slow.code == 6);
  CHECK_MESSAGE(slow.err.find("no complete response within 700 ms") != std::string::npos, slow.err);
  CHECK(slow.err.find("circuit breaker") == std::string::npos);

  // Something that is not HTTP on the port: a protocol error (7), not "invalid URL" (3).
  LoopbackServer s3;
  s3.script("/web/version", std::vector<odoosync::testing::Reply>(
                                8, odoosync::testing::Reply{.action = Action::raw, .body = "SSH-2.0-OpenSSH_9.2\r\n"}));
  auto not_http = run(env_for(s3), "version");
  CHECK(not_http.code == 7);
  CHECK_MESSAGE(not_http.err.find("not HTTP") != std::string::npos, not_http.err);

  // https:// on a plain HTTP server: the TLS reason.
  std::string https = s.url();
  https.replace(0, 4, "https");
  auto tls = run("ODOO_TIMEOUT_MS=1000 ODOO_URL=" + https + k, "version");
  CHECK(tls.code == 6);
  CHECK_MESSAGE(tls.err.find("TLS handshake") != std::string::npos, tls.err);
  CHECK(tls.err.find("circuit breaker") == std::string::npos);
}

TEST_CASE("http:// on a TLS server is named, not hidden behind the circuit breaker") {
  odoosync::testing::TlsServer tls;
  std::string http = tls.url();
  http.replace(0, 5, "http");
  auto r = run("ODOO_URL=" + http + " ODOO_API_KEY=" + key, "version");
  CHECK(r.code != 0);
  CHECK(r.code != 3);
  CHECK_MESSAGE(r.err.find("circuit breaker") == std::string::npos, r.err);
}

TEST_CASE("sync run that can do nothing names the cause and fails, and --until-idle is bounded by --stall-timeout") {
  TempDir dir;
  const auto store = (dir.path / "s.db").string();
  const auto file = dir.file("e.jsonl", stock_event("u-1") + "\n");
  REQUIRE(run("", "sync submit '" + file + "' --store '" + store + "'").code == 0);
  const std::string down = "ODOO_URL=http://127.0.0.1:1 ODOO_API_KEY=" + key;

  auto idle = run(down, "sync run --until-idle --stall-timeout 2 --store '" + store + "'");
  CHECK(idle.code == 6);
  CHECK_MESSAGE(idle.err.find("stalled: nothing applied for 2 s") != std::string::npos, idle.err);
  CHECK(idle.err.find("could not connect") != std::string::npos);

  auto service = run(down, "sync run --max-time 2 --store '" + store + "'");
  CHECK(service.code == 6);
  CHECK_MESSAGE(service.err.find("nothing was sent to Odoo; the last failure") != std::string::npos, service.err);
  CHECK(service.err.find("could not connect") != std::string::npos);

  auto st = run("", "--json sync status --store '" + store + "'");
  CHECK_MESSAGE(st.out.find("\"pending\":1") != std::string::npos, st.out);  // nothing lost, nothing dead
}

TEST_CASE("HTTP 500 with an HTML page is an outage to wait out, not a reason to dead-letter") {
  TempDir dir;
  const auto store = (dir.path / "s.db").string();
  const auto file = dir.file("e.jsonl", stock_event("h-1") + "\n" + stock_event("h-2") + "\n");
  REQUIRE(run("", "sync submit '" + file + "' --store '" + store + "'").code == 0);
  LoopbackServer s;
  s.script("/web/version", {json(v19)});
  s.set_fallback(odoosync::testing::Reply{
      .status = 500,
      .headers = {{"Content-Type", "text/html"}},
      .body =
          "<html><body><h1>Internal Server Error</h1><p>The server encountered an internal error.</p></body></html>"});
  auto r = run(env_for(s), "sync run --until-idle --stall-timeout 3 --store '" + store + "'");
  CHECK(r.code == 6);
  CHECK_MESSAGE(r.err.find("HTTP 500") != std::string::npos, r.err);
  CHECK(r.err.find("The server encountered an internal error.") != std::string::npos);
  CHECK(r.err.find("retried") != std::string::npos);
  // Both events wait (pending, or in an open batch to be retried): none dead.
  auto st = run("", "--json sync status --store '" + store + "'");
  CHECK_MESSAGE(st.out.find(R"("applied":0,"dead":0)") != std::string::npos, st.out);
  CHECK((st.out.find(R"("pending":2)") != std::string::npos || st.out.find(R"("in_flight":2)") != std::string::npos));
}

TEST_CASE("a second sync run on a busy store exits 8 (the store), not 5 (Odoo refused)") {
  TempDir dir;
  const auto store = (dir.path / "s.db").string();
  const auto file = dir.file("e.jsonl", stock_event("b-1") + "\n");
  REQUIRE(run("", "sync submit '" + file + "' --store '" + store + "'").code == 0);
  // The first engine: a service run in the background against a server that never answers.
  LoopbackServer s;
  s.set_fallback(odoosync::testing::Reply{.action = odoosync::testing::Reply::Action::hang});
  const std::string cmd = "env ODOO_URL=" + s.url() + " ODOO_API_KEY=" + key +
                          " '" ODOOSYNC_CLI_PATH "' sync run --max-time 6 --store '" + store + "' >/dev/null 2>&1 &";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto second = run(env_for(s), "sync run --until-idle --store '" + store + "'");
  CHECK(second.code == 8);
  CHECK_MESSAGE(second.err.find("runs the sync engine on") != std::string::npos, second.err);
  s.stop();
}

TEST_CASE(
    "a server's text that quotes the request never carries the API key to stderr, the dead letters or the store") {
  // A proxy's 502 page quoting the request it could not forward.
  LoopbackServer s;
  s.script("/web/version", {json(v19)});
  const std::string quoted =
      "<html><body><h1>502 Bad Gateway</h1><pre>POST /json/2/res.partner/search_count\n"
      "Authorization: bearer " +
      key + "\nbody: {\"key\": \"" + key + "\"}</pre></body></html>";
  s.set_fallback(odoosync::testing::Reply{.status = 502, .headers = {{"Content-Type", "text/html"}}, .body = quoted});
  auto r = run("ODOO_TIMEOUT_MS=2000 " + env_for(s), "count res.partner");
  CHECK(r.code == 6);
  CHECK_MESSAGE(r.err.find("[redacted]") != std::string::npos, r.err);
  CHECK(r.err.find(key) == std::string::npos);

  // An Odoo error whose message repeats the key: dead-lettered, and neither the dead-letter list, the
  // audit nor the store file holds it.
  TempDir dir;
  const auto store = (dir.path / "s.db").string();
  REQUIRE(
      run("", "sync submit '" + dir.file("e.jsonl", stock_event("k-1") + "\n") + "' --store '" + store + "'").code ==
      0);
  LoopbackServer odoo;
  odoo.script("/web/version", {json(v19)});
  odoo.set_fallback(json(R"({"name": "odoo.exceptions.UserError", "message": "token bearer )" + key +
                             R"( is not allowed here", "arguments": ["token bearer )" + key +
                             R"( is not allowed here"], "context": {}, "debug": ""})",
                         422));
  auto sync = run(env_for(odoo), "sync run --until-idle --stall-timeout 5 --store '" + store + "'");
  CHECK(sync.err.find(key) == std::string::npos);
  auto dlq = run("", "sync dlq list --store '" + store + "'");
  const std::string seen = dlq.out + dlq.err + sync.err;
  CHECK_MESSAGE(dlq.out.find("[redacted]") != std::string::npos, seen);
  CHECK(dlq.out.find(key) == std::string::npos);
  auto audit = run("", "sync audit k-1 --store '" + store + "'");
  CHECK(audit.out.find(key) == std::string::npos);
  for (const auto& f : std::filesystem::directory_iterator(dir.path)) {
    CHECK_MESSAGE(slurp(f.path()).find(key) == std::string::npos, f.path().string());
  }
}
