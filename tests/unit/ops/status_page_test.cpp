// ops::StatusPage without a server: the JSON's numbers against a store seeded at known times (lanes,
// history points, dead letters), the HTML and its security headers, the replay's guards (no token
// configured, no token, a wrong one, a form post, another origin) leaving the store unchanged, and the
// right token making a dead letter pending again; served through ops::MetricsServer too.
#include <canary.hpp>
#include <doctest/doctest.h>

#include <odoosync/channels/crypto.hpp>
#include <odoosync/core/json.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/ops/metrics_server.hpp>
#include <odoosync/ops/status_page.hpp>
#include <odoosync/sync/engine.hpp>
#include <odoosync/sync/memory_store.hpp>
#include <odoosync/sync/sqlite_store.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

using namespace odoosync;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t min_ms = 60'000;
// 2026-12-01 10:00:00 UTC: the page's "now".
constexpr std::int64_t T = 1'796'119'200'000;

sync::NewEvent ev(std::string id, std::string subject, sync::Lane lane = sync::Lane::realtime) {
  sync::NewEvent e;
  e.source = "pos/1";
  e.id = std::move(id);
  e.type = lane == sync::Lane::realtime ? "retail.stock.adjusted" : "retail.product.upserted";
  e.subject = std::move(subject);
  e.lane = lane;
  e.batch_key = "k";
  e.body = "{}";
  return e;
}

void append(sync::Store& s, std::vector<sync::NewEvent> v, std::int64_t at) {
  auto r = s.append(v, at, {0, 0});
  REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
}

void settle_next(sync::Store& s, sync::Lane lane, std::size_t n, std::int64_t claim_at, sync::SettleKind kind,
                 std::int64_t at, std::string error = {}) {
  sync::ClaimRequest rq;
  rq.lane = lane;
  rq.owner = "w";
  rq.now_ms = claim_at;
  rq.max_members = n;
  auto b = s.claim(rq);
  REQUIRE(b);
  REQUIRE(b.value().has_value());
  REQUIRE(b.value()->members.size() == n);
  sync::Settlement st;
  st.kind = kind;
  st.now_ms = at;
  st.due_ms = at;
  st.error = std::move(error);
  REQUIRE(s.settle(b.value()->id, "w", st));
}

// The day the tests read: realtime e1..e5 at T-50 min, e1 and e2 applied at T-35, e3 dead at T-25, e6
// at T-10; bulk b1 at T-90 (before the window) still pending, b2 at T-15 applied at T-5.
void seed(sync::Store& s) {
  append(s, {ev("b1", "p/1", sync::Lane::bulk)}, T - 90 * min_ms);
  append(s, {ev("e1", "s/1"), ev("e2", "s/2"), ev("e3", "s/3"), ev("e4", "s/4"), ev("e5", "s/5")}, T - 50 * min_ms);
  settle_next(s, sync::Lane::realtime, 2, T - 40 * min_ms, sync::SettleKind::applied, T - 35 * min_ms);
  settle_next(s, sync::Lane::realtime, 1, T - 30 * min_ms, sync::SettleKind::dead, T - 25 * min_ms,
              "odoo: ValidationError: the product SKU-3 is archived");
  append(s, {ev("b2", "p/2", sync::Lane::bulk)}, T - 15 * min_ms);
  append(s, {ev("e6", "s/6")}, T - 10 * min_ms);
}

struct Store {
  virtual ~Store() = default;
  virtual sync::Store& get() = 0;
};

struct Memory : Store {
  sync::MemoryStore s;
  sync::Store& get() override { return s; }
};

struct Sqlite : Store {
  fs::path dir;
  std::unique_ptr<sync::SqliteStore> s;
  Sqlite() {
    dir = fs::temp_directory_path() / ("odoosync-status-" + std::to_string(::getpid()));
    odoosync::testing::remove_scratch(dir);
    fs::create_directories(dir);
    auto o = sync::SqliteStore::open((dir / "store.db").string());
    REQUIRE(o);
    s = std::move(o).value();
  }
  ~Sqlite() override {
    s.reset();
    odoosync::testing::remove_scratch(dir);
  }
  sync::Store& get() override { return *s; }
};

