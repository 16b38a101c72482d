// The channel emulators' loopback server on Boost.Beast: a thread per connection, keep-alive.
#include <odoosync/emulator/channel_server.hpp>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <list>
#include <mutex>
#include <thread>

namespace odoosync {
inline namespace v0 {
namespace channel_emulator {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 && hex_value(in[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

}  // namespace

std::string FakeRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequal(k, name)) return v;
  }
  return {};
}

std::string FakeRequest::query_param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    if (percent_decode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? std::string{} : percent_decode(pair.substr(eq + 1));
    }
  }
  return {};
}

FakeResponse json_response(int status, std::string body, std::vector<std::pair<std::string, std::string>> headers) {
  FakeResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

struct ChannelServer::State {
  Handler handler;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::uint16_t port = 0;
  std::thread accept_thread;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::atomic<std::uint64_t> served{0};
  struct Connection {
    std::shared_ptr<tcp::socket> socket;
    std::thread thread;
    std::atomic<bool> done{false};
  };
  std::list<Connection> connections;

  bool sleep(std::chrono::milliseconds d) {
    std::unique_lock lock(mutex);
    return !wake.wait_for(lock, d, [this] { return stopping; });
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

  void close(tcp::socket& s, bool with_reset) {
    std::lock_guard lock(mutex);
    boost::system::error_code ec;
    if (with_reset) s.set_option(asio::socket_base::linger(true, 0), ec);
    s.close(ec);
  }

  void serve(tcp::socket& socket) {
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(std::uint64_t{64} * 1024 * 1024);
      boost::system::error_code ec;
      bhttp::read(socket, buffer, parser, ec);
      if (ec) {
        close(socket, false);
        return;
      }
      auto& req = parser.get();
      FakeRequest in;
      in.method = std::string(req.method_string());
      in.target = std::string(req.target());
      const auto q = in.target.find('?');
      in.path = in.target.substr(0, q);
      if (q != std::string::npos) in.query = in.target.substr(q + 1);
      for (const auto& h : req) in.headers.emplace_back(std::string(h.name_string()), std::string(h.value()));
      in.body = std::move(req.body());
      FakeResponse out;
      try {
        out = handler(in);
      } catch (const std::exception&) {
        out = json_response(500, std::string("{\"error\":\"emulator handler failed\"}"));
      }
      ++served;
      if (out.delay.count() > 0 && !sleep(out.delay)) {
        close(socket, true);
        return;
      }
      if (out.action == FakeResponse::Action::reset) {
        close(socket, true);
        return;
      }
      const bool keep = req.keep_alive();
      bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(out.status), req.version()};
      bool has_type = false;
      for (const auto& [k, v] : out.headers) {
        if (iequal(k, "content-type")) has_type = true;
        res.insert(k, v);
      }
      if (!has_type) res.set(bhttp::field::content_type, "application/json");
      res.body() = std::move(out.body);
      res.keep_alive(keep);
      res.prepare_payload();
      bhttp::write(socket, res, ec);
      if (ec || !keep) {
        socket.shutdown(tcp::socket::shutdown_send, ec);
        close(socket, false);
        return;
      }
    }
  }
};

result<std::unique_ptr<ChannelServer>> ChannelServer::start(Handler handler, std::uint16_t port) {
  auto state = std::make_unique<State>();
  state->handler = std::move(handler);
  boost::system::error_code ec;
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  state->acceptor.open(ep.protocol(), ec);
  if (!ec) state->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) state->acceptor.bind(ep, ec);
  if (!ec) state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error::validation("channel emulator: cannot listen on 127.0.0.1:" + std::to_string(port) + ": " +
                             ec.message());
  }
  state->port = state->acceptor.local_endpoint().port();
  state->accept_thread = std::thread([s = state.get()] { s->accept_loop(); });
  return std::unique_ptr<ChannelServer>(new ChannelServer(std::move(state)));
}

ChannelServer::ChannelServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

ChannelServer::~ChannelServer() { stop(); }

void ChannelServer::stop() {
  if (!state_) return;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) return;
    state_->stopping = true;
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

std::string ChannelServer::url() const { return "http://127.0.0.1:" + std::to_string(state_->port); }
std::uint16_t ChannelServer::port() const { return state_->port; }
std::uint64_t ChannelServer::requests() const { return state_->served.load(); }

}  // namespace channel_emulator
}  // namespace v0
}  // namespace odoosync
