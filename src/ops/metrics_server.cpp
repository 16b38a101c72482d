// MetricsServer on Boost.Beast (kept out of the public header): one io_context on one thread, async
// reads and writes with a deadline, one request per connection (Connection: close), at most
// max_sessions connections at once. Callbacks run on the server's thread; an exception from one is a
// 500, never the end of the thread.
#include <odoosync/ops/metrics_server.hpp>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <exception>
#include <list>
#include <mutex>
#include <thread>

namespace odoosync {
inline namespace v0 {
namespace ops {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t max_sessions = 64;
constexpr std::uint32_t max_header_bytes = 8 * 1024;
constexpr std::uint64_t max_body_bytes = 4 * 1024;

// "127.0.0.1:9464", "[::1]:9464", "localhost:9464".
result<tcp::endpoint> parse_listen(const std::string& text) {
  auto bad = [&](std::string_view why) {
    return Error::validation("metrics listen address '" + text + "': " + std::string(why) +
                             " (expected HOST:PORT, e.g. 127.0.0.1:9464)");
  };
  std::string host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return bad("an IPv6 address is written [ADDRESS]:PORT");
    host = text.substr(1, close - 1);
    port_text = std::string_view(text).substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return bad("no port");
    host = text.substr(0, colon);
    port_text = std::string_view(text).substr(colon + 1);
    if (host.find(':') != std::string::npos) return bad("an IPv6 address is written [ADDRESS]:PORT");
  }
  if (host.empty()) return bad("no host: give the address to listen on, e.g. 127.0.0.1");
  if (host == "localhost") host = "127.0.0.1";
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535)
    return bad("the port is not a number from 0 to 65535");
  boost::system::error_code aec;
  const auto address = asio::ip::make_address(host, aec);
  if (aec) return bad("the host is not an IP address");
  return tcp::endpoint(address, static_cast<std::uint16_t>(port));
}

std::string endpoint_text(const tcp::endpoint& ep) {
  const auto a = ep.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
}

}  // namespace

struct MetricsServer::Impl {
  MetricsServerOptions options;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  tcp::endpoint bound;
  asio::steady_timer pause{io};  // after a failed accept (out of descriptors): not a busy loop
  std::thread thread;

  struct Session;
  std::list<std::weak_ptr<Session>> sessions;  // touched on the io thread only

  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;     // io.run() returned
  bool stopped = false;  // stop() was called

  explicit Impl(MetricsServerOptions o) : options(std::move(o)) {}

  struct Session : std::enable_shared_from_this<Session> {
    Impl& server;
    beast::tcp_stream stream;
    beast::flat_buffer buffer{max_header_bytes};
    std::optional<bhttp::request_parser<bhttp::string_body>> parser;
    bhttp::response<bhttp::string_body> response;
    bool reading = true;

    Session(Impl& s, tcp::socket socket) : server(s), stream(std::move(socket)) {}

