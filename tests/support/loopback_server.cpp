// The loopback HTTP server: blocking Boost.Asio sockets and hand-written HTTP/1.1 parsing, so tests
// control every byte that goes back (or the reset instead of it) and benchmarks get a cheap keep-alive peer.
#include "loopback_server.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#define ZLIB_CONST
#include <zlib.h>

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace odoosync::testing {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

constexpr std::size_t kMaxHead = 64 * 1024;
constexpr std::size_t kMaxBody = 64 * 1024 * 1024;
// Room for a whole maximal head plus what follows it, so a head never needs a second buffer.
constexpr std::size_t kBufferSize = kMaxHead + 16 * 1024;
constexpr std::size_t kMaxChunkLine = 4096;
constexpr std::size_t kMaxSeen = 1000;
constexpr std::uint64_t kMaxSlowMs = 24ull * 3600 * 1000;  // keeps the deadline arithmetic in range
// How long a closing connection keeps reading (and discarding) so that unread request bytes do not
// turn our FIN into an RST that would destroy the response before the client reads it.
constexpr auto kDrainTimeout = std::chrono::milliseconds(1000);

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i)
    if (iequals(hay.substr(i, needle.size()), needle)) return true;
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_tchar(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos;
}

bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar); }

// Field values: visible ASCII, spaces, tabs and obs-text; any other control byte makes the head malformed.
bool is_field_value(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c == '\t' || (c >= 0x20 && c != 0x7f);
  });
}

bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (iequals(trim(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

bool parse_uint(std::string_view s, std::uint64_t& out, int base = 10) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && end == s.data() + s.size();
}

void append_uint(std::string& out, std::uint64_t v) {
  std::array<char, 24> digits{};
  const auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), v);
  (void)ec;  // 24 digits always suffice for 64 bits
  out.append(digits.data(), end);
}

std::optional<std::string_view> query_param(std::string_view target, std::string_view name) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    const auto eq = part.find('=');
    if (part.substr(0, eq) == name) return eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Query-string decoding: %XX escapes, and '+' as a space the way HTML forms (and some tools) encode it.
bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += in[i] == '+' ? ' ' : in[i];
    }
  }
  return true;
}

// Statuses whose responses never carry a body, so they get neither body bytes nor Content-Length.
bool bodiless_status(int status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

// Routing uses the path only; a proxy-style absolute-form target is reduced to its path first.
std::string_view route_path(std::string_view target) {
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (target.size() >= scheme.size() && iequals(target.substr(0, scheme.size()), scheme)) {
      const auto slash = target.find('/', scheme.size());
      const auto query = target.find('?', scheme.size());
      if (slash == std::string_view::npos || (query != std::string_view::npos && query < slash)) return "/";
      target.remove_prefix(slash);
      break;
    }
  }
  return target.substr(0, target.find('?'));
}

struct GzipBodies {
  std::string plain;
  std::string gzipped;
};

const GzipBodies& gzip_bodies() {
  static const GzipBodies bodies = [] {
    GzipBodies b;
    b.plain = "{\"compressed\":true,\"pad\":\"" + std::string(1000, 'x') + "\"}";
    z_stream zs{};
    // windowBits 31 = 15 plus 16: a gzip wrapper rather than a zlib one.
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw std::runtime_error("deflateInit2 failed");
    b.gzipped.resize(deflateBound(&zs, static_cast<uLong>(b.plain.size())) + 64);
    zs.next_in = reinterpret_cast<const Bytef*>(b.plain.data());
    zs.avail_in = static_cast<uInt>(b.plain.size());
    zs.next_out = reinterpret_cast<Bytef*>(b.gzipped.data());
    zs.avail_out = static_cast<uInt>(b.gzipped.size());
    const int rc = deflate(&zs, Z_FINISH);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
    b.gzipped.resize(zs.total_out);
    return b;
  }();
  return bodies;
}

// The bytes /big streams from, so a large body costs no allocation of its size.
std::string_view filler() {
  static const std::string x(64 * 1024, 'x');
  return x;
}

}  // namespace

std::string SeenRequest::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (iequals(n, name)) return v;
  return {};
}

