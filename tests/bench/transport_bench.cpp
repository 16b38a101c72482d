// Round trips per second on loopback: CurlTransport with keep-alive, CurlTransport with a new
// connection per request, and a minimal raw libcurl loop doing the same POSTs (the floor for our
// overhead). All against the same in-process loopback server, in one run.
#include <benchmark/benchmark.h>

#include <curl/curl.h>
#include <loopback_server.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/http/retry.hpp>

#include <memory>
#include <string>

namespace {

const std::string body =
    R"({"jsonrpc":"2.0","method":"call","params":{"service":"object","method":"execute_kw","args":["retail",2,"key","product.product","search_read",[[["sale_ok","=",true]]],{"fields":["name","list_price"],"limit":1}]},"id":1})";

odoosync::testing::LoopbackServer& server() {
  static odoosync::testing::LoopbackServer s;
  return s;
}

void run_ours(benchmark::State& state, bool keep_alive, bool with_retry) {
  odoosync::http::CurlOptions o;
  o.keep_alive = keep_alive;
  o.proxy = "none";
  auto curl = odoosync::http::CurlTransport::create(o);
  if (!curl) {
    state.SkipWithError("CurlTransport::create failed");
    return;
  }
  std::shared_ptr<odoosync::http::Transport> t = curl.value();
  if (with_retry) t = std::make_shared<odoosync::http::RetryTransport>(t);
  odoosync::http::Request req;
  req.url = server().url() + "/echo";
  req.body = body;
  for (auto _ : state) {
    auto r = t->send(req);
    if (!r || r.value().status != 200) {
      state.SkipWithError("request failed");
      break;
    }
    benchmark::DoNotOptimize(r.value().body.data());
  }
  state.counters["rps"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_curl_transport_keepalive(benchmark::State& s) { run_ours(s, true, false); }
void BM_curl_transport_keepalive_with_retry(benchmark::State& s) { run_ours(s, true, true); }
void BM_curl_transport_new_connection(benchmark::State& s) { run_ours(s, false, false); }

std::size_t collect(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// What a careful user of libcurl alone would write: one easy handle, reused.
void BM_raw_libcurl_keepalive(benchmark::State& state) {
  CURL* h = curl_easy_init();
  const std::string url = server().url() + "/echo";
  std::string out;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
  for (auto _ : state) {
    out.clear();
    long status = 0;
    if (curl_easy_perform(h) != CURLE_OK || (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status), status != 200)) {
      state.SkipWithError("request failed");
      break;
    }
    benchmark::DoNotOptimize(out.data());
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  state.counters["rps"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_raw_libcurl_keepalive)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_curl_transport_keepalive)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_curl_transport_keepalive_with_retry)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_curl_transport_new_connection)->UseRealTime()->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  server().stop();
  return 0;
}
