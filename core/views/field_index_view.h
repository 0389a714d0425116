/// @file
/// Field index views: `by_cwd`, `by_session` and `by_command` list the
/// commands (started or recorded events) with a given directory, session or
/// exact command text, in (start time, seq) order.
///
/// Each is a set of posting lists, one per field value and time bucket (2^46
/// ns, about 19.5 hours), so that an import writes one merge operand per
/// distinct (value, bucket) per batch instead of one key per command:
///
///   key      := lpbytes(field) i64key(bucket)        bucket = floor(time_ns / 2^46)
///   value    := postings
///   postings := u8(k) zigzag(time / 10^k) varint(seq)
///               { varint(time delta / 10^k) zigzag(seq delta) }
///
/// Entries are sorted by (time, seq) and distinct: each delta is from the
/// previous entry (so a time delta is >= 0, and a seq delta is > 0 when the
/// time delta is 0). k (0..9) is the largest such that 10^k divides every
/// time of the list: whole seconds (imported shell files) cost a byte or two
/// per time, microseconds (the hooks) three or four. Every time lies inside
/// the key's bucket.
/// Merge operands are postings too; merging is the sorted union, so the
/// merged value is the same whatever the operands' grouping (rebuilds are
/// byte-identical). Removal rewrites the affected lists (Put, or Delete when
/// a list becomes empty).
///
/// Readers never decode keys: FieldIndexCursor walks one value's entries.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/store_reader.h"
#include "core/view.h"

namespace tb {

/// The field a field index view lists commands by.
enum class IndexedField {
  kCwd,      ///< the directory (view `by_cwd`)
  kSession,  ///< the session (view `by_session`)
  kCommand   ///< the exact command text (view `by_command`)
};

///@{
/// The view names of the three fields (column families "view_" + name).
inline constexpr std::string_view kByCwdViewName = "by_cwd";
inline constexpr std::string_view kBySessionViewName = "by_session";
inline constexpr std::string_view kByCommandViewName = "by_command";
///@}
/// The view name of `field` (one of the names above).
std::string_view FieldIndexViewName(IndexedField field);

/// One entry of a posting list.
struct Posting {
  int64_t time_ns = 0;  ///< the command's start time, UTC ns
  uint64_t seq = 0;     ///< its started/recorded event
  /// By time, then seq: the order of a posting list.
  auto operator<=>(const Posting&) const = default;
};

/// A time bucket is 2^kPostingBucketBits ns (about 19.5 hours).
inline constexpr int kPostingBucketBits = 46;
/// The bucket of `time_ns`: floor(time_ns / 2^46), negative times included.
int64_t PostingBucket(int64_t time_ns);
/// The key of the posting list of `value` holding `time_ns`.
std::string FieldIndexKey(std::string_view value, int64_t time_ns);
/// Appends the encoding of sorted, distinct postings (nothing when empty).
void EncodePostings(const std::vector<Posting>& in, std::string* out);
/// Decodes a value or operand; false when malformed (truncated, unsorted,
/// duplicate, empty).
bool DecodePostings(std::string_view in, std::vector<Posting>* out);
/// Decodes a key and its value; false when either is malformed or a time
/// lies outside the key's bucket.
bool DecodeFieldIndexEntry(std::string_view key, std::string_view value, std::string_view* field,
                           std::vector<Posting>* out);

/// Walks the entries of one field value in (time, seq) order, across its
/// posting lists. A malformed list stops the walk (Valid() false) and shows
/// in status().
class FieldIndexCursor {
 public:
  /// Walks `value`'s entries through `cursor`, a cursor over the view's
  /// column family (owned). Not positioned until a Seek*.
  FieldIndexCursor(std::unique_ptr<KvCursor> cursor, std::string_view value);
  /// Positions at the oldest entry (not Valid() when there is none).
  void SeekToFirst();
  /// Positions at the newest entry (not Valid() when there is none).
  void SeekToLast();
  void Seek(const Posting& p);         ///< first entry >= p
  void SeekForPrev(const Posting& p);  ///< last entry <= p
  /// True when positioned at an entry; false past either end or after a malformed list.
  bool Valid() const { return index_ < postings_.size(); }
  void Next();  ///< no-op when !Valid()
  void Prev();  ///< no-op when !Valid()
  /// The current entry (precondition: Valid()); valid until the cursor moves.
  const Posting& posting() const { return postings_[index_]; }
  /// The KvCursor's error, else Corruption after a malformed list, else OK.
  Status status() const;

 private:
  // Loads the list under the KvCursor; false when it is not this value's
  // (or is malformed).
  bool Load();
  void Invalidate() { index_ = postings_.size(); }
  std::unique_ptr<KvCursor> c_;
  std::string prefix_;
  std::vector<Posting> postings_;
  size_t index_ = 0;
  bool bad_ = false;
};

///@{
/// A cursor over `view` of `reader` for the entries of `value`; null when the
/// reader has no such view.
std::unique_ptr<FieldIndexCursor> NewFieldIndexCursor(StoreReader& reader, IndexedField field, std::string_view value);
std::unique_ptr<FieldIndexCursor> NewFieldIndexCursor(ViewLookup& lookup, IndexedField field, std::string_view value);
///@}

/// The view listing commands by `field` (see the file comment).
class FieldIndexView final : public View {
 public:
  /// The view of `field`: name FieldIndexViewName(field).
  explicit FieldIndexView(IndexedField field) : field_(field) {}
  std::string_view name() const override { return FieldIndexViewName(field_); }
  uint32_t version() const override { return 2; }
  void Apply(const ViewInput& in, ViewWriter& out) const override;
  Status ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const override;
  bool HasMerge() const override { return true; }
  bool FoldsOperands() const override { return true; }
  bool PartialMerge(std::span<const std::string_view> operands, std::string* out) const override;
  bool FullMerge(const std::string_view* existing, std::span<const std::string_view> operands,
                 std::string* out) const override;

 private:
  const std::string& FieldOf(const Event& ev) const;
  IndexedField field_;
};

}  // namespace tb