struct LoopbackServer::State {
  // One accepted socket. `closed` and `done` are guarded by State::mu; `fd` is fixed before the
  // thread starts, so stop() can shut the socket down without touching the Asio object the
  // connection thread is using.
  struct Conn {
    explicit Conn(asio::io_context& io) : sock(io) {}
    tcp::socket sock;
    int fd = -1;
    bool closed = false;
    bool done = false;
    std::thread thread;
  };
  class Session;

  explicit State(ServerOptions o) : options(o) {}

  ServerOptions options;
  asio::io_context io;  // declared first: every socket below must go before it
  tcp::acceptor acceptor{io};
  int listen_fd = -1;
  std::uint16_t port = 0;
  std::thread accept_thread;

  std::mutex stop_mu;  // serialises stop() calls
  bool stopped = false;

  std::mutex mu;
  std::condition_variable cv;  // wakes interruptible waits when stopping
  bool stopping = false;
  std::vector<std::shared_ptr<Conn>> conns;

  std::atomic<std::size_t> accepted{0};
  std::atomic<std::size_t> received{0};

  // A ring of the last kMaxSeen requests; slots are assigned over, so their strings keep capacity.
  mutable std::mutex seen_mu;
  std::vector<SeenRequest> ring;
  std::size_t ring_next = 0;

  mutable std::mutex script_mu;
  std::map<std::string, std::deque<Reply>, std::less<>> scripts;
  std::optional<Reply> fallback;  // under script_mu: for any path with nothing scripted (set_fallback)
  std::atomic<bool> has_fallback{false};
  std::atomic<std::size_t> script_total{0};  // lets unscripted requests skip the lock

  void accept_loop();
  void reap_finished();
  void serve(Conn& c);
  void close_conn(Conn& c, bool reset);
  bool wait_interruptible(std::int64_t ms);
  void record(const SeenRequest& req);
  std::optional<Reply> take_script(std::string_view path);
};

class LoopbackServer::State::Session {
 public:
  Session(State& s, Conn& c) : s_(s), c_(c), buf_(kBufferSize) {}
  void run();

 private:
  enum class Read { ok, closed, bad, too_large };

  bool fill();
  Read read_head(std::size_t& head_len);
  Read read_line(std::string_view& line, std::size_t max);
  bool read_into(char* dst, std::size_t n, std::size_t& got);
  bool parse_head(std::string_view head);
  void set_header(std::size_t i, std::string_view name, std::string_view value);
  std::string_view find_header(std::string_view name) const;
  Read read_body();
  Read read_chunked();
  bool take_body();

  bool handle();
  bool handle_scripted(const Reply& r, bool close);
  bool handle_builtin(std::string_view path, bool close);

  void start(int status);
  void header(std::string_view name, std::string_view value);
  void end_head(std::optional<std::uint64_t> length, bool close);
  bool send(std::string_view body);
  bool conclude(bool sent, bool close);
  bool reply(std::string_view body, bool close);
  bool reply_json(int status, std::string_view body, bool close);
  bool send_big(std::uint64_t n, bool close);
  void send_error(int status);
  void truncate_and_close(std::string_view body);
  void hang();
  void close_gracefully();

  State& s_;
  Conn& c_;
  std::vector<char> buf_;
  std::size_t rpos_ = 0;  // unread bytes are buf_[rpos_, wpos_)
  std::size_t wpos_ = 0;

  // The request being served; reused so that a keep-alive stream allocates nothing once warm.
  SeenRequest req_;
  std::optional<std::uint64_t> content_length_;
  bool chunked_ = false;
  bool expect_continue_ = false;
  bool wants_close_ = false;
  bool head_method_ = false;

  int status_ = 0;
  std::string out_;      // the response head being built
  std::string body_;     // small generated bodies
  std::string scratch_;  // percent-decoded query values
};

// ---- reading ----

bool LoopbackServer::State::Session::fill() {
  if (rpos_ == wpos_) {
    rpos_ = wpos_ = 0;
  } else if (wpos_ == buf_.size() && rpos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + rpos_, wpos_ - rpos_);
    wpos_ -= rpos_;
    rpos_ = 0;
  }
  if (wpos_ == buf_.size()) return false;  // unreachable: callers cap what they buffer below the size
  error_code ec;
  const std::size_t n = c_.sock.read_some(asio::buffer(buf_.data() + wpos_, buf_.size() - wpos_), ec);
  if (ec) return false;
  wpos_ += n;
  return true;
}

