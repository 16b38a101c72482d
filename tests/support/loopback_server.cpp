// The loopback HTTP server: one accept thread, one thread per connection, hand-written HTTP parsing
// so that tests control every byte (and every reset) that goes back.
#include "loopback_server.hpp"

#include <boost/asio.hpp>
#include <zlib.h>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <list>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace odoosync::testing {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int v = 0;
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec == std::errc{} && p == s.data() + i + 3) {
        out.push_back(static_cast<char>(v));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i] == '+' ? ' ' : s[i]);
  }
  return out;
}

std::string query_param(std::string_view target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return {};
}

long to_long(const std::string& s, long fallback) {
  long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size() ? v : fallback;
}

std::string gzip(std::string_view in) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, static_cast<uLong>(in.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

const char* reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

constexpr std::size_t max_head = 64 * 1024;
constexpr std::size_t max_body = 64 * 1024 * 1024;

}  // namespace

std::string SeenRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequal(k, name)) return v;
  return {};
}

struct LoopbackServer::State {
  ServerOptions options;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::uint16_t port = 0;
  std::thread accept_thread;

  mutable std::mutex mutex;
  std::condition_variable wake;  // stop() wakes slow and hang
  bool stopping = false;
  struct Connection {
    std::shared_ptr<tcp::socket> socket;
    std::thread thread;
    std::atomic<bool> done{false};
  };
  std::list<Connection> connections_open;  // finished ones are joined by the accept loop
  std::deque<SeenRequest> seen;
  std::map<std::string, std::deque<Reply>> scripts;
  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> requests{0};

