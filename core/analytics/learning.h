/// @file
/// What a completion (core/view.h) teaches the analytics views: pure
/// functions shared by the views' Apply and their removal recompute.
///
/// `sequences` view (docs/formats.md). Every value is a counter list:
///   value := {lpbytes(name) varint(count)}*   names strictly increasing
///                                             (bytewise), every count > 0
///   merge operand := a counter list of increments (summed name by name)
/// Keys, and the counters under them, for a completed command x whose
/// session's previous commands are ... z a b (oldest first, up to
/// kSessionContext of them):
///   'd' lpbytes(cwd) lpbytes(t)  ""               completions of t in cwd
///   'u' u8(bucket(t))            lpbytes(t)       completions of t
///   'f' u8(bucket(t))            lpbytes(t)       completions whose previous
///                                                 command was t (= the sum
///                                                 of the '>' counters of 'b' t)
///                                (bucket(t) := crc32c(t) mod kBuckets: a query
///                                over every template reads 64 keys)
///   'b' lpbytes(b)               '>' lpbytes(x)   the bigram b x
///                                '<' lpbytes(a)   the trigrams a b * (= the
///                                                 sum of the trigram counters
///                                                 of 't' a b)
///   't' lpbytes(a) lpbytes(b)    lpbytes(x)               the trigram a b x
///                                lpbytes(x) lpbytes(z)    the 4-gram z a b x
///   'x' lpbytes(t)               ""               completions of t that failed
///                                                 (exit known and non-zero)
///                                '>' lpbytes(y)   fixes learned for a failed
///                                                 command of template t whose
///                                                 fix has template y != t (the
///                                                 pairs of the `fixes` view)
/// A completion adds one along a single path (b x, a b x, z a b x), so
/// count(z a b x) <= count(a b x) <= ('<' a in 'b' b) <= (b in 'f') and
/// count(b x) <= (b in 'f'), exactly, whatever was removed: `tb patterns`
/// bounds the support of every run whose last template follows b by b's 'f'
/// counter and reads only the templates that can reach its answer
/// (core/analytics/patterns.cc). An n-gram seen once costs a counter inside
/// a shared value, not a key: keys are the directories' templates, 2 x 64
/// buckets, the templates followed by something, and the pairs followed by
/// something.
///
/// `fixes` view keys:
///   lpbytes(failed command) lpbytes(fix command) i64key(time) u64be(seq)
///   value := zigzag(failed exit) varint(failed seq)
///   (time, seq: the completion that taught the pair)
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/keycode.h"
#include "core/view.h"