LoopbackServer::State::Session::Read LoopbackServer::State::Session::read_head(std::size_t& head_len) {
  std::size_t scanned = 0;  // bytes after rpos_ already searched, so a slow head is not rescanned
  for (;;) {
    // Tolerate blank lines before a request line, as RFC 9112 asks.
    while (wpos_ - rpos_ >= 2 && buf_[rpos_] == '\r' && buf_[rpos_ + 1] == '\n') {
      rpos_ += 2;
      scanned = 0;
    }
    const std::string_view avail(buf_.data() + rpos_, wpos_ - rpos_);
    const auto end = avail.find("\r\n\r\n", scanned >= 3 ? scanned - 3 : 0);
    if (end != std::string_view::npos) {
      if (end + 4 > kMaxHead) return Read::too_large;
      head_len = end + 4;
      return Read::ok;
    }
    if (avail.size() >= kMaxHead) return Read::too_large;
    scanned = avail.size();
    if (!fill()) return Read::closed;
  }
}

LoopbackServer::State::Session::Read LoopbackServer::State::Session::read_line(std::string_view& line,
                                                                               std::size_t max) {
  std::size_t scanned = 0;
  for (;;) {
    const std::string_view avail(buf_.data() + rpos_, wpos_ - rpos_);
    const auto end = avail.find("\r\n", scanned > 0 ? scanned - 1 : 0);
    if (end != std::string_view::npos) {
      if (end > max) return Read::too_large;
      line = avail.substr(0, end);  // valid until the next fill()
      rpos_ += end + 2;
      return Read::ok;
    }
    if (avail.size() > max + 1) return Read::too_large;
    scanned = avail.size();
    if (!fill()) return Read::closed;
  }
}

// Buffered bytes first, then straight from the socket into dst: a large body is copied once.
bool LoopbackServer::State::Session::read_into(char* dst, std::size_t n, std::size_t& got) {
  got = std::min(n, wpos_ - rpos_);
  std::memcpy(dst, buf_.data() + rpos_, got);
  rpos_ += got;
  while (got < n) {
    error_code ec;
    const std::size_t k = c_.sock.read_some(asio::buffer(dst + got, n - got), ec);
    if (ec) return false;
    got += k;
  }
  return true;
}

void LoopbackServer::State::Session::set_header(std::size_t i, std::string_view name, std::string_view value) {
  if (i < req_.headers.size()) {
    req_.headers[i].first.assign(name);
    req_.headers[i].second.assign(value);
  } else {
    req_.headers.emplace_back(name, value);
  }
}

std::string_view LoopbackServer::State::Session::find_header(std::string_view name) const {
  for (const auto& [n, v] : req_.headers)
    if (iequals(n, name)) return v;
  return {};
}

// `head` is everything before the blank line that ends it.
bool LoopbackServer::State::Session::parse_head(std::string_view head) {
  content_length_.reset();
  chunked_ = expect_continue_ = wants_close_ = head_method_ = false;
  req_.body.clear();

  auto eol = head.find("\r\n");
  const std::string_view line = head.substr(0, eol);
  head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);

  const auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return false;
  const auto sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) return false;
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method) || target.empty()) return false;
  for (char ch : target) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7f) return false;
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return false;
  req_.method.assign(method);
  req_.target.assign(target);
  head_method_ = method == "HEAD";

  std::size_t count = 0;
  bool te_seen = false;
  bool conn_close = false;
  bool conn_keep_alive = false;
  while (!head.empty()) {
    eol = head.find("\r\n");
    const std::string_view field = head.substr(0, eol);
    head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);
    const auto colon = field.find(':');
    if (colon == std::string_view::npos) return false;
    const std::string_view name = field.substr(0, colon);  // no space allowed before the colon
    const std::string_view value = trim(field.substr(colon + 1));
    if (!is_token(name) || !is_field_value(value)) return false;
    set_header(count++, name, value);

    if (iequals(name, "Content-Length")) {
      std::uint64_t n = 0;
      if (!parse_uint(value, n)) {
        // Only a number too big to represent is still a length (then too large); anything else is malformed.
        if (value.empty() || !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
          return false;
        n = UINT64_MAX;
      }
      if (content_length_ && *content_length_ != n) return false;
      content_length_ = n;
    } else if (iequals(name, "Transfer-Encoding")) {
      te_seen = true;
      const auto comma = value.rfind(',');
      chunked_ = iequals(trim(comma == std::string_view::npos ? value : value.substr(comma + 1)), "chunked");
    } else if (iequals(name, "Connection")) {
      conn_close = conn_close || has_token(value, "close");
      conn_keep_alive = conn_keep_alive || has_token(value, "keep-alive");
    } else if (iequals(name, "Expect")) {
      expect_continue_ = iequals(value, "100-continue");
    }
  }
  req_.headers.resize(count);
  if (te_seen && !chunked_) return false;  // a body we could not delimit
  if (chunked_) content_length_.reset();   // chunked framing wins, as RFC 9112 says
  wants_close_ = version == "HTTP/1.0" ? (conn_close || !conn_keep_alive) : conn_close;
  if (version == "HTTP/1.0") expect_continue_ = false;
  return true;
}

