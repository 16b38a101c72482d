// Every exchange recorded from a real Odoo 18 (JSON-RPC) and Odoo 19 (JSON-2 and legacy JSON-RPC),
// replayed: the recorded answer decodes to what tests/data/replay_expectations.json states (the value,
// or the error's kind, class, status and retryability), and for ORM calls the request our Client
// builds for the same call equals the request the real server was sent.
#include <doctest/doctest.h>

#include <odoosync/http/fake_transport.hpp>
#include <odoosync/odoo/client.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace odoosync;
using namespace odoosync::odoo;

namespace {
const std::filesystem::path data_dir = ODOOSYNC_TEST_DATA_DIR;

json::Document load(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = json::parse(ss.str());
  REQUIRE_MESSAGE(doc, p.string());
  return std::move(doc.value());
}

std::string str(const json::Value& v) { return {v.GetString(), v.GetStringLength()}; }

// The recorded response as our transport would have returned it.
http::Response response_of(const json::Value& t) {
  const auto& r = t["response"];
  http::Response out;
  out.status = r["status"].GetInt();
  for (const auto& h : r["headers"].GetObject()) {
    if (h.value.IsArray()) {
      for (const auto& v : h.value.GetArray()) out.headers.add(str(h.name), str(v));
    } else if (h.value.IsString()) {
      out.headers.add(str(h.name), str(h.value));
    }
  }
  if (const auto* raw = json::find(r, "body_raw"); raw && raw->IsString()) {
    out.body = str(*raw);
  } else if (str(r["body_encoding"]) == "json") {
    out.body = json::to_string(r["body"]);
  } else if (r["body"].IsString()) {
    out.body = str(r["body"]);
  }
  return out;
}

// What a successful answer must decode to: the envelope's result (null if absent), or the JSON-2 body.
const json::Value& expected_value(const json::Value& t, bool jsonrpc, json::Document& holder) {
  const auto& body = t["response"]["body"];
  if (jsonrpc) {
    if (const auto* r = json::find(body, "result")) return *r;
    holder.SetNull();
    return holder;
  }
  if (str(t["response"]["body_encoding"]) == "text") {
    auto parsed = json::parse(body.IsString() ? str(body) : std::string("null"));
    REQUIRE(parsed);
    holder = std::move(parsed.value());
    return holder;
  }
  return body;
}

void check_decoding(std::string_view version, std::size_t expected_count) {
  auto expectations = load(data_dir / "replay_expectations.json");
  std::set<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir / version)) {
    auto name = entry.path().filename().string();
    if (name.size() > 5 && name.ends_with(".json") && std::isdigit(static_cast<unsigned char>(name[0])))
      files.insert(std::string(version) + "/" + name);
  }
  CHECK(files.size() == expected_count);
  std::size_t checked = 0;
  for (const auto& e : expectations.GetArray()) {
    const std::string file = str(e["file"]);
    if (!file.starts_with(std::string(version) + "/")) continue;
    INFO(file);
    REQUIRE(files.erase(file) == 1);  // each recording has exactly one expectation
    ++checked;
    auto t = load(data_dir / file);
    const auto response = response_of(t);
    const std::string decoder = str(e["decoder"]);
    if (decoder == "none") {  // GET /web/version: plain JSON, read by the version probe
      auto doc = json::parse(response.body);
      REQUIRE(doc);
      CHECK(json::find(doc.value(), "version") != nullptr);
      continue;
    }
    const bool jsonrpc = decoder == "jsonrpc";
    auto r = jsonrpc ? decode_jsonrpc(response) : decode_json2(response);
    if (str(e["expect"]) == "value") {
      REQUIRE_MESSAGE(r, (r ? std::string() : r.error().to_string()));
      json::Document holder;
      CHECK(r.value() == expected_value(t, jsonrpc, holder));
      continue;
    }
    REQUIRE_FALSE(r);
    const Error& err = r.error();
    CAPTURE(err.to_string());
    CHECK(std::string(to_string(err.kind())) == str(e["kind"]));
    CHECK(err.odoo_class() == str(e["class"]));
    CHECK(err.http_status() == e["status"].GetInt());
    CHECK(err.retryable() == e["retryable"].GetBool());
    CHECK(err.message().find(str(e["message_contains"])) != std::string::npos);
    CHECK(err.debug().empty());  // tracebacks only when asked for
  }
  CHECK(files.empty());  // no recording without an expectation
  CHECK(checked == expected_count);
}