namespace tb {

/// One merge operand of the `sequences` view.
struct SequenceOp {
  std::string key;      ///< the `sequences` key (see the layout above)
  std::string operand;  ///< a counter list
};
/// The operands a completion adds (2 to 6: directory, unigram, and with a
/// session context the previous template's 'f' counter, its 'b' key and
/// the 't' key of the last two; plus its 'x' failure when it failed, or the
/// 'x' fix of the failure it fixes).
void SequenceOps(const Completion& c, std::vector<SequenceOp>* ops);

/// The 'd' key of template `tmpl` in directory `cwd`.
std::string DirKey(std::string_view cwd, std::string_view tmpl);
/// The prefix of every 'd' key of `cwd`.
std::string DirPrefix(std::string_view cwd);
/// Buckets of the 'u' and 'f' keys: bucket(t) = crc32c(t) mod kBuckets.
inline constexpr uint32_t kBuckets = 64;
std::string UnigramKey(std::string_view tmpl);                ///< the 'u' bucket of tmpl
std::string UnigramPrefix();                                  ///< every 'u' bucket
std::string FollowedKey(std::string_view tmpl);               ///< the 'f' bucket of tmpl
std::string FollowedPrefix();                                 ///< every 'f' bucket
std::string FollowersKey(std::string_view b);                 ///< the 'b' key of template b
std::string PairKey(std::string_view a, std::string_view b);  ///< the 't' key of the pair a b
std::string OutcomeKey(std::string_view tmpl);                ///< the 'x' key of tmpl
/// Parses a 'd' key; false otherwise.
bool ParseDirKey(std::string_view key, std::string_view* cwd, std::string_view* tmpl);

// Counter names (see the layout above).
inline constexpr std::string_view kCountName = "";  ///< in 'd'
std::string TemplateName(std::string_view t);       ///< in 'u' and 'f': lpbytes(t)
/// Parses a name of a 'u' or 'f' key; false when malformed.
inline bool ParseTemplateName(std::string_view name, std::string_view* t) {
  if (!name.empty() && static_cast<uint8_t>(name[0]) < 0x80) {  // a template under 128 bytes
    *t = name.substr(1);
    return static_cast<uint8_t>(name[0]) == t->size();
  }
  return GetLengthPrefixed(&name, t) && name.empty();
}
std::string FollowerName(std::string_view x);  ///< in 'b': '>' lpbytes(x)
std::string LeftName(std::string_view a);      ///< in 'b': '<' lpbytes(a)
/// In 't': lpbytes(x), and lpbytes(x) lpbytes(z) when z is not null.
std::string PairName(std::string_view x, const std::string_view* z);

/// Reads a counter list in order (inline: queries read hundreds of
/// thousands of counters).
class CounterReader {
 public:
  /// Reads `value` (not copied: it must outlive the reader).
  explicit CounterReader(std::string_view value) : in_(value) {}
  /// The next counter; false at the end or on malformed input (then ok()
  /// is false).
  bool Next(std::string_view* name, uint64_t* count) {
    uint64_t len;
    if (in_.empty() || !ok_) return false;
    if (!Varint(&len) || len > in_.size()) return ok_ = false;
    *name = in_.substr(0, len);
    in_.remove_prefix(len);
    if (!Varint(count) || *count == 0) return ok_ = false;
    return true;
  }
  /// False once malformed input was met.
  bool ok() const { return ok_; }
  /// True when every counter was read.
  bool done() const { return in_.empty(); }

 private:
  bool Varint(uint64_t* v) {
    if (!in_.empty() && static_cast<uint8_t>(in_[0]) < 0x80) {
      *v = static_cast<uint8_t>(in_[0]);
      in_.remove_prefix(1);
      return true;
    }
    return GetVarint(&in_, v);
  }
  std::string_view in_;
  bool ok_ = true;
};
/// The counter `name` of a counter list (0 when absent); false when malformed.
bool FindCounter(std::string_view value, std::string_view name, uint64_t* count);
/// Appends the counter (name, count) to a counter list being built; the
/// caller keeps names strictly increasing and counts > 0.
void PutCounter(std::string* out, std::string_view name, uint64_t count);
/// *out = existing (may be null) plus every operand, name by name. False when
/// a value is malformed or the existing one is not canonical.
bool MergeCounterLists(const std::string_view* existing, std::span<const std::string_view> operands, std::string* out);
/// *out = value with `delta` added (name -> change, names in order); counters
/// that reach zero or below are dropped. False when value is malformed.
bool AdjustCounterList(std::string_view value, const std::map<std::string, int64_t>& delta, std::string* out);

/// The fix `c` teaches (core/analytics/fixes.h): the failed command of
/// its session context and the fixing command (c's own, or the one right
/// after the failure when c repeats it). False when c teaches none.
struct TaughtFix {
  const SessionEntry* failed = nullptr;  ///< the failed command (in c.before)
  std::string_view fix;                  ///< the fixing command line
  std::string_view fix_tmpl;             ///< its template
};
/// Fills *out with the fix `c` teaches (see TaughtFix); false when it teaches
/// none. The views point into `c`.
bool FindFix(const Completion& c, TaughtFix* out);
/// The same, as a `fixes` key and value.
bool FixOf(const Completion& c, std::string* key, std::string* value);
/// Splits a `fixes` key (layout above); false when malformed. The views point into `key`.
bool ParseFixKey(std::string_view key, std::string_view* failed, std::string_view* fix, int64_t* time_ns,
                 uint64_t* seq);
/// Decodes a `fixes` value: the failed command's exit and seq; false when malformed.
bool ParseFixValue(std::string_view value, int32_t* exit, uint64_t* failed_seq);

}  // namespace tb
