// tb import SOURCE [FILE] | auto | --list | --undo BATCH; --list
// and --undo are in cmd_import_batches.cc.
//
// Parses, picks the files and the source (the SQLite importers included),
// opens the store (in bulk for a large input) and prints; the import itself
// (batches, de-duplication, times, seq padding, chunks, revert on failure)
// is the Importer's (storage/importer.h).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>

#include "core/import/source.h"
#include "core/import/sqlite/sqlite_sources.h"
#include "core/record_policy.h"
#include "storage/importer.h"
#include "tools/args.h"
#include "tools/commands.h"

namespace tb {
namespace {

// Inputs from this size on (about 100,000 commands) are imported in bulk.
constexpr uint64_t kBulkBytes = 4 << 20;
constexpr int kShownProblems = 10;

bool IsSqliteSource(std::string_view s) { return s == "atuin" || s == "histdb" || s == "termbrain-legacy"; }

Status OpenSource(std::string_view source, const std::string& path, const SourceOptions& o,
                  std::unique_ptr<ImportSource>* out) {
  if (IsSqliteSource(source)) return OpenSqliteImportSource(source, path, o, out);
  return OpenImportSource(source, path, o, out);
}

// Imports one job through the Importer (storage/importer.h), reporting
// malformed entries (the first kShownProblems), progress on a terminal and
// batches reverted on the way to stderr.
Status RunImport(Context& ctx, Store& store, const ImportJob& job, ImportCounts* counts, uint64_t* batch) {
  std::unique_ptr<RecordPolicy> policy;
  TB_RETURN_IF_ERROR(RecordPolicy::Create(ctx.config, &policy));
  int shown = 0;
  ImporterOptions o;
  o.open = [&](const SourceOptions& so, std::unique_ptr<ImportSource>* out) {
    return OpenSource(job.source, job.path, so, out);
  };
  o.policy = policy.get();
  o.host = HostName();
  o.user = ctx.UserName();
  o.now = NowNs;
  o.before_chunk = [&] { return ctx.CheckSpace(0); };
  o.drain = [&] { return ctx.DrainSpoolInto(store); };
  o.problem = [&](uint64_t line, const std::string& why) {
    if (shown++ < kShownProblems) {
      std::fprintf(stderr, "tb: warning: %s:%llu: %s (skipped)\n", job.path.c_str(),
                   static_cast<unsigned long long>(line), why.c_str());
    }
  };
  o.progress = [&](uint64_t seen, bool end) {
    if (!ctx.stderr_tty) return;
    if (!end) {
      std::fprintf(stderr, "\rtb: importing %s: %llu commands", job.path.c_str(),
                   static_cast<unsigned long long>(seen));
    } else if (seen >= 100000) {
      std::fprintf(stderr, "\n");
    }
  };
  o.reverted = [](uint64_t b) {
    std::fprintf(stderr, "tb: note: reverted incomplete import batch %llu (interrupted earlier)\n",
                 static_cast<unsigned long long>(b));
  };
  o.parsed = [&] {
    if (shown > kShownProblems) {
      std::fprintf(stderr, "tb: warning: %s: %d more malformed entries skipped\n", job.path.c_str(),
                   shown - kShownProblems);
    }
  };
  return Importer(store, std::move(o)).Run(job, counts, batch);
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

// The files `tb import SOURCE [FILE]` or `tb import auto` names (none for
// auto when no known history file exists).
Status PickJobs(const Context& ctx, const Args& a, std::vector<ImportJob>* jobs) {
  std::string source = a.Str("source");
  if (source == "auto") {
    if (a.Has("file")) return Status::InvalidArgument("tb import auto takes no FILE");
    for (auto& [s, p] : KnownFiles(ctx)) jobs->push_back({s, p, a.Has("strict")});
  } else {
    if (!IsTextSource(source) && !IsSqliteSource(source)) {
      return Status::InvalidArgument("unknown import source '" + source +
                                     "': expected bash, zsh, fish, ndjson, atuin, histdb, termbrain-legacy or auto");
    }
    std::string path = a.Has("file") ? a.Str("file") : DefaultFile(ctx, source);
    if (path.empty()) {
      return Status::InvalidArgument("no FILE given and no default " + source + " history found (tb import " + source +
                                     " FILE)");
    }
    jobs->push_back({source, path, a.Has("strict")});
  }
  return Status::OK();
}

// Imports the jobs one after the other into the store and says what each
// added; a large input is loaded in bulk and compacted once at the end.
Status ImportAll(Context& ctx, const std::vector<ImportJob>& jobs) {
  // A large import loads in bulk: compacted once at the end
  // (StoreOptions::bulk).
  const bool bulk = InputBytes(jobs) >= kBulkBytes;
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store, bulk));
  TB_RETURN_IF_ERROR(ctx.CheckSpace(ImportSpace(jobs)));
  for (const ImportJob& job : jobs) {
    ImportCounts counts;
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

}  // namespace

Status CmdImport(Context& ctx, const Argv& args) {
  Args a("import",
         "import SOURCE [FILE] [--strict] | import auto | import --list [--format table|json] | import --undo BATCH");
  a.opts().add_options()("strict", "stop at the first malformed entry and import nothing")(
      "list", "list import batches")("format", po::value<std::string>()->value_name("F"),
                                     "output format of --list: table (default) or json")(
      "undo", po::value<std::string>()->value_name("BATCH"), "undo import batch BATCH");
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
  std::vector<ImportJob> jobs;
  TB_RETURN_IF_ERROR(PickJobs(ctx, a, &jobs));
  if (jobs.empty()) {
    WriteOut("no known history files found: 0 imported\n");
    return Status::OK();
  }
  return ImportAll(ctx, jobs);
}

}  // namespace tb
