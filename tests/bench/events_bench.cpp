// Retail events: decode + validate (decode_event) of a stock-adjusted event and of a 20-line
// order-created, against RapidJSON parsing the same bytes alone (a Document, the same flags: UTF-8
// validated, full-precision numbers). The ratio is what strict validation costs over a bare parse.
#include <benchmark/benchmark.h>

#include <odoosync/core/json.hpp>
#include <odoosync/retail/events.hpp>

#include <string>

using namespace odoosync::retail;

namespace {

const std::string& stock_event() {
  static const std::string text =
      R"({"specversion":"1.0","id":"evt-000123","source":"pos/store-12","type":"retail.stock.adjusted",)"
      R"("time":"2026-12-01T10:15:00Z","subject":"sku/SKU-1@WH/Stock","datacontenttype":"application/json",)"
      R"("dataschema":"https://odoosync.dev/schemas/retail.stock.adjusted.v1.json","sequence":"42",)"
      R"("traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",)"
      R"("data":{"sku":"SKU-1","location":"WH/Stock","delta":{"value":"-2","uom":"Units"},"reason":"sale"}})";
  return text;
}

const std::string& order_event() {
  static const std::string text = [] {
    const Currency eur = Currency::of("EUR").value();
    Order o;
    o.number = "WEB-100234";
    o.channel = {"web/shop"};
    o.customer = "C-8812";
    o.currency = eur;
    o.ordered_at = Timestamp::parse("2026-12-01T09:30:00Z").value();
    std::int64_t sub = 0, tax = 0;
    for (int i = 0; i < 20; ++i) {
      OrderLine l;
      l.sku = {"SKU-" + std::to_string(1000 + i)};
      l.quantity = Quantity::parse(std::to_string(1 + i % 3)).value();
      l.unit_price = Money(999 + 100 * i, eur);
      l.tax = Money((999 + 100 * i) / 5, eur);
      l.total = extend(l.quantity, l.unit_price).value();
      sub += l.total.minor_units();
      tax += l.tax->minor_units();
      o.lines.push_back(l);
    }
    o.subtotal = Money(sub, eur);
    o.tax_total = Money(tax, eur);
    o.total = Money(sub + tax, eur);
    auto ev = make_event(OrderCreated{o},
                         {.source = "web/shop", .id = "evt-order-1", .time = {}, .sequence = 1, .traceparent = {}});
    return encode_event(ev.value());
  }();
  return text;
}

void parse_only(benchmark::State& state, const std::string& text) {
  for (auto _ : state) {
    rapidjson::Document d;
    d.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseFullPrecisionFlag>(text.data(), text.size());
    benchmark::DoNotOptimize(d.HasParseError());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

// What decode_event parsed with before it had a parser of its own (json::parse: a fresh document, the
// UTF-8 check inside RapidJSON, numbers converted exactly): a reference for where the time goes.
void parse_json_parse(benchmark::State& state, const std::string& text) {
  for (auto _ : state) {
    auto d = odoosync::json::parse(text);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void decode(benchmark::State& state, const std::string& text) {
  for (auto _ : state) {
    auto ev = decode_event(text);
    if (!ev) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(ev);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void BM_StockAdjusted_RapidJsonParse(benchmark::State& s) { parse_only(s, stock_event()); }
void BM_StockAdjusted_JsonParse(benchmark::State& s) { parse_json_parse(s, stock_event()); }
void BM_StockAdjusted_DecodeValidate(benchmark::State& s) { decode(s, stock_event()); }
void BM_Order20_RapidJsonParse(benchmark::State& s) { parse_only(s, order_event()); }
void BM_Order20_JsonParse(benchmark::State& s) { parse_json_parse(s, order_event()); }
void BM_Order20_DecodeValidate(benchmark::State& s) { decode(s, order_event()); }
void BM_Order20_Encode(benchmark::State& state) {
  const Event ev = decode_event(order_event()).value();
  for (auto _ : state) benchmark::DoNotOptimize(encode_event(ev));
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_StockAdjusted_RapidJsonParse);
BENCHMARK(BM_StockAdjusted_JsonParse);
BENCHMARK(BM_StockAdjusted_DecodeValidate);
BENCHMARK(BM_Order20_RapidJsonParse);
BENCHMARK(BM_Order20_JsonParse);
BENCHMARK(BM_Order20_DecodeValidate);
BENCHMARK(BM_Order20_Encode);

}  // namespace

BENCHMARK_MAIN();
