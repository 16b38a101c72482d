// The Pusher: Odoo's feeds into the outbox, the outbox into a channel (docs/push.md).
#include <odoosync/push/pusher.hpp>

#include <odoosync/core/json.hpp>
#include <odoosync/retail/events.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <set>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace push {

namespace {

constexpr std::string_view kind_names[] = {"stock", "price", "fulfilment"};

// Odoo's order of the change behind an event: its time (write_date) and the record id in its id
// ("stock.quant/42@2026-12-01T10:15:00Z"); 0 when the id has none.
sync::OutboxSequence sequence_of(const retail::Event& e) {
  sync::OutboxSequence s;
  s.time_ms = e.time.seconds * 1000 + static_cast<std::int64_t>(e.time.nanos / 1'000'000);
  const auto at = e.id.find('@');
  const auto slash = e.id.rfind('/', at);
  if (at != std::string::npos && slash != std::string::npos && slash < at) {
    std::int64_t id = 0;
    bool ok = at > slash + 1;
    for (auto i = slash + 1; i < at && ok; ++i) {
      const char c = e.id[i];
      if (c < '0' || c > '9' || id > (INT64_MAX - 9) / 10)
        ok = false;
      else
        id = id * 10 + (c - '0');
    }
    if (ok) s.id = id;
  }
  return s;
}

// "SKU-1@<channel location>": the SKU is before the last '@' (channel location ids hold none).
std::pair<std::string, std::string> split_level_key(std::string_view key) {
  const auto at = key.rfind('@');
  if (at == std::string_view::npos) return {std::string(key), std::string()};
  return {std::string(key.substr(0, at)), std::string(key.substr(at + 1))};
}

std::optional<std::int64_t> parse_int(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  std::int64_t v = 0;
  bool neg = false;
  std::size_t i = 0;
  if ((*text)[0] == '-') neg = true, i = 1;
  if (i >= text->size()) return std::nullopt;
  for (; i < text->size(); ++i) {
    const char c = (*text)[i];
    if (c < '0' || c > '9' || v > (INT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return neg ? -v : v;
}

// A stable key per distinct send: the same item, version and values give the same key (a retry), a
// recomputed quantity a new one.
std::string idempotency_key(std::string_view channel, std::string_view kind, std::string_view key, std::int64_t version,
                            std::string_view detail) {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  };
  mix(channel);
  mix(kind);
  mix(key);
  mix(std::to_string(version));
  mix(detail);
  return fmt::format("odoosync-{:016x}", h);
}

std::string encode_fulfilment(const Fulfilment& f) {
  json::Writer w;
  w.begin_object().member("order_id", f.order_id).member("shipment", f.shipment);
  w.member("carrier", f.carrier).member("tracking_number", f.tracking_number);
  w.key("lines").begin_array();
  for (const auto& l : f.lines) w.begin_object().member("sku", l.sku).member("quantity", l.quantity).end_object();
  w.end_array().end_object();
  return std::string(w.unchecked_view());
}

result<Fulfilment> decode_fulfilment(std::string_view text) {
  ODOOSYNC_TRY(doc, json::parse(text));
  Fulfilment f;
  auto str = [&](const char* k) -> std::string {
    const auto* v = json::find(doc, k);
    return v && v->IsString() ? std::string(json::text(*v)) : std::string();
  };
  f.order_id = str("order_id");
  f.shipment = str("shipment");
  f.carrier = str("carrier");
  f.tracking_number = str("tracking_number");
  if (const auto* lines = json::find(doc, "lines"); lines && lines->IsArray()) {
    for (const auto& l : lines->GetArray()) {
      const auto* sku = json::find(l, "sku");
      const auto* q = json::find(l, "quantity");
      if (!sku || !sku->IsString() || !q || !q->IsInt64()) return Error::protocol("a fulfilment line is malformed");
      f.lines.push_back(Fulfilment::Line{std::string(json::text(*sku)), q->GetInt64()});
    }
  }
  if (f.order_id.empty() || f.shipment.empty()) return Error::protocol("a fulfilment without order or shipment");
  return f;
}

result<retail::Money> decode_price(std::string_view text) {
  const auto sp = text.rfind(' ');
  if (sp == std::string_view::npos) return Error::protocol("a price without currency: '" + std::string(text) + "'");
  return retail::Money::parse(text.substr(0, sp), text.substr(sp + 1));
}

std::string default_owner() {
  static std::atomic<int> n{0};
  return fmt::format("push-{}-{}", ::getpid(), n++);
}

}  // namespace

std::string_view to_string(Kind kind) noexcept { return kind_names[static_cast<std::size_t>(kind)]; }

result<Kind> parse_kind(std::string_view text) {
  if (text == "stock") return Kind::stock;
  if (text == "price" || text == "prices") return Kind::price;
  if (text == "fulfilment" || text == "fulfilments") return Kind::fulfilment;
  return Error::validation("push kind: expected stock, prices or fulfilments, got '" + std::string(text) + "'");
}

sync::Feed feed_of(Kind kind) noexcept {
  switch (kind) {
    case Kind::stock: return sync::Feed::stock_levels;
    case Kind::price: return sync::Feed::prices;
    case Kind::fulfilment: return sync::Feed::fulfilments;
  }
  return sync::Feed::stock_levels;
}

result<std::int64_t> sellable(std::span<const std::string> counts, std::int64_t safety) {
  std::int64_t micros = 0;
  for (const auto& c : counts) {
    ODOOSYNC_TRY(q, retail::Quantity::parse(c));
    if (__builtin_add_overflow(micros, q.micro_units(), &micros))
      return Error::validation("the counts add up beyond range");
  }
  // Whole units, rounded down (a fractional count cannot be sold whole); never below 0.
  const std::int64_t whole = micros >= 0 ? micros / retail::Quantity::scale
                                         : -((-micros + retail::Quantity::scale - 1) / retail::Quantity::scale);
  return std::max<std::int64_t>(0, whole - std::max<std::int64_t>(0, safety));
}

PushCounts& PushCounts::operator+=(const PushCounts& o) {
  applied += o.applied;
  unchanged += o.unchanged;
  stale += o.stale;
  not_listed += o.not_listed;
  retried += o.retried;
  dead += o.dead;
  lost += o.lost;
  calls += o.calls;
  return *this;
}

sync::PullOptions pull_options(std::string_view channel, sync::PullOptions base) {
  base.checkpoint_prefix = "push/" + std::string(channel) + "/";
  return base;
}

Pusher::Pusher(sync::Store& store, std::shared_ptr<ChannelClient> client, std::string channel, PushMapping mapping,
               PusherOptions options)
    : store_(store),
      client_(std::move(client)),
      channel_(std::move(channel)),
      mapping_(std::move(mapping)),
      options_(std::move(options)),
      clock_(options_.clock ? options_.clock : &Clock::system()),
      rng_(options_.seed ? options_.seed : std::random_device{}()) {
  if (options_.owner.empty()) options_.owner = default_owner();
}

std::int64_t Pusher::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_->wall_now().time_since_epoch()).count();
}