  // Waits up to ms, returning early (false) when the server stops.
  bool wait_ms(long ms) {
    std::unique_lock lock(mutex);
    return !wake.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping; });
  }

  void accept_loop() {
    for (;;) {
      auto sock = std::make_shared<tcp::socket>(io);
      boost::system::error_code ec;
      acceptor.accept(*sock, ec);
      if (ec) {
        std::lock_guard lock(mutex);
        if (stopping) return;
        continue;
      }
      sock->set_option(tcp::no_delay(true), ec);
      std::lock_guard lock(mutex);
      if (stopping) {
        sock->close(ec);
        return;
      }
      ++connections;
      // Join connections that ended, so a benchmark opening thousands does not keep their threads.
      for (auto it = connections_open.begin(); it != connections_open.end();) {
        if (it->done.load()) {
          it->thread.join();
          it = connections_open.erase(it);
        } else {
          ++it;
        }
      }
      auto& c = connections_open.emplace_back();
      c.socket = sock;
      c.thread = std::thread([this, &c] {
        serve(c.socket);
        c.done.store(true);
      });
    }
  }

  static void reset(tcp::socket& s) {
    boost::system::error_code ec;
    s.set_option(asio::socket_base::linger(true, 0), ec);
    s.close(ec);
  }

  static void write_all(tcp::socket& s, std::string_view data) {
    boost::system::error_code ec;
    asio::write(s, asio::buffer(data.data(), data.size()), ec);
  }

  void serve(std::shared_ptr<tcp::socket> sock) {
    try {
      std::string buf;
      buf.reserve(16 * 1024);
      char chunk[16 * 1024];
      for (;;) {
        // Read a request head.
        std::size_t head_end;
        while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
          if (buf.size() > max_head) {
            write_all(*sock, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            sock->close();
            return;
          }
          boost::system::error_code ec;
          std::size_t n = sock->read_some(asio::buffer(chunk), ec);
          if (ec || n == 0) return;
          buf.append(chunk, n);
        }
        SeenRequest req;
        std::string_view head(buf.data(), head_end);
        auto line_end = head.find("\r\n");
        std::string_view request_line = head.substr(0, line_end);
        auto sp1 = request_line.find(' ');
        auto sp2 = request_line.rfind(' ');
        if (sp1 == std::string_view::npos || sp2 == sp1 || !request_line.substr(sp2 + 1).starts_with("HTTP/")) {
          write_all(*sock, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
          sock->close();
          return;
        }
        req.method = std::string(request_line.substr(0, sp1));
        req.target = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
        std::size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
        while (pos < head.size()) {
          auto e = head.find("\r\n", pos);
          if (e == std::string_view::npos) e = head.size();
          std::string_view line = head.substr(pos, e - pos);
          auto colon = line.find(':');
          if (colon != std::string_view::npos) {
            std::string_view v = line.substr(colon + 1);
            while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
            while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
            req.headers.emplace_back(std::string(line.substr(0, colon)), std::string(v));
          }
          pos = e + 2;
        }
        buf.erase(0, head_end + 4);
        ++requests;

        std::string path = req.target.substr(0, req.target.find('?'));
        if (path.rfind("http://", 0) == 0) {  // absolute form, as sent to a proxy
          auto slash = path.find('/', 7);
          path = slash == std::string::npos ? "/" : path.substr(slash);
        }
        std::optional<Reply> scripted;
        {
          std::lock_guard lock(mutex);
          auto it = scripts.find(path);
          if (it != scripts.end() && !it->second.empty()) {
            scripted = std::move(it->second.front());
            it->second.pop_front();
          }
        }
        if (scripted && scripted->delay_ms > 0 && !wait_ms(scripted->delay_ms)) return;

        const bool before_body = scripted ? scripted->action == Reply::Action::reset_before_body
                                          : path == "/reset-before-body";
        if (before_body) {
          record(req);
          reset(*sock);
          return;
        }

        // Read the body: Content-Length or chunked.
        if (!req.header("Expect").empty() && iequal(req.header("Expect"), "100-continue")) {
          write_all(*sock, "HTTP/1.1 100 Continue\r\n\r\n");
        }
        bool ok = true;
        if (iequal(req.header("Transfer-Encoding"), "chunked")) {
          ok = read_chunked(*sock, buf, req.body);
        } else if (std::string cl = req.header("Content-Length"); !cl.empty()) {
          long n = to_long(cl, -1);
          if (n < 0 || static_cast<std::size_t>(n) > max_body) {
            write_all(*sock, "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            sock->close();
            return;
          }
          ok = read_exact(*sock, buf, static_cast<std::size_t>(n), req.body);
        }
        if (!ok) return;
        record(req);

        const bool client_closes = iequal(req.header("Connection"), "close");
        bool keep = options.keep_alive && !client_closes;
        if (!respond(*sock, req, path, scripted, keep)) return;
        if (!keep) {
          boost::system::error_code ec;
          sock->shutdown(tcp::socket::shutdown_send, ec);
          sock->close(ec);
          return;
        }
      }
    } catch (...) {
      boost::system::error_code ec;
      sock->close(ec);
    }
  }

  static bool fill(tcp::socket& s, std::string& buf) {
    char chunk[16 * 1024];
    boost::system::error_code ec;
    std::size_t n = s.read_some(asio::buffer(chunk), ec);
    if (ec || n == 0) return false;
    buf.append(chunk, n);
    return true;
  }

  static bool read_exact(tcp::socket& s, std::string& buf, std::size_t n, std::string& out) {
    while (buf.size() < n)
      if (!fill(s, buf)) return false;
    out.assign(buf, 0, n);
    buf.erase(0, n);
    return true;
  }

  static bool read_chunked(tcp::socket& s, std::string& buf, std::string& out) {
    for (;;) {
      std::size_t eol;
      while ((eol = buf.find("\r\n")) == std::string::npos)
        if (!fill(s, buf)) return false;
      std::size_t size = 0;
      auto [p, ec] = std::from_chars(buf.data(), buf.data() + eol, size, 16);
      (void)p;
      if (ec != std::errc{} || out.size() + size > max_body) return false;
      buf.erase(0, eol + 2);
      if (size == 0) {
        // trailers end with an empty line
        while ((eol = buf.find("\r\n")) == std::string::npos)
          if (!fill(s, buf)) return false;
        while (eol != 0) {
          buf.erase(0, eol + 2);
          while ((eol = buf.find("\r\n")) == std::string::npos)
            if (!fill(s, buf)) return false;
        }
        buf.erase(0, 2);
        return true;
      }
      while (buf.size() < size + 2)
        if (!fill(s, buf)) return false;
      out.append(buf, 0, size);
      buf.erase(0, size + 2);
    }
  }

  void record(const SeenRequest& req) {
    std::lock_guard lock(mutex);
    seen.push_back(req);
    if (seen.size() > 1000) seen.pop_front();
  }

  static void send_response(tcp::socket& s, int status, std::vector<std::pair<std::string, std::string>> headers,
                            std::string_view body, bool keep) {
    std::string out;
    out.reserve(256 + body.size());
    out += "HTTP/1.1 ";
    out += std::to_string(status);
    out += ' ';
    out += reason(status);
    out += "\r\n";
    bool has_length = false, has_connection = false;
    for (const auto& [k, v] : headers) {
      if (iequal(k, "Content-Length")) has_length = true;
      if (iequal(k, "Connection")) has_connection = true;
      out += k;
      out += ": ";
      out += v;
      out += "\r\n";
    }
    if (!has_length) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    if (!has_connection) out += keep ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    out += "\r\n";
    out.append(body);
    write_all(s, out);
  }

  // Returns false when the connection must end (after a reset, truncation or hang).
  bool respond(tcp::socket& s, const SeenRequest& req, const std::string& path, const std::optional<Reply>& scripted,
               bool& keep) {
    if (scripted) {
      switch (scripted->action) {
        case Reply::Action::respond:
          send_response(s, scripted->status, scripted->headers, scripted->body, keep);
          return true;
        case Reply::Action::reset_after_body:
          reset(s);
          return false;
        case Reply::Action::truncate: {
          auto headers = scripted->headers;
          headers.emplace_back("Content-Length", std::to_string(scripted->body.size() + 90));
          send_response(s, scripted->status, headers, scripted->body, false);
          boost::system::error_code ec;
          s.close(ec);
          return false;
        }
        case Reply::Action::hang:
          wait_ms(24L * 3600 * 1000);
          return false;
        case Reply::Action::reset_before_body:
          return false;  // handled before reading the body
      }
    }
    const std::string ctype = req.header("Content-Type").empty() ? "application/octet-stream" : req.header("Content-Type");
    if (path == "/echo" || path.ends_with("/echo")) {  // any ".../echo": lets clients that build paths (JSON-2) use it
      send_response(s, 200, {{"Content-Type", ctype}, {"X-Echo-Method", req.method}}, req.body, keep);
    } else if (path.rfind("/status/", 0) == 0) {
      int code = static_cast<int>(to_long(path.substr(8), 500));
      std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
      std::string ra = query_param(req.target, "retry_after");
      if (!ra.empty()) headers.emplace_back("Retry-After", ra);
      send_response(s, code, headers, "{\"status\":" + std::to_string(code) + "}", keep);
    } else if (path == "/slow") {
      long ms = to_long(query_param(req.target, "ms"), 0);
      if (!wait_ms(ms)) return false;
      send_response(s, 200, {{"Content-Type", "application/json"}}, "{\"slow\":" + std::to_string(ms) + "}", keep);
    } else if (path == "/hang") {
      wait_ms(24L * 3600 * 1000);
      return false;
    } else if (path == "/reset-after-body") {
      reset(s);
      return false;
    } else if (path == "/truncated") {
      write_all(s, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":\"xxx");
      boost::system::error_code ec;
      s.close(ec);
      return false;
    } else if (path == "/big") {
      long n = to_long(query_param(req.target, "bytes"), 0);
      send_response(s, 200, {{"Content-Type", "application/octet-stream"}}, std::string(static_cast<std::size_t>(n), 'x'),
                    keep);
    } else if (path == "/invalid") {
      send_response(s, 200, {{"Content-Type", "application/json"}}, "{\"a\": \"\xff\xfe", keep);
    } else if (path == "/gzip") {
      std::string body = "{\"compressed\":true,\"pad\":\"" + std::string(1000, 'x') + "\"}";
      if (req.header("Accept-Encoding").find("gzip") != std::string::npos) {
        send_response(s, 200, {{"Content-Type", "application/json"}, {"Content-Encoding", "gzip"}}, gzip(body), keep);
      } else {
        send_response(s, 200, {{"Content-Type", "application/json"}}, body, keep);
      }
    } else if (path == "/close") {
      keep = false;
      send_response(s, 200, {{"Content-Type", "application/json"}, {"Connection", "close"}}, "{}", false);
    } else {
      send_response(s, 404, {{"Content-Type", "application/json"}}, "{\"error\":\"no route " + path + "\"}", keep);
    }
    return true;
  }
};

LoopbackServer::LoopbackServer(ServerOptions options) : state_(std::make_unique<State>()) {
  state_->options = options;
  boost::system::error_code ec;
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(ep.protocol(), ec);
  if (!ec) state_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) state_->acceptor.bind(ep, ec);
  if (!ec) state_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("LoopbackServer: cannot listen on 127.0.0.1: " + ec.message());
  state_->port = state_->acceptor.local_endpoint().port();
  state_->accept_thread = std::thread([s = state_.get()] { s->accept_loop(); });
}

