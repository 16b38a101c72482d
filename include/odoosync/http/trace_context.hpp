// W3C Trace Context (the `traceparent` and `tracestate` headers, version 00) and TraceScope, which makes
// every request an odoo::Client sends from one thread carry them: how the sync engine follows an event's
// trace into the RPCs that applied it (docs/sync.md, "Traces"), and how a host traces its own calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/core/result.hpp>
#include <odoosync/http/request.hpp>

namespace odoosync {
inline namespace v0 {
namespace http {

// "00-<trace id>-<parent id>-<flags>": the trace, the caller's span, and the flags (bit 0: sampled).
struct TraceParent {
  std::string trace_id{};   // 32 lowercase hex digits, not all zeros
  std::string parent_id{};  // 16 lowercase hex digits, not all zeros
  std::uint8_t flags = 0;

  // Version 00 only, exactly 55 characters, lowercase hex; anything else is ErrorKind::validation
  // naming what is wrong (the header is refused whole: a part of it is never kept).
  static result<TraceParent> parse(std::string_view header);
  std::string header() const;  // "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
  bool sampled() const noexcept { return (flags & 1u) != 0; }
  friend bool operator==(const TraceParent&, const TraceParent&) = default;
};

// A trace id given as itself (32 lowercase hex digits, not all zeros) or inside a whole traceparent;
// ErrorKind::validation otherwise. What `odoosync sync audit --trace` takes.
result<std::string> parse_trace_id(std::string_view text);
// The trace id of a valid traceparent; "" for anything else.
std::string trace_id_of(std::string_view traceparent);
// Why `tracestate` is not a W3C tracestate (at most 32 comma-separated key=value members, keys as the
// recommendation spells them, values of printable ASCII without ',' and '=', each key once, at most
// 512 characters in all); "" when it is one. Nothing else may be sent as the header.
std::string check_tracestate(std::string_view tracestate);

// Fresh ids from a per-thread generator: 16 and 8 random bytes as lowercase hex, never all zeros.
std::string random_trace_id();
std::string random_span_id();
// A trace id that is a function of `seed` (a 128-bit hash; not all zeros): the engine's trace for a
// batch whose events brought none, the same for every send of that batch.
std::string derived_trace_id(std::string_view seed);

// One request sent while a TraceScope was active.
struct TracedRequest {
  std::string correlation_id{};  // the X-Correlation-Id it carried ("" when the scope sets none)
  std::string span_id{};         // the parent id of its traceparent: this request's own span
  std::string target{};          // its URL's path, without the query
  bool idempotent = false;       // Request::idempotent: a read (false for writes and buttons)
};

// While a scope lives, every request odoo::Client builds on this thread carries `traceparent` with the
// scope's trace id and flags and a new span id of its own, `tracestate` when the scope has one, and
// X-Correlation-Id "<correlation prefix>/<n>" (n = 1, 2, ... in the scope) when a prefix is given; the
// scope keeps a list of them. Scopes nest (the innermost applies) and belong to the thread that made
// them: make, use and destroy one on one thread.
class TraceScope {
 public:
  // `trace`: its trace id and flags are used (its parent id is not: each request is a span of its own).
  // `tracestate` must pass check_tracestate (one that does not is left out of the requests).
  explicit TraceScope(TraceParent trace, std::string tracestate = {}, std::string correlation_prefix = {});
  ~TraceScope();
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;

  const TraceParent& trace() const noexcept { return trace_; }
  const std::string& tracestate() const noexcept { return tracestate_; }
  const std::vector<TracedRequest>& requests() const noexcept { return requests_; }

  // The innermost scope of this thread, or null.
  static TraceScope* current() noexcept;
  // Adds the headers and the correlation id to `request` and records it, when this thread has a scope;
  // otherwise leaves it alone. odoo::Client calls it for every request it builds.
  static void stamp(Request& request);

 private:
  TraceParent trace_;
  std::string tracestate_;
  std::string prefix_;
  std::vector<TracedRequest> requests_;
  TraceScope* outer_ = nullptr;
};

}  // namespace http
}  // namespace v0
}  // namespace odoosync