struct Page {
  ManualClock clock;
  std::unique_ptr<sync::Engine> engine;
  std::unique_ptr<ops::StatusPage> page;
  Page(sync::Store& store, std::shared_ptr<SecretSource> token = {}) {
    clock.set_wall(std::chrono::system_clock::time_point(std::chrono::milliseconds(T)));
    sync::EngineOptions eo;
    eo.clock = &clock;
    engine = std::move(sync::Engine::create_intake(store, eo).value());
    ops::StatusPageOptions po;
    po.window = std::chrono::minutes{60};
    po.step = std::chrono::seconds{600};
    po.clock = &clock;
    po.cache = std::chrono::milliseconds{0};
    po.replay_token = std::move(token);
    po.sending = false;
    auto p = ops::StatusPage::create(*engine, po);
    REQUIRE(p);
    page = std::move(p).value();
  }
  ops::PageAnswer get(std::string target) { return page->handle({"GET", std::move(target), {}, {}}); }
  json::Document snapshot(std::string target = "/status.json") {
    auto a = get(std::move(target));
    REQUIRE(a.status == 200);
    auto d = json::parse(a.body);
    REQUIRE_MESSAGE(d, a.body);
    return std::move(d).value();
  }
};

const json::Value& at(const json::Value& v, const char* key) {
  const auto* m = json::find(v, key);
  REQUIRE_MESSAGE(m != nullptr, key);
  return *m;
}

std::optional<std::int64_t> opt_int(const json::Value& v) {
  if (v.IsNull()) return std::nullopt;
  return json::to_number(json::to_string(v)).i;
}
std::optional<double> opt_num(const json::Value& v) {
  if (v.IsNull()) return std::nullopt;
  const auto n = json::to_number(json::to_string(v));
  return n.kind == json::Number::Kind::real ? n.d : static_cast<double>(n.i);
}

std::vector<std::optional<std::int64_t>> ints(const json::Value& a) {
  std::vector<std::optional<std::int64_t>> out;
  for (const auto& v : a.GetArray()) out.push_back(opt_int(v));
  return out;
}
std::vector<std::optional<double>> nums(const json::Value& a) {
  std::vector<std::optional<double>> out;
  for (const auto& v : a.GetArray()) out.push_back(opt_num(v));
  return out;
}

class FixedToken final : public SecretSource {
 public:
  explicit FixedToken(std::string v) : v_(std::move(v)) {}
  result<Secret> current() override { return Secret(v_); }
  result<Secret> refresh() override { return Secret(v_); }
  std::string description() const override { return "the test's token"; }

 private:
  std::string v_;
};

constexpr const char* token = "0123456789abcdef0123456789abcdef";

ops::PageRequest replay_request(std::string source, std::string id, std::optional<std::string> bearer,
                                std::string type = "application/json") {
  ops::PageRequest r;
  r.method = "POST";
  r.target = "/status/replay";
  r.headers.add("Content-Type", type);
  r.headers.add("Host", "127.0.0.1:9464");
  if (bearer) r.headers.add("Authorization", "Bearer " + *bearer);
  r.body = R"({"source":")" + source + R"(","id":")" + id + R"("})";
  return r;
}

