// The odoosync command-line tool, black-box: the real binary run against the loopback server playing
// an Odoo 19 (JSON-2) with scripted answers.
#include <doctest/doctest.h>

#include <loopback_server.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>

using odoosync::testing::LoopbackServer;
using odoosync::testing::Reply;

#include "cli_support.hpp"

using namespace odoosync::testing::cli;

TEST_CASE("odoosync version detects Odoo 19 and JSON-2") {
  LoopbackServer s;
  s.script("/web/version", {json(v19)});
  auto r = run(env_for(s), "version");
  CHECK(r.code == 0);
  CHECK(r.out == "Odoo 19.0 (major 19), protocol json2\n");
  s.script("/web/version", {json(v19)});
  auto j = run(env_for(s), "--json version");
  CHECK(j.out == "{\"version\":\"19.0\",\"major\":19,\"protocol\":\"json2\"}\n");
}

TEST_CASE("count, search-read as a table and as JSON, and call") {
  LoopbackServer s;
  s.script("/web/version", {json(v19), json(v19), json(v19), json(v19)});
  s.script("/json/2/res.partner/search_count", {json("42")});
  s.script("/json/2/product.product/search_read",
           {json(R"([{"id": 1, "name": "Desk", "list_price": 12.5, "categ_id": [3, "All / Furniture"]}])"),
            json(R"([{"id": 1, "name": "Desk"}])")});
  s.script("/json/2/res.partner/read", {json(R"([{"id": 3, "name": "Gemini"}])")});
  // JSON-2 has no positional arguments: the CLI names them from the model's published signatures.
  s.script("/doc-bearer/res.partner.json",
           {json(R"({"model": "res.partner", "methods": {"read": {"parameters": {"fields": {}, "load": {}}}}})")});

  auto c = run(env_for(s), "count res.partner --domain '[[\"is_company\",\"=\",true]]'");
  CHECK(c.code == 0);
  CHECK(c.out == "42\n");
  auto seen = s.seen();
  bool found = false;
  for (const auto& q : seen)
    if (q.target == "/json/2/res.partner/search_count") {
      found = true;
      CHECK(q.body == R"({"domain":[["is_company","=",true]]})");
      CHECK(q.header("Authorization") == "bearer " + key);
    }
  CHECK(found);

  auto t = run(env_for(s), "search-read product.product --fields name,list_price,categ_id --limit 5");
  CHECK(t.code == 0);
  CHECK(t.out == "id  name  list_price  categ_id\n1   Desk  12.5        All / Furniture\n");
  auto j = run(env_for(s), "--json search-read product.product --fields name");
  CHECK(j.out == "[{\"id\":1,\"name\":\"Desk\"}]\n");
  auto call = run(env_for(s), "call res.partner read '[[3]]' --kwargs '{\"fields\":[\"name\"]}'");
  CHECK(call.code == 0);
  CHECK(call.out == "[{\"id\":3,\"name\":\"Gemini\"}]\n");
  CHECK(s.seen().back().body == R"({"ids":[3],"fields":["name"]})");
}

