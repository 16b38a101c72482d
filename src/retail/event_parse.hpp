// Private: decode_event's JSON parser, built for many small texts in a row. The text is copied once into
// a buffer kept between calls and parsed in place (strings stay in the copy), the document's nodes and
// RapidJSON's stack come from pools kept between calls, and UTF-8 is checked up front eight bytes at a
// time instead of byte by byte inside the parser. It accepts a text only when json::parse would accept
// it and give the same document; anything else (a syntax error, invalid UTF-8, a NUL byte, too large,
// too deep) it declines, and the caller asks json::parse, whose error message is the one reported.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <odoosync/core/json.hpp>

namespace odoosync {
inline namespace v0 {
namespace retail {
namespace detail {

class EventParser {
 public:
  EventParser() = default;
  EventParser(const EventParser&) = delete;
  EventParser& operator=(const EventParser&) = delete;

  // The document's root, valid until release() or the next parse(); nullptr: ask json::parse.
  const json::Value* parse(std::string_view text, std::size_t max_bytes, unsigned max_depth);
  // Forgets the document and keeps the memory (beyond the first pools' worth, it is freed).
  void release() noexcept;

 private:
  using Pool = rapidjson::MemoryPoolAllocator<>;
  using Doc = rapidjson::GenericDocument<rapidjson::UTF8<>, Pool, Pool>;
  static constexpr std::size_t value_bytes = 16 * 1024, stack_bytes = 4 * 1024;
  static constexpr std::size_t keep_text_bytes = 256 * 1024;

  std::string text_;
  alignas(16) char values_[value_bytes];
  alignas(16) char stack_[stack_bytes];
  Pool value_pool_{values_, sizeof values_};
  Pool stack_pool_{stack_, sizeof stack_};
  Doc doc_{&value_pool_, 1024, &stack_pool_};
};

// This thread's parser for the length of one decode, or a parser of its own when this thread's is
// already in use (a host's subject rule that decodes an event while its own is being decoded).
class ParserLease {
 public:
  ParserLease();
  ~ParserLease();
  ParserLease(const ParserLease&) = delete;
  ParserLease& operator=(const ParserLease&) = delete;
  EventParser* operator->() const noexcept { return parser_; }

 private:
  EventParser* parser_;
  std::unique_ptr<EventParser> own_;
};

}  // namespace detail
}  // namespace retail
}  // namespace v0
}  // namespace odoosync
