// import_bench: `tb import FORMAT FILE` of a generated 1,000,000-command
// history file into an empty store; budget: at least 500,000 commands/s),
// beside SQLite with atuin's schema doing the same import.
//
//   import_bench [--format zsh|ndjson] [--foreign-ids] [--commands N] [--dir DIR] [--chunk ROWS]
//                [--writers W] [--each E] [--key-file PATH]
//
// --key-file: every `tb` runs with encryption at rest on (storage.encryption
// = "keyfile" with that key; docs/security.md, "Encryption at rest").
//
// After both imports: the first `tb history -n 5` on the store as the import
// left it, then a second generated history (another seed, same time span)
// imported into the now used store, timed against the first import.
//
// * The file: HistoryGenerator's commands (bench/history_gen.h, the same
//   deterministic history every benchmark uses), not timed, written
//   - zsh (default): as zsh writes them, `: <start s>:<elapsed s>;<command>`,
//     metafied (0x83 escapes) and with backslash-newline for multi-line
//     commands;
//   - ndjson: as `tb export` writes them (core/export.h): one record per
//     line with id, seq 1..N, every contract key, and `started_at_ns` where
//     the start is not a whole millisecond. With --foreign-ids each id is
//     another tool's ("gen-<n>") instead of tb's own text form.
// * Parser alone: the file read in this process through the same source
//   (core/import) that tb uses, every entry parsed, nothing stored.
// * tb: the real `tb` binary built beside this bench (TB_BINARY), run as
//   `tb --data-dir DIR import FORMAT FILE` -- exactly the CLI's code path,
//   fsync at the end included. Wall time and peak RSS from wait4.
// * SQLite: a forked child parses the same file with the same parser
//   (core/import, so parsing costs the same on both sides) and inserts every
//   command through AtuinSqlite (bench/peers/atuin_sqlite.h: atuin's schema,
//   pragmas -- WAL, synchronous=NORMAL -- indexes and `insert or ignore`),
//   one transaction per --chunk rows (default 16384, tb's own chunk size),
//   then checkpoints the WAL. The row is what atuin stores for an imported
//   zsh line: cwd "unknown", exit -1, duration from the elapsed field,
//   hostname "host:user", a UUIDv7 id; for ndjson the record's own fields.
// Both sides start from an empty directory; the page cache is warm for both
// (the file was just written).
// * Writers beside an import (--writers W, default 8; 0 skips it): the same
//   file imported into another empty store while W processes each run
//   `tb record` E times (default 1000), one process per call, as scripts
//   and shells without the spool do. Checked: every record call exited 0,
//   every recorded command is in the store exactly once, and the store
//   without them exports exactly what the import alone gave (ids and seqs
//   aside). Printed: the record calls' latency and how many were spooled.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/history_gen.h"
#include "bench/peers/atuin_sqlite.h"
#include "core/export.h"
#include "core/import/source.h"

extern char** environ;

using namespace tb;
using namespace tb::bench;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string LoadAvg() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t n = 0;
  std::error_code ec;
  for (auto& e : fs::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) n += e.file_size(ec);
  }
  return n;
}

// zsh's history encoding of one command: metafied bytes, and a newline
// inside the command written as backslash-newline.
void AppendZshLine(const GenCommand& c, std::string* out) {
  int64_t start = c.time_ns / 1000000000LL;
  int64_t elapsed = c.duration_ns / 1000000000LL;
  *out += ": " + std::to_string(start) + ":" + std::to_string(elapsed) + ";";
  for (unsigned char ch : c.command) {
    if (ch == '\n') {
      *out += "\\\n";
    } else if (ch == 0 || (ch >= 0x83 && ch <= 0x9f)) {
      out->push_back(static_cast<char>(0x83));
      out->push_back(static_cast<char>(ch ^ 0x20));
    } else {
      out->push_back(static_cast<char>(ch));
    }
  }
  out->push_back('\n');
}

