// StatusPage: the page an operator opens to see the integration at a glance (GET /status: one HTML
// document, no external assets), the JSON it polls (GET /status.json) and the replay of a dead letter
// (POST /status/replay, guarded by a bearer token). It shows the lanes (depth, oldest pending age against
// a freshness target), backlog and freshness over the last hours, dead letters with their errors, the
// circuit breaker and the receiver's channel deliveries. It has no HTTP server: the webhook receiver
// (`odoosync serve`) and the service mode's metrics server (`sync run --metrics-listen`) route these
// paths to handle(); a host may mount it in its own server the same way. docs/operations.md.
//
// The history is read from the store (Store::queue_moves: the audit's settles and the events' intake
// over the window, newest first, bounded), so it survives a restart and agrees with the store; it is
// kept between refreshes and only what is new is read again.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/core/clock.hpp>
#include <odoosync/core/log.hpp>
#include <odoosync/core/result.hpp>
#include <odoosync/core/secret_source.hpp>
#include <odoosync/ops/page.hpp>
#include <odoosync/sync/store.hpp>

namespace odoosync {
inline namespace v0 {
namespace sync {
class Engine;  // sync/engine.hpp
}  // namespace sync

namespace ops {

// What a webhook receiver did with one channel's deliveries since it started (serve::ReceiverMetrics).
struct ChannelDeliveries {
  std::string name;
  std::uint64_t accepted = 0, duplicate = 0, ignored = 0;
  std::uint64_t refused = 0;  // 401, 400 and 413: the sender must change something
  std::uint64_t failed = 0;   // 503 and 500: ours; the provider retries
  std::uint64_t events = 0;   // events newly taken in
};

struct StatusPageOptions {
  std::chrono::minutes window{360};  // the history's span
  std::chrono::seconds step{300};    // one point of the history per step
  // Freshness targets per lane (realtime, bulk): the alert rules' defaults (ops/prometheus).
  std::array<std::chrono::seconds, sync::lane_count> freshness_target{std::chrono::seconds{300},
                                                                      std::chrono::seconds{3600}};
  std::size_t dead_letters_per_page = 25;
  // Queue moves read from the store per refresh at most: a busier window shows its older part as unknown.
  std::size_t history_limit = 100'000;
  // A snapshot is served again for this long (the store's counts are a scan); a replay drops it.
  std::chrono::milliseconds cache{2000};
  // The replay's token. Null: replay is off (403 saying so) and the page is read-only.
  std::shared_ptr<SecretSource> replay_token{};
  // False when the engine only takes events in (serve without --sync): the breaker is not shown as a state.
  bool sending = true;
  // The receiver's deliveries per channel. Unset: no receiver in this process (the page says so).
  std::function<std::vector<ChannelDeliveries>()> channels{};
  // One line per replay asked for (source, id, outcome) and per refused attempt; never the token.
  Logger logger{};
  Clock* clock = nullptr;  // wall time for ages and the history; default: the system clock
};

class StatusPage {
 public:
  // The engine (and its store) must outlive the page.
  static result<std::unique_ptr<StatusPage>> create(sync::Engine& engine, StatusPageOptions options = {});
  ~StatusPage();
  StatusPage(const StatusPage&) = delete;
  StatusPage& operator=(const StatusPage&) = delete;

  // Whether the path (no query) is one of the page's: /status, /status.json, /status/replay.
  static bool serves(std::string_view path) noexcept;
  // GET /status: the HTML page. GET /status.json[?after=SEQ]: the snapshot, dead letters after that seq.
  // POST /status/replay, JSON {"source": ..., "id": ...}, Authorization: Bearer TOKEN: 200 replayed,
  // 400 malformed, 401 no or wrong token, 403 replay off or a cross-site origin, 404 not a dead letter,
  // 415 not JSON (a form post), 503 the store failed. Anything else: 404 or 405. Safe from many threads.
  PageAnswer handle(const PageRequest& request);
  // The hook the metrics server and the receiver take: this page's paths, answered by handle().
  static Pages pages(std::shared_ptr<StatusPage> page);

  struct Impl;

 private:
  explicit StatusPage(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The page's HTML (tests read it; handle() serves it with a Content-Security-Policy naming its hashes).
std::string_view status_page_html() noexcept;

}  // namespace ops
}  // namespace v0
}  // namespace odoosync