template <class S>
void check_numbers() {
  S holder;
  auto& store = holder.get();
  seed(store);
  // b2 applied at T-5 (claimed alone: b1 and b2 have different subjects, so claim both, keep b1 back).
  {
    sync::ClaimRequest rq;
    rq.lane = sync::Lane::bulk;
    rq.owner = "w";
    rq.now_ms = T - 6 * min_ms;
    rq.max_members = 2;
    auto b = store.claim(rq);
    REQUIRE(b);
    REQUIRE(b.value().has_value());
    REQUIRE(b.value()->members.size() == 2);
    // A split sends each alone: b1 goes back to pending (no queue move), then b2 alone is applied.
    sync::Settlement split;
    split.kind = sync::SettleKind::split;
    split.now_ms = T - 6 * min_ms;
    REQUIRE(store.settle(b.value()->id, "w", split));
  }
  {
    // Each alone now: b1 first (intake order) is left in flight by a retry; b2 is applied.
    sync::ClaimRequest rq;
    rq.lane = sync::Lane::bulk;
    rq.owner = "w";
    rq.now_ms = T - 6 * min_ms;
    rq.max_members = 1;
    auto first = store.claim(rq);
    REQUIRE(first);
    REQUIRE(first.value().has_value());
    REQUIRE(first.value()->members[0].event.id == "b1");
    sync::Settlement retry;
    retry.kind = sync::SettleKind::retry;
    retry.now_ms = T - 6 * min_ms;
    retry.due_ms = T + 60 * min_ms;
    REQUIRE(store.settle(first.value()->id, "w", retry));
    auto second = store.claim(rq);
    REQUIRE(second);
    REQUIRE(second.value().has_value());
    REQUIRE(second.value()->members[0].event.id == "b2");
    sync::Settlement applied;
    applied.kind = sync::SettleKind::applied;
    applied.now_ms = T - 5 * min_ms;
    REQUIRE(store.settle(second.value()->id, "w", applied));
  }
  Page p(store);
  auto doc = p.snapshot();
  const auto& lanes = at(doc, "lanes");
  REQUIRE(lanes.Size() == 2);
  auto st = store.status();
  REQUIRE(st);
  auto depth = store.depth();
  REQUIRE(depth);
  // Lanes: the store's own counts.
  for (std::size_t l = 0; l < 2; ++l) {
    const auto& lane = lanes[static_cast<rapidjson::SizeType>(l)];
    const auto& ls = st.value().lanes[l];
    CHECK(opt_int(at(lane, "depth")) == static_cast<std::int64_t>(depth.value()[l]));
    CHECK(opt_int(at(lane, "pending")) == static_cast<std::int64_t>(ls.pending));
    CHECK(opt_int(at(lane, "in_flight")) == static_cast<std::int64_t>(ls.in_flight));
    CHECK(opt_int(at(lane, "applied")) == static_cast<std::int64_t>(ls.applied));
    CHECK(opt_int(at(lane, "dead")) == static_cast<std::int64_t>(ls.dead));
    CHECK(opt_int(at(lane, "oldest_pending_ms")) == ls.oldest_pending_ms);
  }
  const auto& rt = lanes[0];
  CHECK(json::text(at(rt, "lane")) == "realtime");
  CHECK(opt_int(at(rt, "depth")) == 3);
  CHECK(opt_int(at(rt, "dead")) == 1);
  CHECK(opt_int(at(rt, "applied")) == 2);
  CHECK(opt_num(at(rt, "oldest_pending_age_s")) == doctest::Approx(3000));
  CHECK(at(rt, "fresh").IsFalse());
  const auto& bulk = lanes[1];
  CHECK(opt_int(at(bulk, "depth")) == 1);
  CHECK(opt_int(at(bulk, "in_flight")) == 1);
  CHECK(opt_num(at(bulk, "oldest_pending_age_s")) == doctest::Approx(5400));
  CHECK(opt_int(at(bulk, "target_s")) == 3600);
  CHECK(json::text(at(at(doc, "breaker"), "state")) == "not_sending");
  CHECK(at(doc, "channels").IsNull());

  // History: points at T-60, -50, ..., T; counts over the 10 minutes before each.
  const auto& h = at(doc, "history");
  CHECK(at(h, "error").IsNull());
  CHECK(opt_int(at(h, "covered_from_ms")) == T - 60 * min_ms);
  const auto t = ints(at(h, "t"));
  REQUIRE(t.size() == 7);
  for (std::size_t i = 0; i < 7; ++i) CHECK(t[i] == T - static_cast<std::int64_t>(60 - 10 * i) * min_ms);
  const auto& hl = at(h, "lanes");
  using I = std::vector<std::optional<std::int64_t>>;
  using D = std::vector<std::optional<double>>;
  CHECK(ints(at(hl[0], "backlog")) == I{0, 5, 5, 3, 2, 3, 3});
  CHECK(nums(at(hl[0], "oldest_age_s")) == D{0.0, 0.0, 600.0, 1200.0, 1800.0, 2400.0, 3000.0});
  CHECK(ints(at(hl[0], "submitted")) == I{std::nullopt, 5, 0, 0, 0, 1, 0});
  CHECK(ints(at(hl[0], "applied")) == I{std::nullopt, 0, 0, 2, 0, 0, 0});
  CHECK(ints(at(hl[0], "dead")) == I{std::nullopt, 0, 0, 0, 1, 0, 0});
  CHECK(ints(at(hl[1], "backlog")) == I{1, 1, 1, 1, 1, 2, 1});
  CHECK(nums(at(hl[1], "oldest_age_s")) == D{1800.0, 2400.0, 3000.0, 3600.0, 4200.0, 4800.0, 5400.0});
  CHECK(ints(at(hl[1], "applied")) == I{std::nullopt, 0, 0, 0, 0, 0, 1});

  // Dead letters: the store's, with their error.
  const auto& dl = at(doc, "dead_letters");
  CHECK(opt_int(at(dl, "total")) == 1);
  const auto& items = at(dl, "items");
  REQUIRE(items.Size() == 1);
  CHECK(json::text(at(items[0], "id")) == "e3");
  CHECK(json::text(at(items[0], "error")) == "odoo: ValidationError: the product SKU-3 is archived");
  CHECK(opt_int(at(items[0], "died_ms")) == T - 25 * min_ms);
  CHECK(at(dl, "next_after").IsNull());
  CHECK(at(at(doc, "replay"), "enabled").IsFalse());
}

}  // namespace

