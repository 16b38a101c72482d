// `odoosync sync run --metrics-listen 127.0.0.1:0`, black-box against the emulator: the address it prints,
// GET /metrics while the engine runs (the engine's counters, the store's gauges, the client's requests,
// the API key's expiry) and /healthz; every metric the dashboard and the alert rules of ops/ ask for is in
// a real scrape; SIGTERM stops the service and its endpoint; a bad or taken address is refused.
#include <canary.hpp>
#include <doctest/doctest.h>

#include <odoosync/emulator/emulated_odoo.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/odoo/client.hpp>
#include <odoosync/ops/api_key_expiry.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace odoosync;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string stock(const std::string& id, const std::string& sku, const std::string& delta) {
  return R"({"specversion":"1.0","id":")" + id +
         R"(","source":"pos/store-1","type":"retail.stock.adjusted","time":"2026-12-01T10:15:00Z","data":{"sku":")" +
         sku + R"(","location":"WH/Stock","delta":{"value":")" + delta + R"(","uom":"Units"}}})";
}

// "YYYY-MM-DD HH:MM:SS" (UTC) `ahead` from now, as Odoo writes expiration_date.
std::string odoo_time_in(std::chrono::seconds ahead) {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + ahead);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

result<http::Response> get(const std::string& url) {
  auto t = http::CurlTransport::create({.connect_timeout = std::chrono::milliseconds{2000},
                                        .timeout = std::chrono::milliseconds{10'000},
                                        .proxy = "none",
                                        .keep_alive = false});
  if (!t) return t.error();
  http::Request r;
  r.method = http::Method::get;
  r.url = url;
  return t.value()->send(r);
}

// The value of one series line ("name{labels} value") of a scrape; nothing when absent.
std::optional<double> sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 && line[series.size()] == ' ')
      return std::stod(line.substr(series.size() + 1));
  }
  return std::nullopt;
}

// Every metric name of a scrape: the names of its series and of its # TYPE lines.
std::set<std::string> scraped_names(const std::string& text) {
  std::set<std::string> names;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      names.insert(line.substr(7, line.find(' ', 7) - 7));
    } else if (!line.empty() && line[0] != '#') {
      names.insert(line.substr(0, line.find_first_of("{ ")));
    }
  }
  return names;
}

