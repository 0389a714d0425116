// Field index views: `by_cwd`, `by_session` and `by_command` list the
// commands (started or recorded events) with a given directory, session or
// exact command text, newest last in key order.
//
//   key   := lpbytes(field) i64key(started_at_ns) u64be(seq)
//   value := empty
#pragma once

#include <string>
#include <string_view>

#include "core/view.h"

namespace tb {

enum class IndexedField { kCwd, kSession, kCommand };

inline constexpr std::string_view kByCwdViewName = "by_cwd";
inline constexpr std::string_view kBySessionViewName = "by_session";
inline constexpr std::string_view kByCommandViewName = "by_command";

// The key prefix of all entries whose field equals `value`.
std::string FieldIndexPrefix(std::string_view value);
std::string FieldIndexKey(std::string_view value, int64_t time_ns, uint64_t seq);
// Parses a full key; false on malformed input.
bool ParseFieldIndexKey(std::string_view key, std::string_view* value, int64_t* time_ns,
                        uint64_t* seq);

class FieldIndexView final : public View {
 public:
  explicit FieldIndexView(IndexedField field) : field_(field) {}
  std::string_view name() const override;
  uint32_t version() const override { return 1; }
  void Apply(const ViewInput& in, ViewWriter& out) const override;
  Status ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const override;

 private:
  IndexedField field_;
};

}  // namespace tb
