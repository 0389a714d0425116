#include "tests/tools/cli_fixture.h"

#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tb::testing {

namespace fs = std::filesystem;

TreeSnapshot Snapshot(const std::string& root) {
  TreeSnapshot snap;
  auto add = [&](const fs::path& p, const std::string& rel) {
    struct stat st;
    FileEntry e;
    if (::lstat(p.c_str(), &st) != 0) {
      e.type = '!';
      snap[rel] = e;
      return;
    }
    e.mode = st.st_mode & 07777;
    if (S_ISDIR(st.st_mode)) {
      e.type = 'd';
    } else if (S_ISREG(st.st_mode)) {
      e.type = 'f';
      e.size = static_cast<uint64_t>(st.st_size);
      e.content = ReadFile(p.string());
    } else if (S_ISLNK(st.st_mode)) {
      e.type = 'l';
      e.content = fs::read_symlink(p).string();
    }
    snap[rel] = e;
  };
  add(root, ".");
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it); it.increment(ec)) {
    add(it->path(), fs::relative(it->path(), root).string());
  }
  return snap;
}

std::string DiffSnapshots(const TreeSnapshot& before, const TreeSnapshot& after) {
  std::ostringstream out;
  for (const auto& [path, e] : before) {
    auto it = after.find(path);
    if (it == after.end()) {
      out << "removed: " << path << "\n";
    } else if (!(it->second == e)) {
      out << "changed: " << path << " (type " << e.type << "->" << it->second.type << ", mode " << std::oct << e.mode
          << "->" << it->second.mode << std::dec << ", size " << e.size << "->" << it->second.size
          << (e.content == it->second.content ? "" : ", content") << ")\n";
    }
  }
  for (const auto& [path, e] : after) {
    if (!before.count(path)) out << "added: " << path << "\n";
  }
  return out.str();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

void AppendHookCommand(const std::string& spool_dir, const std::string& session, int n, const std::string& command) {
  std::filesystem::create_directories(spool_dir);
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  char start[40], end[40];
  std::snprintf(start, sizeof start, "%lld.%06lld", static_cast<long long>(us / 1000000),
                static_cast<long long>(us % 1000000));
  std::snprintf(end, sizeof end, "%lld.%06lld", static_cast<long long>(us / 1000000 + 1),
                static_cast<long long>(us % 1000000));
  std::ofstream(spool_dir + "/" + session + ".spool", std::ios::app | std::ios::binary)
      << "TB1\tS\t" << session << "\t" << 2 * n << "\t" << start << "\t" << session << "\tbash\t/tmp\t" << command
      << "\t.\n"
      << "TB1\tF\t" << session << "\t" << 2 * n + 1 << "\t" << end << "\t0\t1000\t" << 2 * n << "\t.\n";
}

std::string ThisHost() {
  char buf[HOST_NAME_MAX + 1] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

std::string ThisUser() {
  if (const passwd* pw = ::getpwuid(::geteuid())) return pw->pw_name;
  return "";
}

void CliTest::SetUp() {
  std::string tmpl = (fs::temp_directory_path() / "tb_cli_test.XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  // Canonical, so paths tb prints (getcwd) compare equal to ours.
  root_ = fs::canonical(tmpl).string();
  home_ = root_ + "/home";
  data_dir_ = root_ + "/data";
  fs::create_directories(home_);
  fs::create_directories(runtime_dir());
  fs::permissions(runtime_dir(), fs::perms::owner_all, fs::perm_options::replace);
}

namespace {

// Templates made by UseSharedStore, removed when the test binary exits.
class TemplateCache {
 public:
  ~TemplateCache() {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  // "" when `key` has no template yet.
  std::string Find(const std::string& key) const {
    auto it = paths_.find(key);
    return it == paths_.end() ? "" : it->second;
  }
  std::string Add(const std::string& key) {
    if (dir_.empty()) {
      std::string tmpl = (fs::temp_directory_path() / "tb_cli_templates.XXXXXX").string();
      if (::mkdtemp(tmpl.data()) == nullptr) return "";
      dir_ = tmpl;
    }
    std::string path = dir_ + "/" + std::to_string(paths_.size());
    paths_[key] = path;
    return path;
  }

 private:
  std::string dir_;
  std::map<std::string, std::string> paths_;
};

TemplateCache& Templates() {
  static TemplateCache cache;
  return cache;
}

}  // namespace

void CliTest::UseSharedStore(const std::string& key, const std::function<void()>& build) {
  std::string tmpl = Templates().Find(key);
  if (!tmpl.empty()) {
    fs::copy(tmpl, data_dir_, fs::copy_options::recursive);
    fs::permissions(data_dir_, fs::perms::owner_all);  // copy() keeps modes, but be sure
    return;
  }
  build();
  if (::testing::Test::HasFailure()) return;
  tmpl = Templates().Add(key);
  ASSERT_FALSE(tmpl.empty());
  fs::copy(data_dir_, tmpl, fs::copy_options::recursive);
}

void CliTest::TearDown() {
  std::error_code ec;
  // Tests chmod things; make sure everything can be removed.
  fs::permissions(root_, fs::perms::owner_all, fs::perm_options::add, ec);
  fs::remove_all(root_, ec);
}

EnvVars CliTest::BaseEnv() const {
  return {
      {"HOME", home_},
      {"XDG_CONFIG_HOME", root_ + "/xdg/config"},
      {"XDG_DATA_HOME", root_ + "/xdg/data"},
      {"XDG_STATE_HOME", root_ + "/xdg/state"},
      {"XDG_CACHE_HOME", root_ + "/xdg/cache"},
      // tb spools under $XDG_RUNTIME_DIR (else /dev/shm): keep it in the test dir.
      {"XDG_RUNTIME_DIR", runtime_dir()},
      {"TZ", "UTC"},
      {"PATH", "/usr/local/bin:/usr/bin:/bin"},
  };
}

std::pair<std::string, int> CliTest::OnTerminal(const std::vector<std::string>& args, std::vector<std::string> lines,
                                                const EnvVars& extra) const {
  std::vector<std::string> argv{TbBinary(), "--data-dir", data_dir()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env;
  for (const auto& [k, v] : BaseEnv()) env.push_back(k + "=" + v);
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  std::vector<char*> av, ev;
  for (std::string& a : argv) av.push_back(a.data());
  for (std::string& e : env) ev.push_back(e.data());
  av.push_back(nullptr);
  ev.push_back(nullptr);
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    ::execve(av[0], av.data(), ev.data());
    ::_exit(127);
  }
  std::string shown;
  size_t next = 0;
  char buf[512];
  for (;;) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) break;
    const ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the child has exited
    shown.append(buf, static_cast<size_t>(n));
    if (shown.ends_with(": ") && next < lines.size()) {
      const std::string line = lines[next++] + "\n";
      EXPECT_EQ(::write(master, line.data(), line.size()), static_cast<ssize_t>(line.size()));
    }
  }
  ::close(master);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {shown, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

RunResult CliTest::Tb(const std::vector<std::string>& args, const TbCall& call) const {
  std::vector<std::string> argv{TbBinary()};
  if (call.data_dir) {
    argv.push_back("--data-dir");
    argv.push_back(data_dir_);
  }
  argv.insert(argv.end(), args.begin(), args.end());
  RunOptions o;
  o.env = BaseEnv();
  for (const auto& [k, v] : call.env) {
    bool replaced = false;
    for (auto& kv : o.env) {
      if (kv.first == k) {
        kv.second = v;
        replaced = true;
      }
    }
    if (!replaced) o.env.emplace_back(k, v);
  }
  o.cwd = call.cwd;
  o.stdin_data = call.in;
  o.timeout = call.timeout;
  o.uid = call.uid;
  o.gid = call.gid;
  if (call.uid >= 0) {
    // A coverage build's tb writes its counters next to the objects, which
    // another user may not: point them at a directory of that user's
    // (their counts are dropped) instead of a "profiling: Cannot open" line
    // per file on stderr.
    std::string gcov = root_ + "/gcov-" + std::to_string(call.uid);
    ::mkdir(gcov.c_str(), 0700);
    if (::chown(gcov.c_str(), static_cast<uid_t>(call.uid), static_cast<gid_t>(call.gid)) != 0) {
      ADD_FAILURE() << "cannot chown " << gcov;
    }
    o.env.emplace_back("GCOV_PREFIX", gcov);
  }
  RunResult r = RunProcess(argv, o);
  EXPECT_FALSE(r.timed_out) << "tb hung and was killed: " << ::testing::PrintToString(args);
  EXPECT_FALSE(r.spawn_failed) << r.err;
  return r;
}

void CliTest::Record(const std::string& command, const std::vector<std::string>& extra, const TbCall& call) const {
  std::vector<std::string> args{"record", "--command", command};
  args.insert(args.end(), extra.begin(), extra.end());
  RunResult r = Tb(args, call);
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
}

std::vector<std::string> CliTest::Commands(const std::vector<std::string>& args, const TbCall& call) const {
  std::vector<std::string> full{"history", "--format", "plain"};
  full.insert(full.end(), args.begin(), args.end());
  RunResult r = Tb(full, call);
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.err, "");
  return SplitLines(r.out);
}

}  // namespace tb::testing
