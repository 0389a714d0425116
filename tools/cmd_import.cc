// tb import SOURCE [FILE] | auto | --list | --undo BATCH; --list
// and --undo are in cmd_import_batches.cc.
//
// One import is one batch: its CommandRecorded events carry the batch id
// (the seq of the batch's first event) and an ImportCompleted closes it.
// Records are appended in chunks (memory stays bounded); a failure part way
// appends a BatchReverted for the partial batch, and a crash part way leaves
// a batch without ImportCompleted that the next import reverts first. With
// --strict the file is checked completely before anything is written.
//
// De-duplication against earlier imports: an entry with a timestamp (and
// an entry without one that follows a timestamped entry: its time is the
// stamp's plus 1 us per entry) is a duplicate when a record with the same
// text and start time was in the store before; ndjson records that keep
// their id also when that id is. Plain entries (no timestamp, none before
// them in the file) follow core/import/plain_dedup.h: text counts against
// the newest records of the earlier batches of the same source and file,
// and new ones are timed 1 ms apart after those records, and always before
// the file's first timestamped entry.
//
// A non-empty file of which no entry parsed and some were malformed (the
// wrong SOURCE) is refused (InvalidArgument, exit 2) with nothing written.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>

#include "core/import/existing_records.h"
#include "core/import/plain_dedup.h"
#include "core/import/seq_padding.h"
#include "core/import/source.h"
#include "core/record_policy.h"
#include "core/views/batches_view.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "core/import/sqlite/sqlite_sources.h"

