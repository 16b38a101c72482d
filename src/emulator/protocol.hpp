// The emulator's HTTP face: Odoo's routes (JSON-RPC, web session, JSON-2, version) answered from the
// Database with Odoo's exact envelopes, status codes and error bodies for the chosen version, plus the
// fault injection and the control endpoint (/__emulator__/..., control.cpp) tests use. The methods
// behind the routes are in methods.hpp.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "orm.hpp"

namespace odoosync::emulator {

struct HttpRequest {
  std::string method;  // GET, POST, ...
  std::string target;  // path and query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string header(std::string_view name) const;
};

// What the server does with the connection, besides answering.
enum class Delivery { respond, reset_before, reset_after, hang };

struct HttpReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Delivery delivery = Delivery::respond;
  std::chrono::milliseconds delay{0};
};

// A reply with a JSON body, as Odoo sends one (application/json; charset=utf-8).
HttpReply json_reply(int status, std::string body);

struct MethodCall;  // methods.hpp

struct Options {
  int odoo_version = 18;
  std::string data_dir;  // holds odoo18/ and odoo19/ (fields, records)
  std::size_t extra_products = 0;
  std::string fixture;               // a JSON file applied over the seed (--data)
  std::uint64_t seed = 1;            // fault choices that are random (probabilities) draw from it
  std::string database;              // default: retail18 / retail19
  std::vector<std::string> modules;  // installed on top of the demo data (Database::install_module)
  std::string admin_api_key = "0dd05ec0ffee0dd05ec0ffee0dd05ec0ffee0dd0";
  // When admin's key expires ("2027-03-01 00:00:00", UTC, as res.users.apikeys stores it); empty: never.
  // Past it (on the emulator's clock) the key authenticates nothing.
  std::string admin_api_key_expires;
};

// An HTTP Date header value ("Mon, 07 Dec 2026 06:47:16 GMT") for a time in microseconds since the epoch.
std::string http_date(std::int64_t now_us);

// A fault, scoped to a model/method (empty = any) and consumed `times` times (0 = until cleared).
struct Fault {
  std::string kind;  // latency, http_502, http_503, http_504, http_429, reset_before, reset_after,
                     // serialization_failure, session_expired, key_expired, down, slow_commit
  std::string model, method;
  int times = 1;
  int latency_ms = 0;
  int retry_after_s = 1;
  double probability = 1.0;  // below 1: each matching call draws from the seeded generator (--seed)
  int consumed = 0;
};

class Emulator {
 public:
  explicit Emulator(Options options);
  HttpReply handle(const HttpRequest& request);

  const Options& options() const { return options_; }
  void add_fault(Fault fault);
  // The server is going down: calls waiting to commit (slow_commit) are abandoned, as when Odoo's
  // process is killed mid-transaction. handle() answers 503 from then on.
  void shutdown();
  // Calls running right now that have not committed yet (slow_commit), read under one lock, for tests
  // and the harness (EmulatedOdoo::in_flight).
  struct InFlightCalls {
    std::vector<std::string> calls;        // "model.method" of each call waiting to commit, oldest first
    std::uint64_t slow_calls_started = 0;  // slow_commit calls begun so far
  };
  InFlightCalls in_flight() const;

 private:
  HttpReply route(const HttpRequest& request, const std::string& path);
  HttpReply jsonrpc(const HttpRequest& request, const std::string& path);
  HttpReply json2(const HttpRequest& request, const std::string& path);
  HttpReply control(const HttpRequest& request, const std::string& path);  // control.cpp
  // Runs an ORM call: counts and logs it, applies the faults aimed at it, then run_method (methods.hpp).
  // The result goes to `out` (`none` for Python None). Throws OdooException.
  void execute(MethodCall& call, Doc& out, bool& none);
  std::optional<Fault> take_fault(const std::string& model, const std::string& method,
                                  std::initializer_list<std::string_view> kinds);
  HttpReply network_fault(const HttpRequest& request, const std::string& path);

  // A call that takes its time between starting and committing (slow_commit), listed while it waits.
  struct InFlight {
    std::uint64_t id;
    std::string model, method, started;  // started: its transaction's timestamp
    std::chrono::steady_clock::time_point commit_at;
  };
  // Waits until `until` without holding mutex_ (the lock is released and taken back); false if the
  // emulator shut down or was reset meanwhile (the call is abandoned, nothing is written).
  bool wait_unlocked(std::chrono::steady_clock::time_point until);
  bool key_usable(std::int64_t uid, const std::string& key, const std::string& secret) const;

  Options options_;
  Database db_;
  std::shared_ptr<Clock> clock_ = std::make_shared<Clock>();
  // One transaction applies at a time, as PostgreSQL serialises conflicting ones; a slow_commit call
  // releases it while it waits, so other calls run (and commit) meanwhile.
  mutable std::mutex mutex_;
  std::condition_variable wake_;  // shutdown and reset wake the calls waiting to commit
  bool shutting_down_ = false;
  std::uint64_t generation_ = 0;  // bumped by /__emulator__/reset: waiting calls of the old database are dropped
  std::list<InFlight> in_flight_;
  std::uint64_t in_flight_counter_ = 0;
  std::map<std::string, std::int64_t> sessions_;  // session id → uid
  std::uint64_t session_counter_ = 0;
  std::vector<Fault> faults_;
  std::mt19937_64 rng_;  // seeded from Options::seed: the same seed gives the same fault sequence
  // Each call, for tests: "model.method" and the trace context and correlation id its request carried.
  struct LoggedCall {
    std::string call, traceparent, tracestate, correlation_id;
  };
  std::vector<LoggedCall> log_;
  std::map<std::string, std::int64_t> counters_;
};

}  // namespace odoosync::emulator