LoopbackServer::State::Session::Read LoopbackServer::State::Session::read_body() {
  const bool has_body = chunked_ || content_length_.value_or(0) > 0;
  if (!chunked_ && content_length_.value_or(0) > kMaxBody) return Read::too_large;
  if (has_body && expect_continue_) {
    error_code ec;
    asio::write(c_.sock, asio::buffer(kContinue.data(), kContinue.size()), ec);
    if (ec) return Read::closed;
  }
  if (chunked_) return read_chunked();
  const std::size_t n = content_length_.value_or(0);
  req_.body.resize(n);
  std::size_t got = 0;
  if (!read_into(req_.body.data(), n, got)) {
    req_.body.resize(got);
    return Read::closed;
  }
  return Read::ok;
}

LoopbackServer::State::Session::Read LoopbackServer::State::Session::read_chunked() {
  std::string_view line;
  for (;;) {
    Read r = read_line(line, kMaxChunkLine);
    if (r != Read::ok) return r == Read::too_large ? Read::bad : r;
    std::uint64_t size = 0;
    if (!parse_uint(trim(line.substr(0, line.find(';'))), size, 16)) return Read::bad;
    if (size == 0) break;
    if (size > kMaxBody - req_.body.size()) return Read::too_large;
    const std::size_t old = req_.body.size();
    req_.body.resize(old + size);
    std::size_t got = 0;
    if (!read_into(req_.body.data() + old, size, got)) {
      req_.body.resize(old + got);
      return Read::closed;
    }
    r = read_line(line, 0);
    if (r == Read::closed) return r;
    if (r != Read::ok || !line.empty()) return Read::bad;
  }
  std::size_t trailer_bytes = 0;  // trailers are read and dropped
  for (;;) {
    const Read r = read_line(line, kMaxHead);
    if (r != Read::ok) return r == Read::too_large ? Read::bad : r;
    if (line.empty()) return Read::ok;
    trailer_bytes += line.size() + 2;
    if (trailer_bytes > kMaxHead) return Read::bad;
  }
}

// Reads the body and records the request; on failure answers or closes and returns false.
bool LoopbackServer::State::Session::take_body() {
  const Read r = read_body();
  s_.record(req_);
  switch (r) {
    case Read::ok: return true;
    case Read::closed: s_.close_conn(c_, false); return false;
    case Read::bad: send_error(400); return false;
    case Read::too_large: send_error(413); return false;
  }
  return false;
}

// ---- writing ----

void LoopbackServer::State::Session::start(int status) {
  status_ = status;
  out_.clear();
  out_ += "HTTP/1.1 ";
  append_uint(out_, static_cast<std::uint64_t>(status));
  out_ += ' ';
  out_ += reason_phrase(status);
  out_ += "\r\n";
}

void LoopbackServer::State::Session::header(std::string_view name, std::string_view value) {
  out_ += name;
  out_ += ": ";
  out_ += value;
  out_ += "\r\n";
}

void LoopbackServer::State::Session::end_head(std::optional<std::uint64_t> length, bool close) {
  if (length) {
    out_ += "Content-Length: ";
    append_uint(out_, *length);
    out_ += "\r\n";
  }
  out_ += close ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n";
}

// Head and body in one gather write: one segment for a small response, no copy for a large one.
bool LoopbackServer::State::Session::send(std::string_view body) {
  if (head_method_) body = {};
  const std::array<asio::const_buffer, 2> bufs{asio::buffer(out_.data(), out_.size()),
                                               asio::buffer(body.data(), body.size())};
  error_code ec;
  asio::write(c_.sock, bufs, ec);
  return !ec;
}

