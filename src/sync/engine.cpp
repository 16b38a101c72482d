#include <odoosync/sync/engine.hpp>
#include <odoosync/core/json.hpp>
#include <odoosync/http/trace_context.hpp>
#include <odoosync/odoo/client.hpp>
#include <odoosync/sync/policy.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <thread>

namespace odoosync {
inline namespace v0 {
namespace sync {

Lane lane_of(std::string_view type) noexcept {
  static const EventTypes builtin = EventTypes::builtin();
  const auto* spec = builtin.find(type);
  return spec ? spec->lane : Lane::realtime;
}

namespace {

std::int64_t to_ms(Clock::wall_time t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// The text of an event's `tracestate` extension (CloudEvents' distributed tracing extension), "" when it
// has none; `why` says what is wrong with one that is not a W3C tracestate.
std::string tracestate_of(const retail::Event& e, std::string* why = nullptr) {
  for (const auto& x : e.extensions) {
    if (x.name != "tracestate") continue;
    auto doc = json::parse(x.json);
    if (!doc || !doc.value().IsString()) {
      if (why) *why = "must be a string";
      return {};
    }
    std::string text(json::text(doc.value()));
    if (auto bad = http::check_tracestate(text); !bad.empty()) {
      if (why) *why = "must be a W3C tracestate: " + bad;
      return {};
    }
    return text;
  }
  return {};
}

// The trace every RPC of one send of a batch is made in (docs/sync.md, "Traces"): the first member's that
// has one, with that member's tracestate; else a trace derived from the batch token, so that every send
// of the batch (retries, probes, a resume after a crash) is one trace. Sampled: the audit records it.
http::TraceScope send_scope(const Batch& b, const std::vector<retail::Event>& events) {
  const std::string prefix = b.token + "/" + std::to_string(b.attempt);
  for (const auto& e : events) {
    if (!e.traceparent) continue;
    auto t = http::TraceParent::parse(*e.traceparent);
    if (t) return http::TraceScope(std::move(t).value(), tracestate_of(e), prefix);
  }
  http::TraceParent fresh;
  fresh.trace_id = http::derived_trace_id(b.token);
  fresh.parent_id = http::random_span_id();
  fresh.flags = 1;
  return http::TraceScope(std::move(fresh), {}, prefix);
}

// The RPC that decided a send, among the requests [from, to) of this thread's TraceScope: the last write
// (a request not marked idempotent) when `write` and there is one, else the last request.
RpcRef rpc_among(std::size_t from, std::size_t to, bool write) {
  const http::TraceScope* scope = http::TraceScope::current();
  if (!scope) return {};
  const auto& rs = scope->requests();
  to = std::min(to, rs.size());
  if (from >= to) return {};
  std::size_t pick = to - 1;
  if (write) {
    for (std::size_t i = to; i-- > from;) {
      if (!rs[i].idempotent) {
        pick = i;
        break;
      }
    }
  }
  return RpcRef{rs[pick].correlation_id, scope->trace().trace_id, rs[pick].span_id};
}
std::size_t requests_sent() {
  const http::TraceScope* scope = http::TraceScope::current();
  return scope ? scope->requests().size() : 0;
}

// host-pid-nonce: two engines in one process never share an owner name (nor settle each other's batches).
std::string default_worker_id() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::random_device rd;
  char nonce[16];
  std::snprintf(nonce, sizeof nonce, "%06x", static_cast<unsigned>(rd() & 0xffffffu));
  return std::string(host[0] ? host : "host") + "-" + std::to_string(::getpid()) + "-" + nonce;
}

}  // namespace

odoo::ClientOptions engine_client_options(std::shared_ptr<MetricsSink> metrics, Logger logger) {
  return engine_client_options(std::move(metrics), std::move(logger), odoo::ClientOptions{});
}

odoo::ClientOptions engine_client_options(std::shared_ptr<MetricsSink> metrics, Logger logger,
                                          odoo::ClientOptions base) {
  base.pipeline = http::PipelineOptions::without_policies(std::move(logger), std::move(metrics));
  return base;
}

struct Engine::Impl {
  Store& store;
  odoo::Client* client;  // null: intake only
  EngineOptions options;
  Clock& clock;
  http::CircuitBreaker breaker;
  std::string worker_id;

  std::mutex mapping_mutex;
  std::optional<retail::MappingOptions> mapping;  // once the server's version is known

  std::mutex metrics_mutex;
  EngineMetrics counters;  // the engine's own counts (store and RPC figures are added on read)
  // Batches settled for good (applied or dead-lettered): run_until_idle's measure of progress.
  std::atomic<std::uint64_t> settled{0};
  // The last failure of a batch (what a run that could not progress says), under failure_mutex.
  std::mutex failure_mutex;
  std::optional<Error> last_failure;
  std::atomic<std::uint64_t> failures{0};
  std::optional<Error> last_failure_copy() {
    std::lock_guard l(failure_mutex);
    return last_failure;
  }

  std::mutex rng_mutex;
  std::mt19937_64 rng;

  std::mutex rate_mutex;
  std::array<Clock::time_point, lane_count> next_slot{};

  std::mutex run_mutex;
  std::condition_variable run_cv;
  std::vector<std::thread> threads;
  int running = 0;
  std::atomic<bool> stopping{false};
  std::atomic<bool> idle{false};
  bool flush_now = false;
  // When these workers began: a batch left by a run before (its outcome unknown) may still be running in
  // Odoo until the grace period after this has passed.
  std::atomic<std::int64_t> started_ms{0};

  // Batches being sent, with their owners: the heartbeat renews their leases, so that a send slower
  // than the lease (a slow Odoo, a long client timeout) is never resumed by another worker meanwhile.
  std::mutex leases_mutex;
  std::map<std::int64_t, std::string> leased;

  Impl(Store& s, odoo::Client* c, EngineOptions o)
      : store(s),
        client(c),
        options(std::move(o)),
        clock(options.clock ? *options.clock : Clock::system()),
        breaker(options.breaker, clock),
        worker_id(options.worker_id.empty() ? default_worker_id() : options.worker_id),
        rng(options.seed != 0 ? options.seed : std::random_device{}()) {
    breaker.on_transition([this](http::CircuitState, http::CircuitState to) {
      if (to == http::CircuitState::open) {
        std::lock_guard l(metrics_mutex);
        ++counters.breaker_opened;
      }
    });
  }

  std::int64_t now_ms() const { return to_ms(clock.wall_now()); }

  Watermarks watermarks() const {
    Watermarks w{};
    for (std::size_t l = 0; l < lane_count; ++l) w[l] = options.lanes[l].high_water;
    return w;
  }

  TypeCounters& type_counters(Lane lane, std::string_view type) {
    auto& m = counters.lanes[static_cast<std::size_t>(lane)].by_type;
    auto it = m.find(std::string(type));
    if (it == m.end()) it = m.emplace(std::string(type), TypeCounters{}).first;
    return it->second;
  }

  result<std::vector<SubmitResult>> append(std::span<const retail::Event> events) {
    std::vector<NewEvent> rows;
    rows.reserve(events.size());
    for (const auto& e : events) {
      // Every event's type is described in the table the engine received (EngineOptions::types).
      const EventTypeSpec* spec = options.types.find(e.type());
      if (!spec) {
        return Error::validation("/type: event type \"" + std::string(e.type()) +
                                 "\" is not registered with this engine (EngineOptions::types)");
      }
      // The trace context goes into HTTP headers: checked here too, for events built in code.
      if (e.traceparent && !http::TraceParent::parse(*e.traceparent)) {
        return Error::validation(R"(/traceparent: must be a W3C traceparent such as "00-<32 hex>-<16 hex>-<2 hex>")");
      }
      if (std::string why; tracestate_of(e, &why).empty() && !why.empty()) {
        return Error::validation("/tracestate: " + why);
      }
      NewEvent n;
      n.source = e.source;
      n.id = e.id;
      n.type = std::string(e.type());
      n.subject = e.subject;
      n.sequence = e.sequence;
      n.lane = spec->lane;
      n.batch_key = options.types.batch_key(e);
      n.body = retail::encode_event(e);
      n.traceparent = e.traceparent.value_or(std::string());
      rows.push_back(std::move(n));
    }
    auto r = store.append(rows, now_ms(), watermarks());
    std::lock_guard l(metrics_mutex);
    if (!r) {
      if (r.error().kind() == ErrorKind::backpressure) {
        for (const auto& n : rows) ++counters.lanes[static_cast<std::size_t>(n.lane)].backpressured;
      }
      return r.error();
    }
    std::vector<SubmitResult> out;
    out.reserve(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      auto& c = type_counters(rows[i].lane, rows[i].type);
      if (r.value()[i] == Intake::duplicate) {
        ++c.duplicates;
      } else {
        ++c.submitted;
      }
      out.push_back(SubmitResult{r.value()[i], rows[i].lane});
    }
    return out;
  }

  // The server's version, asked once (Odoo may be down when the engine starts: asked again later).
  result<retail::MappingOptions> mapping_options() {
    std::lock_guard l(mapping_mutex);
    if (mapping) return *mapping;
    auto m = options.mapping;
    if (m.odoo_major == 0) {
      ODOOSYNC_TRY(v, client->version());
      m.odoo_major = v.major;
    }
    mapping = m;
    return m;
  }

  void wait_rate_slot(Lane lane) {
    const double rate = options.lanes[static_cast<std::size_t>(lane)].rate_limit;
    if (rate <= 0) return;
    const auto step = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate));
    Clock::time_point at;
    {
      std::lock_guard l(rate_mutex);
      auto& next = next_slot[static_cast<std::size_t>(lane)];
      at = std::max(next, clock.now());
      next = at + step;
    }
    const auto now = clock.now();
    if (at > now) clock.sleep_for(at - now);
  }

  void count(const Batch& b, std::uint64_t TypeCounters::*field) {
    {
      std::lock_guard l(metrics_mutex);
      for (const auto& m : b.members) ++(type_counters(b.lane, m.event.type).*field);
    }
    const std::string_view outcome = field == &TypeCounters::applied   ? "applied"
                                     : field == &TypeCounters::retried ? "retried"
                                                                       : "dead_lettered";
    for (const auto& m : b.members) report("odoosync_sync_events_total", b.lane, m.event.type, outcome);
  }

  void settle_or_log(const Batch& b, const std::string& owner, const Settlement& s) {
    // A failed settle leaves the batch leased: it is resumed (and probed) when the lease ends or the
    // next worker starts. Nothing is lost; the effect is not applied twice.
    auto r = store.settle(b.id, owner, s);
    if (!r)
      log(LogLevel::error, "settle failed: the batch stays leased and is probed when resumed", b,
          r.error().to_string());
  }

  // One line per decision that matters to an operator; never an event's body (it may hold personal data).
  void log(LogLevel level, std::string_view what, const Batch& b, const std::string& error) {
    if (!options.logger.enabled(level)) return;
    const http::TraceScope* scope = http::TraceScope::current();
    options.logger.log(level, what,
                       {{"batch", b.id},
                        {"token", b.token},
                        {"lane", std::string(to_string(b.lane))},
                        {"attempt", b.attempt},
                        {"members", static_cast<std::int64_t>(b.members.size())},
                        {"trace_id", scope ? scope->trace().trace_id : std::string()},
                        {"error", error}});
  }

  // The engine's own series, to any sink (odoosync_sync_events_total{lane,type,outcome}, ...).
  void report(std::string_view name, Lane lane, std::string_view type, std::string_view outcome = {}) {
    if (!options.metrics) return;
    std::array<MetricLabel, 3> labels{{{"lane", to_string(lane)}, {"type", type}, {"outcome", outcome}}};
    std::size_t n = 1;
    if (!type.empty()) n = 2;
    if (!outcome.empty()) n = 3;
    options.metrics->increment(name, MetricLabels(labels.data(), n));
  }

  // What a run that cannot progress reports (RunSummary::last_error, Engine::last_failure).
  void note_failure(const Error& e) {
    {
      std::lock_guard l(failure_mutex);
      last_failure = e;
    }
    failures.fetch_add(1);
  }

  // `effect` and `resolver`: set when the batch's effect was built, so a send may have reached Odoo.
  // The decision is sync::decide_failure (pure, sync/policy.hpp); this carries it out.
  // `rpc`: the RPC the failure is about, when it is not the last request sent.
  void fail(const Batch& b, const std::string& owner, const Error& e, retail::OdooEffect* effect = nullptr,
            retail::Resolver* resolver = nullptr, std::optional<RpcRef> rpc = std::nullopt) {
    // The request it failed on (a probe below sends more); after an unknown outcome, the one that may
    // have applied it.
    const RpcRef failed_on = rpc ? *rpc : rpc_among(0, requests_sent(), false);
    breaker.record(http::CircuitBreaker::verdict(classify(e).health), e.message());
    note_failure(e);
    FailureFacts f;
    f.error = e;
    f.attempt = b.attempt;
    f.now_ms = now_ms();
    f.created_ms = b.created_ms;
    f.members = b.members.size();
    f.effect_built = effect && resolver;
    double jitter = 0;
    {
      std::lock_guard l(rng_mutex);
      jitter = std::uniform_real_distribution<double>(0, 1)(rng);  // full jitter
    }
    auto d = decide_failure(f, options.retry, options.unknown_outcome_grace, jitter);
    if (d.step == FailureStep::probe) {
      count_probe();
      auto p = effect->probe(*resolver);
      f.probe = !p                                          ? ProbeResult::failed
                : p.value() == retail::EffectState::applied ? ProbeResult::applied
                : p.value() == retail::EffectState::partial ? ProbeResult::partial
                                                            : ProbeResult::absent;
      if (p) f.probe_detail = effect->probe_detail();
      if (!p) log(LogLevel::warn, "probe failed", b, p.error().to_string());
      d = decide_failure(f, options.retry, options.unknown_outcome_grace, jitter);
    }
    Settlement s;
    s.now_ms = f.now_ms;
    // The RPC's correlation id when the error has one, else the batch token (what `audit --correlation` finds).
    s.correlation_id = e.correlation_id().empty() ? b.token : e.correlation_id();
    s.rpc = failed_on;
    s.error = d.error;
    switch (d.step) {
      case FailureStep::probe:  // decide_failure answers probe only before a probe
      case FailureStep::retry:
        s.kind = SettleKind::retry;
        s.due_ms = d.due_ms;
        s.outcome_unknown = d.outcome_unknown;
        settle_or_log(b, owner, s);
        count(b, &TypeCounters::retried);
        log(LogLevel::info, "retry", b, d.error);
        return;
      case FailureStep::applied:
        s.kind = SettleKind::applied;
        s.error.clear();
        s.correlation_id = b.token;
        settle_or_log(b, owner, s);
        count(b, &TypeCounters::applied);
        settled.fetch_add(1);
        return;
      case FailureStep::split:
        s.kind = SettleKind::split;  // find the bad member: each goes alone next
        settle_or_log(b, owner, s);
        {
          std::lock_guard l(metrics_mutex);
          ++counters.splits;
        }
        report("odoosync_sync_splits_total", b.lane, {});
        log(LogLevel::warn, "split", b, d.error);
        return;
      case FailureStep::dead:
        s.kind = SettleKind::dead;
        settle_or_log(b, owner, s);
        count(b, &TypeCounters::dead_lettered);
        settled.fetch_add(1);
        log(LogLevel::error, "dead letter", b, d.error);
        return;
    }
  }

  void dispatch(Batch& b, const std::string& owner, retail::Resolver& resolver, const retail::MappingOptions& mo) {
    {
      std::lock_guard l(metrics_mutex);
      auto& lm = counters.lanes[static_cast<std::size_t>(b.lane)];
      ++lm.batches;
      lm.batch_events += b.members.size();
      lm.max_batch = std::max<std::uint64_t>(lm.max_batch, b.members.size());
    }
    std::vector<retail::Event> events;
    events.reserve(b.members.size());
    for (const auto& m : b.members) {
      auto e = retail::decode_event(m.event.body, options.types.custom_types());
      if (!e) {
        fail(b, owner, e.error().with_message_prefix("stored event " + m.event.source + " " + m.event.id));
        return;
      }
      events.push_back(std::move(e).value());
    }
    // Every request of this send carries the trace (and is listed by the scope, for the audit).
    const http::TraceScope scope = send_scope(b, events);
    std::vector<const retail::Event*> ptrs;
    ptrs.reserve(events.size());
    for (const auto& e : events) ptrs.push_back(&e);
    const EventTypeSpec* spec = options.types.find(events.front().type());
    if (!spec || !spec->effect) {
      fail(b, owner, Error::validation("no effect registered for event type " + std::string(events.front().type())));
      return;
    }
    auto effect = spec->effect(ptrs, mo, b.token);
    if (!effect) {
      fail(b, owner, effect.error());
      return;
    }
    retail::EffectState from = retail::EffectState::absent;
    if (b.probe_first) {
      // Defence in depth on top of tokens Odoo enforces: the send of a holder that vanished (a crash, an
      // expired lease) may still be running in Odoo and commit after a probe. Wait out the grace period
      // once before probing: counted from this engine's start (the holder was a run before it), or what is
      // left of it after the expired lease (a shared store).
      if (b.abandoned && options.unknown_outcome_grace.count() > 0) {
        const std::int64_t now = now_ms();
        const std::int64_t ready =
            options.exclusive
                ? started_ms.load() + options.unknown_outcome_grace.count()
                : now + std::max<std::int64_t>(0, (options.unknown_outcome_grace - options.lease).count());
        if (now < ready) {
          Settlement s;
          s.kind = SettleKind::retry;
          s.now_ms = now;
          s.due_ms = ready;
          s.outcome_unknown = true;
          s.error = "waiting for the grace period before probing: an earlier attempt may still be running in Odoo";
          s.correlation_id = b.token;
          settle_or_log(b, owner, s);
          return;
        }
      }
      count_probe();
      auto p = effect.value()->probe(resolver);
      if (!p) {
        fail(b, owner, p.error(), effect.value().get(), &resolver);
        return;
      }
      from = p.value();
    }
    RpcRef applied_by;
    if (from != retail::EffectState::applied) {
      // On a shared store, a worker that stalled past its lease (SIGSTOP, a frozen VM) must not send a
      // batch another worker has taken over, maybe applied and followed with newer events of the same
      // subjects: the renewal right before the send is fenced by the lease's epoch (PostgresStore).
      if (!options.exclusive) {
        if (auto r = store.renew(b.id, owner, now_ms() + options.lease.count()); !r) {
          log(LogLevel::warn, "lease lost before the send: the batch is another worker's now", b,
              r.error().to_string());
          return;
        }
      }
      const std::size_t apply_from = requests_sent();
      auto a = effect.value()->apply(resolver, from);
      const std::size_t apply_to = requests_sent();
      if (!a) {
        fail(b, owner, a.error(), effect.value().get(), &resolver);
        return;
      }
      // A call that answered is not a call that acted: settled as applied only when Odoo says so.
      auto p = effect.value()->probe(resolver);
      if (!p) {
        fail(b, owner, p.error(), effect.value().get(), &resolver);
        return;
      }
      if (p.value() != retail::EffectState::applied) {
        std::string names;
        for (const auto& m : b.members) names += (names.empty() ? "" : ", ") + m.event.source + " " + m.event.id;
        fail(b, owner,
             Error(ErrorKind::odoo, "Odoo answered every call but does not hold the effect of " + names + ": " +
                                        effect.value()->probe_detail()),
             nullptr, nullptr, rpc_among(apply_from, apply_to, true));
        return;
      }
      applied_by = rpc_among(apply_from, apply_to, true);
    } else {
      applied_by = rpc_among(0, requests_sent(), false);  // the probe that found it there
    }
    breaker.record(http::CircuitBreaker::Verdict::success);
    Settlement s;
    s.kind = SettleKind::applied;
    s.now_ms = now_ms();
    s.correlation_id = b.token;
    s.rpc = applied_by;
    settle_or_log(b, owner, s);
    count(b, &TypeCounters::applied);
  }

  bool nothing_left() {
    auto d = store.depth();
    if (!d) return false;
    for (auto n : d.value()) {
      if (n != 0) return false;
    }
    return true;
  }

  void thread_done() {
    std::lock_guard l(run_mutex);
    --running;
    run_cv.notify_all();
  }

  void count_probe() {
    {
      std::lock_guard l(metrics_mutex);
      ++counters.probes;
    }
    if (options.metrics) options.metrics->increment("odoosync_sync_probes_total", {});
  }

  // Every wait goes through the injected clock (a ManualClock moves its time instead of waiting).
  void pause(std::chrono::milliseconds d) {
    std::unique_lock l(run_mutex);
    clock.wait_for(run_cv, l, d, [&] { return stopping.load(); });
  }

  void worker(Lane lane, int n) {
    const std::string owner = worker_id + "/" + std::string(to_string(lane)) + "/" + std::to_string(n);
    const auto& lo = options.lanes[static_cast<std::size_t>(lane)];
    std::unique_ptr<retail::Resolver> resolver;
    std::optional<retail::MappingOptions> mo;
    while (!stopping.load()) {
      // Ask the breaker before claiming: a claim it then refused would count an attempt for nothing.
      if (!breaker.would_allow() || !breaker.allow()) {
        pause(std::chrono::milliseconds{50});
        continue;
      }
      if (!mo) {
        auto m = mapping_options();
        if (!m) {
          // Odoo's version is needed before anything is sent: not knowing it is a failure like a send's.
          breaker.record(http::CircuitBreaker::verdict(classify(m.error()).health), m.error().message());
          note_failure(m.error());
          if (options.logger.enabled(LogLevel::warn))
            options.logger.log(LogLevel::warn, "asking Odoo's version failed", {{"error", m.error().to_string()}});
          pause(std::chrono::milliseconds{200});
          continue;
        }
        mo = m.value();
        resolver = std::make_unique<retail::Resolver>(*client, *mo);
      }
      ClaimRequest rq;
      rq.lane = lane;
      rq.owner = owner;
      rq.now_ms = now_ms();
      rq.lease_ms = options.lease.count();
      rq.max_members = lo.batch_size;
      rq.flush_before_ms = flush_now ? INT64_MAX : rq.now_ms - lo.flush_interval.count();
      auto claimed = store.claim(rq);
      if (!claimed || !claimed.value()) breaker.record(http::CircuitBreaker::Verdict::neutral);  // nothing sent
      if (!claimed) {
        pause(std::chrono::milliseconds{100});
        continue;
      }
      if (!claimed.value()) {
        if (flush_now && nothing_left()) {
          idle = true;
          stopping = true;
          run_cv.notify_all();
          break;
        }
        pause(std::chrono::milliseconds{flush_now ? 10 : 20});
        continue;
      }
      Batch& b = *claimed.value();
      {
        std::lock_guard l(leases_mutex);
        leased[b.id] = owner;
      }
      wait_rate_slot(lane);
      dispatch(b, owner, *resolver, *mo);
      {
        std::lock_guard l(leases_mutex);
        leased.erase(b.id);
      }
    }
    thread_done();
  }

  void heartbeat() {
    const auto every = std::max<std::chrono::milliseconds>(options.lease / 3, std::chrono::milliseconds{100});
    auto next = clock.now() + every;
    for (;;) {
      std::vector<std::pair<std::int64_t, std::string>> now_leased;
      {
        std::lock_guard l(leases_mutex);
        if (stopping && leased.empty()) break;
        if (clock.now() >= next) now_leased.assign(leased.begin(), leased.end());
      }
      if (!now_leased.empty() || clock.now() >= next) {
        next = clock.now() + every;
        for (const auto& [id, owner] : now_leased) (void)store.renew(id, owner, now_ms() + options.lease.count());
      }
      {
        std::unique_lock l(run_mutex);
        clock.wait_for(run_cv, l, std::min<std::chrono::milliseconds>(every, std::chrono::milliseconds{100}),
                       [] { return false; });
      }
    }
    thread_done();
  }

  result<void> spawn(bool until_idle) {
    std::lock_guard l(run_mutex);
    if (running != 0 || !threads.empty()) return Error::validation("Engine: already running");
    if (!client) return Error::validation("Engine: created for intake only (no Odoo client): it cannot send");
    ODOOSYNC_TRYV(store.begin_worker(worker_id, options.exclusive, now_ms()));
    started_ms = now_ms();
    stopping = false;
    idle = false;
    flush_now = until_idle;
    for (std::size_t lane = 0; lane < lane_count; ++lane) {
      for (int n = 0; n < std::max(1, options.lanes[lane].concurrency); ++n) {
        ++running;
        threads.emplace_back([this, lane, n] { worker(static_cast<Lane>(lane), n); });
      }
    }
    ++running;
    threads.emplace_back([this] { heartbeat(); });
    return success();
  }

  bool wait_workers(std::chrono::milliseconds deadline) {
    std::unique_lock l(run_mutex);
    const bool done = run_cv.wait_for(l, deadline, [&] { return running == 0; });
    if (!done) return false;
    auto ts = std::move(threads);
    threads.clear();
    l.unlock();
    for (auto& t : ts) t.join();
    if (!ts.empty()) (void)store.end_worker(worker_id);
    return true;
  }

  // The store's counts are a scan of every event (SQLite: a GROUP BY): read them at most every 2 s, so
  // progress lines and metrics scrapes do not hold the store's lock against claims and intake.
  std::mutex status_mutex;
  std::optional<StoreStatus> status_cache;
  Clock::time_point status_at{};
  void forget_status() {
    std::lock_guard l(status_mutex);
    status_cache.reset();
  }
  result<StoreStatus> cached_status() {
    std::lock_guard l(status_mutex);
    const auto now = clock.now();
    if (!status_cache || now - status_at >= std::chrono::seconds{2}) {
      auto st = store.status();
      if (!st) return st.error();
      status_cache = std::move(st).value();
      status_at = now;
    }
    return *status_cache;
  }

  EngineMetrics snapshot() {
    EngineMetrics m;
    {
      std::lock_guard l(metrics_mutex);
      m = counters;
    }
    m.breaker = breaker.state();
    const auto depth = store.depth();
    if (auto st = cached_status()) {
      const auto now = now_ms();
      for (std::size_t l = 0; l < lane_count; ++l) {
        const auto& ls = st.value().lanes[l];
        m.lanes[l].queue_depth = depth ? depth.value()[l] : ls.pending + ls.in_flight;
        m.lanes[l].dead = ls.dead;
        m.lanes[l].oldest_pending_age_s =
            ls.oldest_pending_ms ? static_cast<double>(std::max<std::int64_t>(0, now - *ls.oldest_pending_ms)) / 1000.0
                                 : 0.0;
      }
    }
    if (auto* mem = dynamic_cast<InMemoryMetrics*>(options.metrics.get())) {
      for (const auto& series : mem->series()) {
        if (series.rfind("odoosync_http_request_seconds", 0) != 0) continue;
        const auto s = mem->summary(series);
        m.rpc_count += s.count;
        m.rpc_seconds_sum += s.sum;
        m.rpc_seconds_max = std::max(m.rpc_seconds_max, s.max);
      }
    }
    return m;
  }
};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Engine::~Engine() {
  impl_->stopping = true;
  impl_->run_cv.notify_all();
  impl_->wait_workers(std::chrono::hours(24 * 365));
}

result<std::unique_ptr<Engine>> Engine::create(Store& store, odoo::Client& client, EngineOptions options) {
  return create(store, &client, std::move(options));
}

result<std::unique_ptr<Engine>> Engine::create_intake(Store& store, EngineOptions options) {
  return create(store, nullptr, std::move(options));
}

result<std::unique_ptr<Engine>> Engine::create(Store& store, odoo::Client* client, EngineOptions options) {
  for (std::size_t l = 0; l < lane_count; ++l) {
    const auto& lo = options.lanes[l];
    const std::string lane(to_string(static_cast<Lane>(l)));
    if (lo.batch_size == 0)
      return Error::validation("EngineOptions::lanes[" + lane + "].batch_size must be at least 1");
    if (lo.concurrency < 1)
      return Error::validation("EngineOptions::lanes[" + lane + "].concurrency must be at least 1");
    if (lo.rate_limit < 0)
      return Error::validation("EngineOptions::lanes[" + lane + "].rate_limit must not be negative");
    if (lo.flush_interval.count() < 0) {
      return Error::validation("EngineOptions::lanes[" + lane + "].flush_interval must not be negative");
    }
  }
  if (options.retry.max_attempts < 1) return Error::validation("EngineOptions::retry.max_attempts must be at least 1");
  if (options.lease.count() < 1000) return Error::validation("EngineOptions::lease must be at least 1 s");
  return std::unique_ptr<Engine>(new Engine(std::make_unique<Impl>(store, client, std::move(options))));
}

result<SubmitResult> Engine::submit(const retail::Event& event) {
  ODOOSYNC_TRY(r, impl_->append(std::span<const retail::Event>(&event, 1)));
  return r[0];
}

result<SubmitResult> Engine::submit_json(std::string_view json) {
  auto e = retail::decode_event(json, impl_->options.types.custom_types());
  if (!e) {
    // Count it under its type when the type at least is readable.
    std::string type = "unknown";
    if (auto doc = json::parse(json); doc) {
      if (const auto* t = json::find(doc.value(), "type"); t && t->IsString()) {
        const std::string_view tv(t->GetString(), t->GetStringLength());
        if (impl_->options.types.find(tv)) type = std::string(tv);
      }
    }
    {
      std::lock_guard l(impl_->metrics_mutex);
      ++impl_->counters.rejected[type];
    }
    return e.error();
  }
  return submit(e.value());
}

result<std::vector<SubmitResult>> Engine::submit_many(std::span<const retail::Event> events) {
  return impl_->append(events);
}

result<RunSummary> Engine::run_until_idle(const RunOptions& ro) {
  const auto before = impl_->snapshot();
  ODOOSYNC_TRYV(impl_->spawn(true));
  const auto started = impl_->clock.now();
  auto last_progress = started;
  // Stall detection: no batch settled for good (applied or dead-lettered) for stall_timeout while
  // batches kept failing (Odoo unreachable, or refusing every call with a transient error).
  std::uint64_t settled_seen = impl_->settled.load();
  std::uint64_t failures_then = impl_->failures.load();
  auto settled_at = started;
  bool stalled = false;
  for (;;) {
    {
      std::unique_lock l(impl_->run_mutex);
      impl_->clock.wait_for(impl_->run_cv, l, std::chrono::milliseconds{50}, [&] { return impl_->running == 0; });
      if (impl_->running == 0) break;
    }
    const auto now = impl_->clock.now();
    if (ro.max_time && now - started >= *ro.max_time) {
      impl_->stopping = true;
      impl_->run_cv.notify_all();
    }
    if (const auto n = impl_->settled.load(); n != settled_seen) {
      settled_seen = n;
      settled_at = now;
      failures_then = impl_->failures.load();
    }
    if (ro.stall_timeout && !stalled && now - settled_at >= *ro.stall_timeout &&
        impl_->failures.load() > failures_then) {
      stalled = true;
      impl_->stopping = true;
      impl_->run_cv.notify_all();
    }
    if (ro.progress && now - last_progress >= ro.progress_interval) {
      last_progress = now;
      ro.progress(impl_->snapshot());
    }
  }
  impl_->wait_workers(std::chrono::hours(24));
  impl_->forget_status();
  const auto after = impl_->snapshot();
  if (ro.progress) ro.progress(after);
  RunSummary s;
  s.idle = impl_->idle.load();
  s.stalled = stalled;
  if (!s.idle) s.last_error = impl_->last_failure_copy();
  for (std::size_t l = 0; l < lane_count; ++l) s.batches += after.lanes[l].batches - before.lanes[l].batches;
  const auto a = after.total(), b = before.total();
  s.applied = a.applied - b.applied;
  s.retried = a.retried - b.retried;
  s.dead_lettered = a.dead_lettered - b.dead_lettered;
  return s;
}

result<void> Engine::start() { return impl_->spawn(false); }

bool Engine::stop(std::chrono::milliseconds deadline) {
  impl_->stopping = true;
  impl_->run_cv.notify_all();
  const bool done = impl_->wait_workers(deadline);
  impl_->forget_status();
  return done;
}

result<void> Engine::replay(std::string_view source, std::string_view id) {
  impl_->forget_status();
  return impl_->store.replay(source, id, impl_->now_ms());
}

result<void> Engine::discard(std::string_view source, std::string_view id, std::string_view reason) {
  impl_->forget_status();
  return impl_->store.discard(source, id, reason, impl_->now_ms());
}

EngineMetrics Engine::metrics() { return impl_->snapshot(); }
std::optional<Error> Engine::last_failure() const { return impl_->last_failure_copy(); }
std::string Engine::prometheus() { return impl_->snapshot().prometheus(); }
http::CircuitState Engine::breaker_state() const { return impl_->breaker.state(); }
Store& Engine::store() noexcept { return impl_->store; }

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
