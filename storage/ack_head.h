/// @file
/// AckHead: an independent record of the last sequence number the store
/// acknowledged, kept outside RocksDB so that a log which lost its tail
/// (a damaged write-ahead log read as "ended early") is noticed.
///
///   DIR/db/TBHEAD   28 bytes, 0600 (docs/formats.md, "Acknowledged head"):
///     magic "TBHEAD01" (8) | u64be head | u64be reserved (0) | u32le CRC32C of the 24 bytes before
///
/// The file lives inside DIR/db so that it travels with the database it
/// describes: a restore or snapshot swap replaces DIR/db and with it the
/// record (a database without one gets it at its next writable open).
///
/// Ordering (the whole point): raising the head (an append) writes the file
/// after the write-ahead log is synced; lowering it (rollback) writes it
/// before the log is cut. So on every open the log's head is >= the recorded
/// one unless acknowledged events were lost. The file is rewritten in place
/// (one 28-byte pwrite, not fsynced: it must survive a process crash, which
/// the page cache guarantees; after a power loss it may lag behind, which
/// never raises a false alarm).
///
/// Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace tb {

class AckHeadFile {
 public:
  AckHeadFile() = default;
  ~AckHeadFile();
  AckHeadFile(const AckHeadFile&) = delete;
  AckHeadFile& operator=(const AckHeadFile&) = delete;

  /// Reads DIR/db/TBHEAD without creating it. *present=false when missing;
  /// Corruption when it exists but is damaged (bad size, magic or CRC).
  static Status Read(const std::string& db_path, bool* present, uint64_t* head);

  /// Opens (creating, 0600, no symlinks) the file for writing.
  Status OpenForWrite(const std::string& db_path);
  /// Records `head`. A no-op when the file was never opened.
  Status Write(uint64_t head);
  bool is_open() const { return fd_ >= 0; }

  static std::string PathFor(const std::string& db_path) { return db_path + "/TBHEAD"; }

 private:
  int fd_ = -1;
  std::string path_;
};

}  // namespace tb
