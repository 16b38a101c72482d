// Calls per second the emulator serves on this machine, with keep-alive clients: common.version and
// search_read of 80 product rows (4 fields), as in ../shared/odoo/README.md's latency table for real
// Odoo 18. Client threads share one CurlTransport; the emulator runs in-process.
#include <benchmark/benchmark.h>

#include <odoosync/emulator/emulated_odoo.hpp>
#include <odoosync/http/curl_transport.hpp>

namespace {

odoosync::EmulatedOdoo& server() {
  static const auto s =
      odoosync::EmulatedOdoo::start({.port = 0, .keep_alive = true, .data_dir = ODOOSYNC_EMULATOR_DATA_DIR}).value();
  return *s;
}

std::shared_ptr<odoosync::http::CurlTransport> transport() {
  static auto t = odoosync::http::CurlTransport::create({.proxy = "none"}).value();
  return t;
}

void run(benchmark::State& state, const std::string& body) {
  odoosync::http::Request req;
  req.url = server().url() + "/jsonrpc";
  req.body = body;
  auto t = transport();
  for (auto _ : state) {
    auto r = t->send(req);
    if (!r || r.value().status != 200 || r.value().body.find("\"result\"") == std::string::npos) {
      state.SkipWithError("call failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_emulator_common_version(benchmark::State& state) {
  run(state, R"({"jsonrpc":"2.0","method":"call","params":{"service":"common","method":"version","args":[]},"id":1})");
}

void BM_emulator_search_read_80_products(benchmark::State& state) {
  run(state,
      R"({"jsonrpc":"2.0","method":"call","params":{"service":"object","method":"execute_kw","args":["retail18",2,")" +
          server().api_key() +
          R"(","product.product","search_read",[[]],{"fields":["name","default_code","list_price","qty_available"],"limit":80}]},"id":1})");
}

}  // namespace

BENCHMARK(BM_emulator_common_version)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();
BENCHMARK(BM_emulator_search_read_80_products)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();
BENCHMARK_MAIN();
