#include "storage/importer.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>
#include <span>

#include "core/import/existing_records.h"
#include "core/import/plain_dedup.h"
#include "core/import/seq_padding.h"
#include "core/views/batches_view.h"

namespace tb {
namespace {

// Lines in the file (bounds the entries, for synthetic times that end at its
// mtime).
uint64_t CountLines(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return 0;
  static char buf[1 << 16];
  uint64_t n = 1;
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) {
    for (const char* p = buf; (p = static_cast<const char*>(std::memchr(p, '\n', buf + got - p))); ++p) ++n;
  }
  std::fclose(f);
  return n;
}

// The plain entries at the head of the file (the window of
// core/import/plain_dedup.h; 0 when the first entry has a timestamp) and the
// time of the first timestamped entry after them, if any.
Status ScanPlainHead(const ImporterOptions& o, const std::string& path, uint64_t* entries,
                     std::optional<int64_t>* first_time) {
  *entries = 0;
  first_time->reset();
  SourceOptions quiet;
  quiet.problem = [](uint64_t, const std::string&) {};
  std::unique_ptr<ImportSource> src;
  TB_RETURN_IF_ERROR(o.open(quiet, &src));
  ImportedCommand c;
  while (src->Next(&c)) {
    if (c.has_time) {
      *first_time = c.ev.time_ns;
      break;
    }
    ++*entries;
  }
  return src->status().WithContext(path);
}

// Appends the BatchReverted of `batch` (synced).
Status AppendRevert(Store& store, uint64_t batch) {
  Event ev;
  ev.kind = EventKind::kBatchReverted;
  ev.batch = batch;
  return store.Append(std::span<Event>(&ev, 1), true);
}

// Batches with records but neither ImportCompleted nor a revert: an import
// that crashed part way. Reverted so nothing half-imported stays visible.
Status RevertIncomplete(Store& store, const std::function<void(uint64_t)>& reverted) {
  std::vector<uint64_t> incomplete;
  TB_RETURN_IF_ERROR(ForEachImportBatch(store.reader(), [&](uint64_t batch) {
    BatchStatus st;
    TB_RETURN_IF_ERROR(GetBatchStatus(store.reader(), batch, &st));
    if (st.completed_seq == 0 && !st.reverted) incomplete.push_back(batch);
    return Status::OK();
  }));
  for (uint64_t b : incomplete) {
    TB_RETURN_IF_ERROR(AppendRevert(store, b));
    if (reverted) reverted(b);
  }
  return Status::OK();
}

// What a chunk entry is, for de-duplication.
enum class Role : uint8_t {
  kUnchecked,  // padding, the closing event, a plain entry (core/import/plain_dedup.h)
  kRecord,     // checked by text and start time (core/import/existing_records.h)
  kKeptId,     // also by its own id
};

// Takes the records the store already has out of `chunk` and counts them as
// duplicates. With kept seqs a duplicate becomes padding instead, so the
// seqs after it stay where the file put them.
Status DropExisting(StoreReader& reader, uint64_t before, bool keep_seqs, std::vector<Event>* chunk,
                    std::vector<Role>* roles, ImportCounts* counts) {
  std::vector<ChunkRecord> records;
  std::vector<size_t> at;
  for (size_t i = 0; i < chunk->size(); ++i) {
    if ((*roles)[i] == Role::kUnchecked) continue;
    records.push_back(ChunkRecord{&(*chunk)[i], (*roles)[i] == Role::kKeptId});
    at.push_back(i);
  }
  std::vector<bool> existing;
  TB_RETURN_IF_ERROR(FindExisting(reader, before, records, &existing));
  std::vector<bool> drop(chunk->size(), false);
  for (size_t r = 0; r < records.size(); ++r) {
    if (!existing[r]) continue;
    counts->duplicates++;
    counts->imported--;
    Event& ev = (*chunk)[at[r]];
    if (keep_seqs) {
      Event pad;
      pad.kind = EventKind::kAdminAction;
      pad.source = "import.pad";
      pad.time_ns = ev.time_ns;
      ev = std::move(pad);
    } else {
      drop[at[r]] = true;
    }
  }
  size_t out = 0;
  for (size_t i = 0; i < chunk->size(); ++i) {
    if (drop[i]) continue;
    if (out != i) (*chunk)[out] = std::move((*chunk)[i]);
    ++out;
  }
  chunk->resize(out);
  roles->clear();
  return Status::OK();
}

// The one-line error of a refused seq padding (core/import/seq_padding.h).
Status SeqPaddingError(const std::string& path, uint64_t line, const Status& why) {
  return Status::InvalidArgument(
      "cannot keep the seqs of " + path + " (line " + std::to_string(line) + "): " + why.message() +
      ". Nothing was imported; remove the \"seq\" keys (jq -c 'del(.seq)') " + "to import the records with new seqs");
}

// An import into an empty store keeps the records' seqs: checks the whole
// file's padding, from the source's index, before anything is written.
Status CheckSeqPadding(const ImportSource& src, const std::string& path) {
  uint64_t records = 0;
  TB_RETURN_IF_ERROR(src.ForEachWantedSeq([&](uint64_t, uint64_t) {
    ++records;
    return Status::OK();
  }));
  SeqPadding padding(records);
  uint64_t next = 1;
  return src.ForEachWantedSeq([&](uint64_t seq, uint64_t line) {
    uint64_t pads = 0;
    Status s = padding.Before(seq, next, &pads);
    if (!s.ok()) return SeqPaddingError(path, line, s);
    next += pads + 1;
    return Status::OK();
  });
}

// A file of which no entry parsed but some were malformed: most likely
// another format (tb import fish ~/.bash_history). Nothing is written.
Status NothingParsed(const ImportJob& job, uint64_t malformed) {
  std::string why = "cannot import " + job.path + " as " + job.source + " history: nothing in it parsed (" +
                    std::to_string(malformed) + " malformed entries). ";
  std::string guess = IsTextSource(job.source) ? GuessTextSource(job.path) : "";
  if (!guess.empty() && guess != job.source) {
    return Status::InvalidArgument(why + "It looks like " + guess + " history: run 'tb import " + guess + " " +
                                   job.path + "'");
  }
  return Status::InvalidArgument(why + "Check that it is " + job.source +
                                 " history, or name its format (tb import bash|zsh|fish|ndjson FILE)");
}

}  // namespace