// Returns whether the connection goes on serving.
bool LoopbackServer::State::Session::conclude(bool sent, bool close) {
  if (!sent) {
    s_.close_conn(c_, false);
    return false;
  }
  if (close) {
    close_gracefully();
    return false;
  }
  return true;
}

bool LoopbackServer::State::Session::reply(std::string_view body, bool close) {
  if (bodiless_status(status_)) {
    end_head(std::nullopt, close);
    return conclude(send({}), close);
  }
  end_head(body.size(), close);
  return conclude(send(body), close);
}

bool LoopbackServer::State::Session::reply_json(int status, std::string_view body, bool close) {
  start(status);
  header("Content-Type", "application/json");
  return reply(body, close);
}

bool LoopbackServer::State::Session::send_big(std::uint64_t n, bool close) {
  start(200);
  header("Content-Type", "application/octet-stream");
  end_head(n, close);
  const std::string_view x = filler();
  std::uint64_t left = head_method_ ? 0 : n;
  auto first = static_cast<std::size_t>(std::min<std::uint64_t>(left, x.size()));
  if (!send(x.substr(0, first))) return conclude(false, close);
  left -= first;
  while (left > 0) {
    const auto part = static_cast<std::size_t>(std::min<std::uint64_t>(left, x.size()));
    error_code ec;
    asio::write(c_.sock, asio::buffer(x.data(), part), ec);
    if (ec) return conclude(false, close);
    left -= part;
  }
  return conclude(true, close);
}

void LoopbackServer::State::Session::send_error(int status) {
  std::string_view body = "{\"error\":\"bad request\"}";
  if (status == 413) body = "{\"error\":\"request body larger than 64 MiB\"}";
  if (status == 431) body = "{\"error\":\"request head larger than 64 KiB\"}";
  head_method_ = false;  // the head may not have parsed; the body is short either way
  reply_json(status, body, true);
}

// Declares more body than it sends, then closes: the client sees a short read.
void LoopbackServer::State::Session::truncate_and_close(std::string_view body) {
  const bool was_head = head_method_;
  head_method_ = false;
  send(body);
  head_method_ = was_head;
  close_gracefully();
}

// Holds the connection open, discarding anything the client sends, until it closes or stop() shuts us down.
void LoopbackServer::State::Session::hang() {
  error_code ec;
  while (!ec) c_.sock.read_some(asio::buffer(buf_), ec);
  s_.close_conn(c_, false);
}

void LoopbackServer::State::Session::close_gracefully() {
  error_code ec;
  c_.sock.shutdown(tcp::socket::shutdown_send, ec);
  const auto deadline = std::chrono::steady_clock::now() + kDrainTimeout;
  while (!ec) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) break;
    pollfd p{c_.fd, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    c_.sock.read_some(asio::buffer(buf_), ec);
  }
  s_.close_conn(c_, false);
}

// ---- serving ----

void LoopbackServer::State::Session::run() {
  for (;;) {
    std::size_t head_len = 0;
    switch (read_head(head_len)) {
      case Read::ok: break;
      case Read::closed: return;
      case Read::bad: send_error(400); return;
      case Read::too_large: send_error(431); return;
    }
    const bool ok = parse_head(std::string_view(buf_.data() + rpos_, head_len - 4));
    rpos_ += head_len;
    if (!ok) {
      send_error(400);
      return;
    }
    if (!handle()) return;
  }
}

bool LoopbackServer::State::Session::handle() {
  s_.received.fetch_add(1, std::memory_order_relaxed);
  const std::string_view path = route_path(req_.target);
  const bool close = wants_close_ || !s_.options.keep_alive;
  if (std::optional<Reply> scripted = s_.take_script(path)) return handle_scripted(*scripted, close);
  return handle_builtin(path, close);
}