// Replays the ORM calls through the Client: the request it builds must equal the recorded one.
void check_requests(std::string_view version, std::string_view db, std::size_t minimum) {
  std::size_t replayed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir / version)) {
    const auto name = entry.path().filename().string();
    if (!std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    auto t = load(entry.path());
    const auto& req = t["request"];
    const std::string path = str(req["path"]);
    const auto& body = req["body"];
    const bool execute_kw = path == "/jsonrpc" && body.IsObject() && json::find(body, "params") &&
                            json::find(body["params"], "method") && body["params"]["method"] == "execute_kw" &&
                            body["params"]["args"].IsArray() && body["params"]["args"].Size() >= 6 &&
                            body["params"]["args"][2] == "<API_KEY>" && body["params"]["args"][1].IsInt() &&
                            body["params"]["args"][5].IsArray();
    const bool json2 = path.starts_with("/json/2/") && str(req["method"]) == "POST" && body.IsObject() &&
                       str(req["body_encoding"]) == "json" && json::find(req["headers"], "Authorization") &&
                       str(req["headers"]["Authorization"]) == "bearer <API_KEY>" &&
                       (!json::find(body, "ids") || body["ids"].IsArray()) &&
                       (!json::find(body, "context") || body["context"].IsObject()) &&
                       path.find("/", 8) != std::string::npos;
    if (!execute_kw && !json2) continue;
    INFO(name);
    auto fake = std::make_shared<http::FakeTransport>();
    const auto recorded = response_of(t);
    const std::int64_t uid = execute_kw ? body["params"]["args"][1].GetInt64() : 0;
    fake->set_fallback([&](const http::Request& r) -> result<http::Response> {
      if (r.body.find("\"authenticate\"") != std::string::npos) {
        return http::Response{.status = 200,
                              .body = R"({"jsonrpc":"2.0","id":1,"result":)" + std::to_string(uid) + "}"};
      }
      return recorded;
    });
    Config cfg;
    cfg.url = "http://odoo.test";
    // The database the recording named (one case asks for a database that does not exist).
    cfg.database = execute_kw ? str(body["params"]["args"][0]) : std::string(db);
    cfg.login = "admin";
    cfg.api_key = Secret("<API_KEY>");
    cfg.protocol = execute_kw ? Protocol::jsonrpc : Protocol::json2;
    if (json2 && !json::find(req["headers"], "X-Odoo-Database")) cfg.database.clear();
    auto client = Client::create(cfg, fake);
    REQUIRE(client);
    result<json::Document> got = Error::protocol("not called");
    if (execute_kw) {
      const auto& args = body["params"]["args"];
      const std::string kwargs = args.Size() > 6 ? json::to_string(args[6]) : "{}";
      got = client.value()->call(str(args[3]), str(args[4]), json::to_string(args[5]), kwargs);
    } else {
      const auto slash = path.find('/', 8);
      const std::string model = path.substr(8, slash - 8), method = path.substr(slash + 1);
      std::vector<std::int64_t> ids;
      json::Writer kw;
      kw.begin_object();
      CallOptions opts;
      for (const auto& m : body.GetObject()) {
        if (m.name == "ids") {
          for (const auto& id : m.value.GetArray()) ids.push_back(id.GetInt64());
        } else if (m.name == "context") {
          opts.context_json = json::to_string(m.value);
        } else {
          kw.key(str(m.name)).value(m.value);
        }
      }
      kw.end_object();
      got = client.value()->call_named(model, method, ids, std::string(kw.view().value()), opts);
    }
    // The request on the wire: same path, same params/body (as JSON values; our ids differ).
    auto sent = fake->requests();
    REQUIRE_FALSE(sent.empty());
    const auto& last = sent.back();
    CHECK(last.url == "http://odoo.test" + path);
    auto ours = json::parse(last.body);
    REQUIRE(ours);
    if (execute_kw) {
      CHECK(ours.value()["params"] == body["params"]);
      auto decoded = decode_jsonrpc(recorded);
      CHECK(static_cast<bool>(got) == static_cast<bool>(decoded));
      if (got && decoded) CHECK(got.value() == decoded.value());
    } else {
      json::Document expected;
      expected.CopyFrom(body, expected.GetAllocator());
      if (json::find(expected, "ids") && expected["ids"].Empty()) expected.RemoveMember("ids");
      CHECK(ours.value() == expected);
      CHECK(last.headers.get("Authorization") == "bearer <API_KEY>");
      auto decoded = decode_json2(recorded);
      CHECK(static_cast<bool>(got) == static_cast<bool>(decoded));
      if (!got && !decoded) CHECK(got.error().odoo_class() == decoded.error().odoo_class());
    }
    ++replayed;
  }
  CHECK(replayed >= minimum);
}
}  // namespace

