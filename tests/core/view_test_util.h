// Helpers for tests of views: a KvCursor over a map, and the folded merge.
#pragma once

#include <iterator>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "core/store_reader.h"
#include "core/view.h"

namespace tb::testing_util {

// `ops` folded by view.PartialMerge, then merged over `existing` (null:
// absent) by view.FullMerge: what storage's folding writes. "<failed>" when
// either call fails. Must equal FullMerge(existing, ops).
inline std::string FoldedThenMerged(const View& view, const std::string_view* existing,
                                    std::span<const std::string_view> ops) {
  std::string folded, out;
  if (!view.PartialMerge(ops, &folded)) return "<failed>";
  std::string_view f = folded;
  if (!view.FullMerge(existing, std::span<const std::string_view>(&f, 1), &out)) return "<failed>";
  return out;
}

// A KvCursor over a std::map owned by the caller (the map must outlive the
// cursor and not change under it).
class MapCursor final : public KvCursor {
 public:
  explicit MapCursor(const std::map<std::string, std::string>& m) : m_(m), it_(m_.end()) {}
  void Seek(std::string_view t) override { it_ = m_.lower_bound(std::string(t)); }
  void SeekForPrev(std::string_view t) override {
    it_ = m_.upper_bound(std::string(t));
    it_ = it_ == m_.begin() ? m_.end() : std::prev(it_);
  }
  void SeekToFirst() override { it_ = m_.begin(); }
  void SeekToLast() override { it_ = m_.empty() ? m_.end() : std::prev(m_.end()); }
  bool Valid() const override { return it_ != m_.end(); }
  void Next() override { ++it_; }
  void Prev() override { it_ = it_ == m_.begin() ? m_.end() : std::prev(it_); }
  std::string_view key() const override { return it_->first; }
  std::string_view value() const override { return it_->second; }
  Status status() const override { return Status::OK(); }

 private:
  const std::map<std::string, std::string>& m_;
  std::map<std::string, std::string>::const_iterator it_;
};

}  // namespace tb::testing_util