bool LoopbackServer::State::Session::handle_scripted(const Reply& r, bool close) {
  using Action = Reply::Action;
  if (r.action == Action::reset_before_body) {
    s_.record(req_);
    s_.close_conn(c_, s_.wait_interruptible(r.delay_ms));
    return false;
  }
  if (!take_body()) return false;
  if (r.action == Action::raw) {
    const bool was_head = head_method_;
    head_method_ = false;
    out_.clear();
    send(r.body);
    head_method_ = was_head;
    close_gracefully();
    return false;
  }
  if (r.action == Action::drip) {
    std::string whole = "HTTP/1.1 " + std::to_string(r.status) + " Drip\r\n";
    for (const auto& [n, v] : r.headers) whole.append(n).append(": ").append(v).append("\r\n");
    whole += "Content-Length: " + std::to_string(r.body.size()) + "\r\nConnection: close\r\n\r\n" + r.body;
    for (char ch : whole) {
      error_code ec;
      asio::write(c_.sock, asio::buffer(&ch, 1), ec);
      if (ec || !s_.wait_interruptible(r.delay_ms)) {
        s_.close_conn(c_, false);
        return false;
      }
    }
    close_gracefully();
    return false;
  }
  if (!s_.wait_interruptible(r.delay_ms)) {
    s_.close_conn(c_, false);
    return false;
  }
  switch (r.action) {
    case Action::reset_after_body: s_.close_conn(c_, true); return false;
    case Action::hang: hang(); return false;
    case Action::truncate: {
      start(r.status);
      bool has_connection = false;
      for (const auto& [n, v] : r.headers) {
        if (iequals(n, "Content-Length")) continue;  // the action's point is the length it declares
        has_connection = has_connection || iequals(n, "Connection");
        header(n, v);
      }
      out_ += "Content-Length: ";
      append_uint(out_, r.body.size() + 90);
      out_ += has_connection ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
      truncate_and_close(r.body);
      return false;
    }
    case Action::respond:
    case Action::reset_before_body:
    case Action::raw:
    case Action::drip: break;
  }
  start(r.status);
  bool has_length = false;
  bool has_connection = false;
  for (const auto& [n, v] : r.headers) {
    header(n, v);
    if (iequals(n, "Content-Length") || iequals(n, "Transfer-Encoding")) has_length = true;
    if (iequals(n, "Connection")) {
      has_connection = true;
      close = close || has_token(v, "close");
    }
  }
  if (!has_length && !bodiless_status(r.status)) {
    out_ += "Content-Length: ";
    append_uint(out_, r.body.size());
    out_ += "\r\n";
  }
  if (!has_connection) out_ += close ? "Connection: close\r\n" : "Connection: keep-alive\r\n";
  out_ += "\r\n";
  return conclude(send(r.body), close);
}

bool LoopbackServer::State::Session::handle_builtin(std::string_view path, bool close) {
  if (path == "/reset-before-body") {
    s_.record(req_);
    s_.close_conn(c_, true);
    return false;
  }
  if (!take_body()) return false;

  // Any path ending in /echo echoes, so clients that build their own paths (JSON-2) can use it.
  if (path == "/echo" || path.ends_with("/echo")) {
    const std::string_view type = find_header("Content-Type");
    start(200);
    header("Content-Type", type.empty() ? std::string_view("application/octet-stream") : type);
    header("X-Echo-Method", req_.method);
    return reply(req_.body, close);
  }
  if (path.starts_with("/status/")) {
    std::uint64_t code = 0;
    if (parse_uint(path.substr(8), code) && code >= 100 && code <= 599) {
      start(static_cast<int>(code));
      header("Content-Type", "application/json");
      if (const auto retry_after = query_param(req_.target, "retry_after")) {
        if (!percent_decode(*retry_after, scratch_) || !is_field_value(scratch_)) {
          return reply_json(400, "{\"error\":\"bad retry_after\"}", close);
        }
        header("Retry-After", scratch_);
      }
      body_.assign("{\"status\":");
      append_uint(body_, code);
      body_ += '}';
      return reply(body_, close);
    }
  } else if (path == "/slow") {
    std::uint64_t ms = 0;
    const auto param = query_param(req_.target, "ms");
    if (param && !parse_uint(*param, ms)) return reply_json(400, "{\"error\":\"bad ms\"}", close);
    if (!s_.wait_interruptible(static_cast<std::int64_t>(std::min(ms, kMaxSlowMs)))) {
      s_.close_conn(c_, false);
      return false;
    }
    body_.assign("{\"slow\":");
    append_uint(body_, ms);
    body_ += '}';
    return reply_json(200, body_, close);
  } else if (path == "/hang") {
    hang();
    return false;
  } else if (path == "/reset-after-body") {
    s_.close_conn(c_, true);
    return false;
  } else if (path == "/truncated") {
    start(200);
    header("Content-Type", "text/plain");
    end_head(100, true);
    truncate_and_close("0123456789");
    return false;
  } else if (path == "/big") {
    std::uint64_t n = 0;
    const auto param = query_param(req_.target, "bytes");
    if (param && !parse_uint(*param, n)) return reply_json(400, "{\"error\":\"bad bytes\"}", close);
    return send_big(n, close);
  } else if (path == "/invalid") {
    return reply_json(200, "{\"a\": \"\xff\xfe", close);
  } else if (path == "/gzip") {
    const GzipBodies& g = gzip_bodies();
    start(200);
    header("Content-Type", "application/json");
    header("Vary", "Accept-Encoding");
    if (icontains(find_header("Accept-Encoding"), "gzip")) {
      header("Content-Encoding", "gzip");
      return reply(g.gzipped, close);
    }
    return reply(g.plain, close);
  } else if (path == "/close") {
    return reply_json(200, "{\"close\":true}", true);
  }
  return reply_json(404, "{\"error\":\"not found\"}", close);
}