std::int64_t Pusher::safety_for(std::string_view sku) const {
  auto it = mapping_.safety_stock_by_sku.find(sku);
  return it != mapping_.safety_stock_by_sku.end() ? it->second : mapping_.safety_stock;
}

void Pusher::count(Kind kind, std::string_view outcome, std::uint64_t n) {
  if (!options_.metrics || n == 0) return;
  const MetricLabel labels[] = {{"channel", channel_}, {"kind", to_string(kind)}, {"outcome", outcome}};
  options_.metrics->increment("odoosync_push_items_total", labels, n);
}

std::chrono::milliseconds Pusher::backoff(int attempts) {
  // Full jitter: uniform in [0, min(max, base * 2^attempts)], at least a tenth of the base.
  const auto cap = std::min<std::int64_t>(options_.backoff_max.count(),
                                          options_.backoff_base.count() * (std::int64_t{1} << std::min(attempts, 20)));
  std::uniform_int_distribution<std::int64_t> d(std::max<std::int64_t>(1, options_.backoff_base.count() / 10),
                                                std::max<std::int64_t>(1, cap));
  return std::chrono::milliseconds{d(rng_)};
}

result<void> Pusher::accept(std::span<const retail::Event> events) {
  std::vector<sync::OutboxChange> changes;
  for (const auto& e : events) {
    const auto seq = sequence_of(e);
    if (const auto* s = std::get_if<retail::StockAdjusted>(&e.data)) {
      if (!s->counted) continue;  // a delta is not a level
      for (const auto& [channel_location, odoo_locations] : mapping_.stock_locations) {
        if (std::find(odoo_locations.begin(), odoo_locations.end(), s->location.value) == odoo_locations.end())
          continue;
        changes.push_back(sync::OutboxChange{channel_, "stock", s->sku.value + "@" + channel_location,
                                             s->location.value, s->counted->value(), seq});
      }
    } else if (const auto* p = std::get_if<retail::PriceChanged>(&e.data)) {
      changes.push_back(
          sync::OutboxChange{channel_, "price", p->price.sku.value, "", p->price.list_price.to_string(), seq});
    } else if (const auto* d = std::get_if<retail::ShipmentDispatched>(&e.data)) {
      Fulfilment f;
      f.order_id = d->shipment.order_number;
      f.shipment = d->shipment.reference;
      f.carrier = d->shipment.carrier.value_or("");
      f.tracking_number = d->shipment.tracking_number.value_or("");
      for (const auto& l : d->shipment.lines.value_or(std::vector<retail::StockLine>{})) {
        const std::int64_t units = l.quantity.micro_units() / retail::Quantity::scale;
        if (units > 0) f.lines.push_back(Fulfilment::Line{l.sku.value, units});
      }
      changes.push_back(sync::OutboxChange{channel_, "fulfilment", f.shipment, "", encode_fulfilment(f), seq});
    }
  }
  if (changes.empty()) return success();
  ODOOSYNC_TRY(n, store_.outbox_upsert(changes, now_ms()));
  if (options_.logger.enabled(LogLevel::debug)) {
    options_.logger.log(LogLevel::debug, "push outbox took changes",
                        {{"channel", channel_},
                         {"changes", static_cast<std::int64_t>(changes.size())},
                         {"items", static_cast<std::int64_t>(n)}});
  }
  return success();
}

