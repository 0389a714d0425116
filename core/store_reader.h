/// @file
/// Read access to a store, as the query engine in core/ sees it. Storage
/// implements these over RocksDB; core never sees a RocksDB type.
///
/// Thread safety: a StoreReader and its cursors are used from one thread.
/// A cursor must not outlive the reader that made it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/event.h"
#include "core/status.h"

namespace tb {

/// An ordered cursor over one view's keys (bytewise order).
class KvCursor {
 public:
  virtual ~KvCursor() = default;
  virtual void Seek(std::string_view target) = 0;         ///< first key >= target
  virtual void SeekForPrev(std::string_view target) = 0;  ///< last key <= target
  virtual void SeekToFirst() = 0;                         ///< the first key (not Valid() when the view is empty)
  virtual void SeekToLast() = 0;                          ///< the last key (not Valid() when the view is empty)
  /// True when positioned at a key; false past either end or after an error
  /// (then status() says which).
  virtual bool Valid() const = 0;
  virtual void Next() = 0;                     ///< the next key (precondition: Valid())
  virtual void Prev() = 0;                     ///< the previous key (precondition: Valid())
  virtual std::string_view key() const = 0;    ///< valid until the cursor moves
  virtual std::string_view value() const = 0;  ///< valid until the cursor moves
  virtual Status status() const = 0;           ///< non-ok after an I/O or corruption error
};

/// Reads events and views of a store (storage's Store is one).
class StoreReader {
 public:
  virtual ~StoreReader() = default;
  /// The event at `seq`: NotFound when absent, Corruption when it fails
  /// verification.
  virtual Status GetEvent(uint64_t seq, Event* out) = 0;
  /// A cursor over view `view` (e.g. "history"); null for an unknown view.
  virtual std::unique_ptr<KvCursor> NewViewCursor(std::string_view view) = 0;
  /// A view's value at `key`: NotFound when absent.
  virtual Status GetViewValue(std::string_view view, std::string_view key, std::string* out) = 0;
  /// A cursor over the log (keys: 8-byte big-endian seq; values: event
  /// FlatBuffers, unverified). Lets readers that visit events in (nearly)
  /// descending seq order step through blocks instead of doing a point
  /// lookup per event. Null when the reader has no such cursor.
  virtual std::unique_ptr<KvCursor> NewLogCursor() { return nullptr; }
};

}  // namespace tb
