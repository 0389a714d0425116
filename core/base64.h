/// @file
/// Base64 (RFC 4648, standard alphabet, with padding): the `*_b64` keys of
/// the ndjson export carry bytes that are not valid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace tb {

/// Standard base64 (RFC 4648 alphabet, '=' padding) of `bytes`.
std::string Base64Encode(std::string_view bytes);
/// False on a character outside the alphabet or a bad length.
bool Base64Decode(std::string_view text, std::string* out);

}  // namespace tb