sync::OutboxSettle Pusher::retry_later(const sync::OutboxItem& item, std::string error, bool item_failure,
                                       std::optional<std::chrono::milliseconds> retry_after, bool outcome_unknown) {
  sync::OutboxSettle s;
  s.key = item.key;
  s.epoch = item.epoch;
  s.version = item.version;
  s.outcome_unknown = outcome_unknown;
  if (item_failure && item.attempts + 1 >= options_.max_attempts) {
    s.status = sync::OutboxStatus::dead;
    s.error = fmt::format("gave up after {} attempts: {}", item.attempts + 1, error);
    return s;
  }
  s.status = sync::OutboxStatus::pending;
  s.error = std::move(error);
  const auto wait = std::max(backoff(item.attempts), retry_after.value_or(std::chrono::milliseconds{0}));
  s.due_ms = now_ms() + wait.count();
  return s;
}

result<std::vector<bool>> Pusher::settle(Kind kind, std::vector<sync::OutboxSettle>& settles, PushRound& round) {
  if (settles.empty()) return std::vector<bool>{};
  ODOOSYNC_TRY(held, store_.outbox_settle(channel_, to_string(kind), options_.owner, now_ms(), settles));
  for (std::size_t i = 0; i < settles.size(); ++i) {
    if (i < held.size() && held[i]) {
      if (settles[i].status == sync::OutboxStatus::dead) {
        options_.logger.log(LogLevel::warn, "push dead letter",
                            {{"channel", channel_},
                             {"kind", std::string(to_string(kind))},
                             {"key", settles[i].key},
                             {"error", settles[i].error}});
      }
      continue;
    }
    ++round.counts.lost;
    count(kind, "lost");
  }
  settles.clear();
  return held;
}

