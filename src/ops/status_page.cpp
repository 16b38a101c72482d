// StatusPage: the snapshot behind the page (the store's counts, the history rebuilt from the store's
// queue moves, the dead letters, the breaker, the channels), its JSON, and the guarded replay.
#include <odoosync/channels/crypto.hpp>
#include <odoosync/core/json.hpp>
#include <odoosync/ops/status_page.hpp>
#include <odoosync/sync/engine.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <map>
#include <set>
#include <mutex>

namespace odoosync {
inline namespace v0 {
namespace ops {

namespace {

namespace crypto = channels::crypto;
using sync::Lane;
using sync::lane_count;
using sync::QueueMove;

std::string_view path_of(std::string_view target) { return target.substr(0, target.find_first_of("?#")); }

// The value of `name` in the target's query, undecoded (the page sends only digits).
std::optional<std::string_view> query_param(std::string_view target, std::string_view name) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  auto rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto part = rest.substr(0, amp);
    const auto eq = part.find('=');
    if (part.substr(0, eq) == name) return eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return std::nullopt;
}

// Text from the store or an error, made valid UTF-8 for JSON (a byte that is not becomes '?').
std::string utf8(std::string s) {
  while (auto bad = json::find_invalid_utf8(s)) s[*bad] = '?';
  return s;
}

std::int64_t wall_ms(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.wall_now().time_since_epoch()).count();
}

// The history's points for one lane: columns, one entry per point; nothing where it cannot be known.
struct LaneHistory {
  std::vector<std::optional<std::int64_t>> backlog, submitted, applied, dead;
  std::vector<std::optional<double>> oldest_age_s;
};

// What the store's moves say, kept between refreshes: every move since the window's start (from
// `covered_from` on, all of them), oldest first, and the depth and oldest unsettled events of the last read.
struct MoveCache {
  std::vector<QueueMove> moves;              // by at_ms, oldest first
  std::optional<std::int64_t> covered_from;  // unset: nothing read yet
  std::int64_t read_at = 0;
  std::array<std::uint64_t, lane_count> depth{};
  std::array<std::vector<sync::QueueHead>, lane_count> heads{};
};

bool is_submission(const QueueMove& m) { return m.kind == QueueMove::Kind::submitted; }

int delta(QueueMove::Kind k) { return k == QueueMove::Kind::submitted || k == QueueMove::Kind::replayed ? 1 : -1; }

// Adds what a read returned (newest first) to the cache, skipping what it held already: a read overlaps
// the one before by a minute, so only the cached moves of that minute can be the same.
void add_moves(MoveCache& c, const std::vector<QueueMove>& got) {
  if (got.empty()) return;
  const auto from = got.back().at_ms;
  std::set<std::pair<bool, std::int64_t>> held;
  for (auto it = c.moves.rbegin(); it != c.moves.rend() && it->at_ms >= from; ++it)
    held.emplace(is_submission(*it), it->key);
  const auto old_size = c.moves.size();
  for (auto it = got.rbegin(); it != got.rend(); ++it)
    if (!held.count({is_submission(*it), it->key})) c.moves.push_back(*it);
  auto by_time = [](const QueueMove& a, const QueueMove& b) { return a.at_ms < b.at_ms; };
  std::stable_sort(c.moves.begin() + static_cast<std::ptrdiff_t>(old_size), c.moves.end(), by_time);
  std::inplace_merge(c.moves.begin(), c.moves.begin() + static_cast<std::ptrdiff_t>(old_size), c.moves.end(), by_time);
}

// Backlog at each point: the depth now less the moves after it. Oldest pending age at each point: the
// events unsettled then, from each event's moves (its first move in the window says whether it was
// unsettled before: settled then means it was) and the oldest events unsettled now that moved not at all.
// About linear in the moves: one pass for the backlog and the counts, a sort by event, and each point
// given the oldest anchor that covers it once (intervals taken oldest anchor first, filled points skipped).
LaneHistory lane_history(const MoveCache& c, Lane lane, const std::vector<std::int64_t>& points, std::int64_t step_ms) {
  const auto l = static_cast<std::size_t>(lane);
  const auto n = points.size();
  LaneHistory h;
  h.backlog.resize(n);
  h.submitted.resize(n);
  h.applied.resize(n);
  h.dead.resize(n);
  h.oldest_age_s.resize(n);
  if (!c.covered_from || n == 0) return h;
  const auto from = *c.covered_from;

  std::vector<const QueueMove*> moves;  // oldest first
  moves.reserve(c.moves.size());
  for (const auto& m : c.moves)
    if (m.lane == lane) moves.push_back(&m);

  // Backlog, newest point first, summing the moves after each point.
  std::int64_t after = 0;
  auto mi = moves.rbegin();
  for (std::size_t i = n; i-- > 0;) {
    while (mi != moves.rend() && (*mi)->at_ms > points[i]) after += delta((*mi++)->kind);
    if (points[i] < from) continue;
    const auto b = static_cast<std::int64_t>(c.depth[l]) - after;
    if (b >= 0) h.backlog[i] = b;  // negative: the store's counter and its rows disagree: unknown
  }
  // Counts per interval (t - step, t]: the point a move falls before.
  for (std::size_t i = 0; i < n; ++i)
    if (points[i] - step_ms >= from) h.submitted[i] = h.applied[i] = h.dead[i] = 0;
  for (const auto* m : moves) {
    const auto it = std::lower_bound(points.begin(), points.end(), m->at_ms);
    if (it == points.end()) continue;
    const auto i = static_cast<std::size_t>(it - points.begin());
    if (m->at_ms <= points[i] - step_ms) continue;
    std::optional<std::int64_t>* slot = m->kind == QueueMove::Kind::submitted ? &h.submitted[i]
                                        : m->kind == QueueMove::Kind::applied ? &h.applied[i]
                                        : m->kind == QueueMove::Kind::dead    ? &h.dead[i]
                                                                              : nullptr;  // replayed
    if (slot && *slot) ++**slot;
  }

  // Unsettled intervals [start, end) with the age's anchor (the submission time, as Store::status).
  struct Interval {
    std::int64_t start, end, anchor;
  };
  std::vector<Interval> intervals;
  std::vector<const QueueMove*> by_event = moves;
  std::stable_sort(by_event.begin(), by_event.end(), [](const QueueMove* a, const QueueMove* b) {
    if (a->seq != b->seq) return a->seq < b->seq;
    if (a->at_ms != b->at_ms) return a->at_ms < b->at_ms;
    return is_submission(*a) && !is_submission(*b);
  });
  std::vector<std::int64_t> moved;  // ascending: by_event is sorted by seq
  constexpr auto never = INT64_MAX;
  for (std::size_t b = 0; b < by_event.size();) {
    std::size_t e = b;
    while (e < by_event.size() && by_event[e]->seq == by_event[b]->seq) ++e;
    moved.push_back(by_event[b]->seq);
    const auto anchor = by_event[b]->submitted_ms;
    const auto first = by_event[b]->kind;
    std::optional<std::int64_t> start;
    if (first == QueueMove::Kind::applied || first == QueueMove::Kind::dead) start = INT64_MIN;
    for (std::size_t k = b; k < e; ++k) {
      const auto* m = by_event[k];
      if (m->kind == QueueMove::Kind::submitted || m->kind == QueueMove::Kind::replayed) {
        if (!start) start = m->at_ms;
      } else if (start) {
        intervals.push_back({*start, m->at_ms, anchor});
        start.reset();
      }
    }
    if (start) intervals.push_back({*start, never, anchor});
    b = e;
  }
  for (const auto& head : c.heads[l])
    if (!std::binary_search(moved.begin(), moved.end(), head.seq))
      intervals.push_back({head.submitted_ms, never, head.submitted_ms});
  std::sort(intervals.begin(), intervals.end(),
            [](const Interval& a, const Interval& b) { return a.anchor < b.anchor; });
  // next[i]: the first point at or after i not given its oldest anchor yet (path-halving).
  std::vector<std::size_t> next(n + 1);
  for (std::size_t i = 0; i <= n; ++i) next[i] = i;
  auto find = [&](std::size_t i) {
    while (next[i] != i) i = next[i] = next[next[i]];
    return i;
  };
  std::vector<std::optional<std::int64_t>> oldest(n);
  for (const auto& iv : intervals) {
    // The points t with start <= t < end.
    auto i = static_cast<std::size_t>(std::lower_bound(points.begin(), points.end(), iv.start) - points.begin());
    for (i = find(i); i < n && points[i] < iv.end; i = find(i + 1)) {
      oldest[i] = iv.anchor;
      next[i] = i + 1;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (points[i] < from) continue;
    h.oldest_age_s[i] =
        oldest[i] ? static_cast<double>(std::max<std::int64_t>(0, points[i] - *oldest[i])) / 1000.0 : 0.0;
  }
  return h;
}

void write_optional(json::Writer& w, const std::optional<std::int64_t>& v) {
  if (v)
    w.integer(*v);
  else
    w.null();
}
void write_optional(json::Writer& w, const std::optional<double>& v) {
  if (v && std::isfinite(*v))
    w.number(std::round(*v * 10.0) / 10.0);
  else
    w.null();
}

PageAnswer text_answer(int status, std::string_view error, std::string_view reason) {
  PageAnswer a;
  a.status = status;
  json::Writer w;
  w.begin_object().member("error", error).member("reason", reason).end_object();
  a.body = std::string(w.unchecked_view()) + "\n";
  return a;
}

// The hash of the text between `open` and the next `close` in the page, for its Content-Security-Policy.
std::string csp_hash(std::string_view page, std::string_view open, std::string_view close) {
  const auto b = page.find(open);
  if (b == std::string_view::npos) return {};
  const auto start = b + open.size();
  const auto e = page.find(close, start);
  return "'sha256-" + crypto::base64_encode(crypto::sha256(page.substr(start, e - start))) + "'";
}

}  // namespace

struct StatusPage::Impl {
  sync::Engine& engine;
  StatusPageOptions options;
  Clock& clock;
  std::string csp;

  std::mutex mutex;  // the cache and the snapshot
  MoveCache cache;
  std::optional<std::string> history_error;
  std::chrono::steady_clock::time_point snapshot_at{};
  std::string snapshot_head;  // the snapshot's JSON members before the dead letters
  std::optional<sync::StoreStatus> status;

  Impl(sync::Engine& e, StatusPageOptions o)
      : engine(e), options(std::move(o)), clock(options.clock ? *options.clock : Clock::system()) {
    const auto page = status_page_html();
    csp = "default-src 'none'; script-src " + csp_hash(page, "<script>", "</script>") + "; style-src " +
          csp_hash(page, "<style>", "</style>") +
          "; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  }

  // Reads what is new in the store's moves (everything since the window's start the first time, or
  // after an overrun), drops what left the window.
  void refresh_moves(std::int64_t now) {
    const std::int64_t window_ms = std::chrono::duration_cast<std::chrono::milliseconds>(options.window).count();
    const auto window_start = now - window_ms;
    const bool fresh = !cache.covered_from;
    constexpr std::int64_t overlap_ms = 60'000;  // rows committed a little out of order are read again
    const auto since = fresh ? window_start : std::max(window_start, cache.read_at - overlap_ms);
    auto r = engine.store().queue_moves(since, options.history_limit);
    if (!r) {
      history_error = utf8(r.error().message());
      cache = MoveCache{};
      return;
    }
    history_error.reset();
    auto& got = r.value();
    if (got.truncated) cache.moves.clear();  // a gap between what was kept and what was read
    add_moves(cache, got.moves);
    if (fresh || got.truncated) cache.covered_from = got.truncated ? got.complete_from_ms : since;
    cache.covered_from = std::max(*cache.covered_from, window_start);
    const auto gone = std::find_if(cache.moves.begin(), cache.moves.end(),
                                   [&](const QueueMove& m) { return m.at_ms >= window_start; });
    cache.moves.erase(cache.moves.begin(), gone);
    cache.read_at = now;
    cache.depth = got.depth;
    cache.heads = std::move(got.heads);
  }

  void write_lanes(json::Writer& w, std::int64_t now,
                   const std::optional<std::array<std::uint64_t, lane_count>>& depth) {
    w.key("lanes").begin_array();
    for (std::size_t l = 0; l < lane_count; ++l) {
      const auto lane = static_cast<Lane>(l);
      const auto target = options.freshness_target[l].count();
      w.begin_object().member("lane", sync::to_string(lane)).member("target_s", std::int64_t{target});
      w.key("depth");
      write_optional(w, depth ? std::optional<std::int64_t>(static_cast<std::int64_t>((*depth)[l])) : std::nullopt);
      const sync::LaneStatus* ls = status ? &status->lanes[l] : nullptr;
      auto count = [&](const char* name, std::uint64_t sync::StatusCounts::*field) {
        w.key(name);
        write_optional(w, ls ? std::optional<std::int64_t>(static_cast<std::int64_t>(ls->*field)) : std::nullopt);
      };
      count("pending", &sync::StatusCounts::pending);
      count("in_flight", &sync::StatusCounts::in_flight);
      count("applied", &sync::StatusCounts::applied);
      count("dead", &sync::StatusCounts::dead);
      count("discarded", &sync::StatusCounts::discarded);
      std::optional<double> age;
      if (ls)
        age = ls->oldest_pending_ms
                  ? static_cast<double>(std::max<std::int64_t>(0, now - *ls->oldest_pending_ms)) / 1000.0
                  : 0.0;
      w.key("oldest_pending_ms");
      write_optional(w, ls ? ls->oldest_pending_ms : std::nullopt);
      w.key("oldest_pending_age_s");
      write_optional(w, age);
      w.key("fresh");
      if (age)
        w.boolean(*age <= static_cast<double>(target));
      else
        w.null();
      w.end_object();
    }
    w.end_array();
  }

  void write_history(json::Writer& w, std::int64_t now) {
    const auto step_ms = std::chrono::duration_cast<std::chrono::milliseconds>(options.step).count();
    const auto window_ms = std::chrono::duration_cast<std::chrono::milliseconds>(options.window).count();
    std::vector<std::int64_t> points;
    for (std::int64_t t = now - (window_ms / step_ms) * step_ms; t <= now; t += step_ms) points.push_back(t);
    w.key("history").begin_object();
    w.member("step_s", std::int64_t{options.step.count()});
    w.member("window_s", std::int64_t{window_ms / 1000});
    w.key("covered_from_ms");
    write_optional(w, cache.covered_from);
    w.key("error");
    if (history_error)
      w.string(*history_error);
    else
      w.null();
    w.key("t").begin_array();
    for (auto t : points) w.integer(t);
    w.end_array();
    w.key("lanes").begin_array();
    for (std::size_t l = 0; l < lane_count; ++l) {
      const auto h = lane_history(cache, static_cast<Lane>(l), points, step_ms);
      w.begin_object().member("lane", sync::to_string(static_cast<Lane>(l)));
      auto column = [&](const char* name, const auto& values) {
        w.key(name).begin_array();
        for (const auto& v : values) write_optional(w, v);
        w.end_array();
      };
      column("backlog", h.backlog);
      column("oldest_age_s", h.oldest_age_s);
      column("submitted", h.submitted);
      column("applied", h.applied);
      column("dead", h.dead);
      w.end_object();
    }
    w.end_array().end_object();
  }

  // Everything but the dead letters' page, cached for options.cache.
  std::string head(std::int64_t now) {
    const auto steady = std::chrono::steady_clock::now();
    if (!snapshot_head.empty() && steady - snapshot_at < options.cache) return snapshot_head;
    std::vector<std::string> errors;
    auto st = engine.store().status();
    if (st) {
      status = std::move(st).value();
    } else {
      status.reset();
      errors.push_back(utf8("the store's counts could not be read: " + st.error().message()));
    }
    refresh_moves(now);
    std::optional<std::array<std::uint64_t, lane_count>> depth;
    if (!history_error) {
      depth = cache.depth;
    } else if (auto d = engine.store().depth()) {
      depth = d.value();
    }
    json::Writer w;
    w.begin_object();
    w.member("now_ms", now);
    write_lanes(w, now, depth);
    w.key("breaker").begin_object();
    w.member("state", options.sending ? http::to_string(engine.breaker_state()) : std::string_view("not_sending"));
    w.end_object();
    write_history(w, now);
    w.key("channels");
    if (options.channels) {
      w.begin_array();
      for (const auto& c : options.channels()) {
        w.begin_object().member("name", c.name);
        w.key("accepted").unsigned_integer(c.accepted);
        w.key("duplicate").unsigned_integer(c.duplicate);
        w.key("ignored").unsigned_integer(c.ignored);
        w.key("refused").unsigned_integer(c.refused);
        w.key("failed").unsigned_integer(c.failed);
        w.key("events").unsigned_integer(c.events);
        w.end_object();
      }
      w.end_array();
    } else {
      w.null();
    }
    w.key("replay").begin_object().member("enabled", options.replay_token != nullptr);
    w.member("why", options.replay_token ? std::string_view("a token is configured")
                                         : std::string_view("no replay token is configured: the page is read-only"));
    w.end_object();
    w.key("errors").begin_array();
    for (const auto& e : errors) w.string(e);
    w.end_array();
    // The object stays open: the dead letters are added per request.
    snapshot_head = std::string(w.unchecked_view());
    snapshot_at = steady;
    return snapshot_head;
  }

  PageAnswer json_answer(std::string_view target) {
    std::int64_t after = 0;
    if (auto a = query_param(target, "after")) {
      const auto [p, ec] = std::from_chars(a->data(), a->data() + a->size(), after);
      if (ec != std::errc{} || p != a->data() + a->size() || after < 0)
        return text_answer(400, "invalid", "after: a non-negative event seq is expected");
    }
    const auto now = wall_ms(clock);
    std::string body;
    std::optional<std::uint64_t> total;
    {
      std::lock_guard l(mutex);
      body = head(now);
      if (status) {
        total = 0;
        for (const auto& ls : status->lanes) *total += ls.dead;
      }
    }
    json::Writer w;
    w.begin_object();  // a fragment: its members follow the head's
    w.key("dead_letters").begin_object();
    w.key("total");
    write_optional(w, total ? std::optional<std::int64_t>(static_cast<std::int64_t>(*total)) : std::nullopt);
    w.member("after", after);
    const auto per_page = options.dead_letters_per_page;
    auto dead = engine.store().list(sync::EventStatus::dead, per_page + 1, after);
    w.key("error");
    if (dead)
      w.null();
    else
      w.string(utf8("the dead letters could not be read: " + dead.error().message()));
    w.key("items").begin_array();
    std::optional<std::int64_t> next;
    if (dead) {
      auto& items = dead.value();
      if (items.size() > per_page) {
        items.resize(per_page);
        next = items.back().seq;
      }
      for (const auto& e : items) {
        w.begin_object()
            .member("seq", e.seq)
            .member("source", utf8(e.event.source))
            .member("id", utf8(e.event.id))
            .member("type", utf8(e.event.type))
            .member("subject", utf8(e.event.subject))
            .member("lane", sync::to_string(e.event.lane))
            .member("attempts", std::int64_t{e.attempts})
            .member("died_ms", e.updated_ms)
            .member("error", utf8(e.error))
            .end_object();
      }
    }
    w.end_array();
    w.key("next_after");
    write_optional(w, next);
    w.end_object().end_object();
    auto tail = w.view();
    if (!tail) return text_answer(500, "failed", "the dead letters could not be written as JSON");
    // Join: the head's open object, a comma, the fragment's members without its opening brace.
    body += ',';
    body.append(tail.value().substr(1));
    body += '\n';
    PageAnswer a;
    a.body = std::move(body);
    return a;
  }

  void log(LogLevel level, std::string_view message, std::string_view source, std::string_view id,
           std::string_view outcome) const {
    options.logger.log(level, message, {{"source", source}, {"id", id}, {"outcome", outcome}});
  }

  PageAnswer replay(const PageRequest& r) {
    if (!options.replay_token)
      return text_answer(403, "replay_off",
                         "no replay token is configured (--status-token-file or ODOOSYNC_STATUS_TOKEN_SOURCE): the "
                         "status page is read-only");
    // CSRF: the token travels in a header a cross-site form cannot set, the body must be JSON (a form
    // cannot send that type without a preflight this server never grants), and a browser's Origin, when
    // sent, must be this host.
    const auto type = r.headers.get("Content-Type").value_or("");
    if (type.substr(0, type.find(';')) != "application/json")
      return text_answer(415, "unsupported_media_type", "send the replay as application/json, not a form");
    if (auto origin = r.headers.get("Origin")) {
      const auto host = r.headers.get("Host").value_or("");
      const auto scheme_end = origin->find("://");
      const auto origin_host = scheme_end == std::string_view::npos ? *origin : origin->substr(scheme_end + 3);
      if (host.empty() || origin_host != host) {
        log(LogLevel::warn, "status page: replay refused", {}, {}, "cross-site origin");
        return text_answer(403, "cross_origin", "a replay must come from the status page itself");
      }
    }
    const auto auth = r.headers.get("Authorization").value_or("");
    constexpr std::string_view bearer = "Bearer ";
    auto expected = options.replay_token->current();
    if (!expected) {
      log(LogLevel::error, "status page: the replay token cannot be read", {}, {}, expected.error().message());
      return text_answer(503, "token_unavailable",
                         "the replay token cannot be read from " + options.replay_token->description());
    }
    // Both hashed first: the comparison takes the same time whatever the lengths and wherever they differ.
    const bool given = auth.size() > bearer.size() && auth.substr(0, bearer.size()) == bearer;
    const auto presented = given ? auth.substr(bearer.size()) : std::string_view();
    const bool match =
        crypto::constant_time_equal(crypto::sha256(presented), crypto::sha256(expected.value().reveal()));
    if (!given || !match || expected.value().empty()) {
      log(LogLevel::warn, "status page: replay refused", {}, {}, given ? "wrong token" : "no token");
      PageAnswer a = text_answer(
          401, "unauthorized",
          given ? "the token is not the replay token" : "give the replay token: Authorization: Bearer TOKEN");
      a.headers.add("WWW-Authenticate", "Bearer realm=\"odoosync status\"");
      return a;
    }
    auto doc = json::parse(r.body, json::Limits{.max_bytes = 16 * 1024, .max_depth = 4});
    const json::Value* source = doc ? json::find(doc.value(), "source") : nullptr;
    const json::Value* id = doc ? json::find(doc.value(), "id") : nullptr;
    if (!source || !id || !source->IsString() || !id->IsString() || json::text(*id).empty())
      return text_answer(400, "invalid", "the body must be a JSON object with the dead letter's \"source\" and \"id\"");
    const auto s = json::text(*source), i = json::text(*id);
    auto done = engine.replay(s, i);
    {
      std::lock_guard l(mutex);
      snapshot_head.clear();  // the next poll shows it pending
    }
    if (!done) {
      const auto kind = done.error().kind();
      log(LogLevel::warn, "status page: replay failed", s, i, done.error().message());
      if (kind == ErrorKind::not_found) return text_answer(404, "not_found", utf8(done.error().message()));
      if (kind == ErrorKind::validation) return text_answer(400, "invalid", utf8(done.error().message()));
      return text_answer(503, "unavailable", utf8("the store could not replay it: " + done.error().message()));
    }
    log(LogLevel::info, "status page: dead letter replayed", s, i, "replayed");
    PageAnswer a;
    json::Writer w;
    w.begin_object().member("status", "replayed").member("source", s).member("id", i).end_object();
    a.body = std::string(w.unchecked_view()) + "\n";
    return a;
  }
};

StatusPage::StatusPage(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StatusPage::~StatusPage() = default;

result<std::unique_ptr<StatusPage>> StatusPage::create(sync::Engine& engine, StatusPageOptions options) {
  if (options.step.count() <= 0) return Error::validation("status page: the history's step must be positive");
  if (options.window < options.step) return Error::validation("status page: the window must be at least one step");
  if (options.window / options.step > 2000)
    return Error::validation("status page: at most 2000 points of history (a longer step, or a shorter window)");
  if (options.dead_letters_per_page == 0 || options.dead_letters_per_page > 1000)
    return Error::validation("status page: dead letters per page must be from 1 to 1000");
  if (options.history_limit == 0) return Error::validation("status page: history_limit must be positive");
  for (const auto& t : options.freshness_target)
    if (t.count() <= 0) return Error::validation("status page: freshness targets must be positive");
  return std::unique_ptr<StatusPage>(new StatusPage(std::make_unique<Impl>(engine, std::move(options))));
}

Pages StatusPage::pages(std::shared_ptr<StatusPage> page) {
  Pages p;
  p.serves = [](std::string_view path) { return serves(path); };
  p.handle = [page = std::move(page)](const PageRequest& r) { return page->handle(r); };
  return p;
}

bool StatusPage::serves(std::string_view path) noexcept {
  return path == "/status" || path == "/status.json" || path == "/status/replay";
}

PageAnswer StatusPage::handle(const PageRequest& request) {
  auto& I = *impl_;
  const auto path = path_of(request.target);
  const bool get = request.method == "GET" || request.method == "HEAD";
  PageAnswer a;
  if (path == "/status" || path == "/status.json") {
    if (!get) {
      a = text_answer(405, "method_not_allowed", "use GET");
      a.headers.add("Allow", "GET, HEAD");
      return a;
    }
    if (path == "/status") {
      a.content_type = "text/html; charset=utf-8";
      a.body = std::string(status_page_html());
      a.headers.add("Content-Security-Policy", I.csp);
      a.headers.add("X-Frame-Options", "DENY");
    } else {
      a = I.json_answer(request.target);
    }
  } else if (path == "/status/replay") {
    if (request.method != "POST") {
      a = text_answer(405, "method_not_allowed", "a replay is POSTed");
      a.headers.add("Allow", "POST");
      return a;
    }
    a = I.replay(request);
  } else {
    return text_answer(404, "not_found", "no such page");
  }
  a.headers.add("X-Content-Type-Options", "nosniff");
  a.headers.add("Referrer-Policy", "no-referrer");
  a.headers.add("Cache-Control", "no-store");
  if (request.method == "HEAD") a.body.clear();
  return a;
}

}  // namespace ops
}  // namespace v0
}  // namespace odoosync
