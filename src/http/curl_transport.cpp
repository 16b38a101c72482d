// CurlTransport on libcurl's easy interface: a pool of easy handles (each keeps its own warm
// connections) checked out by whichever thread sends, a share handle for DNS and TLS sessions, and a
// classification of every failure by whether the request had left this process.
#include <odoosync/http/curl_transport.hpp>

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <vector>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace http {

namespace {

std::once_flag global_init_once;
CURLcode global_init_code = CURLE_OK;

struct Exchange {
  const Request* request = nullptr;
  std::size_t max_bytes = 0;
  bool too_large = false;
  Response* response = nullptr;
};

std::size_t on_write(char* data, std::size_t size, std::size_t nmemb, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  std::size_t n = size * nmemb;
  if (ex->response->body.size() + n > ex->max_bytes) {
    ex->too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  ex->response->body.append(data, n);
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t nitems, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  std::size_t n = size * nitems;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    ex->response->headers.clear();  // a new status line: 100 Continue or a redirect came before
    return n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return n;
  std::string_view name = line.substr(0, colon);
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  ex->response->headers.add(std::string(name), std::string(value));
  return n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* ex = static_cast<Exchange*>(user);
  return ex->request->cancel && ex->request->cancel->cancelled() ? 1 : 0;
}

bool is_tls_failure(CURLcode c) {
  switch (c) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_SHUTDOWN_FAILED: return true;
    default: return false;
  }
}

}  // namespace

struct CurlTransport::Impl {
  CurlOptions options;
  CURLSH* share = nullptr;
  std::mutex share_locks[CURL_LOCK_DATA_LAST];
  std::mutex pool_mutex;
  std::vector<CURL*> pool;  // idle handles, most recently used last
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> connections{0};

  ~Impl() {
    for (CURL* h : pool) curl_easy_cleanup(h);
    if (share) curl_share_cleanup(share);
  }

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Impl*>(user)->share_locks[data].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) { static_cast<Impl*>(user)->share_locks[data].unlock(); }

  CURL* checkout() {
    {
      std::lock_guard lock(pool_mutex);
      if (!pool.empty()) {
        CURL* h = pool.back();
        pool.pop_back();
        return h;
      }
    }
    CURL* h = curl_easy_init();
    if (!h) return nullptr;
    configure(h);
    return h;
  }

  void give_back(CURL* h) {
    std::unique_lock lock(pool_mutex);
    if (pool.size() < options.max_connections) {
      pool.push_back(h);
      return;
    }
    lock.unlock();
    curl_easy_cleanup(h);
  }

  // Options that stay the same for every request through this handle.
  void configure(CURL* h) {
    curl_easy_setopt(h, CURLOPT_SHARE, share);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_MAXCONNECTS, 4L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options.verify_tls ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options.verify_tls ? 2L : 0L);
    if (!options.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options.ca_file.c_str());
    if (!options.ca_path.empty()) curl_easy_setopt(h, CURLOPT_CAPATH, options.ca_path.c_str());
    if (options.proxy == "none") {
      curl_easy_setopt(h, CURLOPT_PROXY, "");
    } else if (!options.proxy.empty()) {
      curl_easy_setopt(h, CURLOPT_PROXY, options.proxy.c_str());
    }
    if (options.accept_gzip) curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip, deflate");
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_response_bytes));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    if (!options.keep_alive) {
      curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
      curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_write);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &on_progress);
  }
};

CurlTransport::CurlTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CurlTransport::~CurlTransport() = default;

