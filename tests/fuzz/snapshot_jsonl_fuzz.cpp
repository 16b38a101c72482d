// libFuzzer target: sync::parse_stock_snapshot(text, SnapshotFormat::jsonl) with the fuzzer's bytes,
// the JSON Lines reader (one object per line, quantities as decimal strings or plain numbers).
// Invariants (snapshot_support.hpp): every accepted row keeps the event rules, a quantity not negative,
// its line in the text and no duplicate; written back as CSV and as JSON Lines, the rows read the same.
#include <cstdint>
#include <string_view>

#include "snapshot_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  odoosync_fuzz::check_snapshot(std::string_view(reinterpret_cast<const char*>(data), size),
                                odoosync::sync::SnapshotFormat::jsonl);
  return 0;
}
