// WebhookServer on Boost.Beast: asynchronous reads on a fixed pool of threads, one strand per
// connection, the receiver's handling run on the connection's strand (it blocks until the store has
// the events: the pool size bounds concurrent deliveries, and concurrent ones share a commit).
#include <odoosync/serve/webhook_server.hpp>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <charconv>
#include <limits>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace odoosync {
inline namespace v0 {
namespace serve {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::uint32_t header_limit = 32 * 1024;
constexpr std::size_t drain_limit = std::size_t{4} << 20;  // unread body bytes swallowed after an early answer

}  // namespace

class WebhookSession;

struct WebhookServer::Impl {
  WebhookReceiver& receiver;
  ServerOptions options;
  // Declared before the io_context: handlers destroyed with it end sessions, which deregister here.
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::uint64_t, std::weak_ptr<WebhookSession>> sessions;
  std::uint64_t next_id = 0;
  bool stop_called = false, stopped = false, stopped_clean = false;
  std::atomic<bool> stopping{false};

  asio::io_context io;
  tcp::acceptor acceptor{asio::make_strand(io)};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::string address;
  std::uint16_t port = 0;

  Impl(WebhookReceiver& r, ServerOptions o) : receiver(r), options(std::move(o)) {}

  void accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void forget(std::uint64_t id) {
    std::lock_guard l(mutex);
    sessions.erase(id);
    changed.notify_all();
  }
};

// One connection: its requests one after the other (keep-alive), on its own strand.
class WebhookSession : public std::enable_shared_from_this<WebhookSession> {
 public:
  WebhookSession(WebhookServer::Impl& server, std::uint64_t id, tcp::socket&& socket)
      : server_(server), id_(id), stream_(std::move(socket)) {}
  ~WebhookSession() { server_.forget(id_); }
  WebhookSession(const WebhookSession&) = delete;
  WebhookSession& operator=(const WebhookSession&) = delete;

  void start() {
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&WebhookSession::read_header, shared_from_this()));
  }
  // stop(): a connection waiting for its next request is closed; one with a request under way finishes it.
  void stop_if_idle() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->phase_ == Phase::idle) self->close();
    });
  }
  void cut() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
  }

 private:
  enum class Phase : std::uint8_t { idle, reading, handling, writing, closed };

  void read_header() {
    if (server_.stopping.load()) return close();
    phase_ = Phase::idle;
    parser_.emplace();
    parser_->header_limit(header_limit);
    // The declared length is judged by the receiver, per channel. (Not boost::none: Beast 1.74 compares
    // the length with the optional, and an empty optional is less than any length.)
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    stream_.expires_after(server_.options.read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&WebhookSession::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec) return close();  // closed, timed out, or not HTTP: nothing was taken in
    phase_ = Phase::reading;
    received_at_ = std::chrono::system_clock::now();
    const auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    method_ = std::string(req.method_string());
    target_ = std::string(req.target());
    std::optional<std::uint64_t> length;
    if (auto n = parser_->content_length()) length = *n;
    auto admission = server_.receiver.admit(method_, target_, length);
    if (admission.answer) return send(std::move(*admission.answer), !parser_->is_done());
    parser_->body_limit(static_cast<std::uint64_t>(admission.body_limit));  // a chunked body is cut here too
    if (beast::iequals(req[bhttp::field::expect], "100-continue")) {
      auto go_on = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, req.version());
      bhttp::async_write(stream_, *go_on, [self = shared_from_this(), go_on](beast::error_code e, std::size_t) {
        if (e) return self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&WebhookSession::on_body, shared_from_this()));
  }

  void on_body(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::body_limit) return send(server_.receiver.over_limit(target_), true);
    if (ec) return close();
    phase_ = Phase::handling;
    stream_.expires_never();
    auto& req = parser_->get();
    WebhookRequest r;
    r.method = std::move(method_);
    r.target = std::move(target_);
    for (const auto& f : req) r.headers.add(std::string(f.name_string()), std::string(f.value()));
    r.body = std::move(req.body());
    if (!server_.options.public_url.empty()) r.url = server_.options.public_url + r.target;
    r.received_at = received_at_;
    auto answer = server_.receiver.handle(std::move(r));  // returns once the events are durable
    send(std::move(answer), false);
  }

  void send(WebhookAnswer a, bool body_unread) {
    phase_ = Phase::writing;
    const unsigned version = parser_->get().version() == 10 ? 10 : 11;
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(a.status), version);
    res->set(bhttp::field::server, "odoosync");
    res->set(bhttp::field::content_type, a.content_type);
    res->set(bhttp::field::cache_control, "no-store");
    for (const auto& [k, v] : a.headers) res->set(k, v);  // an answer's own Cache-Control replaces ours
    close_after_ = a.close || body_unread || !keep_alive_ || server_.stopping.load();
    res->keep_alive(!close_after_);
    res->body() = std::move(a.body);
    res->prepare_payload();
    stream_.expires_after(server_.options.read_timeout);
    bhttp::async_write(stream_, *res, [self = shared_from_this(), res, body_unread](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      if (!self->close_after_) return self->read_header();
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      if (body_unread) return self->drain();
      self->close();
    });
  }

  // After an answer sent before the body was read (413): swallow what the client still sends, for a
  // while, so that closing does not reset the connection before it has read the answer.
  void drain() {
    stream_.expires_after(std::chrono::seconds{2});
    stream_.async_read_some(asio::buffer(sink_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > drain_limit) return self->close();
      self->drain();
    });
  }

  void close() {
    if (phase_ == Phase::closed) return;
    phase_ = Phase::closed;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  WebhookServer::Impl& server_;
  std::uint64_t id_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Phase phase_ = Phase::idle;
  bool keep_alive_ = true, close_after_ = false;
  std::string method_, target_;
  std::size_t drained_ = 0;
  std::chrono::system_clock::time_point received_at_;
  std::array<char, 16 * 1024> sink_{};
};