result<PushRound> Pusher::push_once(Kind kind) {
  PushRound round;
  const ChannelLimits limits = client_->limits();
  sync::OutboxClaim c;
  c.channel = channel_;
  c.kind = std::string(to_string(kind));
  c.owner = options_.owner;
  c.now_ms = now_ms();
  c.lease_ms = options_.lease.count();
  switch (kind) {
    case Kind::stock: c.max_items = std::max<std::size_t>(1, limits.max_levels_per_call); break;
    case Kind::price: c.max_items = std::max<std::size_t>(1, limits.max_prices_per_call); break;
    case Kind::fulfilment: c.max_items = std::max<std::size_t>(1, options_.max_fulfilments_per_call); break;
  }
  ODOOSYNC_TRY(items, store_.outbox_claim(c));
  round.claimed = items.size();
  if (items.empty()) return round;
  result<void> r = kind == Kind::stock ? push_levels(items, round) : push_simple(kind, items, round);
  if (options_.logger.enabled(LogLevel::info)) {
    options_.logger.log(LogLevel::info, "push round",
                        {{"channel", channel_},
                         {"kind", std::string(to_string(kind))},
                         {"claimed", static_cast<std::int64_t>(round.claimed)},
                         {"applied", static_cast<std::int64_t>(round.counts.applied)},
                         {"unchanged", static_cast<std::int64_t>(round.counts.unchanged)},
                         {"stale", static_cast<std::int64_t>(round.counts.stale)},
                         {"not_listed", static_cast<std::int64_t>(round.counts.not_listed)},
                         {"retried", static_cast<std::int64_t>(round.counts.retried)},
                         {"dead", static_cast<std::int64_t>(round.counts.dead)},
                         {"error", round.error}});
  }
  if (!r) return r.error();
  return round;
}

