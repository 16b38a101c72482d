// A small blocking HTTP/1.1 client on Boost.Beast for the tests and benchmarks of `serve`: one
// connection, kept alive across requests, loopback only.
#pragma once

#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace odoosync::testing {

struct HttpReply {
  int status = 0;                              // 0: no answer (the connection failed or closed first)
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string error;  // why there was no answer
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port) : port_(port) {}

  bool connect() {
    boost::system::error_code ec;
    socket_ = std::make_unique<boost::asio::ip::tcp::socket>(io_);
    socket_->connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    if (ec) socket_.reset();
    return !ec;
  }
  bool connected() const { return socket_ != nullptr; }

  HttpReply request(const std::string& method, const std::string& target, const std::string& body = {},
                    const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    namespace http = boost::beast::http;
    HttpReply r;
    if (!socket_ && !connect()) {
      r.error = "connect failed";
      return r;
    }
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    boost::system::error_code ec;
    http::write(*socket_, req, ec);
    if (ec) {
      r.error = "write: " + ec.message();
      socket_.reset();
      return r;
    }
    return read_reply();
  }

  // Sends raw bytes (a request line and headers, perhaps without the body they announce).
  bool send_raw(const std::string& bytes) {
    if (!socket_ && !connect()) return false;
    boost::system::error_code ec;
    boost::asio::write(*socket_, boost::asio::buffer(bytes), ec);
    return !ec;
  }

  HttpReply read_reply() {
    namespace http = boost::beast::http;
    HttpReply r;
    if (!socket_) {
      r.error = "not connected";
      return r;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{64} << 20);
    boost::system::error_code ec;
    http::read(*socket_, buffer_, parser, ec);
    if (ec) {
      r.error = "read: " + ec.message();
      socket_.reset();
      return r;
    }
    auto& res = parser.get();
    r.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(f.value());
    }
    r.body = std::move(res.body());
    if (!res.keep_alive()) socket_.reset();
    return r;
  }

  // True when the server has closed the connection (a read sees the end).
  bool closed_by_server() {
    if (!socket_) return true;
    char c;
    boost::system::error_code ec;
    socket_->read_some(boost::asio::buffer(&c, 1), ec);
    return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
  }

 private:
  std::uint16_t port_;
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::ip::tcp::socket> socket_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace odoosync::testing
