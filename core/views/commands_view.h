/// @file
/// The `commands` view: one entry per unique command text with how often it
/// was used, how often it failed, and its most recent use.
///
///   key     := command bytes (the whole key)
///   value   := varint(uses) varint(failures) zigzag(last_time_ns) varint(last_seq)
///              u8(has_last_exit) [zigzag(last_exit)]
///   operand := 'u' zigzag(time_ns) varint(seq) u8(has_exit) [zigzag(exit)]   one use
///            | 'x' varint(start_seq) zigzag(exit)                            a use ended
///            | 'a' varint(uses) varint(failures)                             a folded batch
///                  [zigzag(last_time_ns) varint(last_seq) u8(has_last_exit)
///                   [zigzag(last_exit)]]                   (when uses > 0)
///                  varint(n) (varint(start_seq) zigzag(exit)){n}
/// Updates are merge operands (no read on the write path); FullMerge folds
/// them: a use adds 1 (and a failure when its exit is non-zero) and becomes
/// the last use when (time, seq) is not older (the first use always); an
/// end adds a failure when non-zero and sets the last exit when it ends the
/// last use. PartialMerge folds a batch's 'u' and 'x' operands of one
/// command into one 'a': its counts and last use, and the ends that may
/// concern a use from before the batch (applied to the existing value's last
/// use first; their failures are in the counts already). The result equals
/// applying the operands one by one, because the last use is the maximum by
/// (time, seq) and seqs are unique.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/view.h"

namespace tb {

/// The view's name (column family "view_commands").
inline constexpr std::string_view kCommandsViewName = "commands";

/// The value of one command text (layout above).
struct CommandStats {
  uint64_t uses = 0;                 ///< times it was run
  uint64_t failures = 0;             ///< runs that ended with a known non-zero exit
  int64_t last_time_ns = 0;          ///< start time of the most recent use, UTC ns
  uint64_t last_seq = 0;             ///< seq of the most recent use
  std::optional<int32_t> last_exit;  ///< exit of the most recent use; nullopt: running or unknown
  /// Field by field.
  bool operator==(const CommandStats&) const = default;
};

/// The value encoding of `s` (layout above).
std::string EncodeCommandStats(const CommandStats& s);
/// Decodes a value; false when malformed.
bool DecodeCommandStats(std::string_view v, CommandStats* s);

/// The `commands` view (see the file comment).
class CommandsView final : public View {
 public:
  std::string_view name() const override { return kCommandsViewName; }
  uint32_t version() const override { return 1; }
  void Apply(const ViewInput& in, ViewWriter& out) const override;
  /// Read-modify-write: subtracts the records' uses and failures; when the
  /// last use goes, the entry goes; when the most recent use goes, the new
  /// most recent one is found in `by_command` and its exit in `history`.
  Status ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const override;
  bool HasMerge() const override { return true; }
  bool FullMerge(const std::string_view* existing, std::span<const std::string_view> operands,
                 std::string* out) const override;
  bool FoldsOperands() const override { return true; }
  bool PartialMerge(std::span<const std::string_view> operands, std::string* out) const override;
};

}  // namespace tb