void WebhookServer::Impl::accept() {
  acceptor.async_accept(asio::make_strand(io), beast::bind_front_handler(&Impl::on_accept, this));
}

void WebhookServer::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (stopping.load() || ec == asio::error::operation_aborted) {
    beast::error_code ignored;
    socket.close(ignored);
    return;
  }
  if (ec) {  // out of descriptors, a connection reset before it was taken: go on
    accept();
    return;
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  std::shared_ptr<WebhookSession> s;
  {
    std::lock_guard l(mutex);
    if (sessions.size() < options.max_connections) {
      const auto id = ++next_id;
      s = std::make_shared<WebhookSession>(*this, id, std::move(socket));
      sessions.emplace(id, s);
    }
  }
  if (s) {
    s->start();
  } else {
    options.logger.log(LogLevel::warn, "webhook server: connection refused",
                       {{"reason", "max_connections reached"},
                        {"max_connections", static_cast<std::int64_t>(options.max_connections)}});
    socket.close(ignored);
  }
  accept();
}

result<std::pair<std::string, std::uint16_t>> parse_listen_address(std::string_view text) {
  std::string host = "127.0.0.1";
  std::string_view port = text;
  if (!text.empty() && text.front() == '[') {
    const auto end = text.find("]:");
    if (end == std::string_view::npos)
      return Error::validation("listen address \"" + std::string(text) + "\": [host]:port");
    host = std::string(text.substr(1, end - 1));
    port = text.substr(end + 2);
  } else if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
    if (colon > 0) host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  const auto [end, err] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || err != std::errc{} || end != port.data() + port.size() || value > 65535)
    return Error::validation("listen address \"" + std::string(text) + "\": the port must be a number 0-65535");
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  if (ec)
    return Error::validation("listen address \"" + std::string(text) + "\": \"" + host + "\" is not an IP address");
  return std::make_pair(host, static_cast<std::uint16_t>(value));
}

WebhookServer::WebhookServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebhookServer::~WebhookServer() {
  if (impl_) stop();
}

result<std::unique_ptr<WebhookServer>> WebhookServer::start(WebhookReceiver& receiver, ServerOptions options) {
  if (options.threads < 1) return Error::validation("threads must be at least 1");
  if (options.max_connections == 0) return Error::validation("max_connections must be at least 1");
  if (options.read_timeout.count() <= 0) return Error::validation("read_timeout must be positive");
  if (!options.public_url.empty() && options.public_url.back() == '/') options.public_url.pop_back();
  auto impl = std::make_unique<Impl>(receiver, std::move(options));
  auto& I = *impl;
  beast::error_code ec;
  const auto address = asio::ip::make_address(I.options.host, ec);
  if (ec) return Error::validation("listen address: \"" + I.options.host + "\" is not an IP address");
  const tcp::endpoint ep(address, I.options.port);
  I.acceptor.open(ep.protocol(), ec);
  if (!ec) I.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) I.acceptor.bind(ep, ec);
  if (!ec) I.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error::transport(
        TransportFailure::other, false,
        "cannot listen on " + I.options.host + ":" + std::to_string(I.options.port) + ": " + ec.message());
  }
  I.port = I.acceptor.local_endpoint().port();
  I.address = (address.is_v6() ? "[" + I.options.host + "]" : I.options.host) + ":" + std::to_string(I.port);
  I.work.emplace(I.io.get_executor());
  I.accept();
  for (int i = 0; i < I.options.threads; ++i) I.threads.emplace_back([&I] { I.io.run(); });
  I.options.logger.log(LogLevel::info, "webhook server listening",
                       {{"address", I.address}, {"threads", std::int64_t{I.options.threads}}});
  return std::unique_ptr<WebhookServer>(new WebhookServer(std::move(impl)));
}

std::string WebhookServer::address() const { return impl_->address; }
std::uint16_t WebhookServer::port() const { return impl_->port; }

bool WebhookServer::stop(std::chrono::milliseconds deadline) {
  auto& I = *impl_;
  {
    std::unique_lock l(I.mutex);
    if (I.stop_called) {
      I.changed.wait(l, [&] { return I.stopped; });
      return I.stopped_clean;
    }
    I.stop_called = true;
  }
  I.stopping = true;
  asio::post(I.acceptor.get_executor(), [&I] {
    beast::error_code ec;
    I.acceptor.close(ec);
  });
  auto live = [&] {
    std::vector<std::shared_ptr<WebhookSession>> out;
    std::lock_guard l(I.mutex);
    for (auto& [id, w] : I.sessions)
      if (auto s = w.lock()) out.push_back(std::move(s));
    return out;
  };
  for (auto& s : live()) s->stop_if_idle();
  bool clean = false;
  {
    std::unique_lock l(I.mutex);
    clean = I.changed.wait_for(l, deadline, [&] { return I.sessions.empty(); });
  }
  if (!clean) {
    for (auto& s : live()) s->cut();
  }
  I.work.reset();
  for (auto& t : I.threads) t.join();
  I.threads.clear();
  I.options.logger.log(LogLevel::info, "webhook server stopped", {{"address", I.address}, {"clean", clean}});
  {
    std::lock_guard l(I.mutex);
    I.stopped = true;
    I.stopped_clean = clean;
  }
  I.changed.notify_all();
  return clean;
}

void WebhookServer::wait() {
  auto& I = *impl_;
  std::unique_lock l(I.mutex);
  I.changed.wait(l, [&] { return I.stopped; });
}

}  // namespace serve
}  // namespace v0
}  // namespace odoosync
