// The primitives webhook signatures are made of: HMAC, SHA-256, base64, hex, CRC-32 and a comparison
// that takes the same time wherever the inputs differ. Bytes in, bytes out, as std::string; OpenSSL's
// libcrypto does the hashing, but this header does not include it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace odoosync {
inline namespace v0 {
namespace channels::crypto {

std::string hmac_sha256(std::string_view key, std::string_view data);  // 32 raw bytes
std::string hmac_sha1(std::string_view key, std::string_view data);    // 20 raw bytes
std::string sha256(std::string_view data);                             // 32 raw bytes

// Standard alphabet with '=' padding (RFC 4648 §4). Decoding is strict: padding required, no spaces,
// no other alphabet; anything else is nothing.
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

std::string hex_encode(std::string_view bytes);                // lower case
std::optional<std::string> hex_decode(std::string_view text);  // either case, even length

// CRC-32 as zlib and java.util.zip.CRC32 compute it (IEEE 802.3, reflected, init and xor 0xFFFFFFFF).
std::uint32_t crc32(std::string_view bytes) noexcept;

// True when both hold the same bytes; for equal lengths the time does not depend on where they differ.
// (Lengths are compared first: the length of a signature is public.)
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace channels::crypto
}  // namespace v0
}  // namespace odoosync