namespace tb {
namespace {

constexpr size_t kChunk = 16384;
// Inputs from this size on (about 100,000 commands) are imported in bulk.
constexpr uint64_t kBulkBytes = 4 << 20;
constexpr int kShownProblems = 10;

struct Counts {
  uint64_t imported = 0, duplicates = 0, malformed = 0;
};

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

bool IsSqliteSource(std::string_view s) { return s == "atuin" || s == "histdb" || s == "termbrain-legacy"; }

Status OpenSource(std::string_view source, const std::string& path, const SourceOptions& o,
                  std::unique_ptr<ImportSource>* out) {
  if (IsSqliteSource(source)) return OpenSqliteImportSource(source, path, o, out);
  return OpenImportSource(source, path, o, out);
}

// The plain entries at the head of the file (the window of
// core/import/plain_dedup.h; 0 when the first entry has a timestamp) and the
// time of the first timestamped entry after them, if any.
Status ScanPlainHead(const std::string& source, const std::string& path, uint64_t* entries,
                     std::optional<int64_t>* first_time) {
  *entries = 0;
  first_time->reset();
  SourceOptions quiet;
  quiet.problem = [](uint64_t, const std::string&) {};
  std::unique_ptr<ImportSource> src;
  TB_RETURN_IF_ERROR(OpenSource(source, path, quiet, &src));
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
Status RevertIncomplete(Store& store) {
  std::vector<uint64_t> incomplete;
  TB_RETURN_IF_ERROR(ForEachImportBatch(store.reader(), [&](uint64_t batch) {
    BatchStatus st;
    TB_RETURN_IF_ERROR(GetBatchStatus(store.reader(), batch, &st));
    if (st.completed_seq == 0 && !st.reverted) incomplete.push_back(batch);
    return Status::OK();
  }));
  for (uint64_t b : incomplete) {
    TB_RETURN_IF_ERROR(AppendRevert(store, b));
    std::fprintf(stderr, "tb: note: reverted incomplete import batch %llu (interrupted earlier)\n",
                 static_cast<unsigned long long>(b));
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
                    std::vector<Role>* roles, Counts* counts) {
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
      "cannot keep the seqs of " + path + " (line " + std::to_string(line) + "): " +
      why.message() + ". Nothing was imported; remove the \"seq\" keys (jq -c 'del(.seq)') " +
      "to import the records with new seqs");
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

struct ImportJob {
  std::string source, path;
  bool strict = false;
  bool quiet_problems = false;
};

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

Status RunImport(Context& ctx, Store& store, const ImportJob& job, Counts* counts, uint64_t* batch_out) {
  *counts = Counts{};
  int shown = 0;
  SourceOptions so;
  so.problem = [&](uint64_t line, const std::string& why) {
    counts->malformed++;
    if (shown++ < kShownProblems) {
      std::fprintf(stderr, "tb: warning: %s:%llu: %s (skipped)\n", job.path.c_str(),
                   static_cast<unsigned long long>(line), why.c_str());
    }
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
    TB_RETURN_IF_ERROR(OpenSource(job.source, job.path, check, &src));
    ImportedCommand c;
    while (first.ok() && src->Next(&c)) {
    }
    TB_RETURN_IF_ERROR(src->status().WithContext(job.path));
    TB_RETURN_IF_ERROR(first);
  }
  std::unique_ptr<ImportSource> src;
  TB_RETURN_IF_ERROR(OpenSource(job.source, job.path, so, &src));
  TB_RETURN_IF_ERROR(RevertIncomplete(store));
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

  std::unique_ptr<RecordPolicy> policy;
  TB_RETURN_IF_ERROR(RecordPolicy::Create(ctx.config, &policy));
  struct stat st{};
  int64_t mtime_ns = NowNs();
  if (::stat(job.path.c_str(), &st) == 0) mtime_ns = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
  uint64_t lines = IsTextSource(job.source) ? CountLines(job.path) : 0;
  std::vector<uint64_t> prior;
  TB_RETURN_IF_ERROR(FindImportBatches(store.reader(), job.source, job.path, &prior));
  uint64_t window = 0;
  std::optional<int64_t> first_time;
  TB_RETURN_IF_ERROR(ScanPlainHead(job.source, job.path, &window, &first_time));
  PlainDedup plain;
  if (!prior.empty() && window > 0) TB_RETURN_IF_ERROR(plain.Load(store.reader(), prior, window));
  SyntheticClock clock(plain.newest(), mtime_ns, lines);
  if (first_time) clock.EndBefore(*first_time, window);
  const uint64_t before = store.head();
  const uint64_t batch = before + 1;
  *batch_out = batch;
  std::string host = HostName(), user = ctx.UserName();

  std::vector<Event> chunk;
  std::vector<Role> roles;
  chunk.reserve(kChunk + 1);
  bool wrote = false;
  auto revert = [&](const Status& why) -> Status {
    if (wrote) {
      Status s = AppendRevert(store, batch);
      if (!s.ok()) return why.WithContext("import failed and its partial batch could not be reverted (" + s.message() + ")");
    }
    return why;
  };
  auto flush = [&](bool sync) -> Status {
    if (chunk.empty()) return Status::OK();
    // Before every chunk: a disk that filled up meanwhile stops the import
    // here (and its partial batch is reverted) rather than in RocksDB.
    TB_RETURN_IF_ERROR(ctx.CheckSpace(0));
    roles.resize(chunk.size(), Role::kUnchecked);
    TB_RETURN_IF_ERROR(DropExisting(store.reader(), before, keep_seqs, &chunk, &roles, counts));
    Status s = store.Append(chunk, sync);
    if (!s.ok()) return s;
    wrote = true;
    chunk.clear();
    // Commands recorded meanwhile were spooled (the store is ours): they go
    // in between chunks, not after the whole import. Kept seqs leave no room.
    return keep_seqs ? Status::OK() : ctx.DrainSpoolInto(store);
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
    policy->Prepare(&ev);
    ++seen;
    if (ctx.stderr_tty && seen % 100000 == 0) {
      std::fprintf(stderr, "\rtb: importing %s: %llu commands", job.path.c_str(), static_cast<unsigned long long>(seen));
    }
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
  if (ctx.stderr_tty && seen >= 100000) std::fprintf(stderr, "\n");
  if (!src->status().ok()) return revert(src->status().WithContext(job.path));
  if (counts->imported == 0 && counts->duplicates == 0 && counts->malformed > 0) {
    return revert(NothingParsed(job, counts->malformed));
  }
  if (shown > kShownProblems) {
    std::fprintf(stderr, "tb: warning: %s: %d more malformed entries skipped\n", job.path.c_str(),
                 shown - kShownProblems);
  }
  // The counts the closing event holds are final only once the last
  // records were checked against the store.
  if (Status s = flush(false); !s.ok()) return revert(s);
  Event done;
  done.kind = EventKind::kImportCompleted;
  done.batch = batch;
  done.source = job.source;
  done.detail = job.path;
  done.time_ns = NowNs();
  done.host = host;
  done.user = user;
  done.imported = counts->imported;
  done.duplicates = counts->duplicates;
  done.malformed = counts->malformed;
  chunk.push_back(std::move(done));
  Status s = flush(true);
  if (!s.ok()) return revert(s);
  return keep_seqs ? ctx.DrainSpoolInto(store) : Status::OK();
}

// What importing `jobs` may add to the data dir before compaction: the log,
// the views and the WAL hold each command several times over (measured:
// about 7 bytes per byte of a bash history file).
// The bytes of the input files (the ones that exist).
uint64_t InputBytes(const std::vector<ImportJob>& jobs) {
  uint64_t total = 0;
  for (const ImportJob& job : jobs) {
    std::error_code ec;
    uint64_t size = std::filesystem::file_size(job.path, ec);
    if (!ec) total += size;
  }
  return total;
}

uint64_t ImportSpace(const std::vector<ImportJob>& jobs) {
  constexpr uint64_t kBytesPerInputByte = 8;
  return InputBytes(jobs) * kBytesPerInputByte;
}

// Known history files of the current user: (source, path).
std::vector<std::pair<std::string, std::string>> KnownFiles(const Context& ctx) {
  std::string home = ctx.Env("HOME");
  std::string xdg = ctx.Env("XDG_DATA_HOME");
  if (xdg.empty()) xdg = home + "/.local/share";
  std::string histfile = ctx.Env("HISTFILE");
  std::vector<std::pair<std::string, std::string>> c = {
      {"bash", home + "/.bash_history"},
      {"zsh", home + "/.zsh_history"},
      {"zsh", home + "/.histfile"},
      {"fish", xdg + "/fish/fish_history"},
      {"atuin", xdg + "/atuin/history.db"},
      {"histdb", home + "/.histdb/zsh-history.db"},
      // The older TermBrain kept its database under $TERMBRAIN_HOME/data.
      {"termbrain-legacy", home + "/.termbrain/data/termbrain.db"},
      {"termbrain-legacy", home + "/.termbrain/termbrain.db"},
  };
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [s, p] : c) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) out.emplace_back(s, p);
  }
  return out;
}

std::string DefaultFile(const Context& ctx, const std::string& source) {
  for (auto& [s, p] : KnownFiles(ctx)) {
    if (s == source) return p;
  }
  return "";
}

}  // namespace

Status CmdImport(Context& ctx, const Argv& args) {
  Args a("import", "import SOURCE [FILE] [--strict] | import auto | import --list [--format table|json] | import --undo BATCH");
  a.opts().add_options()
      ("strict", "stop at the first malformed entry and import nothing")
      ("list", "list import batches")
      ("format", po::value<std::string>()->value_name("F"),
       "output format of --list: table (default) or json")
      ("undo", po::value<std::string>()->value_name("BATCH"), "undo import batch BATCH");
  a.Positional("source");
  a.Positional("file");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) {
    WriteOut(a.HelpText() +
             "\nSources: bash, zsh, fish, ndjson (tb export), atuin (history.db), histdb (zsh-histdb),\n"
             "termbrain-legacy (older TermBrain SQLite), auto (every known file of this user)\n");
    return Status::OK();
  }
  std::string format = a.Has("format") ? a.Str("format") : "table";
  if (format != "table" && format != "json") {
    return Status::InvalidArgument("unknown format '" + format + "' for tb import --list: expected table or json");
  }
  if (a.Has("list")) return ImportList(ctx, format == "json");
  if (a.Has("format")) {
    return Status::InvalidArgument("--format applies to tb import --list only");
  }
  if (a.Has("undo")) return ImportUndo(ctx, a.Str("undo"));
  if (!a.Has("source")) return Status::InvalidArgument("missing SOURCE (tb import). Run 'tb help import'");
  std::string source = a.Str("source");
  std::vector<ImportJob> jobs;
  if (source == "auto") {
    if (a.Has("file")) return Status::InvalidArgument("tb import auto takes no FILE");
    for (auto& [s, p] : KnownFiles(ctx)) jobs.push_back({s, p, a.Has("strict")});
    if (jobs.empty()) {
      WriteOut("no known history files found: 0 imported\n");
      return Status::OK();
    }
  } else {
    if (!IsTextSource(source) && !IsSqliteSource(source)) {
      return Status::InvalidArgument("unknown import source '" + source +
                                     "': expected bash, zsh, fish, ndjson, atuin, histdb, termbrain-legacy or auto");
    }
    std::string path = a.Has("file") ? a.Str("file") : DefaultFile(ctx, source);
    if (path.empty()) {
      return Status::InvalidArgument("no FILE given and no default " + source + " history found (tb import " + source + " FILE)");
    }
    jobs.push_back({source, path, a.Has("strict")});
  }
  // A large import loads in bulk: compacted once at the end
  // (StoreOptions::bulk).
  const bool bulk = InputBytes(jobs) >= kBulkBytes;
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(StoreOptions::Access::kReadWrite, &store, bulk));
  TB_RETURN_IF_ERROR(ctx.CheckSpace(ImportSpace(jobs)));
  for (const ImportJob& job : jobs) {
    Counts counts;
    uint64_t batch = 0;
    Status s = RunImport(ctx, *store, job, &counts, &batch);
    if (!s.ok()) return s;
    char line[512];
    std::snprintf(line, sizeof line, "%s: %llu imported, %llu duplicates, %llu malformed (%s, batch %llu)\n",
                  job.path.c_str(), static_cast<unsigned long long>(counts.imported),
                  static_cast<unsigned long long>(counts.duplicates), static_cast<unsigned long long>(counts.malformed),
                  job.source.c_str(), static_cast<unsigned long long>(batch));
    WriteOut(line);
  }
  if (!bulk) return Status::OK();
  if (ctx.stderr_tty) std::fprintf(stderr, "tb: compacting the store after the import...\n");
  // Everything is imported and durable already: a compaction that fails
  // (a full disk) is left to the next writer.
  if (Status s = store->CompactAll(); !s.ok()) {
    std::fprintf(stderr, "tb: warning: the import is complete, but compacting the store failed: %s\n",
                 s.message().c_str());
  }
  return Status::OK();
}

}  // namespace tb