TEST_CASE("status page: the JSON's lanes, history and dead letters are the store's (memory store)") {
  check_numbers<Memory>();
}

TEST_CASE("status page: the JSON's lanes, history and dead letters are the store's (SQLite store)") {
  check_numbers<Sqlite>();
}

TEST_CASE("status page: dead letters are paged, the history says unknown beyond what the store can give") {
  sync::MemoryStore store;
  std::vector<sync::NewEvent> v;
  for (int i = 0; i < 7; ++i) v.push_back(ev("d" + std::to_string(i), "s/" + std::to_string(i)));
  append(store, v, T - 20 * min_ms);
  settle_next(store, sync::Lane::realtime, 7, T - 19 * min_ms, sync::SettleKind::dead, T - 18 * min_ms, "boom");
  ManualClock clock;
  clock.set_wall(std::chrono::system_clock::time_point(std::chrono::milliseconds(T)));
  sync::EngineOptions eo;
  eo.clock = &clock;
  auto engine = std::move(sync::Engine::create_intake(store, eo).value());
  ops::StatusPageOptions po;
  po.window = std::chrono::minutes{60};
  po.step = std::chrono::seconds{600};
  po.clock = &clock;
  po.dead_letters_per_page = 3;
  po.history_limit = 4;  // fewer than the window holds: its older part is unknown
  auto page = std::move(ops::StatusPage::create(*engine, po).value());
  auto first = json::parse(page->handle({"GET", "/status.json", {}, {}}).body);
  REQUIRE(first);
  const auto& dl = at(first.value(), "dead_letters");
  CHECK(opt_int(at(dl, "total")) == 7);
  CHECK(at(dl, "items").Size() == 3);
  const auto next = opt_int(at(dl, "next_after"));
  REQUIRE(next);
  auto second = json::parse(page->handle({"GET", "/status.json?after=" + std::to_string(*next), {}, {}}).body);
  REQUIRE(second);
  const auto& items = at(at(second.value(), "dead_letters"), "items");
  REQUIRE(items.Size() == 3);
  CHECK(json::text(at(items[0], "id")) == "d3");
  CHECK(page->handle({"GET", "/status.json?after=x", {}, {}}).status == 400);

  const auto& h = at(first.value(), "history");
  const auto from = opt_int(at(h, "covered_from_ms"));
  REQUIRE(from);
  // The newest moves are dead-letterings at T-18, more than the limit: complete only after them.
  CHECK(*from == T - 18 * min_ms + 1);
  const auto backlog = ints(at(at(h, "lanes")[0], "backlog"));
  CHECK_FALSE(backlog[0].has_value());  // T-60: before what is known
  CHECK_FALSE(backlog[4].has_value());  // T-20
  CHECK(backlog[5] == 0);               // T-10
  CHECK(backlog[6] == 0);
}