TEST_CASE("export streams JSON lines page by page and prints the checkpoint to resume from") {
  LoopbackServer s;
  s.script("/web/version", {json(v19)});
  // A full page of one second is read again by id within that second (Odoo reads write_date truncated),
  // until a short page closes the second; then the later seconds.
  const char* ab =
      R"([{"id": 4, "name": "A", "write_date": "2026-11-22 10:00:00"}, {"id": 9, "name": "B", "write_date": "2026-11-22 10:00:00"}])";
  s.script("/json/2/product.product/search_read",
           {json(ab), json(ab), json("[]"), json(R"([{"id": 2, "name": "C", "write_date": "2026-11-22 10:00:05"}])")});
  auto r = run(env_for(s), "export product.product --fields name --page-size 2");
  CHECK(r.code == 0);
  CHECK(r.out ==
        "{\"id\":4,\"name\":\"A\",\"write_date\":\"2026-11-22 10:00:00\"}\n"
        "{\"id\":9,\"name\":\"B\",\"write_date\":\"2026-11-22 10:00:00\"}\n"
        "{\"id\":2,\"name\":\"C\",\"write_date\":\"2026-11-22 10:00:05\"}\n");
  CHECK(r.err.find("exported 3 records") != std::string::npos);
  CHECK(r.err.find("checkpoint: 2026-11-22 10:00:05#2") != std::string::npos);
  auto seen = s.seen();
  const auto& within = seen[seen.size() - 2];  // the rest of 10:00:00 above id 9, between the second's bounds
  CHECK(within.body.find(R"(["write_date",">=","2026-11-22 10:00:00"])") != std::string::npos);
  CHECK(within.body.find(R"(["write_date","<","2026-11-22 10:00:01"])") != std::string::npos);
  CHECK(within.body.find(R"(["id",">",9])") != std::string::npos);
  CHECK(seen.back().body.find(R"(["write_date",">=","2026-11-22 10:00:01"])") != std::string::npos);

  s.script("/web/version", {json(v19)});
  s.script("/json/2/product.product/search_read",
           {json("[]"), json(R"([{"id": 5, "name": "x,\"y\"", "write_date": "2026-11-22 11:00:00"}])")});
  auto csv = run(env_for(s), "export product.product --fields name --format csv --since '2026-11-22 10:00:05#2'");
  CHECK(csv.code == 0);
  CHECK(csv.out == "id,name\n5,\"x,\"\"y\"\"\"\n");
  seen = s.seen();
  CHECK(seen[seen.size() - 2].body.find(R"(["id",">",2])") != std::string::npos);
  CHECK(seen.back().body.find(R"(["write_date",">=","2026-11-22 10:00:06"])") != std::string::npos);
}

TEST_CASE("errors print one line (or JSON) with a documented exit code, never a secret") {
  LoopbackServer s;
  s.script("/web/version", {json(v19), json(v19)});
  const char* unauthorized =
      R"({"name": "werkzeug.exceptions.Unauthorized", "message": "Invalid apikey", "arguments": ["Invalid apikey", 401], "context": {}, "debug": "Traceback (most recent call last): ..."})";
  s.script("/json/2/res.partner/search_count", {json(unauthorized, 401), json(unauthorized, 401)});
  auto r = run(env_for(s), "count res.partner");
  CHECK(r.code == 4);
  CHECK(r.out.empty());
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find("auth/401 [werkzeug.exceptions.Unauthorized]: Invalid apikey") != std::string::npos);
  CHECK(r.err.find(key) == std::string::npos);
  CHECK(r.err.find("Traceback") == std::string::npos);
  auto j = run(env_for(s), "--json count res.partner");
  CHECK(j.code == 4);
  CHECK(j.err.rfind("{\"error\":\"auth\",", 0) == 0);

  auto no_url = run("ODOO_API_KEY=" + key, "count res.partner");
  CHECK(no_url.code == 3);
  CHECK(no_url.err.find("ODOO_URL") != std::string::npos);
  auto bad_domain = run(env_for(s), "count res.partner --domain '[[\"a\",\"==\",1]]'");
  CHECK(bad_domain.code == 3);
  CHECK(bad_domain.err.find("--domain") != std::string::npos);
  auto usage = run(env_for(s), "frobnicate");
  CHECK(usage.code == 2);
  auto down = run("ODOO_URL=http://127.0.0.1:1 ODOO_API_KEY=" + key, "version");
  CHECK(down.code == 6);
}

TEST_CASE("secrets come from files, never from flags, --help lists examples and exit codes") {
  LoopbackServer s;
  s.script("/web/version", {json(v19)});
  s.script("/json/2/res.partner/search_count", {json("7")});
  auto file = std::filesystem::temp_directory_path() / "odoosync-cli-key";
  std::ofstream(file) << key << "\n";
  auto r = run("ODOO_URL=" + s.url(), "--api-key-file '" + file.string() + "' count res.partner");
  std::filesystem::remove(file);
  CHECK(r.code == 0);
  CHECK(r.out == "7\n");
  CHECK(s.seen().back().header("Authorization") == "bearer " + key);
  auto missing = run("ODOO_URL=" + s.url(), "--api-key-file /nonexistent/key count res.partner");
  CHECK(missing.code == 3);
  auto help = run("", "--help");
  CHECK(help.code == 0);
  CHECK(help.out.find("Exit codes:") != std::string::npos);
  CHECK(help.out.find("odoosync export product.product") != std::string::npos);
}
