// `odoosync doctor` on the emulator: a user with too few rights, an administrator with more than needed,
// an API key about to expire and one expired, Odoo's clock ahead of ours, a store with dead letters and
// an old backlog, and a channel whose secret is missing. (Its run on real Odoo 18 and 19 is in the
// notes of issue 19.)
#include <doctest/doctest.h>

#include <canary.hpp>

#include <odoosync/emulator/emulated_odoo.hpp>
#include <odoosync/core/secret_source.hpp>
#include <odoosync/odoo/client.hpp>
#include <odoosync/ops/doctor.hpp>
#include <odoosync/retail/timestamp.hpp>
#include <odoosync/sync/memory_store.hpp>

#include "test_odoo.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace odoosync;
using ops::Severity;

namespace {

struct Emulator {
  std::unique_ptr<EmulatedOdoo> e;
  explicit Emulator(int version, std::string expires = {}) {
    auto s = EmulatedOdoo::start({.odoo_version = version, .api_key_expires = std::move(expires)});
    REQUIRE_MESSAGE(s, (s ? std::string() : s.error().to_string()));
    e = std::move(s.value());
  }
  odoo::Config admin() const {
    odoo::Config c;
    c.url = e->url();
    c.database = e->database();
    c.login = e->login();
    c.api_key = Secret(e->api_key());
    return c;
  }
  odoo::Config limited() const {
    odoo::Config c;
    c.url = e->url();
    c.database = e->database();
    c.login = "rpc_limited";
    c.password = Secret("rpc_limited");
    return c;
  }
};

ops::DoctorReport doctor(ops::DoctorOptions o) {
  o.proxy = "none";
  return ops::run_doctor(o);
}

const ops::Finding& finding(const ops::DoctorReport& r, const std::string& check) {
  auto it = std::find_if(r.findings.begin(), r.findings.end(), [&](const ops::Finding& f) { return f.check == check; });
  REQUIRE_MESSAGE(it != r.findings.end(), "no finding " << check << " in:\n" << r.to_text());
  return *it;
}

std::string utc_in(std::chrono::hours h) {
  const auto t = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() + h);
  auto text = retail::Timestamp::from(t).to_string();  // 2026-12-07T10:00:00Z
  text[10] = ' ';
  return text.substr(0, 19);
}

}  // namespace

TEST_CASE("doctor: too few rights is an error naming the model and the operations, in 18 and 19") {
  for (int v : {18, 19}) {
    CAPTURE(v);
    Emulator odoo(v);
    ops::DoctorOptions o;
    o.odoo = odoo.limited();
    o.event_types = {"retail.stock.adjusted"};
    auto r = doctor(o);
    CHECK(r.worst() == Severity::error);
    CHECK(finding(r, "odoo.version").message == "Odoo " + std::to_string(v) + ".0 over JSON-RPC");
    const auto& quant = finding(r, "odoo.access.stock.quant");
    CHECK(quant.severity == Severity::error);
    CHECK(quant.message.find("may not write and create stock.quant records") != std::string::npos);
    CHECK(finding(r, "odoo.access.stock.location").severity == Severity::ok);
    CHECK(finding(r, "odoo.user").message == "not an administrator");
    CHECK(finding(r, "odoo.api_key").severity == Severity::warning);  // a password
  }
}

TEST_CASE("doctor: an administrator has more rights than needed (warnings), nothing wrong otherwise") {
  Emulator odoo(19);
  ops::DoctorOptions o;
  o.odoo = odoo.admin();
  o.event_types = {"retail.stock.adjusted"};
  auto r = doctor(o);
  CHECK(r.worst() == Severity::warning);
  CHECK(finding(r, "odoo.version").message == "Odoo 19.0 over JSON-2");
  CHECK(finding(r, "odoo.user").severity == Severity::warning);
  CHECK(finding(r, "odoo.access.stock.quant").message == "exactly the rights needed");  // nobody unlinks quants
  CHECK(finding(r, "odoo.access.stock.picking").message.find("may also unlink") != std::string::npos);
  CHECK(finding(r, "odoo.clock").severity == Severity::ok);
  CHECK(finding(r, "odoo.api_key").message == "1 API key without an expiry date");
}

TEST_CASE("doctor: an API key close to its expiry is a warning, an expired one refuses the login") {
  {
    Emulator odoo(19, utc_in(std::chrono::hours{72}));
    ops::DoctorOptions o;
    o.odoo = odoo.admin();
    auto r = doctor(o);
    const auto& key = finding(r, "odoo.api_key");
    CHECK(key.severity == Severity::warning);
    CHECK(key.message.find("expires on") != std::string::npos);
    CHECK(key.message.find("rotate it before then") != std::string::npos);
    o.key_warning = std::chrono::hours{24};
    CHECK(finding(doctor(o), "odoo.api_key").severity == Severity::ok);
  }
  {
    Emulator odoo(19, utc_in(std::chrono::hours{-1}));
    ops::DoctorOptions o;
    o.odoo = odoo.admin();
    auto r = doctor(o);
    CHECK(r.worst() == Severity::error);
    CHECK(finding(r, "odoo.login").message.find("the API key is wrong, revoked or expired") != std::string::npos);
    CHECK(r.to_json().find(odoo.e->api_key()) == std::string::npos);
  }
}

