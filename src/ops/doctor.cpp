// `odoosync doctor`'s checks (ops/doctor.hpp). Every question to Odoo is a read: the version, the user
// (res.users.context_get), its rights per model (check_access_rights over JSON-RPC, has_access over
// JSON-2: both verified on real Odoo 18 and 19), its groups (has_group), its API keys' expiry
// (res.users.apikeys), and the clock skew from the HTTP Date header Odoo sends with every answer.
#include "../core/file_text.hpp"
#include <odoosync/ops/doctor.hpp>

#include <odoosync/ops/api_key_expiry.hpp>

#include <odoosync/channels/config.hpp>
#include <odoosync/channels/mapping.hpp>
#include <odoosync/core/json.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/http/retry_after.hpp>
#include <odoosync/odoo/client.hpp>
#include <odoosync/retail/odoo_mapping.hpp>
#include <odoosync/retail/timestamp.hpp>
#include <odoosync/sync/sqlite_store.hpp>
#include <odoosync/sync/store.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <sstream>

namespace odoosync {
inline namespace v0 {
namespace ops {

std::string_view to_string(Severity s) noexcept {
  switch (s) {
    case Severity::ok: return "ok";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "ok";
}

Severity DoctorReport::worst() const noexcept {
  Severity w = Severity::ok;
  for (const auto& f : findings) w = std::max(w, f.severity);
  return w;
}

std::string DoctorReport::to_json() const {
  json::Writer w;
  std::int64_t errors = 0, warnings = 0;
  for (const auto& f : findings) {
    errors += f.severity == Severity::error;
    warnings += f.severity == Severity::warning;
  }
  w.begin_object().member("worst", to_string(worst())).member("errors", errors).member("warnings", warnings);
  w.key("findings").begin_array();
  for (const auto& f : findings)
    w.begin_object()
        .member("check", std::string_view(f.check))
        .member("severity", to_string(f.severity))
        .member("message", std::string_view(f.message))
        .end_object();
  w.end_array().end_object();
  auto v = w.view();
  return v ? std::string(v.value()) : std::string("{}");
}

std::string DoctorReport::to_text() const {
  std::size_t width = 0;
  for (const auto& f : findings) width = std::max(width, f.check.size());
  std::string out;
  for (const auto& f : findings)
    out += fmt::format("{:<8}{:<{}}  {}\n", to_string(f.severity), f.check, width, f.message);
  return out;
}

namespace {

// The bottom transport of the doctor's client: curl, remembering the Date header of the last answer and
// when it arrived here, for the clock skew.
class DateWatch final : public http::Transport {
 public:
  explicit DateWatch(std::shared_ptr<http::Transport> next, std::function<std::chrono::system_clock::time_point()> now)
      : next_(std::move(next)), now_(std::move(now)) {}
  result<http::Response> send(const http::Request& request) override {
    const auto sent = now_();
    auto r = next_->send(request);
    const auto got = now_();
    if (r) {
      if (auto d = r.value().header("Date")) {
        if (auto t = http::parse_http_date(*d)) {
          std::lock_guard lock(mutex_);
          server_ = *t;
          local_ = sent + (got - sent) / 2;  // Odoo stamps the answer somewhere in between
          round_trip_ = got - sent;
        }
      }
    }
    return r;
  }
  struct Seen {
    std::chrono::sys_seconds server;
    std::chrono::system_clock::time_point local;
    std::chrono::system_clock::duration round_trip;
  };
  std::optional<Seen> last() const {
    std::lock_guard lock(mutex_);
    if (!server_) return std::nullopt;
    return Seen{*server_, local_, round_trip_};
  }

 private:
  std::shared_ptr<http::Transport> next_;
  std::function<std::chrono::system_clock::time_point()> now_;
  mutable std::mutex mutex_;
  std::optional<std::chrono::sys_seconds> server_;
  std::chrono::system_clock::time_point local_{};
  std::chrono::system_clock::duration round_trip_{};
};

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i)
    out += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
  return out;
}

std::string age_text(std::chrono::seconds s) {
  const auto n = s.count();
  if (n < 120) return fmt::format("{} s", n);
  if (n < 7200) return fmt::format("{} min", n / 60);
  if (n < 2 * 86400) return fmt::format("{} h", n / 3600);
  return fmt::format("{} days", n / 86400);
}

struct Odoo {
  std::shared_ptr<odoo::Client> client;
  std::shared_ptr<DateWatch> watch;
  odoo::Protocol protocol = odoo::Protocol::jsonrpc;
  std::int64_t uid = 0;
};

// May the user `op` records of `model`? Nothing when the model does not exist (its error says so).
result<bool> may(Odoo& o, const std::string& model, std::string_view op) {
  result<json::Document> r = Error::validation("");
  if (o.protocol == odoo::Protocol::json2)
    r = o.client->call_named(model, "has_access", {}, fmt::format(R"({{"operation": "{}"}})", op));
  else
    r = o.client->call(model, "check_access_rights", fmt::format(R"(["{}"])", op), R"({"raise_exception": false})");
  if (!r) return r.error();
  return r.value().IsBool() && r.value().GetBool();
}

void check_access(Odoo& o, const DoctorOptions& opt, DoctorReport& rep) {
  std::vector<std::string_view> types;
  for (const auto& t : opt.event_types) types.push_back(t);
  const auto needed = retail::odoo_access_needed(types);
  for (const auto& need : needed) {
    const std::string check = "odoo.access." + need.model;
    std::vector<std::string> missing, extra;
    bool failed = false;
    for (auto [op, wanted] : {std::pair<std::string_view, bool>{"read", need.read},
                              {"write", need.write},
                              {"create", need.create},
                              {"unlink", need.unlink}}) {
      auto allowed = may(o, need.model, op);
      if (!allowed) {
        const auto& e = allowed.error();
        rep.findings.push_back({check, Severity::error,
                                e.kind() == ErrorKind::not_found || e.message().find("exist") != std::string::npos
                                    ? need.model + " does not exist in this database: is its app installed?"
                                    : "cannot ask Odoo: " + e.message()});
        failed = true;
        break;
      }
      if (wanted && !allowed.value()) missing.emplace_back(op);
      if (!wanted && allowed.value()) extra.emplace_back(op);
    }
    if (failed) continue;
    if (!missing.empty()) {
      rep.findings.push_back({check, Severity::error,
                              fmt::format("the user may not {} {} records, which the configured event types need; "
                                          "give its group those rights",
                                          join(missing), need.model)});
    } else if (!extra.empty()) {
      rep.findings.push_back(
          {check, Severity::warning,
           fmt::format("the user may also {} {} records, which the integration never does (least privilege)",
                       join(extra), need.model)});
    } else {
      rep.findings.push_back({check, Severity::ok, "exactly the rights needed"});
    }
  }
}

void check_keys(Odoo& o, const DoctorOptions& opt, DoctorReport& rep) {
  auto keys = ops::api_keys(*o.client);
  if (!keys) {
    rep.findings.push_back({"odoo.api_key", Severity::warning,
                            "cannot read the user's API keys to check their expiry: " + keys.error().message()});
    return;
  }
  const auto now = opt.now();
  const auto count = keys.value().count;
  const auto& soonest = keys.value().soonest;
  if (count == 0) {
    rep.findings.push_back({"odoo.api_key", Severity::ok, "the user has no API key with an expiry to watch"});
    return;
  }
  if (!soonest) {
    rep.findings.push_back({"odoo.api_key", Severity::ok,
                            fmt::format("{} API key{} without an expiry date", count, count == 1 ? "" : "s")});
    return;
  }
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(*soonest - now);
  const std::string when = retail::Timestamp::from(*soonest).to_string();
  if (left.count() <= 0)
    rep.findings.push_back({"odoo.api_key", Severity::error,
                            "an API key of the user expired on " + when + ": create a new one and rotate to it"});
  else if (left < opt.key_warning)
    rep.findings.push_back(
        {"odoo.api_key", Severity::warning,
         fmt::format("an API key of the user expires on {} (in {}): rotate it before then", when, age_text(left))});
  else
    rep.findings.push_back(
        {"odoo.api_key", Severity::ok, fmt::format("the user's API keys last until at least {}", when)});
}

void check_odoo(const DoctorOptions& opt, DoctorReport& rep) {
  const auto& config = *opt.odoo;
  auto curl = http::CurlTransport::create({.connect_timeout = config.connect_timeout,
                                           .timeout = config.timeout,
                                           .verify_tls = config.verify_tls,
                                           .ca_file = config.ca_file,
                                           .ca_path = config.ca_path,
                                           .proxy = opt.proxy,
                                           .user_agent = config.user_agent});
  if (!curl) {
    rep.findings.push_back({"odoo.connection", Severity::error, curl.error().message()});
    return;
  }
  Odoo o;
  o.watch = std::make_shared<DateWatch>(curl.value(), opt.now);
  odoo::ClientOptions co;
  co.transport = o.watch;
  co.pipeline.retry = std::nullopt;  // a check asks once: a failure is a finding
  auto client = odoo::Client::create(config, co);
  if (!client) {
    rep.findings.push_back({"odoo.connection", Severity::error, client.error().message()});
    return;
  }
  o.client = client.value();
  auto version = o.client->version();
  if (!version) {
    rep.findings.push_back({"odoo.connection", Severity::error, "cannot reach Odoo: " + version.error().message()});
    return;
  }
  auto protocol = o.client->protocol();
  if (!protocol) {
    rep.findings.push_back({"odoo.connection", Severity::error, protocol.error().message()});
    return;
  }
  o.protocol = protocol.value();
  const int major = version.value().major;
  rep.findings.push_back({"odoo.version", major < 16 ? Severity::error : Severity::ok,
                          fmt::format("Odoo {} over {}{}", version.value().text,
                                      o.protocol == odoo::Protocol::json2 ? "JSON-2" : "JSON-RPC",
                                      major < 16 ? ": odoosync supports Odoo 16 to 19" : "")});

  auto ctx = o.client->call("res.users", "context_get");
  if (!ctx) {
    const bool auth = ctx.error().kind() == ErrorKind::auth;
    rep.findings.push_back(
        {"odoo.login", Severity::error,
         auth ? std::string("Odoo refused the credentials: the API key is wrong, revoked or expired (Odoo 19 keys "
                            "last at most three months), or the password changed")
              : "cannot log in: " + ctx.error().message()});
    return;
  }
  if (const auto* uid = json::find(ctx.value(), "uid"); uid && uid->IsInt64()) o.uid = uid->GetInt64();
  rep.findings.push_back({"odoo.login", Severity::ok, fmt::format("logged in as user id {}", o.uid)});

  if (auto seen = o.watch->last()) {
    const auto skew = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::system_clock::time_point(seen->server) - seen->local);
    const auto abs = std::chrono::seconds{skew.count() < 0 ? -skew.count() : skew.count()};
    // The Date header has whole seconds: a skew of 1 s is the header's own resolution.
    const std::string text =
        fmt::format("Odoo's clock is {} s {} this host's", abs.count(), skew.count() < 0 ? "behind" : "ahead of");
    rep.findings.push_back({"odoo.clock",
                            abs >= opt.skew_error     ? Severity::error
                            : abs >= opt.skew_warning ? Severity::warning
                                                      : Severity::ok,
                            abs >= opt.skew_warning
                                ? text + ": event times and incremental pulls compare the two; run NTP on both"
                                : text});
  } else {
    rep.findings.push_back({"odoo.clock", Severity::warning, "Odoo's answers carry no Date header: skew unknown"});
  }

  auto admin = o.protocol == odoo::Protocol::json2
                   ? o.client->call_named("res.users", "has_group", {o.uid}, R"({"group_ext_id": "base.group_system"})")
                   : o.client->call("res.users", "has_group", fmt::format(R"([[{}], "base.group_system"])", o.uid));
  if (!admin)
    rep.findings.push_back(
        {"odoo.user", Severity::warning, "cannot ask Odoo the user's groups: " + admin.error().message()});
  else if (admin.value().IsBool() && admin.value().GetBool())
    rep.findings.push_back({"odoo.user", Severity::warning,
                            "the user is an administrator (Settings): an integration user needs only the rights "
                            "listed under odoo.access (least privilege)"});
  else
    rep.findings.push_back({"odoo.user", Severity::ok, "not an administrator"});

  check_access(o, opt, rep);
  if (!config.api_key.empty())
    check_keys(o, opt, rep);
  else
    rep.findings.push_back(
        {"odoo.api_key", Severity::warning, "logged in with a password: an API key per integration is safer"});
}

void check_store(const DoctorOptions& opt, DoctorReport& rep) {
  if (auto* sqlite = dynamic_cast<sync::SqliteStore*>(opt.store)) {
    auto v = sqlite->file_schema_version();
    if (v)
      rep.findings.push_back({"store.schema", Severity::ok,
                              fmt::format("SQLite store, schema version {} (this build: {})", v.value(),
                                          sync::SqliteStore::schema_version)});
  }
  if (opt.store_file) {
    std::error_code ec;
    std::uintmax_t size = std::filesystem::file_size(*opt.store_file, ec);
    if (ec) size = 0;
    std::uintmax_t wal = 0;
    auto wal_path = *opt.store_file;
    wal_path += "-wal";
    if (auto w = std::filesystem::file_size(wal_path, ec); !ec) wal = w;
    rep.findings.push_back({"store.size", Severity::ok,
                            fmt::format("{:.1f} MiB ({:.1f} MiB in the write-ahead log)",
                                        static_cast<double>(size) / 1048576.0, static_cast<double>(wal) / 1048576.0)});
  }
  auto status = opt.store->status();
  if (!status) {
    rep.findings.push_back({"store.status", Severity::error, "the store does not answer: " + status.error().message()});
    return;
  }
  std::uint64_t pending = 0, in_flight = 0, dead = 0;
  std::optional<std::int64_t> oldest;
  for (std::size_t i = 0; i < sync::lane_count; ++i) {
    const auto& l = status.value().lanes[i];
    pending += l.pending;
    in_flight += l.in_flight;
    dead += l.dead;
    if (l.oldest_pending_ms && (!oldest || *l.oldest_pending_ms < *oldest)) oldest = l.oldest_pending_ms;
  }
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(opt.now().time_since_epoch()).count();
  if (oldest) {
    const auto age = std::chrono::seconds{std::max<std::int64_t>(0, (now_ms - *oldest) / 1000)};
    const bool stale = age >= opt.pending_warning;
    rep.findings.push_back(
        {"store.backlog", stale ? Severity::warning : Severity::ok,
         fmt::format("{} pending, {} in flight; the oldest waits for {}{}", pending, in_flight, age_text(age),
                     stale ? ": is `sync run` running, and is Odoo answering?" : "")});
  } else {
    rep.findings.push_back({"store.backlog", Severity::ok, "nothing waiting"});
  }
  rep.findings.push_back({"store.dead_letters", dead > 0 ? Severity::warning : Severity::ok,
                          dead > 0 ? fmt::format("{} event{} in the dead-letter queue: `odoosync sync dlq list`", dead,
                                                 dead == 1 ? "" : "s")
                                   : std::string("none")});
}

void check_channels(const DoctorOptions& opt, DoctorReport& rep) {
  const auto& path = *opt.channels_config;
  auto text = detail::read_text_file(path, std::size_t{1} << 20);  // as load_channels_config reads it
  if (!text) {
    rep.findings.push_back({"channels", Severity::error, text.error().message()});
    return;
  }
  auto doc = json::parse(text.value(), json::Limits{.max_bytes = std::size_t{1} << 20, .max_depth = 32});
  const json::Value* channels = doc ? json::find(doc.value(), "channels") : nullptr;
  if (!channels || !channels->IsObject()) {
    rep.findings.push_back(
        {"channels", Severity::error, path.string() + ": " + (doc ? "no \"channels\" object" : doc.error().message())});
    return;
  }
  if (channels->MemberCount() == 0) rep.findings.push_back({"channels", Severity::warning, "no channel configured"});
  // Each channel on its own, so that one missing secret does not hide the others.
  for (const auto& m : channels->GetObject()) {
    const std::string name(json::text(m.name));
    const std::string one = "{\"channels\": {" + json::to_string(m.name) + ": " + json::to_string(m.value) + "}}";
    auto parsed = channels::parse_channels_config(one, path.parent_path());
    result<channels::Adapter> adapter = Error::validation("");
    if (parsed) adapter = channels::Adapter::make(parsed.value().at(0));
    if (!parsed || !adapter) {
      rep.findings.push_back(
          {"channel." + name, Severity::error, parsed ? adapter.error().message() : parsed.error().message()});
      continue;
    }
    const auto& c = parsed.value().at(0);
    rep.findings.push_back({"channel." + name, Severity::ok,
                            fmt::format("{}: {} secret{} loaded", channels::to_string(c.provider),
                                        c.options.secrets.size(), c.options.secrets.size() == 1 ? "" : "s")});
  }
}

}  // namespace

DoctorReport run_doctor(const DoctorOptions& options) {
  DoctorReport rep;
  if (options.odoo) check_odoo(options, rep);
  if (options.store) check_store(options, rep);
  if (options.channels_config) check_channels(options, rep);
  return rep;
}

}  // namespace ops
}  // namespace v0
}  // namespace odoosync