    void start() {
      parser.emplace();
      parser->header_limit(max_header_bytes);
      parser->body_limit(max_body_bytes);
      stream.expires_after(server.options.io_timeout);
      bhttp::async_read(stream, buffer, *parser,
                        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
      reading = false;
      if (ec == bhttp::error::header_limit || ec == bhttp::error::body_limit) {
        answer(bhttp::status::payload_too_large, "request too large\n", 11, false);
        return;
      }
      if (ec) {
        close();
        return;
      }
      const auto& req = parser->get();
      const auto target = std::string_view(req.target().data(), req.target().size());
      const auto path = target.substr(0, target.find_first_of("?#"));
      if (server.options.pages && server.options.pages.serves(path)) {
        page(req);
        return;
      }
      if (path != "/metrics" && path != "/healthz") {
        answer(bhttp::status::not_found, "not found: try /metrics or /healthz\n", req.version(), false);
        return;
      }
      if (req.method() != bhttp::verb::get) {
        answer(bhttp::status::method_not_allowed, "only GET\n", req.version(), true);
        return;
      }
      if (path == "/metrics") {
        std::string body;
        try {
          body = server.options.metrics();
        } catch (const std::exception& e) {
          answer(bhttp::status::internal_server_error, std::string("metrics failed: ") + e.what() + "\n", req.version(),
                 false);
          return;
        } catch (...) {
          answer(bhttp::status::internal_server_error, "metrics failed\n", req.version(), false);
          return;
        }
        response.set(bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        answer(bhttp::status::ok, std::move(body), req.version(), false, true);
        return;
      }
      result<void> healthy = success();
      if (server.options.health) {
        try {
          healthy = server.options.health();
        } catch (const std::exception& e) {
          healthy = Error(ErrorKind::storage, e.what());
        } catch (...) {
          healthy = Error(ErrorKind::storage, "the health check failed");
        }
      }
      if (healthy)
        answer(bhttp::status::ok, "ok\n", req.version(), false);
      else
        answer(bhttp::status::service_unavailable, "unhealthy: " + healthy.error().message() + "\n", req.version(),
               false);
    }

    void page(const bhttp::request<bhttp::string_body>& req) {
      PageRequest r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      for (const auto& f : req) r.headers.add(std::string(f.name_string()), std::string(f.value()));
      r.body = req.body();
      PageAnswer a;
      try {
        a = server.options.pages.handle(r);
      } catch (const std::exception& e) {
        answer(bhttp::status::internal_server_error, std::string("page failed: ") + e.what() + "\n", req.version(),
               false);
        return;
      } catch (...) {
        answer(bhttp::status::internal_server_error, "page failed\n", req.version(), false);
        return;
      }
      response.set(bhttp::field::content_type, a.content_type);
      for (const auto& [k, v] : a.headers) response.set(k, v);
      answer(static_cast<bhttp::status>(a.status), std::move(a.body), req.version(), false, true);
    }

    void answer(bhttp::status status, std::string body, unsigned version, bool allow_get, bool typed = false) {
      response.result(status);
      response.version(version == 10 ? 10 : 11);
      response.set(bhttp::field::server, "odoosync");
      if (!typed) response.set(bhttp::field::content_type, "text/plain; charset=utf-8");
      if (allow_get) response.set(bhttp::field::allow, "GET");
      response.set(bhttp::field::cache_control, "no-store");
      response.body() = std::move(body);
      response.keep_alive(false);
      response.prepare_payload();
      stream.expires_after(server.options.io_timeout);
      bhttp::async_write(stream, response, [self = shared_from_this()](beast::error_code, std::size_t) {
        beast::error_code ignored;
        self->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        self->close();
      });
    }

    void close() {
      beast::error_code ignored;
      stream.socket().close(ignored);
    }
  };

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (!acceptor.is_open()) return;  // stop() closed it
      if (ec) {
        pause.expires_after(std::chrono::milliseconds{100});
        pause.async_wait([this](beast::error_code) {
          if (acceptor.is_open()) accept();
        });
        return;
      }
      sessions.remove_if([](const std::weak_ptr<Session>& w) { return w.expired(); });
      if (sessions.size() >= max_sessions) {
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        auto s = std::make_shared<Session>(*this, std::move(socket));
        sessions.push_back(s);
        s->start();
      }
      accept();
    });
  }

  // On the io thread: no new connections, and connections still waiting for their request are closed;
  // answers being written finish.
  void close_listener() {
    beast::error_code ignored;
    acceptor.close(ignored);
    pause.cancel();
    for (auto& w : sessions)
      if (auto s = w.lock(); s && s->reading) s->close();
  }
};

MetricsServer::MetricsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MetricsServer::~MetricsServer() { stop(); }

result<std::unique_ptr<MetricsServer>> MetricsServer::start(MetricsServerOptions options) {
  if (!options.metrics) return Error::validation("MetricsServer needs a metrics callback");
  if (options.io_timeout.count() <= 0) return Error::validation("MetricsServer io_timeout must be positive");
  auto ep = parse_listen(options.listen);
  if (!ep) return ep.error();
  auto impl = std::make_unique<Impl>(std::move(options));
  boost::system::error_code ec;
  impl->acceptor.open(ep.value().protocol(), ec);
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep.value(), ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Error::transport(TransportFailure::other, false,
                            "cannot listen on " + endpoint_text(ep.value()) + " for metrics: " + ec.message());
  impl->bound = impl->acceptor.local_endpoint(ec);
  if (ec) return Error::transport(TransportFailure::other, false, "cannot read the metrics address: " + ec.message());
  impl->accept();
  auto* raw = impl.get();
  impl->thread = std::thread([raw] {
    for (;;) {
      try {
        raw->io.run();
        break;
      } catch (...) {
        // A handler threw (memory exhausted): keep serving what is left.
      }
    }
    std::lock_guard lock(raw->mutex);
    raw->done = true;
    raw->done_cv.notify_all();
  });
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(impl)));
}

std::string MetricsServer::address() const { return endpoint_text(impl_->bound); }
std::uint16_t MetricsServer::port() const noexcept { return impl_->bound.port(); }

void MetricsServer::stop(std::chrono::milliseconds deadline) {
  if (!impl_) return;
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  asio::post(impl_->io, [impl = impl_.get()] { impl->close_listener(); });
  {
    std::unique_lock lock(impl_->mutex);
    if (!impl_->done_cv.wait_for(lock, deadline, [&] { return impl_->done; })) {
      lock.unlock();
      impl_->io.stop();
    }
  }
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace ops
}  // namespace v0
}  // namespace odoosync
