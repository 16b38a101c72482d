// W3C Trace Context, version 00 (https://www.w3.org/TR/trace-context/): parsing, checking, fresh ids,
// and the per-thread scope odoo::Client stamps its requests from.
#include <odoosync/http/trace_context.hpp>

#include <algorithm>
#include <array>
#include <random>
#include <set>

namespace odoosync {
inline namespace v0 {
namespace http {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

bool lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}
bool all_zero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
}

std::string to_hex(std::uint64_t v, int digits) {
  std::string out(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = hex_digits[v & 0xf];
  return out;
}

std::mt19937_64& generator() {
  thread_local std::mt19937_64 gen([] {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }());
  return gen;
}

std::uint64_t nonzero_random() {
  for (;;) {
    if (const auto v = generator()(); v != 0) return v;
  }
}

// splitmix64's finaliser: every input bit reaches every output bit.
std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

bool key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*' || c == '/';
}
bool lcalpha(char c) { return c >= 'a' && c <= 'z'; }

// simple-key = lcalpha 0*255(keychar); multi-tenant-key = (lcalpha / DIGIT) 0*240(keychar) "@" lcalpha 0*13(keychar)
bool valid_key(std::string_view k) {
  const auto at = k.find('@');
  if (at == std::string_view::npos) {
    return !k.empty() && k.size() <= 256 && lcalpha(k[0]) && std::all_of(k.begin(), k.end(), key_char);
  }
  const auto tenant = k.substr(0, at), system = k.substr(at + 1);
  return !tenant.empty() && tenant.size() <= 241 && (lcalpha(tenant[0]) || (tenant[0] >= '0' && tenant[0] <= '9')) &&
         std::all_of(tenant.begin(), tenant.end(), key_char) && !system.empty() && system.size() <= 14 &&
         lcalpha(system[0]) && std::all_of(system.begin(), system.end(), key_char);
}

// value = 0*255(chr) nblk-chr; chr = SP / nblk-chr; nblk-chr = printable ASCII but ',' and '='.
bool valid_value(std::string_view v) {
  if (v.empty() || v.size() > 256 || v.back() == ' ') return false;
  return std::all_of(v.begin(), v.end(), [](char c) { return c >= 0x20 && c <= 0x7e && c != ',' && c != '='; });
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

thread_local TraceScope* innermost = nullptr;

}  // namespace

result<TraceParent> TraceParent::parse(std::string_view h) {
  const auto bad = [](std::string why) {
    return Error::validation("traceparent: " + why + " (expected \"00-<32 hex>-<16 hex>-<2 hex>\")");
  };
  if (h.size() != 55) return bad("must be 55 characters, got " + std::to_string(h.size()));
  if (h[2] != '-' || h[35] != '-' || h[52] != '-') return bad("its parts must be separated by '-'");
  if (h.substr(0, 2) != "00") return bad("only version 00 is taken");
  const auto trace = h.substr(3, 32), parent = h.substr(36, 16), flags = h.substr(53, 2);
  if (!lower_hex(trace) || !lower_hex(parent) || !lower_hex(flags)) return bad("ids and flags must be lowercase hex");
  if (all_zero(trace)) return bad("the trace id must not be all zeros");
  if (all_zero(parent)) return bad("the parent id must not be all zeros");
  TraceParent t;
  t.trace_id = std::string(trace);
  t.parent_id = std::string(parent);
  const auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  t.flags = static_cast<std::uint8_t>(nibble(flags[0]) * 16 + nibble(flags[1]));
  return t;
}

std::string TraceParent::header() const { return "00-" + trace_id + "-" + parent_id + "-" + to_hex(flags, 2); }

result<std::string> parse_trace_id(std::string_view text) {
  if (text.size() == 32) {
    if (!lower_hex(text) || all_zero(text)) {
      return Error::validation("trace id: expected 32 lowercase hex digits, not all zeros, or a whole traceparent");
    }
    return std::string(text);
  }
  if (text.size() != 55) {
    return Error::validation(
        "trace id: expected 32 lowercase hex digits or a traceparent \"00-<32 hex>-<16 "
        "hex>-<2 hex>\", got " +
        std::to_string(text.size()) + " characters");
  }
  ODOOSYNC_TRY(t, TraceParent::parse(text));
  return t.trace_id;
}

std::string trace_id_of(std::string_view traceparent) {
  auto t = TraceParent::parse(traceparent);
  return t ? t.value().trace_id : std::string();
}

std::string check_tracestate(std::string_view s) {
  if (s.size() > 512) return "must be at most 512 characters";
  std::set<std::string_view> keys;
  std::size_t members = 0;
  while (true) {
    const auto comma = s.find(',');
    const auto member = trim_ows(s.substr(0, comma));
    if (!member.empty()) {
      if (++members > 32) return "must have at most 32 members";
      const auto eq = member.find('=');
      if (eq == std::string_view::npos) return "each member must be key=value";
      const auto key = member.substr(0, eq), value = member.substr(eq + 1);
      if (!valid_key(key)) return "member key \"" + std::string(key) + "\" is not a W3C tracestate key";
      if (!valid_value(value))
        return "the value of \"" + std::string(key) + "\" must be 1-256 printable characters, without ',' or '='";
      if (!keys.insert(key).second) return "member key \"" + std::string(key) + "\" appears twice";
    }
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  if (members == 0) return "must have at least one key=value member";
  return {};
}

std::string random_trace_id() { return to_hex(nonzero_random(), 16) + to_hex(generator()(), 16); }
std::string random_span_id() { return to_hex(nonzero_random(), 16); }

std::string derived_trace_id(std::string_view seed) {
  // Two FNV-1a passes with different offsets, each finalised: 128 bits spread over the whole seed.
  std::uint64_t a = 0xcbf29ce484222325ull, b = 0x84222325cbf29ce4ull;
  for (unsigned char c : seed) {
    a = (a ^ c) * 0x100000001b3ull;
    b = (b ^ c) * 0x100000001b3ull;
  }
  std::uint64_t hi = mix(a ^ 0x6f646f6f73796e63ull), lo = mix(b + hi);
  if (hi == 0 && lo == 0) lo = 1;
  return to_hex(hi, 16) + to_hex(lo, 16);
}

TraceScope::TraceScope(TraceParent trace, std::string tracestate, std::string correlation_prefix)
    : trace_(std::move(trace)), prefix_(std::move(correlation_prefix)), outer_(innermost) {
  if (!tracestate.empty() && check_tracestate(tracestate).empty()) tracestate_ = std::move(tracestate);
  innermost = this;
}

TraceScope::~TraceScope() {
  if (innermost == this) innermost = outer_;
}

TraceScope* TraceScope::current() noexcept { return innermost; }

void TraceScope::stamp(Request& request) {
  TraceScope* s = innermost;
  if (!s) return;
  TracedRequest t;
  t.span_id = random_span_id();
  TraceParent sent = s->trace_;
  sent.parent_id = t.span_id;
  request.headers.set("traceparent", sent.header());
  if (!s->tracestate_.empty()) {
    request.headers.set("tracestate", s->tracestate_);
  } else {
    request.headers.remove("tracestate");
  }
  if (!s->prefix_.empty()) {
    request.correlation_id = s->prefix_ + "/" + std::to_string(s->requests_.size() + 1);
    request.headers.set("X-Correlation-Id", request.correlation_id);
  }
  t.correlation_id = request.correlation_id;
  const auto path_start =
      request.url.find('/', request.url.find("://") == std::string::npos ? 0 : request.url.find("://") + 3);
  t.target = path_start == std::string::npos
                 ? "/"
                 : request.url.substr(path_start, request.url.find('?', path_start) - path_start);
  t.idempotent = request.idempotent;
  s->requests_.push_back(std::move(t));
}

}  // namespace http
}  // namespace v0
}  // namespace odoosync
