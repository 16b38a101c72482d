// The emulator's HTTP server on Boost.Beast: a thread per connection (enough for tests and a
// keep-alive benchmark), with the delivery faults (delay, resets, hang) applied byte-exactly.
#include "server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <condition_variable>
#include <list>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace odoosync::emulator {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct EmulatorServer::State {
  Emulator emulator;
  ServerOptions server;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::uint16_t port = 0;
  std::thread accept_thread;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  struct Connection {
    std::shared_ptr<tcp::socket> socket;
    std::thread thread;
    std::atomic<bool> done{false};
  };
  std::list<Connection> connections;

  State(Options o, ServerOptions s) : emulator(std::move(o)), server(s) {}

  bool sleep_ms(long ms) {
    std::unique_lock lock(mutex);
    return !wake.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping; });
  }

  void accept_loop() {
    for (;;) {
      auto sock = std::make_shared<tcp::socket>(io);
      boost::system::error_code ec;
      acceptor.accept(*sock, ec);
      std::lock_guard lock(mutex);
      if (stopping) return;
      if (ec) continue;
      sock->set_option(tcp::no_delay(true), ec);
      for (auto it = connections.begin(); it != connections.end();) {
        if (it->done) {
          it->thread.join();
          it = connections.erase(it);
        } else {
          ++it;
        }
      }
      auto& c = connections.emplace_back();
      c.socket = sock;
      c.thread = std::thread([this, &c] {
        serve(*c.socket);
        c.done = true;
      });
    }
  }

  // Closing writes the socket's descriptor field, which stop() reads from another thread when it shuts
  // connections down: both happen under the mutex.
  void close(tcp::socket& s, bool with_reset = false) {
    std::lock_guard lock(mutex);
    boost::system::error_code ec;
    if (with_reset) s.set_option(asio::socket_base::linger(true, 0), ec);
    s.close(ec);
  }

  void serve(tcp::socket& socket) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(std::uint64_t{128} * 1024 * 1024);  // Odoo's default request limit
      boost::system::error_code ec;
      http::read(socket, buffer, parser, ec);
      if (ec) return;
      auto& req = parser.get();
      HttpRequest in;
      in.method = std::string(req.method_string());
      in.target = std::string(req.target());
      for (const auto& h : req) in.headers.emplace_back(std::string(h.name_string()), std::string(h.value()));
      in.body = std::move(req.body());
      HttpReply reply = emulator.handle(in);
      if (reply.delay.count() > 0 && !sleep_ms(static_cast<long>(reply.delay.count()))) return;
      if (reply.delivery == Delivery::reset_before || reply.delivery == Delivery::reset_after) {
        close(socket, true);
        return;
      }
      if (reply.delivery == Delivery::hang) {
        sleep_ms(24L * 3600 * 1000);
        return;
      }
      const bool keep = server.keep_alive && req.keep_alive();
      http::response<http::string_body> res{static_cast<http::status>(reply.status), req.version()};
      res.set(http::field::server, "Werkzeug/2.2.2 Python/3.11.2");
      for (const auto& [k, v] : reply.headers) res.insert(k, v);
      res.body() = std::move(reply.body);
      res.keep_alive(keep);
      res.prepare_payload();
      http::write(socket, res, ec);
      if (ec || !keep) {
        socket.shutdown(tcp::socket::shutdown_send, ec);
        // drain what the client may still send, so that closing does not turn into a reset
        char sink[4096];
        socket.non_blocking(false, ec);
        for (int i = 0; i < 4 && socket.available(ec) > 0; ++i) socket.read_some(asio::buffer(sink), ec);
        close(socket);
        return;
      }
    }
  }
};

EmulatorServer::EmulatorServer(Options options, ServerOptions server)
    : state_(std::make_unique<State>(std::move(options), server)) {
  boost::system::error_code ec;
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), server.port);
  state_->acceptor.open(ep.protocol(), ec);
  if (!ec) state_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) state_->acceptor.bind(ep, ec);
  if (!ec) state_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("odoosync emulator: cannot listen on 127.0.0.1:" + std::to_string(server.port) + ": " +
                             ec.message());
  state_->port = state_->acceptor.local_endpoint().port();
  state_->accept_thread = std::thread([s = state_.get()] { s->accept_loop(); });
}

EmulatorServer::~EmulatorServer() { stop(); }

void EmulatorServer::stop() {
  if (!state_) return;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) return;
    state_->stopping = true;
    state_->emulator.shutdown();  // calls waiting to commit are abandoned, as when Odoo's process stops
    boost::system::error_code ec;
    ::shutdown(state_->acceptor.native_handle(), SHUT_RDWR);
    for (auto& c : state_->connections) c.socket->shutdown(tcp::socket::shutdown_both, ec);
  }
  state_->wake.notify_all();
  if (state_->accept_thread.joinable()) state_->accept_thread.join();
  for (auto& c : state_->connections) c.thread.join();
  state_->connections.clear();
  boost::system::error_code ec;
  state_->acceptor.close(ec);
}

std::string EmulatorServer::url() const { return "http://127.0.0.1:" + std::to_string(state_->port); }
std::uint16_t EmulatorServer::port() const { return state_->port; }
void EmulatorServer::add_fault(Fault fault) { state_->emulator.add_fault(std::move(fault)); }
Emulator::InFlightCalls EmulatorServer::in_flight() const { return state_->emulator.in_flight(); }

const std::string& EmulatorServer::admin_api_key() const { return state_->emulator.options().admin_api_key; }

}  // namespace odoosync::emulator
