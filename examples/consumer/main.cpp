// The packaging check's program: links the installed library and exercises it without a network.
#include <odoosync/core/json.hpp>
#include <odoosync/odoosync.hpp>

#include <cstdio>
#include <memory>

namespace os = odoosync;

int main() {
  auto fake = std::make_shared<os::http::FakeTransport>();
  fake->push_json(503, "{}").push_json(200, R"({"jsonrpc":"2.0","id":1,"result":{"server_version":"18.0"}})");
  os::ManualClock clock;
  os::http::RetryTransport retry(fake, {}, clock, 1);
  os::http::Request req;
  req.url = "http://odoo.invalid/web/webclient/version_info";
  req.body = "{}";
  req.idempotent = true;
  auto r = retry.send(req);
  if (!r || r.value().status != 200) return 1;
  auto doc = os::json::parse(r.value().body);
  if (!doc) return 1;
  auto curl = os::http::CurlTransport::create();
  if (!curl) return 1;
  std::printf("consumer: odoosync %s, server %s after %d attempts\n", os::library_version(),
              doc.value()["result"]["server_version"].GetString(), r.value().attempts);
  return 0;
}
