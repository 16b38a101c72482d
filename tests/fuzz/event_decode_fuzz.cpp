// libFuzzer target: any bytes into decode_event. It must never crash, leak or trip a sanitizer; what it
// accepts must encode to a text that decodes to the same event (the round trip is exact).
#include <odoosync/retail/events.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace odoosync::retail;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ev = decode_event(text);
  if (!ev) {
    if (ev.error().message().empty()) std::abort();  // every refusal says why
    return 0;
  }
  const std::string again = encode_event(ev.value());
  auto back = decode_event(again);
  if (!back || !(back.value() == ev.value()) || encode_event(back.value()) != again) std::abort();
  return 0;
}