// `tb export`'s ndjson line of one command: the record a store that ran
// it would hold (id and seq as tb numbers them, or another tool's id).
// `first` numbers the first command (ids and seqs of a second file follow
// the first file's instead of repeating them).
void AppendNdjsonLine(const GenCommand& c, bool foreign_ids, uint64_t first, ExportFormatter* fmt, std::string* out) {
  constexpr uint64_t kOrigin = 0x5eed0f7e4b2a1c9dull;
  HistoryRecord r;
  r.id = EventId{kOrigin, first + c.index};
  r.seq = first + c.index;
  r.command = c.command;
  r.cwd = c.cwd;
  r.exit_code = c.exit_code;
  r.duration_ns = c.duration_ns;
  r.started_at_ns = c.time_ns;
  r.session = c.session;
  r.host = c.host;
  r.user = c.user;
  r.shell = c.shell;
  size_t at = out->size();
  fmt->Add(r, out);
  if (foreign_ids) {
    // The id is the first key: `{"id":"<16 hex>-<n>"` becomes `{"id":"gen-<n>"`.
    std::string id = r.id.ToString();
    out->replace(at + 7, id.size(), "gen-" + std::to_string(first + c.index));
  }
}

// The parser alone, in this process: every entry of `file` read through
// the import source tb uses. Returns the entries parsed.
uint64_t ParseOnly(const std::string& format, const std::string& file, uint64_t* malformed) {
  SourceOptions so;
  so.problem = [&](uint64_t, const std::string&) { ++*malformed; };
  std::unique_ptr<ImportSource> src;
  Status s = OpenImportSource(format, file, so, &src);
  if (!s.ok()) {
    std::fprintf(stderr, "import_bench: %s\n", s.ToString().c_str());
    return 0;
  }
  uint64_t n = 0;
  ImportedCommand c;
  while (src->Next(&c)) ++n;
  return n;
}

struct Run {
  bool ok = false;
  double wall_s = 0, user_s = 0, sys_s = 0;
  long maxrss_kb = 0;
};

Run Wait(pid_t pid, Clock::time_point t0) {
  Run r;
  int status = 0;
  struct rusage ru {};
  ::wait4(pid, &status, 0, &ru);
  r.wall_s = Since(t0);
  r.maxrss_kb = ru.ru_maxrss;
  r.user_s = static_cast<double>(ru.ru_utime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec) / 1e6;
  r.sys_s = static_cast<double>(ru.ru_stime.tv_sec) + static_cast<double>(ru.ru_stime.tv_usec) / 1e6;
  r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return r;
}

// The SQLite side, in a forked child: parse + insert; the count goes to
// `count_file`.
int SqliteImport(const std::string& format, const std::string& file, const std::string& db_path, size_t chunk,
                 const std::string& count_file) {
  std::string error;
  std::unique_ptr<AtuinSqlite> db = AtuinSqlite::Open(db_path, &error);
  if (db == nullptr) {
    std::fprintf(stderr, "import_bench: sqlite: %s\n", error.c_str());
    return 1;
  }
  SourceOptions so;
  uint64_t malformed = 0;
  so.problem = [&](uint64_t, const std::string&) { ++malformed; };
  std::unique_ptr<ImportSource> src;
  Status s = OpenImportSource(format, file, so, &src);
  if (!s.ok()) {
    std::fprintf(stderr, "import_bench: sqlite: %s\n", s.ToString().c_str());
    return 1;
  }
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  const char* user = std::getenv("USER");
  std::vector<GenCommand> rows(chunk);
  size_t n = 0;
  uint64_t total = 0;
  ImportedCommand c;
  while (src->Next(&c)) {
    GenCommand& g = rows[n++];
    g.command = std::move(c.ev.command);
    g.time_ns = c.ev.time_ns;
    g.duration_ns = c.ev.duration_ns.value_or(-1);
    g.index = total++;
    if (format == "zsh") {
      g.cwd = "unknown";
      g.session.assign(32, '0');
      g.host = host;
      g.user = user ? user : "";
      g.shell = "zsh";
      g.exit_code = -1;
    } else {
      g.cwd = std::move(c.ev.cwd);
      g.session = std::move(c.ev.session);
      g.host = std::move(c.ev.host);
      g.user = std::move(c.ev.user);
      g.shell = std::move(c.ev.shell);
      g.exit_code = c.ev.exit_code.value_or(-1);
    }
    if (n == chunk) {
      if (!db->InsertBatch(std::span<const GenCommand>(rows.data(), n))) {
        std::fprintf(stderr, "import_bench: sqlite: %s\n", db->error().c_str());
        return 1;
      }
      n = 0;
    }
  }
  if (n > 0 && !db->InsertBatch(std::span<const GenCommand>(rows.data(), n))) {
    std::fprintf(stderr, "import_bench: sqlite: %s\n", db->error().c_str());
    return 1;
  }
  if (!src->status().ok() || !db->Checkpoint()) return 1;
  std::ofstream(count_file) << total << " " << malformed << "\n";
  return 0;
}

