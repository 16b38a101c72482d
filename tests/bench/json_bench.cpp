// JSON: encode + parse of a ~1 MB call-shaped body (an execute_kw `load` of product rows) through
// odoosync::json versus RapidJSON used directly, with the same guarantees (UTF-8 validated both ways,
// full-precision numbers) and with RapidJSON's defaults.
#include <benchmark/benchmark.h>

#include <odoosync/core/json.hpp>

#include <string>
#include <vector>

namespace {

struct Row {
  std::string xid, name, barcode, category;
  std::int64_t qty;
  double price;
};

const std::vector<Row>& rows() {
  static const std::vector<Row> r = [] {
    std::vector<Row> v;
    for (int i = 0; v.size() < 9500; ++i) {
      v.push_back({"pos_store12.product_" + std::to_string(i),
                   "Caf\xC3\xA9 cr\xC3\xA8me \"deluxe\" #" + std::to_string(i), "40" + std::to_string(10000000 + i * 7),
                   "All / Saleable / Food", i % 50, 1.25 + i});
    }
    return v;
  }();
  return r;
}

template <class W>
void write_call(W& w) {
  w.StartObject();
  w.Key("jsonrpc");
  w.String("2.0");
  w.Key("method");
  w.String("call");
  w.Key("params");
  w.StartObject();
  w.Key("service");
  w.String("object");
  w.Key("method");
  w.String("execute_kw");
  w.Key("args");
  w.StartArray();
  w.String("retail");
  w.Int(2);
  w.String("api-key-placeholder");
  w.String("product.product");
  w.String("load");
  w.StartArray();
  for (const char* f : {"id", "name", "barcode", "categ_id", "qty_available", "list_price"}) w.String(f);
  w.EndArray();
  w.StartArray();
  for (const auto& r : rows()) {
    w.StartArray();
    w.String(r.xid.data(), static_cast<rapidjson::SizeType>(r.xid.size()));
    w.String(r.name.data(), static_cast<rapidjson::SizeType>(r.name.size()));
    w.String(r.barcode.data(), static_cast<rapidjson::SizeType>(r.barcode.size()));
    w.String(r.category.data(), static_cast<rapidjson::SizeType>(r.category.size()));
    w.Int64(r.qty);
    w.Double(r.price);
    w.EndArray();
  }
  w.EndArray();
  w.EndArray();
  w.EndObject();
  w.Key("id");
  w.Int(1);
  w.EndObject();
}

// The same call through our writer.
void write_call_ours(odoosync::json::Writer& w) {
  w.begin_object();
  w.member("jsonrpc", std::string_view("2.0")).member("method", std::string_view("call"));
  w.key("params").begin_object();
  w.member("service", std::string_view("object")).member("method", std::string_view("execute_kw"));
  w.key("args").begin_array();
  w.string("retail").integer(2).string("api-key-placeholder").string("product.product").string("load");
  w.begin_array();
  for (const char* f : {"id", "name", "barcode", "categ_id", "qty_available", "list_price"}) w.string(f);
  w.end_array();
  w.begin_array();
  for (const auto& r : rows()) {
    w.begin_array()
        .string(r.xid)
        .string(r.name)
        .string(r.barcode)
        .string(r.category)
        .integer(r.qty)
        .number(r.price)
        .end_array();
  }
  w.end_array();
  w.end_array();
  w.end_object();
  w.member("id", std::int64_t{1});
  w.end_object();
}

void BM_ours_encode_parse(benchmark::State& state) {
  odoosync::json::Writer w;
  odoosync::json::Document doc;
  std::size_t bytes = 0;
  for (auto _ : state) {
    w.clear();
    write_call_ours(w);
    auto text = w.view();
    if (!text) state.SkipWithError("writer failed");
    bytes = text.value().size();
    if (!odoosync::json::parse_into(doc, text.value())) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes) * state.iterations());
  state.counters["body_bytes"] = static_cast<double>(bytes);
}

template <unsigned WriteFlags, unsigned ParseFlags>
void BM_rapidjson_encode_parse(benchmark::State& state) {
  rapidjson::StringBuffer buf;
  rapidjson::Document doc;
  std::size_t bytes = 0;
  for (auto _ : state) {
    buf.Clear();
    rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>, rapidjson::CrtAllocator,
                      WriteFlags>
        w(buf);
    write_call(w);
    bytes = buf.GetSize();
    doc.Parse<ParseFlags>(buf.GetString(), buf.GetSize());
    if (doc.HasParseError()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes) * state.iterations());
}

}  // namespace

BENCHMARK(BM_ours_encode_parse)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_rapidjson_encode_parse<rapidjson::kWriteValidateEncodingFlag,
                                    rapidjson::kParseValidateEncodingFlag | rapidjson::kParseFullPrecisionFlag>)
    ->Name("BM_rapidjson_same_guarantees")
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_rapidjson_encode_parse<rapidjson::kWriteDefaultFlags, rapidjson::kParseDefaultFlags>)
    ->Name("BM_rapidjson_defaults")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