Status Importer::Run(const ImportJob& job, ImportCounts* counts, uint64_t* batch_out) {
  Store& store = store_;
  *counts = ImportCounts{};
  SourceOptions so;
  so.problem = [&](uint64_t line, const std::string& why) {
    counts->malformed++;
    if (o_.problem) o_.problem(line, why);
  };
  if (job.strict) {
    // Check everything first: the first problem stops the import before
    // anything is written.
    Status first;
    SourceOptions check;
    check.problem = [&](uint64_t line, const std::string& why) {
      if (first.ok()) {
        first = Status::InvalidArgument(job.path + ":" + std::to_string(line) + ": " + why +
                                        " (--strict: nothing was imported)");
      }
    };
    std::unique_ptr<ImportSource> src;
    TB_RETURN_IF_ERROR(o_.open(check, &src));
    ImportedCommand c;
    while (first.ok() && src->Next(&c)) {
    }
    TB_RETURN_IF_ERROR(src->status().WithContext(job.path));
    TB_RETURN_IF_ERROR(first);
  }
  std::unique_ptr<ImportSource> src;
  TB_RETURN_IF_ERROR(o_.open(so, &src));
  TB_RETURN_IF_ERROR(RevertIncomplete(store, o_.reverted));
  // Seqs are kept only in an empty store (core/import/seq_padding.h).
  const bool keep_seqs = store.head() == 0 && store.log_floor() == 0;
  uint64_t records = 0;
  if (keep_seqs) {
    TB_RETURN_IF_ERROR(CheckSeqPadding(*src, job.path));
    TB_RETURN_IF_ERROR(src->ForEachWantedSeq([&](uint64_t, uint64_t) {
      ++records;
      return Status::OK();
    }));
  }
  SeqPadding padding(records);

  struct stat st {};
  int64_t mtime_ns = o_.now();
  if (::stat(job.path.c_str(), &st) == 0) mtime_ns = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
  uint64_t lines = IsTextSource(job.source) ? CountLines(job.path) : 0;
  std::vector<uint64_t> prior;
  TB_RETURN_IF_ERROR(FindImportBatches(store.reader(), job.source, job.path, &prior));
  uint64_t window = 0;
  std::optional<int64_t> first_time;
  TB_RETURN_IF_ERROR(ScanPlainHead(o_, job.path, &window, &first_time));
  PlainDedup plain;
  if (!prior.empty() && window > 0) TB_RETURN_IF_ERROR(plain.Load(store.reader(), prior, window));
  SyntheticClock clock(plain.newest(), mtime_ns, lines);
  if (first_time) clock.EndBefore(*first_time, window);
  const uint64_t before = store.head();
  const uint64_t batch = before + 1;
  *batch_out = batch;
  const std::string& host = o_.host;
  const std::string& user = o_.user;
  const size_t kChunk = std::max<size_t>(o_.chunk_events, 1);

  std::vector<Event> chunk;
  std::vector<Role> roles;
  chunk.reserve(kChunk + 1);
  bool wrote = false;
  auto revert = [&](const Status& why) -> Status {
    if (wrote) {
      Status s = AppendRevert(store, batch);
      if (!s.ok())
        return why.WithContext("import failed and its partial batch could not be reverted (" + s.message() + ")");
    }
    return why;
  };
  auto flush = [&](bool sync) -> Status {
    if (chunk.empty()) return Status::OK();
    // Before every chunk: a disk that filled up meanwhile stops the import
    // here (and its partial batch is reverted) rather than in RocksDB.
    if (o_.before_chunk) TB_RETURN_IF_ERROR(o_.before_chunk());
    roles.resize(chunk.size(), Role::kUnchecked);
    TB_RETURN_IF_ERROR(DropExisting(store.reader(), before, keep_seqs, &chunk, &roles, counts));
    Status s = store.Append(chunk, sync);
    if (!s.ok()) return s;
    wrote = true;
    chunk.clear();
    // Commands recorded meanwhile were spooled (the store is ours): they go
    // in between chunks, not after the whole import. Kept seqs leave no room.
    return keep_seqs || !o_.drain ? Status::OK() : o_.drain();
  };
  int64_t last_real = 0;
  uint64_t since_real = 0;
  bool have_real = false;
  ImportedCommand c;
  uint64_t seen = 0;
  while (src->Next(&c)) {
    Event& ev = c.ev;
    const bool plain_entry = !c.has_time && !have_real;
    if (c.has_time) {
      last_real = ev.time_ns;
      since_real = 0;
      have_real = true;
    } else if (have_real) {
      ev.time_ns = last_real + static_cast<int64_t>(++since_real) * 1000;
    }
    if (!c.keep_id) {
      if (ev.host.empty()) ev.host = host;
      if (ev.user.empty()) ev.user = user;
      ev.id = EventId{};
    }
    ev.kind = EventKind::kRecorded;
    ev.batch = batch;
    o_.policy->Prepare(&ev);
    ++seen;
    if (o_.progress && seen % 100000 == 0) o_.progress(seen, false);
    if (plain_entry && plain.Duplicate(ev.command)) {
      counts->duplicates++;
      continue;
    }
    if (plain_entry) ev.time_ns = clock.Next();  // new: after what was imported before
    // Into an empty store the record keeps its seq: the seqs in between
    // are padding events. The whole file was checked above; this check
    // only catches lines that parse differently from their index entry.
    uint64_t pads = 0;
    if (keep_seqs) {
      Status s = padding.Before(c.want_seq, store.head() + chunk.size() + 1, &pads);
      if (!s.ok()) return revert(SeqPaddingError(job.path, c.line, s));
    }
    for (; pads > 0; --pads) {
      Event pad;
      pad.kind = EventKind::kAdminAction;
      pad.source = "import.pad";
      pad.time_ns = ev.time_ns;
      chunk.push_back(std::move(pad));
      roles.push_back(Role::kUnchecked);
      if (chunk.size() >= kChunk) {
        Status s = flush(false);
        if (!s.ok()) return revert(s);
      }
    }
    chunk.push_back(std::move(ev));
    roles.push_back(plain_entry ? Role::kUnchecked : c.keep_id ? Role::kKeptId : Role::kRecord);
    counts->imported++;
    if (chunk.size() >= kChunk) {
      Status s = flush(false);
      if (!s.ok()) return revert(s);
    }
  }
  if (o_.progress) o_.progress(seen, true);
  if (!src->status().ok()) return revert(src->status().WithContext(job.path));
  if (counts->imported == 0 && counts->duplicates == 0 && counts->malformed > 0) {
    return revert(NothingParsed(job, counts->malformed));
  }
  if (o_.parsed) o_.parsed();
  // The counts the closing event holds are final only once the last
  // records were checked against the store.
  if (Status s = flush(false); !s.ok()) return revert(s);
  Event done;
  done.kind = EventKind::kImportCompleted;
  done.batch = batch;
  done.source = job.source;
  done.detail = job.path;
  done.time_ns = o_.now();
  done.host = host;
  done.user = user;
  done.imported = counts->imported;
  done.duplicates = counts->duplicates;
  done.malformed = counts->malformed;
  chunk.push_back(std::move(done));
  Status s = flush(true);
  if (!s.ok()) return revert(s);
  return keep_seqs && o_.drain ? o_.drain() : Status::OK();
}

}  // namespace tb