TEST_CASE("every recorded Odoo 18 exchange decodes as expected") { check_decoding("odoo18", 114); }
TEST_CASE("every recorded Odoo 19 exchange decodes as expected") { check_decoding("odoo19", 102); }

TEST_CASE("the Client sends what real Odoo 18 was sent, for every recorded execute_kw call") {
  check_requests("odoo18", "retail18", 60);
}
TEST_CASE("the Client sends what real Odoo 19 was sent, for every recorded JSON-2 call") {
  check_requests("odoo19", "retail19", 60);
}

TEST_CASE("tracebacks are kept only when asked for") {
  auto t = load(data_dir / "odoo18/57_err_access_denied_bad_password.json");
  auto r = decode_jsonrpc(response_of(t), /*keep_debug=*/true);
  REQUIRE_FALSE(r);
  CHECK(r.error().debug().rfind("Traceback", 0) == 0);
  CHECK(r.error().odoo_arguments() == std::vector<std::string>{"Access Denied"});
}

TEST_CASE("a journal's sequence race (two posts at once) is a conflict to retry, not Odoo refusing the data") {
  // Odoo turns the IntegrityError of account.move's unique name index into this ValidationError and does
  // not retry it; the same post passes once the other one has committed.
  const std::string msg = "The operation cannot be completed: Another entry with the same name already exists.";
  http::Response rpc{
      .status = 200,
      .body =
          R"({"jsonrpc":"2.0","id":1,"error":{"code":200,"message":"Odoo Server Error","data":{"name":"odoo.exceptions.ValidationError","message":")" +
          msg + R"(","arguments":[")" + msg + R"("],"context":{}}}})"};
  auto a = decode_jsonrpc(rpc);
  REQUIRE_FALSE(a);
  CHECK(a.error().kind() == ErrorKind::conflict);
  CHECK(a.error().retryable());
  CHECK(a.error().odoo_class() == "odoo.exceptions.ValidationError");
  http::Response j2{.status = 422,
                    .body = R"({"name":"odoo.exceptions.ValidationError","message":")" + msg + R"(","arguments":[")" +
                            msg + R"("],"context":{},"debug":""})"};
  auto b = decode_json2(j2);
  REQUIRE_FALSE(b);
  CHECK(b.error().kind() == ErrorKind::conflict);
  // Any other ValidationError stays Odoo's refusal.
  http::Response other{
      .status = 422,
      .body =
          R"({"name":"odoo.exceptions.ValidationError","message":"The amount must be positive","arguments":[],"context":{},"debug":""})"};
  auto c = decode_json2(other);
  REQUIRE_FALSE(c);
  CHECK(c.error().kind() == ErrorKind::odoo);
  CHECK_FALSE(c.error().retryable());
}
