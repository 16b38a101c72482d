// What the receiver's and the server's tests share: a store that can be slowed down or made to fail,
// a test channel whose delivery body is the CloudEvent itself (authenticated by a header holding the
// secret canary), events, and a log that keeps its lines.
#pragma once

#include <odoosync/channels/crypto.hpp>
#include <odoosync/retail/events.hpp>
#include <odoosync/serve/webhook_receiver.hpp>
#include <odoosync/sync/engine.hpp>
#include <odoosync/sync/memory_store.hpp>

#include <canary.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace odoosync::testing::serve {

namespace sync = odoosync::sync;
namespace srv = odoosync::serve;

inline const std::string& secret() {
  static const std::string s = canary_webhook_secret();
  return s;
}

inline std::string stock_event(const std::string& id, const std::string& sku = "SKU-1", const std::string& delta = "-1",
                               const std::string& source = "channel/test") {
  return R"({"specversion":"1.0","id":")" + id + R"(","source":")" + source +
         R"(","type":"retail.stock.adjusted","time":"2026-12-01T10:15:00Z","data":{"sku":")" + sku +
         R"(","location":"WH/Stock","delta":{"value":")" + delta + R"(","uom":"Units"}}})";
}

// A Store that passes everything to a MemoryStore, and can wait before an intake, or fail it.
class ControlledStore final : public sync::Store {
 public:
  std::atomic<int> append_delay_ms{0};
  std::atomic<bool> fail_append{false}, fail_depth{false};
  std::atomic<int> appends{0};
  sync::MemoryStore inner;

  result<std::vector<sync::Intake>> append(std::span<const sync::NewEvent> events, std::int64_t now_ms,
                                           const sync::Watermarks& high_water) override {
    if (const int ms = append_delay_ms.load(); ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds{ms});
    if (fail_append) return Error(ErrorKind::storage, "disk I/O error (test)");
    auto r = inner.append(events, now_ms, high_water);
    ++appends;
    return r;
  }
  result<std::optional<sync::Batch>> claim(const sync::ClaimRequest& r) override { return inner.claim(r); }
  result<void> renew(std::int64_t b, std::string_view o, std::int64_t u) override { return inner.renew(b, o, u); }
  result<void> settle(std::int64_t b, std::string_view o, const sync::Settlement& s) override {
    return inner.settle(b, o, s);
  }
  result<void> begin_worker(std::string_view o, bool e, std::int64_t n) override { return inner.begin_worker(o, e, n); }
  result<void> end_worker(std::string_view o) override { return inner.end_worker(o); }
  result<std::optional<sync::StoredEvent>> get(std::string_view s, std::string_view id) override {
    return inner.get(s, id);
  }
  result<std::vector<sync::StoredEvent>> find(std::string_view id) override { return inner.find(id); }
  result<std::vector<sync::StoredEvent>> list(sync::EventStatus s, std::size_t l, std::int64_t a) override {
    return inner.list(s, l, a);
  }
  result<void> replay(std::string_view s, std::string_view id, std::int64_t n) override {
    return inner.replay(s, id, n);
  }
  result<void> discard(std::string_view s, std::string_view id, std::string_view r, std::int64_t n) override {
    return inner.discard(s, id, r, n);
  }
  result<std::vector<sync::AuditEntry>> audit(const sync::AuditQuery& q) override { return inner.audit(q); }
  result<sync::StoreStatus> status() override { return inner.status(); }
  result<std::array<std::uint64_t, sync::lane_count>> depth() override {
    if (fail_depth) return Error(ErrorKind::storage, "database is locked (test)");
    return inner.depth();
  }
  result<std::optional<std::string>> checkpoint(std::string_view n) override { return inner.checkpoint(n); }
  result<void> set_checkpoint(std::string_view n, std::string_view v) override { return inner.set_checkpoint(n, v); }
  const std::string& store_id() const noexcept override { return inner.store_id(); }

  std::uint64_t held() {
    auto s = inner.status();
    std::uint64_t n = 0;
    if (s)
      for (const auto& l : s.value().lanes) n += l.total();
    return n;
  }
};

// The test channel: the header X-Test-Token must hold the canary; the body is one CloudEvent, or
// "ping" (nothing to take in), or anything else (a validation error). `hold_ms` makes receive slow,
// `entered` counts the calls that started.
struct TestChannel {
  std::shared_ptr<std::atomic<int>> hold_ms = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<std::atomic<int>> entered = std::make_shared<std::atomic<int>>(0);

  srv::ReceiverChannel channel(std::string name = "test", std::size_t max_body_bytes = 4096) const {
    srv::ReceiverChannel c;
    c.name = std::move(name);
    c.max_body_bytes = max_body_bytes;
    c.receive = [hold = hold_ms, entered = entered](const channels::Delivery& d) -> result<channels::Mapped> {
      ++*entered;
      if (const int ms = hold->load(); ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds{ms});
      const auto token = d.headers.get("X-Test-Token");
      if (!token || !channels::crypto::constant_time_equal(*token, secret()))
        return Error(ErrorKind::auth, "Test delivery refused: token mismatch");
      channels::Mapped m;
      if (d.body == "ping") {
        m.note = "ping: nothing to take in";
        return m;
      }
      auto e = retail::decode_event(d.body);
      if (!e) return std::move(e.error()).with_message_prefix("Test delivery");
      m.events.push_back(std::move(e.value()));
      return m;
    };
    return c;
  }
};

// A log sink that keeps every line.
struct CapturedLog {
  std::shared_ptr<std::mutex> mutex = std::make_shared<std::mutex>();
  std::shared_ptr<std::vector<std::string>> lines = std::make_shared<std::vector<std::string>>();
  Logger logger() const {
    return Logger(std::make_shared<JsonLinesSink>(
        [m = mutex, l = lines](std::string_view line) {
          std::lock_guard g(*m);
          l->emplace_back(line);
        },
        LogLevel::debug));
  }
  std::string text() const {
    std::lock_guard g(*mutex);
    std::string out;
    for (const auto& l : *lines) out += l + "\n";
    return out;
  }
};

}  // namespace odoosync::testing::serve