TEST_CASE("status page: a store that cannot tell its moves shows the history as unknown, not as zero") {
  // A host's own store without queue_moves (the default), whose counts fail: a wrapper of a MemoryStore.
  sync::MemoryStore inner;
  class Wrapped final : public sync::Store {
   public:
    explicit Wrapped(sync::Store& s) : s_(s) {}
    result<std::vector<sync::Intake>> append(std::span<const sync::NewEvent> e, std::int64_t n,
                                             const sync::Watermarks& w) override {
      return s_.append(e, n, w);
    }
    result<std::optional<sync::Batch>> claim(const sync::ClaimRequest& r) override { return s_.claim(r); }
    result<void> renew(std::int64_t b, std::string_view o, std::int64_t u) override { return s_.renew(b, o, u); }
    result<void> settle(std::int64_t b, std::string_view o, const sync::Settlement& st) override {
      return s_.settle(b, o, st);
    }
    result<void> begin_worker(std::string_view o, bool x, std::int64_t n) override { return s_.begin_worker(o, x, n); }
    result<void> end_worker(std::string_view o) override { return s_.end_worker(o); }
    result<std::optional<sync::StoredEvent>> get(std::string_view s, std::string_view i) override {
      return s_.get(s, i);
    }
    result<std::vector<sync::StoredEvent>> find(std::string_view i) override { return s_.find(i); }
    result<std::vector<sync::StoredEvent>> list(sync::EventStatus st, std::size_t l, std::int64_t a) override {
      return s_.list(st, l, a);
    }
    result<void> replay(std::string_view s, std::string_view i, std::int64_t n) override { return s_.replay(s, i, n); }
    result<void> discard(std::string_view s, std::string_view i, std::string_view r, std::int64_t n) override {
      return s_.discard(s, i, r, n);
    }
    result<std::vector<sync::AuditEntry>> audit(const sync::AuditQuery& q) override { return s_.audit(q); }
    result<sync::StoreStatus> status() override { return Error(ErrorKind::storage, "disk I/O error"); }
    result<std::array<std::uint64_t, sync::lane_count>> depth() override { return s_.depth(); }
    result<std::optional<std::string>> checkpoint(std::string_view n) override { return s_.checkpoint(n); }
    result<void> set_checkpoint(std::string_view n, std::string_view v) override { return s_.set_checkpoint(n, v); }
    const std::string& store_id() const noexcept override { return s_.store_id(); }

   private:
    sync::Store& s_;
  };
  Wrapped store(inner);
  append(store, {ev("a", "s/1")}, T - min_ms);
  Page p(store);
  auto doc = p.snapshot();
  const auto& h = at(doc, "history");
  CHECK(json::text(at(h, "error")).find("does not report") != std::string_view::npos);
  for (const auto& v : at(at(h, "lanes")[0], "backlog").GetArray()) CHECK(v.IsNull());
  // The counts the store could not give are unknown; the depth it could give is there.
  const auto& rt = at(doc, "lanes")[0];
  CHECK(at(rt, "pending").IsNull());
  CHECK(at(rt, "oldest_pending_age_s").IsNull());
  CHECK(at(rt, "fresh").IsNull());
  CHECK(opt_int(at(rt, "depth")) == 1);
  CHECK(at(at(doc, "dead_letters"), "total").IsNull());
  CHECK(json::text(at(doc, "errors")[0]).find("disk I/O error") != std::string_view::npos);
}

