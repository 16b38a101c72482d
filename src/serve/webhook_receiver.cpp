// WebhookReceiver: route, verify and map through the channel, take the events in (durable before the
// answer), count and log without a secret, a header, the body or the URL.
#include <odoosync/core/json.hpp>
#include <odoosync/serve/webhook_receiver.hpp>
#include <odoosync/sync/engine.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>

namespace odoosync {
inline namespace v0 {
namespace serve {

namespace {

constexpr std::size_t get_body_limit = std::size_t{64} * 1024;  // /healthz and /metrics take no body; pages little

struct Stats {
  std::array<std::atomic<std::uint64_t>, outcome_count> deliveries{};
  std::atomic<std::uint64_t> events{0}, duplicates{0}, odoo_records{0};
  std::array<std::atomic<std::uint64_t>, latency_buckets.size() + 1> latency{};
  std::atomic<std::uint64_t> latency_ns{0}, latency_count{0};
};

struct Route {
  ReceiverChannel channel;
  std::unique_ptr<Stats> stats;
};

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

std::string json_body(std::initializer_list<std::pair<std::string_view, std::string_view>> strings,
                      std::initializer_list<std::pair<std::string_view, std::int64_t>> numbers = {}) {
  json::Writer w;
  w.begin_object();
  for (const auto& [k, v] : strings) w.member(k, v);
  for (const auto& [k, v] : numbers) w.member(k, v);
  w.end_object();
  auto view = w.view();
  if (!view) return R"({"error":"the answer could not be written"})";
  return std::string(view.value()) + "\n";
}

WebhookAnswer answer(int status, std::string body) {
  WebhookAnswer a;
  a.status = status;
  a.body = std::move(body);
  return a;
}

WebhookAnswer refusal(int status, std::string_view error, std::string_view reason) {
  return answer(status, json_body({{"error", error}, {"reason", reason}}));
}

}  // namespace

std::string_view to_string(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::accepted: return "accepted";
    case Outcome::duplicate: return "duplicate";
    case Outcome::ignored: return "ignored";
    case Outcome::unauthorized: return "unauthorized";
    case Outcome::invalid: return "invalid";
    case Outcome::too_large: return "too_large";
    case Outcome::backpressure: return "backpressure";
    case Outcome::unavailable: return "unavailable";
    case Outcome::failed: return "failed";
  }
  return "failed";
}

std::uint64_t ChannelCounters::total() const noexcept {
  std::uint64_t n = 0;
  for (auto d : deliveries) n += d;
  return n;
}

result<ReceiverChannel> ReceiverChannel::from_config(const channels::ChannelConfig& config) {
  ODOOSYNC_TRY(adapter, channels::Adapter::make(config));
  return from_adapter(std::move(adapter), config.options.max_body_bytes);
}

ReceiverChannel ReceiverChannel::from_adapter(channels::Adapter adapter, std::size_t max_body_bytes) {
  ReceiverChannel c;
  c.name = adapter.name();
  c.max_body_bytes = max_body_bytes;
  c.receive = [a = std::move(adapter)](const channels::Delivery& d) { return a.receive(d); };
  return c;
}

struct WebhookReceiver::Impl {
  sync::Engine& engine;
  ReceiverOptions options;
  std::map<std::string, Route, std::less<>> routes;
  std::atomic<std::uint64_t> not_found{0}, method_not_allowed{0}, health_checks{0}, metrics_reads{0};

  Impl(sync::Engine& e, ReceiverOptions o) : engine(e), options(std::move(o)) {}

  bool is_page(std::string_view path) const { return options.serves_page && options.page && options.serves_page(path); }

  // The route's channel, or nothing when the path is not /webhooks/<channel>[/...].
  const Route* route_of(std::string_view path) const {
    const std::string_view prefix = options.path_prefix;
    if (path.size() <= prefix.size() || path.substr(0, prefix.size()) != prefix) return nullptr;
    auto name = path.substr(prefix.size());
    name = name.substr(0, name.find('/'));  // Odoo's token may be the last path segment
    auto it = routes.find(name);
    return it == routes.end() ? nullptr : &it->second;
  }

  void count(const Route& r, Outcome o, double seconds) const {
    auto& s = *r.stats;
    s.deliveries[static_cast<std::size_t>(o)].fetch_add(1, std::memory_order_relaxed);
    std::size_t b = 0;
    while (b < latency_buckets.size() && seconds > latency_buckets[b]) ++b;
    s.latency[b].fetch_add(1, std::memory_order_relaxed);
    s.latency_ns.fetch_add(static_cast<std::uint64_t>(std::max(0.0, seconds) * 1e9), std::memory_order_relaxed);
    s.latency_count.fetch_add(1, std::memory_order_relaxed);
    if (options.metrics) {
      const MetricLabel labels[] = {{"channel", r.channel.name}, {"outcome", to_string(o)}};
      options.metrics->increment("odoosync_webhook_deliveries_total", labels);
      const MetricLabel channel[] = {{"channel", r.channel.name}};
      options.metrics->observe("odoosync_webhook_seconds", channel, seconds);
    }
  }

  WebhookAnswer too_large(const Route& r, std::optional<std::uint64_t> length) const {
    count(r, Outcome::too_large, 0);
    const std::string reason =
        length ? fmt::format("the body is {} bytes, over the limit of {}", *length, r.channel.max_body_bytes)
               : fmt::format("the body is over the limit of {} bytes", r.channel.max_body_bytes);
    log(LogLevel::warn, r.channel.name, 413, Outcome::too_large, 0, 0, {}, 0, reason);
    auto a = refusal(413, "too_large", reason);
    a.close = true;
    return a;
  }

  void log(LogLevel level, std::string_view channel, int status, Outcome o, std::int64_t events,
           std::int64_t duplicates, std::string_view event, double ms, std::string_view reason) const {
    if (!options.logger.enabled(level)) return;
    options.logger.log(level, "webhook delivery",
                       {{"channel", channel},
                        {"status", std::int64_t{status}},
                        {"outcome", to_string(o)},
                        {"events", events},
                        {"duplicates", duplicates},
                        {"event", event},
                        {"ms", ms},
                        {"reason", reason}});
  }
};

WebhookReceiver::WebhookReceiver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebhookReceiver::~WebhookReceiver() = default;

result<std::unique_ptr<WebhookReceiver>> WebhookReceiver::create(std::vector<ReceiverChannel> channels,
                                                                 sync::Engine& engine, ReceiverOptions options) {
  if (options.path_prefix.empty() || options.path_prefix.front() != '/' || options.path_prefix.back() != '/')
    return Error::validation("path_prefix must start and end with '/'");
  auto impl = std::make_unique<Impl>(engine, std::move(options));
  for (auto& c : channels) {
    if (!valid_name(c.name))
      return Error::validation("channel \"" + c.name +
                               "\": a receiver's channel name is 1 to 64 letters, digits, '-', '_' or '.' (it is a "
                               "path segment and a metric label)");
    if (!c.receive) return Error::validation("channel \"" + c.name + "\": no receive function");
    if (c.max_body_bytes == 0) return Error::validation("channel \"" + c.name + "\": max_body_bytes is 0");
    const std::string name = c.name;
    if (!impl->routes.emplace(name, Route{std::move(c), std::make_unique<Stats>()}).second)
      return Error::validation("channel \"" + name + "\" is configured twice");
  }
  return std::unique_ptr<WebhookReceiver>(new WebhookReceiver(std::move(impl)));
}

result<std::unique_ptr<WebhookReceiver>> WebhookReceiver::create(const std::vector<channels::ChannelConfig>& channels,
                                                                 sync::Engine& engine, ReceiverOptions options) {
  std::vector<ReceiverChannel> list;
  list.reserve(channels.size());
  for (const auto& c : channels) {
    ODOOSYNC_TRY(one, ReceiverChannel::from_config(c));
    list.push_back(std::move(one));
  }
  return create(std::move(list), engine, std::move(options));
}

Admission WebhookReceiver::admit(std::string_view method, std::string_view target,
                                 std::optional<std::uint64_t> content_length) const {
  Admission a;
  const auto path = path_of(target);
  if (impl_->is_page(path)) {
    a.body_limit = get_body_limit;
    if (content_length && *content_length > get_body_limit) {
      a.answer = refusal(413, "too_large", "a page takes at most 64 KiB");
      a.answer->close = true;
    }
    return a;
  }
  if (path == "/healthz" || path == "/metrics") {
    if (method != "GET" && method != "HEAD") {
      impl_->method_not_allowed.fetch_add(1, std::memory_order_relaxed);
      a.answer = refusal(405, "method_not_allowed", "use GET");
      a.answer->headers.add("Allow", "GET, HEAD");
      return a;
    }
    a.body_limit = get_body_limit;
    if (content_length && *content_length > get_body_limit) {
      a.answer = refusal(413, "too_large", "a GET takes no body");
      a.answer->close = true;
    }
    return a;
  }
  const Route* r = impl_->route_of(path);
  if (!r) {
    impl_->not_found.fetch_add(1, std::memory_order_relaxed);
    a.answer = refusal(404, "not_found", "no such channel or path");
    return a;
  }
  if (method != "POST") {
    impl_->method_not_allowed.fetch_add(1, std::memory_order_relaxed);
    a.answer = refusal(405, "method_not_allowed", "webhooks are POSTed");
    a.answer->headers.add("Allow", "POST");
    return a;
  }
  a.body_limit = r->channel.max_body_bytes;
  if (content_length && *content_length > r->channel.max_body_bytes) a.answer = impl_->too_large(*r, content_length);
  return a;
}

WebhookAnswer WebhookReceiver::over_limit(std::string_view target) const {
  const Route* r = impl_->route_of(path_of(target));
  if (!r) {
    auto a = refusal(413, "too_large", "the body is over the limit");
    a.close = true;
    return a;
  }
  return impl_->too_large(*r, std::nullopt);
}

WebhookAnswer WebhookReceiver::handle(WebhookRequest request) {
  auto& I = *impl_;
  const auto started = std::chrono::steady_clock::now();
  const auto path = path_of(request.target);
  if (I.is_page(path)) {
    if (request.body.size() > get_body_limit) return refusal(413, "too_large", "a page takes at most 64 KiB");
    return I.options.page(request);
  }
  if (path == "/healthz" || path == "/metrics" || !I.route_of(path) || request.method != "POST") {
    auto pre = admit(request.method, request.target, request.body.size());
    if (pre.answer) return std::move(*pre.answer);
    const bool head = request.method == "HEAD";
    WebhookAnswer a;
    if (path == "/healthz") {
      I.health_checks.fetch_add(1, std::memory_order_relaxed);
      auto depth = I.engine.store().depth();
      if (!depth) {
        I.log(LogLevel::warn, "", 503, Outcome::unavailable, 0, 0, {}, 0, depth.error().message());
        a = refusal(503, "unavailable", "the store does not answer");
        a.headers.add("Retry-After", std::to_string(I.options.retry_after.count()));
      } else {
        a = answer(200, json_body({{"status", "ok"}}, {{"realtime", static_cast<std::int64_t>(depth.value()[0])},
                                                       {"bulk", static_cast<std::int64_t>(depth.value()[1])}}));
      }
    } else {
      I.metrics_reads.fetch_add(1, std::memory_order_relaxed);
      a = answer(200, prometheus());
      a.content_type = "text/plain; version=0.0.4; charset=utf-8";
    }
    if (head) a.body.clear();
    return a;
  }
  const Route& r = *I.route_of(path);
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  if (request.body.size() > r.channel.max_body_bytes) return I.too_large(r, request.body.size());

  channels::Delivery d;
  d.url = request.url.empty()
              ? "http://" + std::string(request.headers.get("Host").value_or("localhost")) + request.target
              : std::move(request.url);
  d.body = std::move(request.body);
  d.headers = std::move(request.headers);
  d.received_at = request.received_at;

  auto finish = [&](Outcome o, int status, WebhookAnswer a, std::int64_t events, std::int64_t duplicates,
                    std::string_view event, std::string_view reason) {
    const double s = elapsed();
    I.count(r, o, s);
    const LogLevel level = status >= 500 ? LogLevel::error : status >= 400 ? LogLevel::warn : LogLevel::info;
    I.log(level, r.channel.name, status, o, events, duplicates, event, s * 1000.0, reason);
    return a;
  };

  auto mapped = r.channel.receive(d);
  if (!mapped) {
    const auto& e = mapped.error();
    switch (e.kind()) {
      case ErrorKind::auth:
        return finish(Outcome::unauthorized, 401, refusal(401, "unauthorized", e.message()), 0, 0, {}, e.message());
      case ErrorKind::validation:
        return finish(Outcome::invalid, 400, refusal(400, "invalid", e.message()), 0, 0, {}, e.message());
      default:
        return finish(Outcome::failed, 500, refusal(500, "failed", "the delivery could not be read"), 0, 0, {},
                      e.to_string());
    }
  }
  auto& m = mapped.value();
  if (!m.odoo_records.empty()) {
    r.stats->odoo_records.fetch_add(m.odoo_records.size(), std::memory_order_relaxed);
    if (I.options.on_odoo_records) I.options.on_odoo_records(r.channel.name, m.odoo_records);
  }
  if (m.events.empty()) {
    const std::string note = m.note.empty() ? std::string("nothing to take in") : m.note;
    return finish(Outcome::ignored, 200,
                  answer(200, json_body({{"status", "ignored"}, {"note", note}},
                                        {{"odoo_records", static_cast<std::int64_t>(m.odoo_records.size())}})),
                  0, 0, {}, note);
  }
  const std::string first = m.events.front().id;
  auto sent = I.engine.submit_many(m.events);
  if (!sent) {
    const auto& e = sent.error();
    WebhookAnswer a;
    switch (e.kind()) {
      case ErrorKind::backpressure:
        a = refusal(503, "backpressure", "the queue is above its high-water mark: retry later");
        a.headers.add("Retry-After", std::to_string(I.options.retry_after.count()));
        return finish(Outcome::backpressure, 503, std::move(a), 0, 0, first, e.message());
      case ErrorKind::validation:
        return finish(Outcome::invalid, 400, refusal(400, "invalid", e.message()), 0, 0, first, e.message());
      case ErrorKind::storage:
      case ErrorKind::conflict:
      case ErrorKind::transport:
      case ErrorKind::cancelled:
        a = refusal(503, "unavailable", "the store could not take the events in: retry later");
        a.headers.add("Retry-After", std::to_string(I.options.retry_after.count()));
        return finish(Outcome::unavailable, 503, std::move(a), 0, 0, first, e.to_string());
      default:
        return finish(Outcome::failed, 500, refusal(500, "failed", "the events could not be taken in"), 0, 0, first,
                      e.to_string());
    }
  }
  std::int64_t fresh = 0, dups = 0;
  for (const auto& s : sent.value()) (s.intake == sync::Intake::duplicate ? dups : fresh) += 1;
  r.stats->events.fetch_add(static_cast<std::uint64_t>(fresh), std::memory_order_relaxed);
  r.stats->duplicates.fetch_add(static_cast<std::uint64_t>(dups), std::memory_order_relaxed);
  const Outcome o = fresh == 0 ? Outcome::duplicate : Outcome::accepted;
  return finish(o, 200, answer(200, json_body({{"status", to_string(o)}}, {{"events", fresh}, {"duplicates", dups}})),
                fresh, dups, first, {});
}

std::vector<std::string> WebhookReceiver::channel_names() const {
  std::vector<std::string> out;
  for (const auto& [name, r] : impl_->routes) out.push_back(name);
  return out;
}

ReceiverMetrics WebhookReceiver::metrics() const {
  ReceiverMetrics m;
  for (const auto& [name, r] : impl_->routes) {
    auto& c = m.channels[name];
    const auto& s = *r.stats;
    for (std::size_t i = 0; i < outcome_count; ++i) c.deliveries[i] = s.deliveries[i].load(std::memory_order_relaxed);
    c.events = s.events.load(std::memory_order_relaxed);
    c.duplicates = s.duplicates.load(std::memory_order_relaxed);
    c.odoo_records = s.odoo_records.load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < c.latency.size(); ++i) c.latency[i] = s.latency[i].load(std::memory_order_relaxed);
    c.latency_seconds_sum = static_cast<double>(s.latency_ns.load(std::memory_order_relaxed)) / 1e9;
    c.latency_count = s.latency_count.load(std::memory_order_relaxed);
  }
  m.not_found = impl_->not_found.load(std::memory_order_relaxed);
  m.method_not_allowed = impl_->method_not_allowed.load(std::memory_order_relaxed);
  m.health_checks = impl_->health_checks.load(std::memory_order_relaxed);
  m.metrics_reads = impl_->metrics_reads.load(std::memory_order_relaxed);
  return m;
}

std::string WebhookReceiver::prometheus() { return metrics().prometheus() + impl_->engine.prometheus(); }

std::string ReceiverMetrics::prometheus() const {
  std::string out;
  auto header = [&](std::string_view name, std::string_view type, std::string_view help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  header("odoosync_webhook_deliveries_total", "counter", "Webhook deliveries per channel and outcome.");
  for (const auto& [name, c] : channels) {
    for (std::size_t i = 0; i < outcome_count; ++i) {
      out += fmt::format("odoosync_webhook_deliveries_total{{channel=\"{}\",outcome=\"{}\"}} {}\n", name,
                         to_string(static_cast<Outcome>(i)), c.deliveries[i]);
    }
  }
  auto per_channel = [&](const char* name, const char* help, std::uint64_t ChannelCounters::*field) {
    header(name, "counter", help);
    for (const auto& [channel, c] : channels) out += fmt::format("{}{{channel=\"{}\"}} {}\n", name, channel, c.*field);
  };
  per_channel("odoosync_webhook_events_total", "Events taken in from webhooks (durable when counted).",
              &ChannelCounters::events);
  per_channel("odoosync_webhook_duplicates_total", "Events of deliveries the store already held (retries).",
              &ChannelCounters::duplicates);
  per_channel("odoosync_webhook_odoo_records_total", "Records Odoo's own webhook said changed.",
              &ChannelCounters::odoo_records);
  header("odoosync_webhook_seconds", "histogram", "Time from a delivery's body read to its answer.");
  for (const auto& [name, c] : channels) {
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < latency_buckets.size(); ++b) {
      cumulative += c.latency[b];
      out += fmt::format("odoosync_webhook_seconds_bucket{{channel=\"{}\",le=\"{}\"}} {}\n", name, latency_buckets[b],
                         cumulative);
    }
    cumulative += c.latency.back();
    out += fmt::format("odoosync_webhook_seconds_bucket{{channel=\"{}\",le=\"+Inf\"}} {}\n", name, cumulative);
    out += fmt::format("odoosync_webhook_seconds_sum{{channel=\"{}\"}} {:.6f}\n", name, c.latency_seconds_sum);
    out += fmt::format("odoosync_webhook_seconds_count{{channel=\"{}\"}} {}\n", name, c.latency_count);
  }
  header("odoosync_webhook_not_found_total", "counter", "Requests for an unknown channel or path.");
  out += fmt::format("odoosync_webhook_not_found_total {}\n", not_found);
  header("odoosync_webhook_method_not_allowed_total", "counter", "Requests with the wrong method.");
  out += fmt::format("odoosync_webhook_method_not_allowed_total {}\n", method_not_allowed);
  return out;
}

}  // namespace serve
}  // namespace v0
}  // namespace odoosync