// Stock: compare-and-set levels. See docs/push.md, "Compare-and-set", for the rule.
result<void> Pusher::push_levels(std::vector<sync::OutboxItem>& items, PushRound& round) {
  const Kind kind = Kind::stock;
  struct Work {
    sync::OutboxItem* item = nullptr;
    std::int64_t desired = 0;
    std::string desired_text;
    Level level;
    std::int64_t held = 0;                             // units held back for channel sales Odoo may not know of yet
    std::optional<std::int64_t> confirmed, attempted;  // the channel's value as we last knew it / as written ahead
    int resends = 0;
  };
  std::vector<sync::OutboxSettle> settles;
  std::vector<Work> work;
  for (auto& item : items) {
    auto [sku, location] = split_level_key(item.key);
    std::vector<std::string> counts;
    auto feeds = mapping_.stock_locations.find(location);
    for (const auto& part : item.parts) {
      // Only the Odoo locations that feed this channel location now (the mapping may have changed).
      if (feeds != mapping_.stock_locations.end() &&
          std::find(feeds->second.begin(), feeds->second.end(), part.part) != feeds->second.end())
        counts.push_back(part.value);
    }
    auto q = sellable(counts, safety_for(sku));
    if (!q) {
      sync::OutboxSettle s{item.key, item.epoch, item.version, sync::OutboxStatus::dead};
      s.error = "the stock counts of " + item.key + " cannot be read: " + q.error().message();
      settles.push_back(std::move(s));
      ++round.counts.dead;
      count(kind, "dead");
      continue;
    }
    Work w;
    w.item = &item;
    w.desired = q.value();
    w.desired_text = std::to_string(w.desired);
    w.confirmed = parse_int(item.channel_value);
    w.attempted = parse_int(item.sent);
    if (item.pushed == w.desired_text && !item.sent) {
      sync::OutboxSettle s{item.key, item.epoch, item.version, sync::OutboxStatus::pushed};
      settles.push_back(std::move(s));
      ++round.counts.unchanged;
      count(kind, "unchanged");
      continue;
    }
    w.level.sku = sku;
    w.level.location = location;
    w.level.quantity = w.desired;
    // After a send whose outcome is unknown, the channel most likely holds what was sent.
    w.level.expected = w.attempted ? w.attempted : w.confirmed;
    w.level.as_of = retail::Timestamp{item.sequence.time_ms / 1000,
                                      static_cast<std::uint32_t>((item.sequence.time_ms % 1000) * 1'000'000)};
    work.push_back(std::move(w));
  }
  if (auto done = settle(kind, settles, round); !done) return done.error();

  auto key_of = [&](Work& w) {
    // The quantity and the resend: a send resumed by another worker after a crash carries the key the
    // first carried (the expected quantity is not part of it: it is our bookkeeping, not the change).
    w.level.key = idempotency_key(channel_, "stock", w.item->key, w.item->version,
                                  fmt::format("{}|{}", w.level.quantity, w.resends));
  };
  std::vector<Work*> to_send;
  for (auto& w : work) {
    key_of(w);
    to_send.push_back(&w);
  }
  const std::size_t per_call = std::max<std::size_t>(1, client_->limits().max_levels_per_call);
  std::optional<Error> stop;
  while (!to_send.empty()) {
    // Written ahead: what is about to be set, so a crash before the settle knows the channel may hold it.
    std::vector<sync::OutboxSend> sends;
    for (auto* w : to_send)
      sends.push_back(sync::OutboxSend{w->item->key, w->item->epoch, std::to_string(w->level.quantity)});
    ODOOSYNC_TRY(held, store_.outbox_mark_sent(channel_, "stock", options_.owner, sends));
    std::vector<Work*> kept;
    for (std::size_t i = 0; i < to_send.size(); ++i) {
      if (held[i]) {
        kept.push_back(to_send[i]);
      } else {
        ++round.counts.lost;
        count(kind, "lost");
      }
    }
    std::vector<Work*> again;
    for (std::size_t from = 0; from < kept.size(); from += per_call) {
      const std::size_t n = std::min(per_call, kept.size() - from);
      std::vector<Work*> chunk(kept.begin() + static_cast<std::ptrdiff_t>(from),
                               kept.begin() + static_cast<std::ptrdiff_t>(from + n));
      if (stop) {  // the channel refused our credentials: nothing more is sent this round
        for (auto* w : chunk) {
          auto s = retry_later(*w->item, stop->to_string(), false, std::chrono::milliseconds{60'000}, false);
          s.count_attempt = false;
          settles.push_back(std::move(s));
        }
        continue;
      }
      std::vector<Level> levels;
      for (auto* w : chunk) levels.push_back(w->level);
      ++round.counts.calls;
      auto res = client_->set_levels(levels);
      if (res && res.value().size() != levels.size()) {
        res = Error::protocol(fmt::format("{} answered {} results for {} levels", client_->provider(),
                                          res.value().size(), levels.size()));
      }
      if (!res) {
        const Error& e = res.error();
        round.error = e.to_string();
        if (e.kind() == ErrorKind::auth) {
          stop = e;
          for (auto* w : chunk) {
            auto s = retry_later(*w->item, e.to_string(), false, std::chrono::milliseconds{60'000}, false);
            s.count_attempt = false;
            settles.push_back(std::move(s));
          }
          continue;
        }
        round.retry_after = e.retry_after();
        for (auto* w : chunk) {
          settles.push_back(retry_later(*w->item, e.to_string(), false, e.retry_after(), e.outcome_unknown()));
          ++round.counts.retried;
        }
        count(kind, "retry", chunk.size());
        continue;
      }
      for (std::size_t i = 0; i < chunk.size(); ++i) {
        Work& w = *chunk[i];
        const ItemResult& ir = res.value()[i];
        sync::OutboxSettle s{w.item->key, w.item->epoch, w.item->version, sync::OutboxStatus::pushed};
        switch (ir.outcome) {
          case Outcome::applied:
            s.pushed = w.desired_text;
            s.channel_value = std::to_string(w.level.quantity);
            settles.push_back(std::move(s));
            ++round.counts.applied;
            count(kind, "applied");
            break;
          case Outcome::stale: {
            ++round.counts.stale;
            count(kind, "stale");
            if (!ir.channel_quantity) {
              settles.push_back(retry_later(*w.item,
                                            "compare-and-set refused without the channel's quantity: " + ir.message,
                                            true, std::nullopt, false));
              ++round.counts.retried;
              break;
            }
            const std::int64_t now_held = *ir.channel_quantity;
            if (now_held == w.level.quantity) {  // the channel holds the target already (an earlier send applied)
              s.pushed = w.desired_text;
              s.channel_value = std::to_string(now_held);
              settles.push_back(std::move(s));
              ++round.counts.applied;
              count(kind, "applied");
              break;
            }
            // The channel sold (or restocked) since we set it: Odoo's count may not include those sales
            // yet, so they are held back from the desired quantity (docs/push.md).
            std::int64_t baseline = w.level.expected.value_or(now_held);
            if (w.resends == 0 && w.attempted && !w.confirmed) {
              // The first send's outcome was unknown and the channel's value before it was never ours: a
              // difference is no sale we can tell (the send most likely did not land).
              baseline = now_held;
            } else if (w.resends == 0 && w.attempted && w.confirmed && w.attempted != w.confirmed) {
              // After a send whose outcome is unknown: the channel held one of the two. Equal to one of
              // them: no sale since; else the larger, so a sale is never lost (at worst held back).
              if (now_held == *w.attempted || now_held == *w.confirmed)
                baseline = now_held;
              else
                baseline = std::max(*w.attempted, *w.confirmed);
            }
            w.held += std::max<std::int64_t>(0, baseline - now_held);
            if (w.resends >= options_.stale_resends) {
              settles.push_back(retry_later(*w.item,
                                            fmt::format("compare-and-set refused {} times in a row (the "
                                                        "channel holds {})",
                                                        w.resends + 1, now_held),
                                            true, std::nullopt, false));
              ++round.counts.retried;
              break;
            }
            ++w.resends;
            w.level.expected = now_held;
            w.level.quantity = std::max<std::int64_t>(0, w.desired - w.held);
            key_of(w);
            again.push_back(&w);
            break;
          }
          case Outcome::not_listed:
            s.status = sync::OutboxStatus::not_listed;
            s.pushed = w.desired_text;
            s.error = ir.message;
            settles.push_back(std::move(s));
            ++round.counts.not_listed;
            count(kind, "not_listed");
            break;
          case Outcome::retry:
            settles.push_back(retry_later(*w.item, ir.message, true, std::nullopt, false));
            if (settles.back().status == sync::OutboxStatus::dead) {
              ++round.counts.dead;
              count(kind, "dead");
            } else {
              ++round.counts.retried;
              count(kind, "retry");
            }
            break;
          case Outcome::rejected:
            s.status = sync::OutboxStatus::dead;
            s.error = ir.message.empty() ? std::string("rejected by the channel") : ir.message;
            settles.push_back(std::move(s));
            ++round.counts.dead;
            count(kind, "rejected");
            break;
        }
      }
    }
    to_send = std::move(again);
  }
  if (auto done = settle(kind, settles, round); !done) return done.error();
  if (stop) return *stop;
  return success();
}

// Prices and fulfilments: absolute values and keyed shipments, no compare-and-set.
result<void> Pusher::push_simple(Kind kind, std::vector<sync::OutboxItem>& items, PushRound& round) {
  std::vector<sync::OutboxSettle> settles;
  struct Work {
    sync::OutboxItem* item;
    std::string desired;
  };
  std::vector<Work> work;
  std::vector<Price> prices;
  std::vector<Fulfilment> fulfilments;
  for (auto& item : items) {
    std::string desired = item.parts.empty() ? std::string() : item.parts.front().value;
    if (item.pushed == desired && !item.sent) {
      settles.push_back(sync::OutboxSettle{item.key, item.epoch, item.version, sync::OutboxStatus::pushed});
      ++round.counts.unchanged;
      count(kind, "unchanged");
      continue;
    }
    result<void> ok = success();
    const std::string key = idempotency_key(channel_, to_string(kind), item.key, item.version, desired);
    if (kind == Kind::price) {
      auto m = decode_price(desired);
      if (m)
        prices.push_back(Price{item.key, m.value(), key});
      else
        ok = m.error();
    } else {
      auto f = decode_fulfilment(desired);
      if (f) {
        f.value().key = key;
        fulfilments.push_back(std::move(f).value());
      } else {
        ok = f.error();
      }
    }
    if (!ok) {
      sync::OutboxSettle s{item.key, item.epoch, item.version, sync::OutboxStatus::dead};
      s.error = "the outbox value of " + item.key + " cannot be read: " + ok.error().message();
      settles.push_back(std::move(s));
      ++round.counts.dead;
      count(kind, "dead");
      continue;
    }
    work.push_back(Work{&item, std::move(desired)});
  }
  std::optional<Error> stop;
  if (!work.empty()) {
    ++round.counts.calls;
    auto res = kind == Kind::price ? client_->set_prices(prices) : client_->fulfil(fulfilments);
    if (res && res.value().size() != work.size()) {
      res = Error::protocol(
          fmt::format("{} answered {} results for {} items", client_->provider(), res.value().size(), work.size()));
    }
    if (!res) {
      const Error& e = res.error();
      round.error = e.to_string();
      if (e.kind() == ErrorKind::auth)
        stop = e;
      else
        round.retry_after = e.retry_after();
      for (auto& w : work) {
        auto s = retry_later(
            *w.item, e.to_string(), false,
            stop ? std::optional<std::chrono::milliseconds>(std::chrono::milliseconds{60'000}) : e.retry_after(),
            e.outcome_unknown());
        if (stop)
          s.count_attempt = false;
        else
          ++round.counts.retried;
        settles.push_back(std::move(s));
      }
      if (!stop) count(kind, "retry", work.size());
    } else {
      for (std::size_t i = 0; i < work.size(); ++i) {
        const ItemResult& ir = res.value()[i];
        auto& w = work[i];
        sync::OutboxSettle s{w.item->key, w.item->epoch, w.item->version, sync::OutboxStatus::pushed};
        switch (ir.outcome) {
          case Outcome::applied:
            s.pushed = w.desired;
            s.channel_value = w.desired;
            ++round.counts.applied;
            count(kind, "applied");
            break;
          case Outcome::not_listed:
            s.status = sync::OutboxStatus::not_listed;
            s.pushed = w.desired;
            s.error = ir.message;
            ++round.counts.not_listed;
            count(kind, "not_listed");
            break;
          case Outcome::stale:  // no compare-and-set here: a transient refusal
          case Outcome::retry:
            s = retry_later(*w.item, ir.message, true, std::nullopt, false);
            if (s.status == sync::OutboxStatus::dead) {
              ++round.counts.dead;
              count(kind, "dead");
            } else {
              ++round.counts.retried;
              count(kind, "retry");
            }
            break;
          case Outcome::rejected:
            s.status = sync::OutboxStatus::dead;
            s.error = ir.message.empty() ? std::string("rejected by the channel") : ir.message;
            ++round.counts.dead;
            count(kind, "rejected");
            break;
        }
        settles.push_back(std::move(s));
      }
    }
  }
  if (auto done = settle(kind, settles, round); !done) return done.error();
  if (stop) return *stop;
  return success();
}

result<PushSummary> Pusher::run(Kind kind, RunOptions options) {
  PushSummary summary;
  const auto start = clock_->now();
  for (;;) {
    auto round = push_once(kind);
    if (!round) {
      summary.last_error = round.error().to_string();
      return round.error();
    }
    summary.counts += round.value().counts;
    if (!round.value().error.empty()) summary.last_error = round.value().error;
    if (round.value().claimed > 0) {
      ++summary.rounds;
      continue;
    }
    ODOOSYNC_TRY(st, status());
    auto it = st.find(to_string(kind));
    summary.pending = it != st.end() ? it->second.pending : 0;
    summary.dead = it != st.end() ? it->second.dead : 0;
    const auto waited = clock_->now() - start;
    if (summary.pending == 0 || waited >= options.wait_for_retries) break;
    const auto left = options.wait_for_retries - std::chrono::duration_cast<std::chrono::milliseconds>(waited);
    clock_->sleep_for(std::min<std::chrono::milliseconds>(left, std::chrono::milliseconds{200}));
  }
  return summary;
}

result<std::vector<sync::OutboxItem>> Pusher::dead_letters(std::optional<Kind> kind, std::size_t limit) {
  sync::OutboxQuery q;
  q.channel = channel_;
  if (kind) q.kind = std::string(to_string(*kind));
  q.status = sync::OutboxStatus::dead;
  q.limit = limit;
  return store_.outbox_list(q);
}

result<void> Pusher::replay(Kind kind, std::string_view key) {
  ODOOSYNC_TRYV(store_.outbox_replay(channel_, to_string(kind), key, now_ms()));
  options_.logger.log(LogLevel::info, "push dead letter replayed",
                      {{"channel", channel_}, {"kind", std::string(to_string(kind))}, {"key", std::string(key)}});
  return success();
}

result<sync::OutboxStatusCounts> Pusher::status() {
  ODOOSYNC_TRY(st, store_.outbox_status(channel_));
  if (options_.metrics) {
    const std::int64_t now = now_ms();
    for (auto k : {Kind::stock, Kind::price, Kind::fulfilment}) {
      auto it = st.find(to_string(k));
      const sync::OutboxKindStatus zero{};
      const auto& ks = it != st.end() ? it->second : zero;
      const MetricLabel labels[] = {{"channel", channel_}, {"kind", to_string(k)}};
      options_.metrics->gauge("odoosync_push_pending", labels, static_cast<double>(ks.pending));
      options_.metrics->gauge("odoosync_push_dead", labels, static_cast<double>(ks.dead));
      options_.metrics->gauge("odoosync_push_oldest_pending_seconds", labels,
                              ks.oldest_pending_ms
                                  ? static_cast<double>(std::max<std::int64_t>(0, now - *ks.oldest_pending_ms)) / 1000.0
                                  : 0.0);
    }
  }
  return st;
}

}  // namespace push
}  // namespace v0
}  // namespace odoosync