// ---- server state ----

void LoopbackServer::State::accept_loop() {
  for (;;) {
    try {
      auto c = std::make_shared<Conn>(io);
      error_code ec;
      acceptor.accept(c->sock, ec);
      if (ec) {
        {
          std::lock_guard lock(mu);
          if (stopping) return;  // the expected way out: stop() shut the acceptor down
        }
        // Out of descriptors or similar: back off instead of spinning, and keep serving.
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      accepted.fetch_add(1, std::memory_order_relaxed);
      c->sock.set_option(tcp::no_delay(true), ec);
      c->fd = c->sock.native_handle();
      reap_finished();
      std::lock_guard lock(mu);
      if (stopping) return;  // c's destructor closes the socket
      conns.push_back(c);
      try {
        c->thread = std::thread([this, p = c.get()] { serve(*p); });
      } catch (...) {
        conns.pop_back();
        throw;
      }
    } catch (...) {
      // No thread or no memory for this connection: it is dropped, the server goes on.
    }
  }
}

// Joins the threads of finished connections, so a long run of short connections does not pile them up.
void LoopbackServer::State::reap_finished() {
  std::vector<std::shared_ptr<Conn>> finished;
  {
    std::lock_guard lock(mu);
    const auto it = std::stable_partition(conns.begin(), conns.end(), [](const auto& c) { return !c->done; });
    finished.assign(std::make_move_iterator(it), std::make_move_iterator(conns.end()));
    conns.erase(it, conns.end());
  }
  for (auto& c : finished)
    if (c->thread.joinable()) c->thread.join();
}

void LoopbackServer::State::serve(Conn& c) {
  try {
    Session session(*this, c);
    session.run();
  } catch (...) {
    // A connection's failure must not take the process down; closing it below is the whole answer.
  }
  try {
    close_conn(c, false);
    std::lock_guard lock(mu);
    c.done = true;
  } catch (...) {
    // The thread is still joined by stop().
  }
}

// Closing happens under mu so that stop() never shuts down a descriptor number already reused.
void LoopbackServer::State::close_conn(Conn& c, bool reset) {
  std::lock_guard lock(mu);
  if (c.closed) return;
  error_code ec;
  if (reset) c.sock.set_option(asio::socket_base::linger(true, 0), ec);  // close() now sends RST
  c.sock.close(ec);
  c.closed = true;
}

// Returns false if stop() began (before or during the wait).
bool LoopbackServer::State::wait_interruptible(std::int64_t ms) {
  std::unique_lock lock(mu);
  if (ms <= 0) return !stopping;
  return !cv.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping; });
}

void LoopbackServer::State::record(const SeenRequest& req) {
  std::lock_guard lock(seen_mu);
  if (ring.size() < kMaxSeen) {
    ring.push_back(req);
  } else {
    ring[ring_next] = req;
    ring_next = (ring_next + 1) % kMaxSeen;
  }
}