TEST_CASE("status page: the HTML is self-contained, and its script and style are the ones its policy allows") {
  sync::MemoryStore store;
  Page p(store);
  auto a = p.get("/status");
  CHECK(a.status == 200);
  CHECK(a.content_type == "text/html; charset=utf-8");
  const auto html = a.body;
  for (const char* id : {"id=\"lanes\"", "id=\"chart-backlog\"", "id=\"chart-fresh\"", "id=\"dead\"", "id=\"channels\"",
                         "id=\"breaker\"", "<th scope=\"col\">"})
    CHECK_MESSAGE(html.find(id) != std::string::npos, id);
  // Nothing fetched from elsewhere: no src or href, no stylesheet link, no absolute URL but the SVG namespace.
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("href=") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  auto without_ns = html;
  for (auto pos = without_ns.find("http://www.w3.org/2000/svg"); pos != std::string::npos;
       pos = without_ns.find("http://www.w3.org/2000/svg"))
    without_ns.erase(pos, 26);
  CHECK(without_ns.find("http://") == std::string::npos);
  CHECK(without_ns.find("https://") == std::string::npos);
  CHECK(html.find("innerHTML") == std::string::npos);  // data only ever set as text
  const auto csp = a.headers.get("Content-Security-Policy");
  REQUIRE(csp);
  const auto script_begin = html.find("<script>") + 8;
  const auto script = html.substr(script_begin, html.find("</script>") - script_begin);
  const auto hash = "'sha256-" + channels::crypto::base64_encode(channels::crypto::sha256(script)) + "'";
  CHECK(csp->find("script-src " + hash) != std::string_view::npos);
  CHECK(csp->find("default-src 'none'") != std::string_view::npos);
  CHECK(csp->find("connect-src 'self'") != std::string_view::npos);
  CHECK(a.headers.get("X-Content-Type-Options") == "nosniff");
  CHECK(p.get("/status.json").headers.get("Cache-Control") == "no-store");
  CHECK(p.page->handle({"POST", "/status", {}, {}}).status == 405);
  CHECK(p.page->handle({"GET", "/status/replay", {}, {}}).status == 405);
  CHECK(p.get("/status/other").status == 404);
  CHECK(ops::StatusPage::serves("/status"));
  CHECK_FALSE(ops::StatusPage::serves("/statusx"));
}

TEST_CASE("status page: replay is off without a token, refused without the right one, and works with it") {
  sync::MemoryStore store;
  append(store, {ev("e1", "s/1"), ev("e2", "s/2")}, T - 20 * min_ms);
  settle_next(store, sync::Lane::realtime, 2, T - 19 * min_ms, sync::SettleKind::dead, T - 18 * min_ms, "no");
  auto status_of = [&](const char* id) { return store.get("pos/1", id).value()->status; };
  {
    Page off(store);
    auto a = off.page->handle(replay_request("pos/1", "e1", std::string(token)));
    CHECK(a.status == 403);
    CHECK(a.body.find("read-only") != std::string::npos);
    CHECK(status_of("e1") == sync::EventStatus::dead);
  }
  Page p(store, std::make_shared<FixedToken>(token));
  CHECK(at(at(p.snapshot(), "replay"), "enabled").IsTrue());
  auto missing = p.page->handle(replay_request("pos/1", "e1", std::nullopt));
  CHECK(missing.status == 401);
  CHECK(missing.headers.get("WWW-Authenticate").has_value());
  CHECK(p.page->handle(replay_request("pos/1", "e1", std::string("wrong-token-wrong-token"))).status == 401);
  CHECK(p.page->handle(replay_request("pos/1", "e1", std::string(token) + "x")).status == 401);
  CHECK(p.page->handle(replay_request("pos/1", "e1", std::string())).status == 401);
  // A form post (what a cross-site page can send without asking) is refused whatever it carries.
  auto form = replay_request("pos/1", "e1", std::string(token), "application/x-www-form-urlencoded");
  form.body = "source=pos%2F1&id=e1";
  CHECK(p.page->handle(form).status == 415);
  CHECK(p.page->handle(replay_request("pos/1", "e1", std::string(token), "text/plain")).status == 415);
  auto cross = replay_request("pos/1", "e1", std::string(token));
  cross.headers.add("Origin", "https://evil.example");
  CHECK(p.page->handle(cross).status == 403);
  CHECK(status_of("e1") == sync::EventStatus::dead);
  CHECK(status_of("e2") == sync::EventStatus::dead);
  // The right token: pending again, and the next snapshot shows it.
  auto same_origin = replay_request("pos/1", "e1", std::string(token));
  same_origin.headers.add("Origin", "http://127.0.0.1:9464");
  auto ok = p.page->handle(same_origin);
  CHECK_MESSAGE(ok.status == 200, ok.body);
  CHECK(status_of("e1") == sync::EventStatus::pending);
  CHECK(status_of("e2") == sync::EventStatus::dead);
  auto doc = p.snapshot();
  CHECK(opt_int(at(at(doc, "dead_letters"), "total")) == 1);
  CHECK(opt_int(at(at(doc, "lanes")[0], "pending")) == 1);
  // Not a dead letter (any more): 404; a malformed body: 400.
  CHECK(p.page->handle(replay_request("pos/1", "e1", std::string(token))).status == 404);
  auto bad = replay_request("pos/1", "e2", std::string(token));
  bad.body = "[1]";
  CHECK(p.page->handle(bad).status == 400);
}