LoopbackServer::~LoopbackServer() { stop(); }

void LoopbackServer::stop() {
  if (!state_) return;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) return;
    state_->stopping = true;
    boost::system::error_code ec;
    state_->acceptor.cancel(ec);
    // Closing the listening socket from another thread does not wake accept() on Linux; shutdown does.
    ::shutdown(state_->acceptor.native_handle(), SHUT_RDWR);
    for (auto& c : state_->connections_open) c.socket->shutdown(tcp::socket::shutdown_both, ec);
  }
  state_->wake.notify_all();
  if (state_->accept_thread.joinable()) state_->accept_thread.join();
  // The accept loop has ended, so nothing adds to the list any more.
  for (auto& c : state_->connections_open) c.thread.join();
  boost::system::error_code ec;
  state_->acceptor.close(ec);
  for (auto& c : state_->connections_open) c.socket->close(ec);
  state_->connections_open.clear();
}

std::uint16_t LoopbackServer::port() const { return state_->port; }
std::string LoopbackServer::url() const { return "http://127.0.0.1:" + std::to_string(state_->port); }
std::size_t LoopbackServer::connections_accepted() const { return state_->connections.load(); }
std::size_t LoopbackServer::requests_received() const { return state_->requests.load(); }

std::vector<SeenRequest> LoopbackServer::seen() const {
  std::lock_guard lock(state_->mutex);
  return {state_->seen.begin(), state_->seen.end()};
}

void LoopbackServer::clear_seen() {
  std::lock_guard lock(state_->mutex);
  state_->seen.clear();
}

void LoopbackServer::script(std::string path, std::vector<Reply> replies) {
  std::lock_guard lock(state_->mutex);
  auto& q = state_->scripts[std::move(path)];
  for (auto& r : replies) q.push_back(std::move(r));
}

std::size_t LoopbackServer::scripted_remaining() const {
  std::lock_guard lock(state_->mutex);
  std::size_t n = 0;
  for (const auto& [k, q] : state_->scripts) n += q.size();
  return n;
}

}  // namespace odoosync::testing