std::optional<Reply> LoopbackServer::State::take_script(std::string_view path) {
  if (script_total.load(std::memory_order_acquire) == 0 && !has_fallback.load(std::memory_order_acquire))
    return std::nullopt;
  std::lock_guard lock(script_mu);
  const auto it = scripts.find(path);
  if (it == scripts.end()) return fallback;
  std::optional<Reply> r(std::move(it->second.front()));
  it->second.pop_front();
  if (it->second.empty()) scripts.erase(it);
  script_total.fetch_sub(1, std::memory_order_release);
  return r;
}

// ---- public interface ----

LoopbackServer::LoopbackServer(ServerOptions options) : state_(std::make_unique<State>(options)) {
  State& s = *state_;
  const auto fail = [](const char* what, const error_code& ec) {
    throw std::runtime_error(std::string("LoopbackServer: cannot ") + what + " 127.0.0.1:0: " + ec.message());
  };
  error_code ec;
  s.acceptor.open(tcp::v4(), ec);
  if (ec) fail("open a socket for", ec);
  s.acceptor.bind(tcp::endpoint(asio::ip::address_v4::loopback(), 0), ec);
  if (ec) fail("bind", ec);
  s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail("listen on", ec);
  const tcp::endpoint local = s.acceptor.local_endpoint(ec);
  if (ec) fail("read the port of", ec);
  s.port = local.port();
  s.listen_fd = s.acceptor.native_handle();
  s.ring.reserve(kMaxSeen);
  s.accept_thread = std::thread([&s] { s.accept_loop(); });
}

LoopbackServer::~LoopbackServer() {
  try {
    stop();
  } catch (...) {
    // Destructors must not throw; stop() only fails if the system cannot lock a mutex.
  }
}

std::uint16_t LoopbackServer::port() const { return state_->port; }

std::string LoopbackServer::url() const { return "http://127.0.0.1:" + std::to_string(state_->port); }

void LoopbackServer::stop() {
  State& s = *state_;
  std::lock_guard stop_lock(s.stop_mu);
  if (s.stopped) return;
  {
    std::lock_guard lock(s.mu);
    s.stopping = true;
    // shutdown() rather than close(): it wakes a thread blocked in accept()/recv()/send() on Linux,
    // while the descriptor stays valid until its owner closes it.
    ::shutdown(s.listen_fd, SHUT_RDWR);
    for (const auto& c : s.conns)
      if (!c->closed) ::shutdown(c->fd, SHUT_RDWR);
  }
  s.cv.notify_all();
  if (s.accept_thread.joinable()) s.accept_thread.join();
  std::vector<std::shared_ptr<State::Conn>> all;
  {
    std::lock_guard lock(s.mu);
    all.swap(s.conns);
  }
  for (auto& c : all)
    if (c->thread.joinable()) c->thread.join();
  error_code ec;
  s.acceptor.close(ec);
  s.stopped = true;
}

std::size_t LoopbackServer::connections_accepted() const { return state_->accepted.load(); }

std::size_t LoopbackServer::requests_received() const { return state_->received.load(); }

std::vector<SeenRequest> LoopbackServer::seen() const {
  const State& s = *state_;
  std::lock_guard lock(s.seen_mu);
  std::vector<SeenRequest> out;
  out.reserve(s.ring.size());
  const auto split = s.ring.begin() + static_cast<std::ptrdiff_t>(s.ring_next);
  out.insert(out.end(), split, s.ring.end());
  out.insert(out.end(), s.ring.begin(), split);
  return out;
}

void LoopbackServer::clear_seen() {
  State& s = *state_;
  std::lock_guard lock(s.seen_mu);
  s.ring.clear();
  s.ring_next = 0;
}

void LoopbackServer::script(std::string path, std::vector<Reply> replies) {
  if (replies.empty()) return;
  if (const auto q = path.find('?'); q != std::string::npos) path.resize(q);
  State& s = *state_;
  std::lock_guard lock(s.script_mu);
  auto& queue = s.scripts[std::move(path)];
  for (auto& r : replies) queue.push_back(std::move(r));
  s.script_total.fetch_add(replies.size(), std::memory_order_release);
}

void LoopbackServer::set_fallback(Reply reply) {
  State& s = *state_;
  std::lock_guard lock(s.script_mu);
  s.fallback = std::move(reply);
  s.has_fallback.store(true, std::memory_order_release);
}

std::size_t LoopbackServer::scripted_remaining() const { return state_->script_total.load(); }

}  // namespace odoosync::testing
