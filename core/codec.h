/// @file
/// Codec: Event <-> FlatBuffers bytes (schemas/event.fbs, identifier "TBEV").
///
/// EncodeEvent is deterministic: the same Event always gives the same bytes.
/// DecodeEvent runs the FlatBuffers verifier first and never reads an
/// unverified byte; any failure is Status::Corruption with the reason.
/// Thread safety: stateless functions, safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "core/event.h"
#include "core/status.h"

namespace tb {

/// Appends nothing; replaces *out with the encoding of `ev`.
void EncodeEvent(const Event& ev, std::string* out);

/// Verifies and decodes `bytes` into *out (reusing its string capacity).
/// Corruption: not a TBEV buffer, verifier failure, unknown payload type,
/// or a payload whose required fields are missing.
Status DecodeEvent(std::string_view bytes, Event* out);

}  // namespace tb
