// The Odoo client's costs: decoding 10,000 product.product rows (as search_read returns them) into
// typed structs versus RapidJSON's parse into a Document alone; and one call through Client on
// loopback versus the same POST through the bare transport.
#include <benchmark/benchmark.h>

#include <loopback_server.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/odoo/models.hpp>

#include <string>

namespace {

const std::string& product_rows() {
  static const std::string body = [] {
    odoosync::json::Writer w;
    w.begin_array();
    for (int i = 1; i <= 10000; ++i) {
      w.begin_object();
      w.member("id", std::int64_t{i});
      w.member("name", "[FURN_" + std::to_string(i) + "] Caf\xC3\xA9 Desk \"Deluxe\" " + std::to_string(i));
      w.key("default_code");
      if (i % 3)
        w.string("FURN_" + std::to_string(i));
      else
        w.boolean(false);
      w.key("barcode");
      if (i % 2)
        w.string(std::to_string(4006381333931LL + i));
      else
        w.boolean(false);
      w.key("list_price").number(12.5 + i * 0.25);
      w.key("uom_id").begin_array().integer(1).string("Units").end_array();
      w.key("categ_id").begin_array().integer(5).string("All / Saleable / Office Furniture").end_array();
      w.member("sale_ok", true);
      w.member("active", true);
      w.member("write_date", std::string_view("2026-11-22 15:04:12"));
      w.end_object();
    }
    w.end_array();
    return std::string(w.view().value());
  }();
  return body;
}

void BM_rapidjson_parse_only(benchmark::State& state) {
  const auto& body = product_rows();
  for (auto _ : state) {
    rapidjson::Document d;
    d.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseFullPrecisionFlag>(body.data(), body.size());
    benchmark::DoNotOptimize(d);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(body.size()) * state.iterations());
}

void BM_decode_typed_products(benchmark::State& state) {
  const auto& body = product_rows();
  for (auto _ : state) {
    auto doc = odoosync::json::parse(body);
    auto products = odoosync::odoo::decode_records<odoosync::odoo::Product>(doc.value());
    if (!products) state.SkipWithError(products.error().message().c_str());
    benchmark::DoNotOptimize(products);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(body.size()) * state.iterations());
}

odoosync::testing::LoopbackServer& server() {
  static odoosync::testing::LoopbackServer s;
  return s;
}

void BM_bare_transport_call(benchmark::State& state) {
  auto t = odoosync::http::CurlTransport::create({.proxy = "none"}).value();
  odoosync::http::Request req;
  req.url = server().url() + "/json/2/res.partner/echo";
  req.body = R"({"ids":[7],"fields":["name","list_price"]})";
  req.headers.add("Authorization", "bearer 0123456789abcdef0123456789abcdef01234567");
  req.headers.add("Content-Type", "application/json");
  for (auto _ : state) {
    auto r = t->send(req);
    auto doc = odoosync::json::parse(r.value().body);
    benchmark::DoNotOptimize(doc);
  }
}

void BM_client_call(benchmark::State& state) {
  auto t = odoosync::http::CurlTransport::create({.proxy = "none"}).value();
  odoosync::odoo::Config cfg;
  cfg.url = server().url();
  cfg.api_key = odoosync::Secret("0123456789abcdef0123456789abcdef01234567");
  cfg.protocol = odoosync::odoo::Protocol::json2;
  auto client = odoosync::odoo::Client::create(cfg, t).value();
  // /echo answers with the request body: a JSON object that decodes as the call's value.
  for (auto _ : state) {
    auto r = client->call_named("res.partner", "echo", {7}, R"({"fields":["name","list_price"]})");
    if (!r) state.SkipWithError(r.error().to_string().c_str());
    benchmark::DoNotOptimize(r);
  }
}

}  // namespace

BENCHMARK(BM_rapidjson_parse_only)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_decode_typed_products)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_bare_transport_call)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_client_call)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
