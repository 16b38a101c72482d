// WebhookReceiver: what `odoosync serve` does with one HTTP request, without the HTTP server. It routes
// POST /webhooks/<channel> to the channel (a channels::Adapter: verify, then map), takes the events in
// through the engine and answers 2xx only once they are durable; it answers GET /healthz and
// GET /metrics, and the pages a host adds (the status page: ReceiverOptions::page). A host with an HTTP server of its own mounts it there: admit() on the request line and
// declared length (before reading the body), then handle() with the body. WebhookServer
// (serve/webhook_server.hpp) is the Boost.Beast server around it that `odoosync serve` runs.
//
// Statuses (docs/channels.md, "Receiving webhooks: odoosync serve"):
//   200 accepted (the events are in the store), a duplicate (the store already holds them: the
//       provider's retry), or nothing to take in (a ping, a topic that changes nothing in Odoo)
//   400 the delivery is authentic but unusable (ErrorKind::validation; the reason in the body; nothing stored)
//   401 the proof of origin fails (ErrorKind::auth; nothing stored)
//   404 no such channel or path; 405 wrong method (with Allow); 413 body over the channel's limit
//   503 with Retry-After: back-pressure (a lane above its high-water mark) or the store failed
//
// `serve/` sits above `channels/` and `sync/`: the channels layer maps deliveries to events without
// knowing where they go; this layer is where they meet the engine.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/channels/config.hpp>
#include <odoosync/channels/delivery.hpp>
#include <odoosync/channels/mapping.hpp>
#include <odoosync/core/log.hpp>
#include <odoosync/core/metrics.hpp>
#include <odoosync/core/result.hpp>
#include <odoosync/http/headers.hpp>