TEST_CASE("doctor: Odoo's clock away from ours (its Date header) is a warning, then an error") {
  odoosync::testing::TestOdoo t(18);
  auto at = [&](int seconds) {
    const auto when =
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + std::chrono::seconds{seconds};
    t.control("clock", R"({"freeze": ")" + retail::Timestamp::from(when).to_odoo() + "\"}");
    ops::DoctorOptions o;
    o.odoo = t.config;
    return finding(doctor(o), "odoo.clock");
  };
  CHECK(at(0).severity == Severity::ok);
  const auto ahead = at(30);
  CHECK(ahead.severity == Severity::warning);
  CHECK(ahead.message.find("s ahead of this host's") != std::string::npos);
  const auto behind = at(-600);
  CHECK(behind.severity == Severity::error);
  CHECK(behind.message.find("behind this host's") != std::string::npos);
}

TEST_CASE("doctor: the store's backlog and dead letters, and each channel's secrets on its own") {
  auto store = std::make_unique<sync::MemoryStore>();
  const auto now = std::chrono::system_clock::now();
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  sync::NewEvent e;
  e.source = "pos/1";
  e.id = "e1";
  e.type = "retail.order.cancelled";
  e.subject = "order/S1";
  e.body = "{}";
  REQUIRE(store->append(std::span<const sync::NewEvent>(&e, 1), now_ms - 3 * 3600 * 1000, sync::Watermarks{}));
  ops::DoctorOptions o;
  o.store = store.get();
  auto r = doctor(o);
  CHECK(finding(r, "store.backlog").severity == Severity::warning);
  CHECK(finding(r, "store.backlog").message.find("the oldest waits for 3 h") != std::string::npos);
  CHECK(finding(r, "store.dead_letters").message == "none");

  const auto dir = std::filesystem::temp_directory_path() / ("odoosync-doctor-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ::setenv("ODOOSYNC_DOCTOR_TEST_SECRET", odoosync::testing::canary_webhook_secret().c_str(), 1);
  std::ofstream(dir / "channels.json") << R"({"channels": {
      "shop": {"provider": "shopify", "secret_env": ["ODOOSYNC_DOCTOR_TEST_SECRET"]},
      "stripe": {"secret_env": ["ODOOSYNC_DOCTOR_NO_SUCH_SECRET"]},
      "woo": {"provider": "woocommerce", "secret_files": ["missing.secret"]}}})";
  ops::DoctorOptions c;
  c.channels_config = dir / "channels.json";
  auto rc = doctor(c);
  CHECK(finding(rc, "channel.shop").message == "shopify: 1 secret loaded");
  CHECK(finding(rc, "channel.stripe").severity == Severity::error);
  CHECK(finding(rc, "channel.stripe").message.find("ODOOSYNC_DOCTOR_NO_SUCH_SECRET is not set") != std::string::npos);
  CHECK(finding(rc, "channel.woo").severity == Severity::error);
  CHECK(rc.to_json().find(odoosync::testing::canary_webhook_secret()) == std::string::npos);
  ::unsetenv("ODOOSYNC_DOCTOR_TEST_SECRET");
  odoosync::testing::remove_scratch(dir);
}

TEST_CASE("api key rotation: the client reads its key from the source again, without a restart") {
  Emulator odoo(19);
  const auto dir = std::filesystem::temp_directory_path() / ("odoosync-rotation-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = (dir / "odoo.secret").string();
  std::ofstream(file, std::ios::trunc) << "0000000000000000000000000000000000000000\n";
  odoo::ClientOptions co;
  co.proxy = "none";
  co.pipeline.retry = std::nullopt;
  co.pipeline.breaker = std::nullopt;
  co.api_key_source = secret_from_file(file);
  auto cfg = odoo.admin();
  auto client = odoo::Client::create(cfg, co);
  REQUIRE(client);
  auto refused = client.value()->search_count("res.partner", {});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind() == ErrorKind::auth);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::ofstream(file, std::ios::trunc) << odoo.e->api_key() << "\n";  // the operator rotates the file
  auto counted = client.value()->search_count("res.partner", {});
  REQUIRE_MESSAGE(counted, (counted ? "" : counted.error().message()));
  CHECK(counted.value() > 0);

  // A command whose value was cached when Odoo refuses it: read again at once, the call made once more.
  const auto value = (dir / "value.secret").string();
  std::ofstream(value, std::ios::trunc) << "1111111111111111111111111111111111111111";
  const auto script = (dir / "get.sh").string();
  std::ofstream(script) << "#!/bin/sh\ncat '" << value << "'\n";
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  co.api_key_source = secret_from_command({script}, std::chrono::seconds{3600});
  auto c2 = odoo::Client::create(cfg, co);
  REQUIRE(c2);
  CHECK_FALSE(c2.value()->search_count("res.partner", {}));
  std::ofstream(value, std::ios::trunc) << odoo.e->api_key();
  auto again = c2.value()->search_count("res.partner", {});
  CHECK_MESSAGE(again, (again ? "" : again.error().message()));
  odoosync::testing::remove_scratch(dir);
}
