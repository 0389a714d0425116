/// @file
/// Removal support in storage (docs/architecture.md, "Removal"): the
/// resolver through which the projector expands BatchReverted / Forgotten
/// events, and the helpers `tb forget` and `tb log verify` need.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <rocksdb/db.h>

#include "core/projector.h"
#include "core/store_reader.h"
#include "core/view.h"

namespace tb {

using FamilyMap = std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>>;

/// Joins finishes to starts through `ids` and gives removals read access to
/// the view families in `families` (name -> family: the live ones on append,
/// the ones being rebuilt on replay) and to the log through `reader`.
class ViewsResolver final : public StartResolver, public ViewLookup {
 public:
  ViewsResolver(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* ids, StoreReader* reader, FamilyMap families)
      : db_(db), ids_(ids), reader_(reader), families_(std::move(families)) {}
  Status FindStart(const EventId& id, uint64_t* seq, Event* start) override;
  ViewLookup* lookup() override { return this; }
  Status Get(std::string_view view, std::string_view key, std::string* value) override;
  std::unique_ptr<KvCursor> Cursor(std::string_view view) override;
  Status GetEvent(uint64_t seq, Event* out) override { return reader_->GetEvent(seq, out); }

 private:
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* ids_;
  StoreReader* reader_;
  FamilyMap families_;
};

}  // namespace tb