// Writes the generated history of `n` commands (generator seed `seed`) as
// `format` to `path`; ndjson ids and seqs start at `first`.
bool WriteHistoryFile(const std::string& format, bool foreign_ids, uint64_t seed, uint64_t first, size_t n,
                      const std::string& path, uint64_t* bytes, uint64_t* multiline) {
  *bytes = *multiline = 0;
  GenOptions go;
  go.commands = n;
  go.seed = seed;
  HistoryGenerator gen(go);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return std::perror("fopen"), false;
  std::string buf;
  ExportFormatter fmt(ExportFormat::kNdjson);
  while (!gen.done()) {
    const GenCommand& c = gen.Next();
    if (format == "zsh") {
      AppendZshLine(c, &buf);
      if (c.command.find('\n') != std::string::npos) ++*multiline;
    } else {
      AppendNdjsonLine(c, foreign_ids, first, &fmt, &buf);
    }
    if (buf.size() > (1 << 20)) {
      std::fwrite(buf.data(), 1, buf.size(), f);
      *bytes += buf.size();
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), f);
  *bytes += buf.size();
  return std::fclose(f) == 0;
}

// Runs `tb --data-dir TB_DIR ARGS...` as the user would (own environment
// under `dir`); its first stdout line goes to *first_line.
Run RunTb(const std::string& dir, const std::string& tb_dir, const std::vector<std::string>& tb_args,
          std::string* first_line) {
  std::string out_file = dir + "/tb.out", err_file = dir + "/tb.err";
  std::fflush(stdout);
  auto t = Clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    std::freopen(out_file.c_str(), "w", stdout);
    std::freopen(err_file.c_str(), "w", stderr);
    std::string home = "HOME=" + dir + "/home", xdg = "XDG_CONFIG_HOME=" + dir + "/config",
                data = "XDG_DATA_HOME=" + dir + "/home", run = "XDG_RUNTIME_DIR=" + dir + "/home";
    const char* user = std::getenv("USER");
    std::string u = std::string("USER=") + (user ? user : "bench");
    char* envp[] = {home.data(), xdg.data(), data.data(), run.data(), u.data(), const_cast<char*>("TZ=UTC"), nullptr};
    std::vector<std::string> args = {TB_BINARY, "--data-dir", tb_dir};
    args.insert(args.end(), tb_args.begin(), tb_args.end());
    std::vector<char*> av;
    for (auto& a : args) av.push_back(a.data());
    av.push_back(nullptr);
    ::execve(TB_BINARY, av.data(), envp);
    std::perror("execve");
    ::_exit(127);
  }
  Run r = Wait(pid, t);
  std::ifstream tbo(out_file);
  first_line->clear();
  std::getline(tbo, *first_line);
  if (!r.ok) {
    std::ifstream e(err_file);
    std::string msg((std::istreambuf_iterator<char>(e)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "import_bench: tb failed: %s\n", msg.c_str());
  }
  return r;
}

// --- writers beside an import ---