namespace odoosync {
inline namespace v0 {
namespace sync {
class Engine;  // sync/engine.hpp
}  // namespace sync

namespace serve {

// One channel as the receiver sees it: its name (the path segment after /webhooks/), its body limit,
// and what turns a delivery into events. from_config() makes it from the configuration file's channel
// (a channels::Adapter); a host may add a channel of its own with any `receive`, which must be safe to
// call from several threads at once and follow Adapter::receive's errors (auth: 401, validation: 400).
struct ReceiverChannel {
  std::string name;
  std::size_t max_body_bytes = std::size_t{4} << 20;
  std::function<result<channels::Mapped>(const channels::Delivery&)> receive;

  static result<ReceiverChannel> from_config(const channels::ChannelConfig& config);
  static ReceiverChannel from_adapter(channels::Adapter adapter, std::size_t max_body_bytes);
};

// One request, as the HTTP server read it.
struct WebhookRequest {
  std::string method;  // "POST"
  std::string target;  // as sent: path and query ("/webhooks/shippo?token=..."); never logged
  http::Headers headers;
  std::string body;  // the raw bytes
  // The full URL it was posted to (Delivery::url: Square signs it; Shippo and Odoo carry a token in it).
  // Empty: "http://" + the Host header + target.
  std::string url;
  std::chrono::system_clock::time_point received_at = std::chrono::system_clock::now();
};

struct WebhookAnswer {
  int status = 200;
  std::string content_type = "application/json";
  http::Headers headers;  // Retry-After on 503, Allow on 405
  std::string body;
  bool close = false;  // the server should close the connection after it (413: the body was not read)
};

// What the server may do before it reads a body.
struct Admission {
  std::optional<WebhookAnswer> answer;  // set: send it without reading the body (404, 405, 413)
  std::size_t body_limit = 0;           // else: read at most this many bytes (a longer body: answer 413)
};

// What became of a delivery, as counted per channel.
enum class Outcome : std::uint8_t {
  accepted,      // 200: events taken in (some may have been duplicates)
  duplicate,     // 200: every event was already held
  ignored,       // 200: authentic, nothing to take in (a ping, a topic that changes nothing)
  unauthorized,  // 401
  invalid,       // 400
  too_large,     // 413
  backpressure,  // 503
  unavailable,   // 503: the store failed
  failed,        // 500: anything else
};
inline constexpr std::size_t outcome_count = 9;
std::string_view to_string(Outcome outcome) noexcept;

// Upper bounds (seconds) of the latency histogram: from a request's body read to its answer.
inline constexpr std::array<double, 12> latency_buckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                           0.1,   0.25,   0.5,   1.0,  2.5,   5.0};

struct ChannelCounters {
  std::array<std::uint64_t, outcome_count> deliveries{};            // by Outcome
  std::uint64_t events = 0;                                         // events newly taken in
  std::uint64_t duplicates = 0;                                     // events the store already held
  std::uint64_t odoo_records = 0;                                   // records Odoo's own webhook said changed
  std::array<std::uint64_t, latency_buckets.size() + 1> latency{};  // per bucket (not cumulative), +Inf last
  double latency_seconds_sum = 0;
  std::uint64_t latency_count = 0;
  std::uint64_t total() const noexcept;
};

struct ReceiverMetrics {
  std::map<std::string, ChannelCounters> channels;
  std::uint64_t not_found = 0;           // unknown channel or path (no label: the path is the sender's text)
  std::uint64_t method_not_allowed = 0;  // 405
  std::uint64_t health_checks = 0, metrics_reads = 0;
  // Prometheus text: odoosync_webhook_deliveries_total{channel,outcome}, odoosync_webhook_events_total,
  // odoosync_webhook_duplicates_total, odoosync_webhook_odoo_records_total, odoosync_webhook_seconds
  // (histogram), odoosync_webhook_not_found_total, odoosync_webhook_method_not_allowed_total.
  std::string prometheus() const;
};

struct ReceiverOptions {
  std::string path_prefix = "/webhooks/";
  // Retry-After on 503: when the provider should try again.
  std::chrono::seconds retry_after{30};
  // One line per delivery (channel, status, outcome, events, duplicates, first event id, milliseconds,
  // and the reason of a refusal): never a header, the body, the URL or its query.
  Logger logger{};
  // Also report the receiver's counters here (odoosync_webhook_deliveries_total{channel,outcome}, ...).
  std::shared_ptr<MetricsSink> metrics{};
  // Odoo's own webhook is a wake-up, not data: the records it says changed, for the host to read back.
  // Called on the thread handling the request, before it answers: keep it short.
  std::function<void(std::string_view channel, const std::vector<channels::Mapped::OdooRecord>&)> on_odoo_records{};
  // Pages served beside the webhooks (the status page, ops/status_page.hpp): a path `serves_page` accepts
  // (without its query) gets any method and a body up to 64 KiB, and `page`'s answer; not counted as a
  // delivery. Both unset: none.
  std::function<bool(std::string_view path)> serves_page{};
  std::function<WebhookAnswer(const WebhookRequest&)> page{};
};

class WebhookReceiver {
 public:
  // Names must be unique, non-empty, without '/', '?' or '%'. The engine must outlive the receiver;
  // an intake-only engine (Engine::create_intake) is enough.
  static result<std::unique_ptr<WebhookReceiver>> create(std::vector<ReceiverChannel> channels, sync::Engine& engine,
                                                         ReceiverOptions options = {});
  // Every channel of the configuration file, through channels::Adapter.
  static result<std::unique_ptr<WebhookReceiver>> create(const std::vector<channels::ChannelConfig>& channels,
                                                         sync::Engine& engine, ReceiverOptions options = {});
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  // Before the body is read: the answer when the method, the path or the declared length already
  // decide it; else the body limit of the route. Safe to call from many threads.
  Admission admit(std::string_view method, std::string_view target, std::optional<std::uint64_t> content_length) const;
  // The answer (413) for a body found longer than admit()'s body_limit while it was read (a chunked
  // body declares no length). Counted like any delivery of the channel.
  WebhookAnswer over_limit(std::string_view target) const;
  // The whole request: verify, map, take in (durable before it returns), answer. Safe to call from many
  // threads at once (concurrent deliveries share the store's commits).
  WebhookAnswer handle(WebhookRequest request);

  std::vector<std::string> channel_names() const;
  ReceiverMetrics metrics() const;
  // The receiver's series followed by the engine's (sync/metrics.hpp): what GET /metrics answers.
  std::string prometheus();

  struct Impl;

 private:
  explicit WebhookReceiver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace serve
}  // namespace v0
}  // namespace odoosync