std::set<std::string> referenced_names(const fs::path& file) {
  const std::string text = slurp(file);
  std::set<std::string> names;
  static const std::regex name(R"(odoosync_[a-z0-9_]+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), name); it != std::sregex_iterator(); ++it)
    names.insert(it->str());
  return names;
}

struct Service {
  fs::path dir = fs::temp_directory_path() / ("odoosync-metrics-endpoint-" + std::to_string(::getpid()));
  std::string env;
  pid_t pid = -1;

  Service() {
    testing::remove_scratch(dir);
    fs::create_directories(dir);
  }
  ~Service() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    testing::remove_scratch(dir);
  }
  std::string command(const std::string& args, const std::string& out) const {
    return "cd '" + dir.string() +
           "' && exec env -u ODOO_URL -u ODOO_DB -u ODOO_USER -u ODOO_API_KEY -u ODOO_PASSWORD -u ODOOSYNC_STORE " +
           env + " '" ODOOSYNC_CLI_PATH "' " + args + " >" + out + ".out 2>" + out + ".err </dev/null";
  }
  int run(const std::string& args, const std::string& out = "cmd") {
    const int status = std::system(command(args, out).c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  void start(const std::string& args) {
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      const std::string cmd = command(args, "service");
      ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  std::string err(const std::string& out = "service") const { return slurp(dir / (out + ".err")); }
  // The address the service printed, waiting up to `limit` for it.
  std::string address(std::chrono::seconds limit = std::chrono::seconds{20}) const {
    static const std::regex printed(R"(metrics on http://([0-9.]+:[0-9]+)/metrics)");
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      std::smatch m;
      const std::string e = err();
      if (std::regex_search(e, m, printed)) return m[1];
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    return {};
  }
  // The exit code once it ends, waiting up to `limit`; -1 if it did not end.
  int wait(std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    return -1;
  }
};

}  // namespace

TEST_CASE("sync run --metrics-listen: /metrics and /healthz while the service runs, then a clean stop") {
  auto started =
      EmulatedOdoo::start({.odoo_version = 18, .api_key_expires = odoo_time_in(std::chrono::hours{24 * 10})});
  REQUIRE_MESSAGE(started, (started ? std::string() : started.error().to_string()));
  auto& odoo = *started.value();
  Service svc;
  std::ofstream(svc.dir / "day.jsonl") << stock("e1", "FURN_7777", "5") << "\n"
                                       << stock("e2", "GHOST-1", "-1") << "\n"
                                       << stock("e3", "FURN_8888", "-2") << "\n";
  REQUIRE(svc.run("sync submit day.jsonl") == 0);

  svc.env = "ODOO_URL=" + odoo.url() + " ODOO_DB=" + odoo.database() + " ODOO_USER=" + odoo.login() +
            " ODOO_API_KEY=" + odoo.api_key() + " no_proxy=127.0.0.1";
  svc.start("sync run --metrics-listen 127.0.0.1:0 --max-time 120");
  const std::string address = svc.address();
  REQUIRE_MESSAGE(!address.empty(), svc.err());
  CHECK(svc.err().find("health on /healthz") != std::string::npos);
  const std::string base = "http://" + address;

  // Scrape until the running engine has applied both good events, dead-lettered the unknown SKU and read
  // the key's expiry.
  std::string text;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds{30};
  while (std::chrono::steady_clock::now() < until) {
    auto r = get(base + "/metrics");
    REQUIRE_MESSAGE(r, (r ? std::string() : r.error().to_string()));
    REQUIRE(r.value().status == 200);
    CHECK(r.value().header("Content-Type").value_or("") == "text/plain; version=0.0.4; charset=utf-8");
    text = r.value().body;
    if (sample(text, R"(odoosync_events_applied_total{lane="realtime",type="retail.stock.adjusted"})") == 2.0 &&
        sample(text, R"(odoosync_dead_letters{lane="realtime"})") == 1.0 &&
        sample(text, "odoosync_api_key_expiry_seconds"))
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds{200});
  }
  INFO(text);
  CHECK(sample(text, R"(odoosync_events_applied_total{lane="realtime",type="retail.stock.adjusted"})") == 2.0);
  CHECK(sample(text, R"(odoosync_events_dead_lettered_total{lane="realtime",type="retail.stock.adjusted"})") == 1.0);
  CHECK(sample(text, R"(odoosync_dead_letters{lane="realtime"})") == 1.0);
  CHECK(sample(text, R"(odoosync_queue_depth{lane="realtime"})") == 0.0);
  CHECK(sample(text, R"(odoosync_oldest_pending_age_seconds{lane="realtime"})") == 0.0);
  CHECK(sample(text, "odoosync_circuit_open") == 0.0);
  CHECK(sample(text, "odoosync_rpc_seconds_count").value_or(0) >= 2);
  CHECK(sample(text, R"(odoosync_http_requests_total{method="POST",status="200"})").value_or(0) >= 2);
  CHECK(sample(text, R"(odoosync_http_request_seconds_count{method="POST"})").value_or(0) >= 2);
  CHECK(sample(text, R"(odoosync_sync_events_total{lane="realtime",type="retail.stock.adjusted",outcome="applied"})") ==
        2.0);
  const auto left = sample(text, "odoosync_api_key_expiry_seconds");
  REQUIRE(left);
  CHECK(*left > 10 * 86400 - 600);  // the emulator's key expires in ten days
  CHECK(*left <= 10 * 86400);
  CHECK(text.find("odoosync_build_info{version=\"") != std::string::npos);
  CHECK(text.find(odoo.api_key()) == std::string::npos);

  // What ops/ asks Prometheus and Grafana for is what a running service exports.
  const auto exported = scraped_names(text);
  for (const auto* file : {"ops/grafana/odoosync.json", "ops/prometheus/odoosync-alerts.yml"}) {
    const auto wanted = referenced_names(fs::path(ODOOSYNC_SOURCE_DIR) / file);
    CHECK(wanted.size() >= 5);
    for (const auto& name : wanted) {
      CAPTURE(file);
      CAPTURE(name);
      CHECK(exported.count(name) == 1);
    }
  }

  auto health = get(base + "/healthz");
  REQUIRE(health);
  CHECK(health.value().status == 200);
  CHECK(health.value().body == "ok\n");

  REQUIRE(::kill(svc.pid, SIGTERM) == 0);
  CHECK(svc.wait(std::chrono::seconds{20}) == 0);
  CHECK(svc.err().find("odoosync: stopped: 2 applied") != std::string::npos);
  auto gone = get(base + "/metrics");
  CHECK_FALSE(gone);  // the endpoint ended with the service
}

TEST_CASE("sync run --metrics-listen: a malformed or taken address is refused before anything is sent") {
  auto started = EmulatedOdoo::start({.odoo_version = 18});
  REQUIRE(started);
  auto& odoo = *started.value();
  Service svc;
  std::ofstream(svc.dir / "one.jsonl") << stock("e1", "FURN_7777", "1") << "\n";
  REQUIRE(svc.run("sync submit one.jsonl") == 0);
  svc.env = "ODOO_URL=" + odoo.url() + " ODOO_DB=" + odoo.database() + " ODOO_USER=" + odoo.login() +
            " ODOO_API_KEY=" + odoo.api_key() + " no_proxy=127.0.0.1";

  CHECK(svc.run("sync run --until-idle --metrics-listen localhost") == 3);
  CHECK(svc.err("cmd").find("metrics listen address 'localhost': no port") != std::string::npos);

  // A port taken by a running service: the second one says so and exits with the network code.
  svc.start("sync run --metrics-listen 127.0.0.1:0 --max-time 60");
  const std::string address = svc.address();
  REQUIRE_MESSAGE(!address.empty(), svc.err());
  CHECK(svc.run("sync run --until-idle --metrics-listen " + address) == 6);
  CHECK(svc.err("cmd").find("cannot listen on " + address + " for metrics") != std::string::npos);
  REQUIRE(::kill(svc.pid, SIGTERM) == 0);
  CHECK(svc.wait(std::chrono::seconds{20}) == 0);
}

TEST_CASE("sync run --metrics-listen: SIGTERM does not wait for an API key read that Odoo never answers") {
  auto started =
      EmulatedOdoo::start({.odoo_version = 18, .api_key_expires = odoo_time_in(std::chrono::hours{24 * 30})});
  REQUIRE(started);
  auto& odoo = *started.value();
  REQUIRE(odoo.inject(R"({"kind": "latency", "model": "res.users.apikeys", "method": "search_read", "times": 0,
                          "latency_ms": 60000})"));
  Service svc;
  std::ofstream(svc.dir / "one.jsonl") << stock("e1", "FURN_7777", "1") << "\n";
  REQUIRE(svc.run("sync submit one.jsonl") == 0);
  svc.env = "ODOO_URL=" + odoo.url() + " ODOO_DB=" + odoo.database() + " ODOO_USER=" + odoo.login() +
            " ODOO_API_KEY=" + odoo.api_key() + " no_proxy=127.0.0.1";
  svc.start("sync run --metrics-listen 127.0.0.1:0 --max-time 120");
  const std::string address = svc.address();
  REQUIRE_MESSAGE(!address.empty(), svc.err());
  // The event is applied while the key's read hangs; the scrape has no key gauge yet.
  std::string text;
  for (int i = 0; i < 100; ++i) {
    auto r = get("http://" + address + "/metrics");
    REQUIRE(r);
    text = r.value().body;
    if (sample(text, R"(odoosync_events_applied_total{lane="realtime",type="retail.stock.adjusted"})") == 1.0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  CHECK(sample(text, R"(odoosync_events_applied_total{lane="realtime",type="retail.stock.adjusted"})") == 1.0);
  CHECK_FALSE(sample(text, "odoosync_api_key_expiry_seconds"));
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(::kill(svc.pid, SIGTERM) == 0);
  CHECK(svc.wait(std::chrono::seconds{20}) == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds{5});
}

TEST_CASE("ops::api_key_expiry: the soonest expiry of the user's own keys, nothing without one") {
  const auto in_ten_days = odoo_time_in(std::chrono::hours{24 * 10});
  auto started = EmulatedOdoo::start({.odoo_version = 19, .api_key_expires = in_ten_days});
  REQUIRE(started);
  auto& odoo = *started.value();
  auto client_for = [&](const std::string& login, Secret key, Secret password) {
    odoo::Config c;
    c.url = odoo.url();
    c.database = odoo.database();
    c.login = login;
    c.api_key = std::move(key);
    c.password = std::move(password);
    odoo::ClientOptions o;
    o.proxy = "none";
    auto client = odoo::Client::create(c, o);
    REQUIRE(client);
    return client.value();
  };
  auto admin = client_for(odoo.login(), Secret(odoo.api_key()), Secret());
  auto expiry = ops::api_key_expiry(*admin);
  REQUIRE_MESSAGE(expiry, (expiry ? std::string() : expiry.error().to_string()));
  REQUIRE(expiry.value());
  const auto left =
      std::chrono::duration_cast<std::chrono::seconds>(*expiry.value() - std::chrono::system_clock::now());
  CHECK(left.count() > 10 * 86400 - 600);
  CHECK(left.count() <= 10 * 86400);

  // A user whose keys have no expiry date (or who has none): nothing to export.
  auto limited = client_for("rpc_limited", Secret(), Secret("rpc_limited"));
  auto none = ops::api_key_expiry(*limited);
  REQUIRE_MESSAGE(none, (none ? std::string() : none.error().to_string()));
  CHECK_FALSE(none.value());

  // Cancelled before it asks: an error, not a hang.
  odoo::CallOptions cancelled;
  cancelled.cancel = CancellationToken();
  cancelled.cancel->cancel();
  auto refused = ops::api_key_expiry(*admin, cancelled);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind() == ErrorKind::cancelled);
}
