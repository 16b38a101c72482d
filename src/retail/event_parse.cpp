// decode_event's reusable in-place parser (event_parse.hpp).

// RapidJSON's SSE2 scanning of strings and white space, for this file's in-place parse. RapidJSON turns
// it on per translation unit, and what it changes is only the code for its in-place stream
// (InsituStringStream), which nothing else in the library uses; the buffer is padded so that its
// aligned 16-byte reads stay inside it.
#if defined(__SSE2__) && !defined(RAPIDJSON_SSE2)
#define RAPIDJSON_SSE2
#endif
#include "event_parse.hpp"

#include <cstdint>
#include <cstring>

namespace odoosync {
inline namespace v0 {
namespace retail {
namespace detail {
namespace {

// A \uD800-style escape decodes to a surrogate, which is not UTF-8: json::parse refuses it (it checks
// the strings of a document whose text holds a \u escape), and so does this parser.
bool strings_valid(const json::Value& v) {
  if (v.IsString()) return !json::find_invalid_utf8({v.GetString(), v.GetStringLength()});
  if (v.IsArray()) {
    for (const auto& e : v.GetArray())
      if (!strings_valid(e)) return false;
  } else if (v.IsObject()) {
    for (const auto& m : v.GetObject())
      if (!strings_valid(m.name) || !strings_valid(m.value)) return false;
  }
  return true;
}

// Every byte 0x01..0x7F, tested eight at a time: then the text is valid UTF-8 and holds no NUL (the
// usual event; others get the exact checks).
bool plain_ascii(std::string_view s) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t x;
    std::memcpy(&x, p + i, 8);
    if (((x - ones) | x) & highs) return false;  // a byte ≥ 0x80, or a zero byte
  }
  for (; i < n; ++i) {
    if (p[i] == 0 || p[i] >= 0x80) return false;
  }
  return true;
}

// Made on a thread's first decode (threads that never decode pay for a pointer, not for the pools).
thread_local std::unique_ptr<EventParser> this_thread_parser;
thread_local bool this_thread_parser_busy = false;

}  // namespace

const json::Value* EventParser::parse(std::string_view text, std::size_t max_bytes, unsigned max_depth) {
  release();
  // What json::parse would refuse, it is left to refuse (with its message).
  if (text.size() > max_bytes) return nullptr;
  if (!plain_ascii(text) && (std::memchr(text.data(), '\0', text.size()) != nullptr || json::find_invalid_utf8(text))) {
    return nullptr;
  }
  // NUL-terminated, where the in-place parse stops, and padded: the SIMD scan reads whole aligned
  // 16-byte blocks, the one holding the terminating NUL included.
  text_.assign(text.data(), text.size());
  text_.append(16, '\0');
  // The same flags as json::parse (numbers handed over as text and converted exactly), in place, and
  // without RapidJSON's per-byte UTF-8 check: the whole text was checked above.
  constexpr unsigned flags =
      (json::parse_flags & ~unsigned{rapidjson::kParseValidateEncodingFlag}) | rapidjson::kParseInsituFlag;
  bool ok = false;
  auto generate = [&](Doc& target) {
    json::detail::DepthLimitedHandler<Doc> limited{target, max_depth};
    rapidjson::InsituStringStream is(text_.data());
    rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, Pool> reader(&stack_pool_);
    ok = !reader.Parse<flags>(is, limited).IsError();
    return ok;
  };
  doc_.Populate(generate);
  if (!ok) return nullptr;
  if (text.find("\\u") != std::string_view::npos && !strings_valid(doc_)) return nullptr;
  return &doc_;
}

void EventParser::release() noexcept {
  doc_.SetNull();  // nodes from the pool: nothing to free one by one
  value_pool_.Clear();
  stack_pool_.Clear();
  if (text_.capacity() > keep_text_bytes) std::string().swap(text_);  // one huge event keeps no memory
}

ParserLease::ParserLease() {
  if (this_thread_parser_busy) {
    own_ = std::make_unique<EventParser>();
    parser_ = own_.get();
  } else {
    if (!this_thread_parser) this_thread_parser = std::make_unique<EventParser>();
    this_thread_parser_busy = true;
    parser_ = this_thread_parser.get();
  }
}

ParserLease::~ParserLease() {
  parser_->release();
  if (!own_) this_thread_parser_busy = false;
}

}  // namespace detail
}  // namespace retail
}  // namespace v0
}  // namespace odoosync