// One writer process: `each` record calls, one tb process each; writes
// "<exit> <ms>" per call to `lat_file`, the calls' stderr to `err_file`.
int Writer(const std::string& dir, const std::string& tb_dir, int w, int each, const std::string& lat_file,
           const std::string& err_file) {
  std::FILE* lat = std::fopen(lat_file.c_str(), "w");
  if (lat == nullptr) return 1;
  for (int i = 0; i < each; ++i) {
    auto t = Clock::now();
    pid_t pid = ::fork();
    if (pid == 0) {
      std::freopen("/dev/null", "w", stdout);
      std::freopen(err_file.c_str(), "a", stderr);
      std::string home = "HOME=" + dir + "/home", run = "XDG_RUNTIME_DIR=" + dir + "/home",
                  cfg = "XDG_CONFIG_HOME=" + dir + "/config";
      const char* user = std::getenv("USER");
      std::string u = std::string("USER=") + (user ? user : "bench");
      char* envp[] = {home.data(), run.data(), cfg.data(), u.data(), const_cast<char*>("TZ=UTC"), nullptr};
      std::string cmd = "writer-" + std::to_string(w) + "-" + std::to_string(i);
      std::vector<std::string> args = {TB_BINARY, "--data-dir", tb_dir, "record", "--command", cmd, "--exit", "0"};
      std::vector<char*> av;
      for (auto& a : args) av.push_back(a.data());
      av.push_back(nullptr);
      ::execve(TB_BINARY, av.data(), envp);
      ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::fprintf(lat, "%d %.3f\n", rc, Since(t) * 1000);
  }
  return std::fclose(lat) == 0 ? 0 : 1;
}

// The exported records of `path` without id and seq, in order, skipping
// (and counting in *writers) the writers' commands.
bool NextImported(std::ifstream& in, std::map<std::string, int>* writers, std::string* out) {
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) return false;
    std::string cmd = j.value("command", "");
    if (cmd.starts_with("writer-")) {
      if (writers != nullptr) (*writers)[cmd]++;
      continue;
    }
    j.erase("id");
    j.erase("seq");
    *out = j.dump();
    return true;
  }
  return false;
}

int WritersBesideImport(const std::string& dir, const std::string& format, const std::string& file,
                        const std::string& alone_export, int writers, int each) {
  const std::string tb_dir = dir + "/tb-writers";
  std::printf("\n== %d writers x %d `tb record` beside the import (another empty store) ==\n", writers, each);
  std::fflush(stdout);
  std::vector<pid_t> pids;
  auto t0 = Clock::now();
  for (int w = 0; w < writers; ++w) {
    pid_t pid = ::fork();
    if (pid == 0) {
      ::_exit(Writer(dir, tb_dir, w, each, dir + "/w" + std::to_string(w) + ".lat",
                     dir + "/w" + std::to_string(w) + ".err"));
    }
    pids.push_back(pid);
  }
  std::string line;
  Run imp = RunTb(dir, tb_dir, {"import", format, file}, &line);
  double import_s = imp.wall_s;
  bool writers_ok = true;
  for (pid_t pid : pids) writers_ok &= Wait(pid, t0).ok;
  std::printf("import: %s (%.2f s wall while the writers ran; all writers done after %.1f s)\n", line.c_str(), import_s,
              Since(t0));
  std::vector<double> ms;
  int failed = 0, spooled = 0;
  for (int w = 0; w < writers; ++w) {
    std::ifstream lat(dir + "/w" + std::to_string(w) + ".lat");
    int rc;
    double m;
    while (lat >> rc >> m) {
      ms.push_back(m);
      failed += rc != 0;
    }
    std::ifstream err(dir + "/w" + std::to_string(w) + ".err");
    for (std::string l; std::getline(err, l);) spooled += l.find("spooled") != std::string::npos;
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double q) {
    return ms.empty() ? 0.0 : ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))];
  };
  std::printf("record calls: %zu, exit non-zero: %d, spooled (store busy): %d; latency ms p50 %.1f p99 %.1f max %.1f\n",
              ms.size(), failed, spooled, pct(0.5), pct(0.99), ms.empty() ? 0.0 : ms.back());
  // What the store holds: export it and compare with the import alone.
  const std::string w_export = dir + "/writers.ndjson";
  if (!RunTb(dir, tb_dir, {"export", "--format", "ndjson", "-o", w_export}, &line).ok) return 1;
  std::ifstream a(alone_export), b(w_export);
  std::map<std::string, int> seen;
  std::string ra, rb;
  uint64_t same = 0, differ = 0;
  while (true) {
    bool ha = NextImported(a, nullptr, &ra), hb = NextImported(b, &seen, &rb);
    if (!ha && !hb) break;
    if (ha && hb && ra == rb) {
      ++same;
    } else {
      ++differ;
    }
  }
  int once = 0, missing = 0, twice = 0;
  for (int w = 0; w < writers; ++w) {
    for (int i = 0; i < each; ++i) {
      auto it = seen.find("writer-" + std::to_string(w) + "-" + std::to_string(i));
      if (it == seen.end()) {
        ++missing;
      } else {
        (it->second == 1 ? once : twice)++;
      }
    }
  }
  std::printf("recorded commands in the store: %d exactly once, %d missing, %d more than once\n", once, missing, twice);
  std::printf("imported records: %llu identical to the import alone, %llu different or missing\n",
              static_cast<unsigned long long>(same), static_cast<unsigned long long>(differ));
  const bool ok = writers_ok && imp.ok && failed == 0 && missing == 0 && twice == 0 && differ == 0;
  std::printf("writers never turned away, nothing lost or doubled: %s\n", ok ? "yes" : "NO");
  return ok ? 0 : 1;
}

