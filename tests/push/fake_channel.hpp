// A fake ChannelClient for the push framework's tests: levels with compare-and-set, prices, fulfilments,
// unlisted items, per-item refusals and transient failures, whole-call errors, and a hook that runs
// inside a send (a sale in the channel at that moment, a clock moved on).
#pragma once

#include <odoosync/push/channel_client.hpp>

#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace odoosync::testing {

class FakeChannel final : public push::ChannelClient {
 public:
  std::map<std::pair<std::string, std::string>, std::int64_t> levels;  // (sku, location) -> quantity
  std::map<std::string, retail::Money> prices;
  std::vector<push::Fulfilment> fulfilled;
  std::set<std::string> unlisted;                                   // SKUs (or order ids) the channel does not have
  std::map<std::string, std::string> rejecting;                     // SKU -> message
  std::map<std::string, int> failing;                               // SKU -> transient failures still to give
  std::deque<Error> call_errors;                                    // whole-call errors, one per call, first first
  std::function<void(std::span<const push::Level>)> before_levels;  // runs before a set_levels is applied
  std::function<void(std::span<const push::Level>)> after_levels;   // runs after it was applied
  push::ChannelLimits limits_{};
  int level_calls = 0, price_calls = 0, fulfil_calls = 0;
  std::vector<std::vector<push::Level>> sent_levels;
  std::set<std::string> shipments;  // fulfilled shipments (one fulfilment per shipment, ever)

  FakeChannel() {
    limits_.max_levels_per_call = 50;
    limits_.max_prices_per_call = 50;
  }

  std::string_view provider() const noexcept override { return "fake"; }
  push::ChannelLimits limits() const override { return limits_; }

  // A sale in the channel.
  void sell(const std::string& sku, const std::string& location, std::int64_t n) { levels[{sku, location}] -= n; }

  result<std::vector<push::ItemResult>> set_levels(std::span<const push::Level> in) override {
    ++level_calls;
    if (!call_errors.empty()) {
      Error e = call_errors.front();
      call_errors.pop_front();
      return e;
    }
    if (before_levels) before_levels(in);
    sent_levels.emplace_back(in.begin(), in.end());
    std::vector<push::ItemResult> out;
    for (const auto& l : in) {
      push::ItemResult r;
      if (auto f = item_failure(l.sku)) {
        out.push_back(*f);
        continue;
      }
      auto it = levels.find({l.sku, l.location});
      const std::int64_t now = it == levels.end() ? 0 : it->second;
      if (l.expected && *l.expected != now) {
        r.outcome = push::Outcome::stale;
        r.channel_quantity = now;
      } else {
        levels[{l.sku, l.location}] = l.quantity;
      }
      out.push_back(r);
    }
    if (after_levels) after_levels(in);
    return out;
  }

  result<std::vector<push::ItemResult>> set_prices(std::span<const push::Price> in) override {
    ++price_calls;
    if (!call_errors.empty()) {
      Error e = call_errors.front();
      call_errors.pop_front();
      return e;
    }
    std::vector<push::ItemResult> out;
    for (const auto& p : in) {
      if (auto f = item_failure(p.sku)) {
        out.push_back(*f);
        continue;
      }
      prices.insert_or_assign(p.sku, p.price);
      out.push_back(push::ItemResult{});
    }
    return out;
  }

  result<std::vector<push::ItemResult>> fulfil(std::span<const push::Fulfilment> in) override {
    ++fulfil_calls;
    if (!call_errors.empty()) {
      Error e = call_errors.front();
      call_errors.pop_front();
      return e;
    }
    std::vector<push::ItemResult> out;
    for (const auto& f : in) {
      if (auto r = item_failure(f.order_id)) {
        out.push_back(*r);
        continue;
      }
      if (shipments.insert(f.shipment).second) fulfilled.push_back(f);
      out.push_back(push::ItemResult{});
    }
    return out;
  }

  result<std::optional<std::int64_t>> read_level(std::string_view sku, std::string_view location) override {
    auto it = levels.find({std::string(sku), std::string(location)});
    if (it == levels.end()) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(it->second);
  }

  std::int64_t level(const std::string& sku, const std::string& location = "") {
    auto it = levels.find({sku, location});
    return it == levels.end() ? -1 : it->second;
  }

 private:
  std::optional<push::ItemResult> item_failure(const std::string& id) {
    push::ItemResult r;
    if (unlisted.count(id)) {
      r.outcome = push::Outcome::not_listed;
      r.message = id + " is not listed";
      return r;
    }
    if (auto it = rejecting.find(id); it != rejecting.end()) {
      r.outcome = push::Outcome::rejected;
      r.message = it->second;
      return r;
    }
    if (auto it = failing.find(id); it != failing.end() && it->second > 0) {
      --it->second;
      r.outcome = push::Outcome::retry;
      r.message = "locked, try again";
      return r;
    }
    return std::nullopt;
  }
};

}  // namespace odoosync::testing
