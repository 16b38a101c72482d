// The sync-engine commands of the odoosync tool. Intake, status, dead letters, audit and metrics work
// on the store alone (a store offline keeps taking events); `sync run` and `reconcile stock` talk to Odoo.
#include "sync_commands.hpp"

#include "common.hpp"
#include "metrics_endpoint.hpp"
#include "status_flags.hpp"

#include <odoosync/core/log.hpp>

#include <odoosync/http/trace_context.hpp>
#include <odoosync/retail/timestamp.hpp>
#include <odoosync/odoo/client.hpp>
#include <odoosync/sync/engine.hpp>
#include <odoosync/sync/reconcile.hpp>
#include <odoosync/sync/open_store.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <cstdlib>
#include <csignal>
#include <ctime>
#include <thread>
#include <fstream>
#include <iostream>

namespace cli {

namespace oss = odoosync::sync;

namespace {

std::string store_path(const SyncArgs& a) {
  if (!a.store.empty()) return a.store;
  if (const char* env = std::getenv("ODOOSYNC_STORE"); env && *env) return env;
  return "odoosync.db";
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string iso(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

oss::EngineOptions engine_options(const SyncArgs& a, std::shared_ptr<os::InMemoryMetrics> metrics) {
  oss::EngineOptions o;
  o.lanes[0].batch_size = a.realtime_batch;
  o.lanes[0].concurrency = a.realtime_workers;
  o.lanes[1].batch_size = a.bulk_batch;
  o.lanes[1].concurrency = a.bulk_workers;
  o.unknown_outcome_grace = std::chrono::milliseconds{static_cast<std::int64_t>(a.grace_s * 1000)};
  o.lease = std::chrono::milliseconds{static_cast<std::int64_t>(a.lease_s * 1000)};
  // A PostgreSQL store is shared by many engine processes: leases of dead ones expire by themselves.
  o.exclusive = !oss::is_shared_store(store_path(a));
  o.metrics = std::move(metrics);
  return o;
}

// One stored event: the line `sync dlq show` and `sync audit` start from.
void print_event(const oss::StoredEvent& e) {
  std::printf("event      %s %s\n", e.event.source.c_str(), e.event.id.c_str());
  std::printf("type       %s\nsubject    %s\nlane       %s\nstatus     %s\nattempts   %d\n", e.event.type.c_str(),
              e.event.subject.c_str(), std::string(oss::to_string(e.event.lane)).c_str(),
              std::string(oss::to_string(e.status)).c_str(), e.attempts);
  std::printf("submitted  %s\nupdated    %s\n", iso(e.submitted_ms).c_str(), iso(e.updated_ms).c_str());
  if (!e.error.empty()) std::printf("error      %s\n", e.error.c_str());
  if (!e.reason.empty()) std::printf("reason     %s\n", e.reason.c_str());
  std::printf("body       %s\n", e.event.body.c_str());
}

// The one event an id names (with --source when several sources used it).
os::result<oss::StoredEvent> one_event(oss::Store& store, const std::string& id, const std::string& source) {
  if (!source.empty()) {
    ODOOSYNC_TRY(e, store.get(source, id));
    if (!e) return os::Error(os::ErrorKind::not_found, "no event " + source + " " + id + " in the store");
    return *e;
  }
  ODOOSYNC_TRY(all, store.find(id));
  if (all.empty()) return os::Error(os::ErrorKind::not_found, "no event with id " + id + " in the store");
  if (all.size() > 1) {
    std::string sources;
    for (const auto& e : all) sources += (sources.empty() ? "" : ", ") + e.event.source;
    return os::Error::validation("event id " + id + " is used by several sources (" + sources + "): add --source");
  }
  return all[0];
}

int submit(const SyncArgs& a, oss::Store& store) {
  auto engine = oss::Engine::create_intake(store);
  if (!engine) return report(engine.error());
  std::istream* in = &std::cin;
  std::ifstream file;
  if (a.file != "-") {
    std::error_code ec;
    if (std::filesystem::is_directory(a.file, ec))
      return report(os::Error::validation("'" + a.file + "' is a directory: give a JSON-lines file, or - for stdin"));
    file.open(a.file);
    if (!file) return report(os::Error::validation("cannot read '" + a.file + "': " + std::strerror(errno)));
    in = &file;
  }
  std::string line;
  std::size_t n = 0, accepted = 0, duplicates = 0, rejected = 0;
  const bool tty = isatty(2) != 0;
  auto last = std::chrono::steady_clock::now();
  while (std::getline(*in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto r = engine.value()->submit_json(line);
    if (!r) {
      if (r.error().kind() == os::ErrorKind::validation) {
        ++rejected;
        std::fprintf(stderr, "odoosync: line %zu rejected: %s\n", n, r.error().message().c_str());
        continue;
      }
      std::fprintf(stderr, "odoosync: line %zu not stored (%zu stored before it)\n", n, accepted);
      return report(r.error());
    }
    if (r.value().intake == oss::Intake::duplicate)
      ++duplicates;
    else
      ++accepted;
    const auto now = std::chrono::steady_clock::now();
    if (tty && now - last > std::chrono::milliseconds{250}) {
      last = now;
      std::fprintf(stderr, "\rodoosync: %zu lines, %zu stored, %zu duplicates, %zu rejected", n, accepted, duplicates,
                   rejected);
    }
  }
  if (tty) std::fputc('\r', stderr);
  if (in->bad()) {
    std::fprintf(stderr, "odoosync: reading stopped after line %zu (%zu stored before it)\n", n, accepted);
    return report(os::Error(os::ErrorKind::storage, "cannot read '" + a.file + "': read error"));
  }
  std::fprintf(stderr, "odoosync: %zu stored, %zu duplicates, %zu rejected\n", accepted, duplicates, rejected);
  if (a.as_json) {
    std::printf("{\"stored\":%zu,\"duplicates\":%zu,\"rejected\":%zu}\n", accepted, duplicates, rejected);
  }
  return rejected != 0 ? config_error : ok;
}

int status(const SyncArgs& a, oss::Store& store) {
  auto st = store.status();
  if (!st) return report(st.error());
  const auto now = now_ms();
  if (a.as_json) {
    os::json::Writer w;
    w.begin_object();
    for (std::size_t l = 0; l < oss::lane_count; ++l) {
      const auto& s = st.value().lanes[l];
      w.key(oss::to_string(static_cast<oss::Lane>(l)));
      w.begin_object()
          .member("pending", static_cast<std::int64_t>(s.pending))
          .member("in_flight", static_cast<std::int64_t>(s.in_flight))
          .member("applied", static_cast<std::int64_t>(s.applied))
          .member("dead", static_cast<std::int64_t>(s.dead))
          .member("discarded", static_cast<std::int64_t>(s.discarded))
          .member("open_batches", static_cast<std::int64_t>(s.open_batches))
          .member("oldest_pending_age_ms", s.oldest_pending_ms ? now - *s.oldest_pending_ms : std::int64_t{0})
          .end_object();
    }
    w.end_object();
    std::puts(std::string(w.unchecked_view()).c_str());
    return ok;
  }
  std::printf("%-9s %9s %9s %9s %6s %9s %7s %s\n", "lane", "pending", "in_flight", "applied", "dead", "discarded",
              "batches", "oldest pending");
  for (std::size_t l = 0; l < oss::lane_count; ++l) {
    const auto& s = st.value().lanes[l];
    const std::string age = s.oldest_pending_ms ? std::to_string((now - *s.oldest_pending_ms) / 1000) + " s" : "-";
    std::printf(
        "%-9s %9llu %9llu %9llu %6llu %9llu %7llu %s\n", std::string(oss::to_string(static_cast<oss::Lane>(l))).c_str(),
        static_cast<unsigned long long>(s.pending), static_cast<unsigned long long>(s.in_flight),
        static_cast<unsigned long long>(s.applied), static_cast<unsigned long long>(s.dead),
        static_cast<unsigned long long>(s.discarded), static_cast<unsigned long long>(s.open_batches), age.c_str());
  }
  return ok;
}

int dlq(const SyncArgs& a, oss::Store& store) {
  if (a.dlq_list->parsed()) {
    auto dead = store.list(oss::EventStatus::dead, a.limit);
    if (!dead) return report(dead.error());
    if (a.as_json) {
      for (const auto& e : dead.value()) {
        os::json::Writer w;
        w.begin_object()
            .member("source", std::string_view(e.event.source))
            .member("id", std::string_view(e.event.id))
            .member("type", std::string_view(e.event.type))
            .member("subject", std::string_view(e.event.subject))
            .member("attempts", std::int64_t{e.attempts})
            .member("error", std::string_view(e.error))
            .end_object();
        std::puts(std::string(w.unchecked_view()).c_str());
      }
      return ok;
    }
    if (dead.value().empty()) {
      std::puts("the dead-letter queue is empty");
      return ok;
    }
    for (const auto& e : dead.value()) {
      std::printf("%s %s  %s  %s\n  %s\n", e.event.source.c_str(), e.event.id.c_str(), e.event.type.c_str(),
                  e.event.subject.c_str(), e.error.c_str());
    }
    return ok;
  }
  if (a.dlq_show->parsed()) {
    auto e = one_event(store, a.ids.at(0), a.source);
    if (!e) return report(e.error());
    print_event(e.value());
    return ok;
  }
  for (const auto& id : a.ids) {
    auto e = one_event(store, id, a.source);
    if (!e) return report(e.error());
    auto r = a.dlq_replay->parsed() ? store.replay(e.value().event.source, id, now_ms())
                                    : store.discard(e.value().event.source, id, a.reason, now_ms());
    if (!r) return report(r.error());
    std::printf("%s %s %s\n", a.dlq_replay->parsed() ? "replayed" : "discarded", e.value().event.source.c_str(),
                id.c_str());
  }
  return ok;
}

int audit(const SyncArgs& a, oss::Store& store) {
  oss::AuditQuery q;
  q.limit = a.limit == 50 ? 10'000 : a.limit;
  if (!a.event_id.empty()) q.id = a.event_id;
  if (!a.source.empty()) q.source = a.source;
  if (!a.subject.empty()) q.subject = a.subject;
  if (!a.correlation.empty()) q.correlation_id = a.correlation;
  if (!a.trace.empty()) {
    auto t = os::http::parse_trace_id(a.trace);
    if (!t) return report(std::move(t.error()).with_message_prefix("sync audit --trace"));
    q.trace_id = std::move(t).value();
  }
  if (!q.id && !q.subject && !q.correlation_id && !q.trace_id) {
    return report(os::Error::validation("sync audit: give an EVENT_ID, --subject, --correlation or --trace"));
  }
  auto rows = store.audit(q);
  if (!rows) return report(rows.error());
  if (rows.value().empty()) return report(os::Error(os::ErrorKind::not_found, "no audit entries match"));
  for (const auto& e : rows.value()) {
    if (a.as_json) {
      os::json::Writer w;
      w.begin_object()
          .member("at", std::string_view(iso(e.at_ms)))
          .member("source", std::string_view(e.source))
          .member("id", std::string_view(e.id))
          .member("subject", std::string_view(e.subject))
          .member("action", std::string_view(e.action))
          .member("attempt", std::int64_t{e.attempt})
          .member("batch", e.batch)
          .member("error", std::string_view(e.error))
          .member("correlation_id", std::string_view(e.correlation_id))
          .member("trace_id", std::string_view(e.trace_id))
          .member("rpc_id", std::string_view(e.rpc.id))
          .member("rpc_trace_id", std::string_view(e.rpc.trace_id))
          .member("rpc_span_id", std::string_view(e.rpc.span_id))
          .end_object();
      std::puts(std::string(w.unchecked_view()).c_str());
      continue;
    }
    std::printf("%s  %-10s attempt %d  batch %lld  %s %s", iso(e.at_ms).c_str(), e.action.c_str(), e.attempt,
                static_cast<long long>(e.batch), e.source.c_str(), e.id.c_str());
    if (!e.correlation_id.empty()) std::printf("  [%s]", e.correlation_id.c_str());
    if (e.action == "submitted" && !e.trace_id.empty()) std::printf("  trace %s", e.trace_id.c_str());
    if (!e.rpc.empty()) {
      std::printf("\n    rpc %s  trace %s  span %s", e.rpc.id.c_str(), e.rpc.trace_id.c_str(), e.rpc.span_id.c_str());
    }
    if (!e.error.empty()) std::printf("\n    %s", e.error.c_str());
    std::putchar('\n');
  }
  return ok;
}

int metrics_cmd(oss::Store& store) {
  auto st = store.status();
  if (!st) return report(st.error());
  std::fputs(oss::EngineMetrics::from_store(st.value(), now_ms()).prometheus().c_str(), stdout);
  return ok;
}

std::string progress_line(const oss::EngineMetrics& m) {
  const auto t = m.total();
  std::uint64_t depth = 0;
  double oldest = 0;
  for (const auto& l : m.lanes) {
    depth += l.queue_depth;
    oldest = std::max(oldest, l.oldest_pending_age_s);
  }
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "applied %llu, retried %llu, dead %llu, queued %llu (oldest %.0f s), %llu RPCs, breaker %s",
                static_cast<unsigned long long>(t.applied), static_cast<unsigned long long>(t.retried),
                static_cast<unsigned long long>(t.dead_lettered), static_cast<unsigned long long>(depth), oldest,
                static_cast<unsigned long long>(m.rpc_count), std::string(os::http::to_string(m.breaker)).c_str());
  return buf;
}

volatile std::sig_atomic_t stop_requested = 0;
void on_signal(int) { stop_requested = 1; }

int run(const SyncArgs& a, oss::Store& store, os::odoo::Client& client, std::shared_ptr<os::InMemoryMetrics> metrics) {
  auto engine = oss::Engine::create(store, client, engine_options(a, metrics));
  if (!engine) return report(engine.error());
  auto& e = *engine.value();
  // --metrics-listen: GET /metrics and /healthz while the engine runs (metrics_endpoint.hpp).
  std::shared_ptr<os::ops::StatusPage> status_page;  // before the endpoint: it outlives the server
  std::unique_ptr<MetricsEndpoint> endpoint;
  if (!a.metrics_listen.empty()) {
    // The status page (GET /status) on the same address, unless --no-status-page.
    os::ops::StatusPageOptions po;
    po.logger = os::Logger(std::make_shared<os::JsonLinesSink>(stderr));
    auto page = make_status_page(a.status_page, e, std::move(po));
    if (!page) return report(page.error());
    status_page = page.value();
    auto listening = MetricsEndpoint::start(a.metrics_listen, e, metrics, a.uses_api_key ? &client : nullptr,
                                            status_page ? os::ops::StatusPage::pages(status_page) : os::ops::Pages{});
    if (!listening) return report(listening.error());
    endpoint = std::move(listening).value();
    std::fprintf(stderr, "odoosync: metrics on http://%s/metrics, health on /healthz%s\n", endpoint->address().c_str(),
                 status_page ? ", status page on /status" : "");
  }
  const bool tty = isatty(2) != 0;
  oss::RunOptions ro;
  if (a.max_time_s > 0) ro.max_time = std::chrono::milliseconds{static_cast<std::int64_t>(a.max_time_s * 1000)};
  ro.progress = [&](const oss::EngineMetrics& m) {
    if (tty)
      std::fprintf(stderr, "\r\033[Kodoosync: %s", progress_line(m).c_str());
    else
      std::fprintf(stderr, "odoosync: %s\n", progress_line(m).c_str());
  };
  if (!a.until_idle) {
    // Service mode: background workers until --max-time passes or SIGINT/SIGTERM, then a graceful stop.
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    auto started = e.start();
    if (!started) return report(started.error());
    const auto t0 = std::chrono::steady_clock::now();
    while (!stop_requested) {
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
      const auto now = std::chrono::steady_clock::now();
      if (ro.max_time && now - t0 >= *ro.max_time) break;
      static auto last = t0;
      if (now - last >= ro.progress_interval) {
        last = now;
        ro.progress(e.metrics());
      }
    }
    const bool clean = e.stop(std::chrono::milliseconds{10'000});
    const auto m = e.metrics();
    ro.progress(m);
    if (tty) std::fputc('\n', stderr);
    const auto t = m.total();
    std::fprintf(stderr, "odoosync: stopped%s: %llu applied, %llu retried, %llu dead-lettered\n",
                 clean ? "" : " (a batch was cut short: it is probed when next sent)",
                 static_cast<unsigned long long>(t.applied), static_cast<unsigned long long>(t.retried),
                 static_cast<unsigned long long>(t.dead_lettered));
    if (a.print_metrics) std::fputs(e.prometheus().c_str(), stdout);
    // A run that applied nothing while sends failed did nothing: say why, and exit with the cause's code.
    if (auto f = e.last_failure(); f && t.applied == 0 && t.dead_lettered == 0) {
      return report(os::Error(*f).with_message_prefix("nothing was sent to Odoo; the last failure"));
    }
    return ok;
  }
  if (a.stall_timeout_s > 0)
    ro.stall_timeout = std::chrono::milliseconds{static_cast<std::int64_t>(a.stall_timeout_s * 1000)};
  auto r = e.run_until_idle(ro);
  if (tty) std::fputc('\n', stderr);
  if (!r) return report(r.error());
  std::fprintf(stderr, "odoosync: %s: %llu batches, %llu applied, %llu retried, %llu dead-lettered\n",
               r.value().idle ? "idle" : "stopped", static_cast<unsigned long long>(r.value().batches),
               static_cast<unsigned long long>(r.value().applied), static_cast<unsigned long long>(r.value().retried),
               static_cast<unsigned long long>(r.value().dead_lettered));
  if (a.print_metrics) std::fputs(e.prometheus().c_str(), stdout);
  const auto& sum = r.value();
  if (sum.stalled && sum.last_error) {
    return report(os::Error(*sum.last_error)
                      .with_message_prefix(fmt::format("stalled: nothing applied for {} s while sends failed (see "
                                                       "--stall-timeout); the last failure",
                                                       a.stall_timeout_s)));
  }
  if (!sum.idle && sum.last_error && sum.applied == 0 && sum.dead_lettered == 0) {
    return report(os::Error(*sum.last_error).with_message_prefix("nothing was sent to Odoo; the last failure"));
  }
  return ok;
}

int reconcile(const SyncArgs& a, oss::Store* store, os::odoo::Client& client) {
  auto rows = oss::read_stock_snapshot(a.snapshot);
  if (!rows) return report(rows.error());
  oss::ReconcileOptions ro;
  const bool tty = isatty(2) != 0;
  ro.progress = [&](std::size_t done, std::size_t total) {
    if (tty) std::fprintf(stderr, "\rodoosync: read %zu of %zu quants", done, total);
  };
  auto rep = oss::reconcile_stock(client, rows.value(), ro);
  if (tty) std::fputc('\n', stderr);
  if (!rep) return report(rep.error());
  const auto& report_ = rep.value();
  if (a.as_json) {
    for (const auto& d : report_.drift) {
      os::json::Writer w;
      w.begin_object()
          .member("sku", std::string_view(d.sku))
          .member("location", std::string_view(d.location))
          .member("channel", std::string_view(d.channel.value()))
          .member("odoo", std::string_view(d.odoo.value()))
          .member("drift", std::string_view(d.drift.value()))
          .member("unknown_in_odoo", d.unknown_in_odoo)
          .end_object();
      std::puts(std::string(w.unchecked_view()).c_str());
    }
  } else {
    for (const auto& d : report_.drift) {
      if (d.unknown_in_odoo) {
        std::printf("%-20s %-24s channel %s, unknown in Odoo\n", d.sku.c_str(), d.location.c_str(),
                    d.channel.value().c_str());
      } else {
        std::printf("%-20s %-24s channel %s, Odoo %s, drift %s\n", d.sku.c_str(), d.location.c_str(),
                    d.channel.value().c_str(), d.odoo.value().c_str(), d.drift.value().c_str());
      }
    }
  }
  std::fprintf(stderr, "odoosync: %zu rows compared, %zu match, %zu drift\n", report_.compared, report_.matching,
               report_.drift.size());
  if (a.fix && !report_.drift.empty()) {
    // The snapshot's own time (its file's modification time) names the correcting events: fixing the
    // same snapshot twice submits duplicates, not a second correction.
    struct stat info {};
    const auto at = ::stat(a.snapshot.c_str(), &info) == 0 ? std::chrono::system_clock::from_time_t(info.st_mtime)
                                                           : std::chrono::system_clock::now();
    auto events = oss::correcting_events(
        report_, a.fix_source,
        odoosync::retail::Timestamp::from(std::chrono::time_point_cast<std::chrono::seconds>(at)));
    if (!events) return report(events.error());
    auto engine = oss::Engine::create_intake(*store);
    if (!engine) return report(engine.error());
    auto sent = engine.value()->submit_many(events.value());
    if (!sent) return report(sent.error());
    std::size_t fresh = 0;
    for (const auto& s : sent.value()) fresh += s.intake == oss::Intake::accepted ? 1 : 0;
    std::fprintf(
        stderr,
        "odoosync: %zu correcting stock counts submitted (%zu already queued); `odoosync sync run` sends them\n", fresh,
        sent.value().size() - fresh);
  }
  return report_.drift.empty() ? ok : failure;
}

}  // namespace

void add_sync_commands(CLI::App& app, SyncArgs& a) {
  app.add_option("--store", a.store,
                 "the sync store: a file, or postgresql://user@host:port/db shared by many processes (default: "
                 "$ODOOSYNC_STORE, else ./odoosync.db)");
  app.add_option("--store-password-file", a.store_password_file,
                 "a PostgreSQL store's password, read from this file (else $PGPASSWORD, $PGPASSFILE, ~/.pgpass)");

  a.sync = app.add_subcommand("sync", "the sync engine: take events in, send them to Odoo, inspect the queue");
  a.sync->require_subcommand(1);
  a.submit = a.sync->add_subcommand("submit", "store CloudEvents (JSON lines) from FILE or - (stdin); no Odoo needed");
  a.submit->add_option("file", a.file, "JSON-lines file, or - for standard input (default)");
  a.run =
      a.sync->add_subcommand("run", "send stored events to Odoo, until SIGINT/SIGTERM (or --until-idle, --max-time)");
  a.run->add_flag("--until-idle", a.until_idle, "stop when nothing is left to send but dead letters");
  a.run->add_option("--max-time", a.max_time_s, "stop (gracefully) after this many seconds");
  a.run->add_option("--stall-timeout", a.stall_timeout_s,
                    "with --until-idle: stop when no event was applied or dead-lettered for this many seconds while "
                    "sends kept failing (Odoo unreachable), and exit with the failure's code; 0: wait (default 60)");
  a.run->add_flag("--metrics", a.print_metrics, "print the run's metrics (Prometheus text) at the end");
  a.run->add_option(
      "--metrics-listen", a.metrics_listen,
      "serve GET /metrics (Prometheus text), /healthz and the status page (/status) on HOST:PORT while running, e.g. "
      "127.0.0.1:9464 (port 0: any free port; the address is printed)");
  add_status_flags(*a.run, a.status_page);  // GET /status beside /metrics (docs/operations.md)
  a.run->add_option("--realtime-batch", a.realtime_batch, "events per batch in the realtime lane (default 100)");
  a.run->add_option("--bulk-batch", a.bulk_batch, "events per batch in the bulk lane (default 200)");
  a.run->add_option("--realtime-workers", a.realtime_workers, "concurrent batches in the realtime lane (default 2)");
  a.run->add_option("--bulk-workers", a.bulk_workers, "concurrent batches in the bulk lane (default 1)");
  a.run
      ->add_option("--grace", a.grace_s,
                   "seconds to wait before probing a batch whose earlier send may still run in Odoo (default 30)")
      ->check(CLI::Range(0.0, 3600.0));
  a.run
      ->add_option("--lease", a.lease_s,
                   "seconds a claimed batch stays leased without a heartbeat; on a shared (PostgreSQL) store, a "
                   "worker that dies or stalls this long loses its batches to another (default 60)")
      ->check(CLI::Range(1.0, 86400.0));
  a.status = a.sync->add_subcommand("status", "events per lane and status, and the age of the oldest pending");

  a.dlq = a.sync->add_subcommand("dlq", "the dead-letter queue: list, show, replay, discard");
  a.dlq->require_subcommand(1);
  a.dlq_list = a.dlq->add_subcommand("list", "dead events with their errors");
  a.dlq_list->add_option("--limit", a.limit, "at most this many (default 50)");
  a.dlq_show = a.dlq->add_subcommand("show", "one event in full: EVENT_ID [--source S]");
  a.dlq_show->add_option("id", a.ids, "event id")->required()->expected(1);
  a.dlq_show->add_option("--source", a.source, "the event's source, when several share the id");
  a.dlq_replay = a.dlq->add_subcommand("replay", "send dead events again, after their cause is fixed: EVENT_ID...");
  a.dlq_replay->add_option("ids", a.ids, "event ids")->required();
  a.dlq_replay->add_option("--source", a.source, "the events' source, when several share an id");
  a.dlq_discard = a.dlq->add_subcommand("discard", "drop dead events for good: EVENT_ID... --reason TEXT");
  a.dlq_discard->add_option("ids", a.ids, "event ids")->required();
  a.dlq_discard->add_option("--reason", a.reason, "why (kept in the audit trail)")->required();
  a.dlq_discard->add_option("--source", a.source, "the events' source, when several share an id");

  a.audit =
      a.sync->add_subcommand("audit", "every state change: EVENT_ID | --subject S | --correlation ID | --trace ID");
  a.audit->add_option("event_id", a.event_id, "event id");
  a.audit->add_option("--source", a.source, "with EVENT_ID: only this source");
  a.audit->add_option("--subject", a.subject, "e.g. sku/SKU-1@WH/Stock or order/SO-1");
  a.audit->add_option("--correlation", a.correlation, "a batch token or RPC correlation id");
  a.audit->add_option("--trace", a.trace,
                      "a trace id (32 hex) or a whole traceparent: the events of that trace and those its RPCs "
                      "carried, each with the RPC that applied it");

  a.reconcile = app.add_subcommand("reconcile", "compare a channel's snapshot with Odoo");
  a.reconcile->require_subcommand(1);
  a.reconcile_stock = a.reconcile->add_subcommand("stock", "stock per SKU and location: --snapshot FILE [--fix]");
  a.reconcile_stock->add_option("--snapshot", a.snapshot, "CSV (sku,location,quantity) or JSONL file")->required();
  a.reconcile_stock->add_flag("--fix", a.fix, "submit stock counts that make Odoo match the snapshot");
  a.reconcile_stock->add_option("--source", a.fix_source,
                                "source of the correcting events (default odoosync/reconcile)");

  a.metrics = app.add_subcommand("metrics", "the store's totals and queue gauges as Prometheus text");
}

bool needs_odoo(const SyncArgs& a) { return a.run->parsed() || a.reconcile_stock->parsed(); }

std::optional<int> run_offline(SyncArgs& a) {
  const bool sync_cmd = a.submit->parsed() || a.status->parsed() || a.dlq->parsed() || a.audit->parsed();
  if (!sync_cmd && !a.metrics->parsed()) return std::nullopt;
  const auto path = store_path(a);
  if (!a.submit->parsed() && !oss::is_shared_store(path) && !std::ifstream(path)) {
    return report(
        os::Error(os::ErrorKind::storage, "no store at '" + path + "': submit events first, or give --store"));
  }
  auto store = oss::open_store({.location = path, .password_file = a.store_password_file});
  if (!store) return report(store.error());
  auto& s = *store.value();
  if (a.submit->parsed()) return submit(a, s);
  if (a.status->parsed()) return status(a, s);
  if (a.dlq->parsed()) return dlq(a, s);
  if (a.audit->parsed()) return audit(a, s);
  return metrics_cmd(s);
}

std::optional<int> run_online(SyncArgs& a, os::odoo::Client& client, std::shared_ptr<os::InMemoryMetrics> metrics) {
  if (!needs_odoo(a)) return std::nullopt;
  auto store = oss::open_store({.location = store_path(a), .password_file = a.store_password_file});
  if (!store) return report(store.error());
  if (a.run->parsed()) return run(a, *store.value(), client, std::move(metrics));
  return reconcile(a, store.value().get(), client);
}

}  // namespace cli