// "FILE: 1000000 imported, ..." -> 1000000.
unsigned long long ImportedCount(const std::string& line) {
  size_t colon = line.rfind(": ");
  return colon == std::string::npos ? 0 : std::strtoull(line.c_str() + colon + 2, nullptr, 10);
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 1'000'000, chunk = 16384;
  std::string dir = "/tmp/tb-import-bench", format = "zsh";
  bool foreign_ids = false;
  int writers = 8, each = 1000;
  std::string key_file;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--foreign-ids")) {
      foreign_ids = true;
      continue;
    }
    if (i + 1 >= argc) break;
    if (!std::strcmp(argv[i], "--commands")) n = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    if (!std::strcmp(argv[i], "--chunk")) chunk = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--format")) format = argv[i + 1];
    if (!std::strcmp(argv[i], "--writers")) writers = std::stoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--each")) each = std::stoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--key-file")) key_file = argv[i + 1];
    ++i;
  }
  if (format != "zsh" && format != "ndjson") {
    std::fprintf(stderr, "import_bench: --format zsh|ndjson\n");
    return 2;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir + "/home");
  fs::create_directories(dir + "/config/termbrain");
  if (!key_file.empty()) {
    std::ofstream(dir + "/config/termbrain/config.toml")
        << "[storage]\nencryption = \"keyfile\"\nkey_file = \"" << key_file << "\"\n";
  }
  const std::string file = dir + (format == "zsh" ? "/zsh_history" : "/history.ndjson"), tb_dir = dir + "/tb",
                    db = dir + "/atuin/history.db";
  fs::create_directories(dir + "/atuin");

  std::printf("import_bench: %zu commands, format %s%s, %ld online CPUs, load average before: %s\n", n, format.c_str(),
              foreign_ids ? " (foreign ids)" : "", sysconf(_SC_NPROCESSORS_ONLN), LoadAvg().c_str());
  // --- the file (not timed) ---
  auto t = Clock::now();
  uint64_t bytes = 0, multiline = 0;
  if (!WriteHistoryFile(format, foreign_ids, GenOptions().seed, 1, n, file, &bytes, &multiline)) return 1;
  uint64_t lines = n + multiline;
  std::printf("file: %s, %.1f MiB, %llu lines, %llu multi-line commands (generated in %.2f s, not timed)\n",
              file.c_str(), static_cast<double>(bytes) / (1 << 20), static_cast<unsigned long long>(lines),
              static_cast<unsigned long long>(multiline), Since(t));

  // --- the parser alone, in process ---
  t = Clock::now();
  uint64_t parse_malformed = 0;
  uint64_t parsed = ParseOnly(format, file, &parse_malformed);
  double parse_s = Since(t);
  std::printf("parser alone (in process): %llu entries, %llu malformed, %.2f s, %.0f entries/s\n",
              static_cast<unsigned long long>(parsed), static_cast<unsigned long long>(parse_malformed), parse_s,
              static_cast<double>(parsed) / parse_s);

  // --- tb: the real binary ---
  std::string tb_line;
  Run tbr = RunTb(dir, tb_dir, {"import", format, file}, &tb_line);
  if (!tbr.ok) return 1;
  unsigned long long tb_imported = ImportedCount(tb_line);

  // --- SQLite with atuin's schema ---
  std::string count_file = dir + "/sqlite.count";
  std::fflush(stdout);
  t = Clock::now();
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(SqliteImport(format, file, db, chunk, count_file));
  Run sq = Wait(pid, t);
  if (!sq.ok) {
    std::fprintf(stderr, "import_bench: the SQLite import failed\n");
    return 1;
  }
  unsigned long long sq_rows = 0, sq_malformed = 0;
  std::ifstream(count_file) >> sq_rows >> sq_malformed;

  double tb_rate = static_cast<double>(tb_imported) / tbr.wall_s;
  double sq_rate = static_cast<double>(sq_rows) / sq.wall_s;
  std::printf("\n%-34s %18s %18s\n", "", ("tb import " + format).c_str(), "SQLite (atuin)");
  std::printf("%-34s %18llu %18llu\n", "commands imported", tb_imported, sq_rows);
  std::printf("%-34s %18.2f %18.2f\n", "wall time (s)", tbr.wall_s, sq.wall_s);
  std::printf("%-34s %18.2f %18.2f\n", "cpu user + sys (s)", tbr.user_s + tbr.sys_s, sq.user_s + sq.sys_s);
  std::printf("%-34s %18.0f %18.0f\n", "commands/s", tb_rate, sq_rate);
  std::printf("%-34s %18.1f %18.1f\n", "peak RSS (MiB)", static_cast<double>(tbr.maxrss_kb) / 1024,
              static_cast<double>(sq.maxrss_kb) / 1024);
  std::printf("%-34s %18.1f %18.1f\n", "on disk after import (MiB)", static_cast<double>(DirBytes(tb_dir)) / (1 << 20),
              static_cast<double>(DirBytes(dir + "/atuin")) / (1 << 20));
  std::printf("\ntb / SQLite throughput ratio: %.2fx (budget: tb >= 500000 commands/s: %s)\n", tb_rate / sq_rate,
              tb_rate >= 500000 ? "met" : "NOT met");
  std::printf("tb said: %s\n", tb_line.c_str());

  // --- what the import left: a query right after it, as a user would ---
  std::string ignored;
  Run first = RunTb(dir, tb_dir, {"history", "-n", "5"}, &ignored);
  std::printf("first `tb history -n 5` after the import: %.1f ms\n", first.wall_s * 1000);
  int writers_rc = 0;
  if (writers > 0) {
    const std::string alone_export = dir + "/alone.ndjson";
    if (!RunTb(dir, tb_dir, {"export", "--format", "ndjson", "-o", alone_export}, &ignored).ok) return 1;
    writers_rc = WritersBesideImport(dir, format, file, alone_export, writers, each);
  }

  // --- a second history (another seed, the same time span) into the used store ---
  const std::string file2 = file + ".2";
  uint64_t bytes2 = 0, multiline2 = 0;
  if (!WriteHistoryFile(format, foreign_ids, GenOptions().seed + 1, n + 1, n, file2, &bytes2, &multiline2)) return 1;
  std::string tb_line2;
  Run used = RunTb(dir, tb_dir, {"import", format, file2}, &tb_line2);
  if (!used.ok) return 1;
  double used_rate = static_cast<double>(ImportedCount(tb_line2)) / used.wall_s;
  std::printf(
      "into the store holding %llu commands: %.0f commands/s (%.2f s wall, %.2f s cpu, peak RSS %.1f MiB); "
      "time %.2fx the import into an empty store (budget: <= 1.5x)\n",
      tb_imported, used_rate, used.wall_s, used.user_s + used.sys_s, static_cast<double>(used.maxrss_kb) / 1024,
      used.wall_s / tbr.wall_s);
  std::printf("tb said: %s\n", tb_line2.c_str());
  std::printf("load average after: %s\n", LoadAvg().c_str());
  return writers_rc;
}
