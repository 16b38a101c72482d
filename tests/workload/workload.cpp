#include "workload.hpp"

#include <algorithm>
#include <cstdio>
#include <random>

namespace odoosync::workload {

std::string sku_name(int n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "EMU-%05d", n);
  return buf;
}

namespace {

std::string two(int v) { return (v < 10 ? "0" : "") + std::to_string(v); }

// A time of the day: second s after opening at 08:00.
std::string at(const Spec& spec, int s) {
  s = std::min(s, 14 * 3600 - 1);
  return spec.day + "T" + two(8 + s / 3600) + ":" + two(s / 60 % 60) + ":" + two(s % 60) + "Z";
}

std::string stock(const std::string& source, const std::string& id, const std::string& time, std::int64_t sequence,
                  const std::string& sku, const std::string& location, std::int64_t delta) {
  return R"({"specversion":"1.0","id":")" + id + R"(","source":")" + source +
         R"(","type":"retail.stock.adjusted","time":")" + time + R"(","sequence":")" + std::to_string(sequence) +
         R"(","data":{"sku":")" + sku + R"(","location":")" + location + R"(","delta":{"value":")" +
         std::to_string(delta) + R"(","uom":"Units"},"reason":")" + (delta < 0 ? "sale" : "receipt") + R"("}})";
}

std::string money(std::int64_t cents) { return std::to_string(cents / 100) + "." + two(static_cast<int>(cents % 100)); }

}  // namespace

Workload generate(const Spec& spec) {
  Workload w;
  std::mt19937_64 rng(spec.seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };

  w.seed.push_back(R"({"specversion":"1.0","id":"walk-in","source":"erp/crm","type":"retail.customer.upserted",)"
                   R"("time":")" +
                   at(spec, 0) + R"(","data":{"ref":"walk-in","name":"Walk-in customer"}})");

  if (spec.opening_stock > 0) {
    for (int n = 1; n <= spec.skus; ++n) {
      for (const auto& loc : spec.locations) {
        const std::string sku = sku_name(n);
        w.seed.push_back(R"({"specversion":"1.0","id":"open-)" + sku + "@" + loc +
                         R"(","source":"erp/stocktake","type":"retail.stock.adjusted","time":")" + at(spec, 0) +
                         R"(","data":{"sku":")" + sku + R"(","location":")" + loc + R"(","counted":{"value":")" +
                         std::to_string(spec.opening_stock) + R"(","uom":"Units"},"reason":"opening count"}})");
      }
    }
  }

  struct Item {
    int when;
    std::string line;
  };
  std::vector<Item> items;
  std::map<std::string, std::int64_t> sequence;  // per source and subject

  for (int i = 0; i < spec.stock_events; ++i) {
    const std::size_t store = static_cast<std::size_t>(pick(0, static_cast<int>(spec.stores.size()) - 1));
    const std::string sku = sku_name(pick(1, spec.skus));
    const std::string& loc = spec.locations[store % spec.locations.size()];
    const std::int64_t delta = pick(0, 4) == 0 ? pick(1, 12) : -pick(1, 3);
    const std::string& source = spec.stores[store];
    const auto seq = ++sequence[source + "|" + sku + "@" + loc];
    const int when = i * (13 * 3600) / std::max(1, spec.stock_events);
    items.push_back({when, stock(source, "st-" + std::to_string(i + 1), at(spec, when), seq, sku, loc, delta)});
    w.stock_delta[sku + "@" + loc] += delta;
    ++w.valid_events;
  }
  for (int i = 0; i < spec.orders; ++i) {
    char number[32];
    std::snprintf(number, sizeof number, "WEB-%05d", i + 1);
    const int lines = pick(1, 3);
    std::string body;
    std::int64_t total = 0;
    for (int l = 0; l < lines; ++l) {
      const std::string sku = sku_name(pick(1, spec.skus));
      const std::int64_t qty = pick(1, 3);
      const std::int64_t unit = 500 + 25 * pick(0, 200);
      total += qty * unit;
      body += std::string(l ? "," : "") + R"({"sku":")" + sku + R"(","quantity":{"value":")" + std::to_string(qty) +
              R"(","uom":"Units"},"unit_price":{"amount":")" + money(unit) +
              R"(","currency":"EUR"},"total":{"amount":")" + money(qty * unit) + R"(","currency":"EUR"}})";
    }
    const int when = i * (13 * 3600) / std::max(1, spec.orders) + 7;
    items.push_back({when, R"({"specversion":"1.0","id":"order-)" + std::to_string(i + 1) +
                               R"(","source":"web/shop","type":"retail.order.created","time":")" + at(spec, when) +
                               R"(","data":{"number":")" + number +
                               R"(","channel":"web/shop","currency":"EUR",)"
                               R"("ordered_at":")" +
                               at(spec, when) + R"(","lines":[)" + body + R"(],"subtotal":{"amount":")" + money(total) +
                               R"(","currency":"EUR"},"tax_total":{"amount":"0.00","currency":"EUR"},)"
                               R"("total":{"amount":")" +
                               money(total) + R"(","currency":"EUR"}}})"});
    w.order_lines[number] = lines;
    ++w.valid_events;
  }
  for (int i = 0; i < spec.product_upserts; ++i) {
    const std::string sku = sku_name(pick(1, spec.skus));
    const std::string name = "Product " + sku + " v" + std::to_string(i + 1);
    const int when = i * (13 * 3600) / std::max(1, spec.product_upserts) + 3;
    items.push_back({when, R"({"specversion":"1.0","id":"prd-)" + std::to_string(i + 1) +
                               R"(","source":"erp/pim","type":"retail.product.upserted","time":")" + at(spec, when) +
                               R"(","data":{"sku":")" + sku + R"(","name":")" + name + R"(","list_price":{"amount":")" +
                               money(500 + 5 * pick(0, 2000)) + R"(","currency":"EUR"}}})"});
    w.product_names[sku] = name;
    ++w.valid_events;
  }
  for (int i = 0; i < spec.unknown_sku_events; ++i) {
    const std::string source = spec.stores[static_cast<std::size_t>(i) % spec.stores.size()];
    const std::string id = "ghost-" + std::to_string(i + 1);
    const int when = pick(0, 13 * 3600);
    items.push_back(
        {when, stock(source, id, at(spec, when), 1, "GHOST-" + std::to_string(i + 1), spec.locations[0], -1)});
    w.dead.insert(source + " " + id);
    ++w.valid_events;
  }
  for (int i = 0; i < spec.malformed; ++i) {
    const int when = pick(0, 13 * 3600);
    items.push_back(
        {when, R"({"specversion":"1.0","id":"bad-)" + std::to_string(i + 1) +
                   R"(","source":"pos/store-1","type":"retail.stock.adjusted","time":")" + at(spec, when) +
                   R"(","data":{"sku":"EMU-00001","location":"WH/Stock","delta":{"value":"lots","uom":"Units"}}})"});
  }
  for (int n = 1; n <= spec.skus; ++n) {
    for (const auto& loc : spec.locations) {
      const std::string key = sku_name(n) + "@" + loc;
      const auto it = w.stock_delta.find(key);
      const std::int64_t delta = it == w.stock_delta.end() ? 0 : it->second;
      if (spec.opening_stock > 0 || delta != 0) w.stock_final[key] = spec.opening_stock + delta;
    }
  }
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.when < b.when; });
  w.lines.reserve(items.size());
  for (auto& it : items) w.lines.push_back(std::move(it.line));
  return w;
}

}  // namespace odoosync::workload