TEST_CASE("status page: served beside /metrics by ops::MetricsServer") {
  sync::MemoryStore store;
  append(store, {ev("e1", "s/1")}, T - min_ms);
  Page p(store, std::make_shared<FixedToken>(token));
  std::shared_ptr<ops::StatusPage> shared(std::move(p.page));
  ops::MetricsServerOptions o;
  o.metrics = [] { return std::string("up 1\n"); };
  o.pages = ops::StatusPage::pages(shared);
  auto server = ops::MetricsServer::start(o);
  REQUIRE(server);
  auto t = http::CurlTransport::create({.connect_timeout = std::chrono::milliseconds{2000},
                                        .timeout = std::chrono::milliseconds{5000},
                                        .proxy = "none",
                                        .keep_alive = false});
  REQUIRE(t);
  const auto base = "http://" + server.value()->address();
  http::Request r;
  r.method = http::Method::get;
  r.url = base + "/status";
  auto html = t.value()->send(r);
  REQUIRE(html);
  CHECK(html.value().status == 200);
  CHECK(html.value().header("Content-Security-Policy").has_value());
  r.url = base + "/status.json";
  auto js = t.value()->send(r);
  REQUIRE(js);
  CHECK(js.value().status == 200);
  auto doc = json::parse(js.value().body);
  REQUIRE(doc);
  CHECK(opt_int(at(at(doc.value(), "lanes")[0], "depth")) == 1);
  r.method = http::Method::post;
  r.url = base + "/status/replay";
  r.headers.add("Content-Type", "application/json");
  r.body = R"({"source":"pos/1","id":"e1"})";
  auto refused = t.value()->send(r);
  REQUIRE(refused);
  CHECK(refused.value().status == 401);
  r.url = base + "/metrics";
  r.method = http::Method::get;
  auto metrics = t.value()->send(r);
  REQUIRE(metrics);
  CHECK(metrics.value().body == "up 1\n");
}

TEST_CASE("status page: a replayed dead letter counts as waiting again only from its replay, aged from its intake") {
  sync::MemoryStore store;
  append(store, {ev("r1", "s/1")}, T - 50 * min_ms);
  settle_next(store, sync::Lane::realtime, 1, T - 45 * min_ms, sync::SettleKind::dead, T - 40 * min_ms, "no");
  REQUIRE(store.replay("pos/1", "r1", T - 20 * min_ms));
  Page p(store);
  auto doc = p.snapshot();
  const auto& rt = at(at(doc, "history"), "lanes")[0];
  using I = std::vector<std::optional<std::int64_t>>;
  using D = std::vector<std::optional<double>>;
  CHECK(ints(at(rt, "backlog")) == I{0, 1, 0, 0, 1, 1, 1});
  CHECK(nums(at(rt, "oldest_age_s")) == D{0.0, 0.0, 0.0, 0.0, 1800.0, 2400.0, 3000.0});
  CHECK(ints(at(rt, "dead")) == I{std::nullopt, 0, 1, 0, 0, 0, 0});
  // Now: the same age as the store's oldest pending event (Store::status ages it from its intake).
  CHECK(opt_num(at(at(doc, "lanes")[0], "oldest_pending_age_s")) == doctest::Approx(3000));
}