result<std::shared_ptr<CurlTransport>> CurlTransport::create(CurlOptions options) {
  std::call_once(global_init_once, [] { global_init_code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (global_init_code != CURLE_OK) {
    return Error::transport(TransportFailure::other, false,
                            fmt::format("libcurl failed to initialise: {}", curl_easy_strerror(global_init_code)));
  }
  if (options.connect_timeout.count() <= 0) return Error::validation("CurlOptions.connect_timeout must be positive");
  if (options.timeout.count() <= 0) return Error::validation("CurlOptions.timeout must be positive");
  if (options.max_response_bytes == 0) return Error::validation("CurlOptions.max_response_bytes must be positive");
  std::error_code ec;
  if (!options.ca_file.empty() && !std::filesystem::is_regular_file(options.ca_file, ec)) {
    return Error::validation(fmt::format("CurlOptions.ca_file '{}' is not a readable file", options.ca_file));
  }
  if (!options.ca_path.empty() && !std::filesystem::is_directory(options.ca_path, ec)) {
    return Error::validation(fmt::format("CurlOptions.ca_path '{}' is not a directory", options.ca_path));
  }
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->share = curl_share_init();
  if (!impl->share) return Error::transport(TransportFailure::other, false, "curl_share_init failed");
  curl_share_setopt(impl->share, CURLSHOPT_LOCKFUNC, &Impl::lock);
  curl_share_setopt(impl->share, CURLSHOPT_UNLOCKFUNC, &Impl::unlock);
  curl_share_setopt(impl->share, CURLSHOPT_USERDATA, impl.get());
  // Connections themselves are not shared through CURLSH: libcurl documents that as unsafe across
  // concurrent threads. Reuse comes from the handle pool instead.
  curl_share_setopt(impl->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(impl->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  return std::shared_ptr<CurlTransport>(new CurlTransport(std::move(impl)));
}

CurlTransport::Stats CurlTransport::stats() const {
  return {impl_->requests.load(std::memory_order_relaxed), impl_->connections.load(std::memory_order_relaxed)};
}

result<Response> CurlTransport::send(const Request& request) {
  auto tag = [&request](Error e) {
    if (!request.correlation_id.empty()) e.with_correlation_id(request.correlation_id);
    return e;
  };
  if (request.cancel && request.cancel->cancelled()) return tag(Error::cancelled("cancelled before sending"));

  auto timeout = request.timeout.count() > 0 ? request.timeout : impl_->options.timeout;
  if (request.deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*request.deadline - Clock::system().now());
    if (left.count() <= 0) {
      return tag(Error::transport(TransportFailure::timeout, false, "deadline passed before the request was sent"));
    }
    timeout = std::min(timeout, left);
  }

  CURL* h = impl_->checkout();
  if (!h) return tag(Error::transport(TransportFailure::other, false, "curl_easy_init failed"));

  Response response;
  Exchange ex;
  ex.request = &request;
  ex.max_bytes = impl_->options.max_response_bytes;
  ex.response = &response;

  curl_slist* headers = nullptr;
  bool has_content_type = false;
  for (const auto& [name, value] : request.headers) {
    if (iequals(name, "content-type")) has_content_type = true;
    std::string line = name;  // "Name;" sends an empty value
    line += value.empty() ? ";" : ": ";
    line += value;
    headers = curl_slist_append(headers, line.c_str());
  }
  if (!request.body.empty() && !has_content_type)
    headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip for large bodies
  if (!request.correlation_id.empty() && !request.headers.contains("X-Correlation-Id")) {
    headers = curl_slist_append(headers, ("X-Correlation-Id: " + request.correlation_id).c_str());
  }

  char errbuf[CURL_ERROR_SIZE];
  errbuf[0] = 0;
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &ex);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, request.cancel ? 0L : 1L);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, nullptr);
  curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
  switch (request.method) {
    case Method::get: curl_easy_setopt(h, CURLOPT_HTTPGET, 1L); break;
    case Method::head: curl_easy_setopt(h, CURLOPT_NOBODY, 1L); break;
    default:
      // POSTFIELDS (not a read callback) lets libcurl send head and body in one write: a read callback
      // costs an extra send and about a quarter of the round-trip rate on loopback (docs/benchmarks.md).
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      if (request.method != Method::post) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, std::string(to_string(request.method)).c_str());
      }
      break;
  }

  CURLcode rc = curl_easy_perform(h);
  impl_->requests.fetch_add(1, std::memory_order_relaxed);

  long connects = 0;
  curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
  impl_->connections.fetch_add(static_cast<std::uint64_t>(connects), std::memory_order_relaxed);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t total_us = 0, uploaded = 0;
  long request_bytes = 0;  // bytes of request head written to the socket, over every attempt libcurl made
  curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &total_us);
  curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_bytes);
  curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &uploaded);
  // Connected over TCP (a local port was bound by a finished connect) but no byte of the request went
  // out over https: the TLS handshake never finished. (libcurl leaves the connect times at zero then.)
  long local_port = 0;
  curl_easy_getinfo(h, CURLINFO_LOCAL_PORT, &local_port);
  const bool handshake_unfinished = request.url.rfind("https://", 0) == 0 && local_port > 0 && request_bytes == 0;
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  curl_slist_free_all(headers);

  // Sent once any byte of the request left: libcurl counts the head it wrote and the body it uploaded.
  const bool sent = request_bytes > 0 || uploaded > 0 || status > 0;
  std::string detail = errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(rc));

  if (rc != CURLE_OK) {
    // A handle whose transfer failed may hold a broken connection; libcurl closes it itself, so the
    // handle stays reusable.
    impl_->give_back(h);
    Error e;
    switch (rc) {
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
        e = Error::transport(TransportFailure::dns, false, fmt::format("could not resolve host: {}", detail));
        break;
      case CURLE_COULDNT_CONNECT:
        e = Error::transport(TransportFailure::connect, false, fmt::format("could not connect: {}", detail));
        break;
      case CURLE_OPERATION_TIMEDOUT:
        e = sent ? Error::transport(TransportFailure::timeout, true,
                                    fmt::format("no complete response within {} ms after the request was sent: {}",
                                                timeout.count(), detail))
            : handshake_unfinished || detail.find("SSL") != std::string::npos
                ? Error::transport(TransportFailure::timeout, false,
                                   fmt::format("the TLS handshake did not complete in time (an https:// URL "
                                               "on a server that speaks plain HTTP?): {}",
                                               detail))
                : Error::transport(TransportFailure::timeout, false,
                                   fmt::format("timed out before the request was sent: {}", detail));
        break;
      case CURLE_SEND_ERROR:
      case CURLE_RECV_ERROR:
      case CURLE_GOT_NOTHING:
      case CURLE_PARTIAL_FILE:
      case CURLE_HTTP2:
      case CURLE_HTTP2_STREAM:
        e = Error::transport(TransportFailure::reset, sent,
                             fmt::format("connection {} {}: {}", rc == CURLE_PARTIAL_FILE ? "closed" : "reset",
                                         sent ? "after the request was sent" : "before the request was sent", detail));
        break;
      case CURLE_FILESIZE_EXCEEDED:
        e = Error::protocol(
                fmt::format("response larger than the limit of {} bytes", impl_->options.max_response_bytes))
                .with_outcome_unknown(true);
        break;
      case CURLE_WRITE_ERROR:
        e = ex.too_large ? Error::protocol(fmt::format("response larger than the limit of {} bytes",
                                                       impl_->options.max_response_bytes))
                               .with_outcome_unknown(true)
                         : Error::transport(TransportFailure::other, true, detail);
        break;
      case CURLE_BAD_CONTENT_ENCODING:
        e = Error::protocol(fmt::format("response body could not be decoded: {}", detail)).with_outcome_unknown(true);
        break;
      case CURLE_ABORTED_BY_CALLBACK:
        e = Error::cancelled(sent ? "cancelled after the request was sent" : "cancelled before the request was sent")
                .with_outcome_unknown(sent);
        break;
      case CURLE_UNSUPPORTED_PROTOCOL:
        // Also what libcurl says when the answer has no HTTP status line (HTTP/0.9): the server is not
        // speaking HTTP (a TLS port reached with http://, another service on that port), not a bad URL.
        if (detail.find("HTTP/0.9") != std::string::npos) {
          e = Error::protocol(
                  fmt::format("the server's answer is not HTTP (is the URL's scheme or port right?): {}", detail))
                  .with_outcome_unknown(sent);
          break;
        }
        e = Error::validation(fmt::format("invalid URL: {}", detail));
        break;
      case CURLE_WEIRD_SERVER_REPLY:
        e = Error::protocol(fmt::format("the server's answer is not valid HTTP: {}", detail))
                .with_outcome_unknown(sent);
        break;
      case CURLE_URL_MALFORMAT: e = Error::validation(fmt::format("invalid URL: {}", detail)); break;
      default:
        if (is_tls_failure(rc)) {
          e = Error::transport(TransportFailure::tls, false, fmt::format("TLS failure: {}", detail));
        } else {
          e = Error::transport(TransportFailure::other, sent, detail);
        }
    }
    return tag(std::move(e));
  }
  impl_->give_back(h);
  response.status = static_cast<int>(status);
  response.elapsed = std::chrono::microseconds(total_us);
  return response;
}

}  // namespace http
}  // namespace v0
}  // namespace odoosync
