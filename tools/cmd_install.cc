// tb install / tb uninstall: add or remove the one line that loads the shell
// integration from the user's rc file, and the way the daemon starts (a
// systemd user unit, or the shells: tools/systemd_unit.h).
//
// The line is guarded (it does nothing once the binary is gone), points at
// the binary that ran `tb install` (so it works before ~/.local/bin is on
// PATH), and ends with the marker "# termbrain", which is how install finds
// it again (idempotent) and how uninstall removes exactly that line.
// The rc file is backed up before any change and rewritten by temp file +
// fsync + rename, keeping its mode; a symlinked rc file (dotfile managers)
// is edited where it points. An rc file that did not exist is created with
// a first line saying so (and naming the highest directory created for it,
// if any), also ending with the marker:
//   # tb install created this file[ and DIR]; tb uninstall removes it  # termbrain
// so uninstall leaves the home directory exactly as it was: it deletes the
// file when nothing else was added to it, and the directories it names
// when they are empty.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "tools/args.h"
#include "tools/commands.h"
#include "tools/output.h"
#include "tools/systemd_unit.h"

namespace tb {

std::string RcFileFor(const Context& ctx, const std::string& shell) {
  std::string home = ctx.Env("HOME");
  if (shell == "bash") return home + "/.bashrc";
  if (shell == "zsh") {
    std::string zdot = ctx.Env("ZDOTDIR");
    return (zdot.empty() ? home : zdot) + "/.zshrc";
  }
  std::string xdg = ctx.Env("XDG_CONFIG_HOME");
  if (xdg.empty() || xdg[0] != '/') xdg = home + "/.config";
  return xdg + "/fish/config.fish";
}

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMarker = kInstallMarker;

struct Target {
  std::string shell;    // bash | zsh | fish
  std::string rc;       // the rc file as the user knows it
  std::string display;  // rc with $HOME shown as ~
};

std::string Home(const Context& ctx) { return ctx.Env("HOME"); }

Status ResolveShell(const Context& ctx, const Args& a, std::string* shell) {
  if (a.Has("shell")) {
    *shell = a.Str("shell");
  } else {
    std::string sh = ctx.Env("SHELL");
    *shell = fs::path(sh).filename().string();
    if (*shell != "bash" && *shell != "zsh" && *shell != "fish") {
      return Status::InvalidArgument("cannot tell your shell from $SHELL ('" + sh + "') (tb " + a.cmd() +
                                     "): pass --shell bash, zsh or fish");
    }
  }
  if (*shell != "bash" && *shell != "zsh" && *shell != "fish") {
    return Status::InvalidArgument("unknown shell '" + *shell + "' for --shell (tb " + a.cmd() +
                                   "): expected bash, zsh or fish");
  }
  return Status::OK();
}

Status ResolveTarget(const Context& ctx, const Args& a, Target* t) {
  TB_RETURN_IF_ERROR(ResolveShell(ctx, a, &t->shell));
  std::string home = Home(ctx);
  if (home.empty() || home[0] != '/') {
    return Status::InvalidArgument("HOME is not set (tb " + a.cmd() + "): cannot find your rc file");
  }
  t->rc = RcFileFor(ctx, t->shell);
  // (Built with append: GCC 12's -Wrestrict misfires on "~" + substr at -O3.)
  t->display = t->rc;
  if (t->rc.size() > home.size() && t->rc.compare(0, home.size(), home) == 0 && t->rc[home.size()] == '/') {
    t->display = "~";
    t->display.append(t->rc, home.size(), std::string::npos);
  }
  return Status::OK();
}

// The binary as a word of `shell`: "$HOME/..." when under HOME (dotfiles
// that travel between machines keep working), else single-quoted.
std::string BinaryWord(const Context& ctx, const std::string& shell) {
  std::error_code ec;
  std::string bin = fs::read_symlink("/proc/self/exe", ec).string();
  if (ec || bin.empty()) return "tb";
  std::string home = Home(ctx);
  bool plain = bin.find_first_of("\"\\$`'\n") == std::string::npos;
  if (plain && !home.empty() && bin.starts_with(home + "/")) return "\"$HOME" + bin.substr(home.size()) + "\"";
  std::string out = "'";
  for (char c : bin) {
    if (shell == "fish" && (c == '\'' || c == '\\')) {
      out += '\\';
      out += c;
    } else if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string InstallLine(const std::string& shell, const std::string& bin) {
  if (shell == "fish") {
    return "test -x " + bin + "; and " + bin + " init fish | source  " + std::string(kMarker);
  }
  return "[ -x " + bin + " ] && eval \"$(" + bin + " init " + shell + ")\"  " + std::string(kMarker);
}

constexpr std::string_view kCreatedPrefix = "# tb install created this file";

// The first line of an rc file install creates, `top_dir` the highest
// directory created for it ("" when none was).
std::string CreatedLine(const std::string& top_dir) {
  return std::string(kCreatedPrefix) + (top_dir.empty() ? "" : " and " + top_dir) + "; tb uninstall removes it  " +
         std::string(kMarker);
}

// The highest missing ancestor directory of `path` ("" when its directory
// exists).
std::string TopMissingDir(const std::string& path) {
  std::error_code ec;
  fs::path top;
  for (fs::path d = fs::path(path).parent_path(); !d.empty() && !fs::exists(d, ec); d = d.parent_path()) {
    top = d;
    if (d == d.parent_path()) break;
  }
  return top.string();
}

bool IsOurLine(std::string_view line) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  return line.ends_with(kMarker);
}

Status ReadFile(const std::string& path, std::string* out, bool* exists, mode_t* mode) {
  *exists = false;
  out->clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::OK();
    return Status::IOError("cannot read " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  ::fstat(fd, &st);
  *mode = st.st_mode & 07777;
  *exists = true;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return Status::IOError("cannot read " + path + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return Status::OK();
}

// Copies the current rc file next to it before it changes.
Status Backup(const std::string& path, const std::string& data, mode_t mode, std::string* backup) {
  char stamp[32];
  std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  *backup = path + ".tb-backup-" + stamp;
  for (int i = 1; fs::exists(*backup); ++i) *backup = path + ".tb-backup-" + stamp + "-" + std::to_string(i);
  return WriteFileAtomically(*backup, data, mode);
}

// The file to edit: where a symlinked rc file points.
std::string EditPath(const std::string& rc) {
  std::error_code ec;
  if (fs::is_symlink(rc, ec)) {
    fs::path real = fs::canonical(rc, ec);
    if (!ec) return real.string();
  }
  return rc;
}

std::vector<std::string_view> Lines(const std::string& text) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string::npos ? text.size() : nl + 1;
    out.emplace_back(text.data() + pos, end - pos);
    pos = end;
  }
  return out;
}

// `text` with our line: the first line that is ours (maybe an older form)
// replaced by `line` (*found; *same when it was `line` already), else `line`
// appended.
std::string WithOurLine(const std::string& text, const std::string& line, bool* found, bool* same) {
  std::string updated;
  for (std::string_view l : Lines(text)) {
    std::string_view bare = l.ends_with('\n') ? l.substr(0, l.size() - 1) : l;
    if (IsOurLine(bare) && !bare.starts_with(kCreatedPrefix) && !*found) {
      *found = true;
      *same = bare == line;
      updated += line + "\n";
    } else {
      updated.append(l);
    }
  }
  if (*found) return updated;
  updated = text;
  if (!updated.empty() && updated.back() != '\n') updated += '\n';
  return updated + line + "\n";
}

// Replaces the rc file at `path` (holding `text` when it `exists`) with
// `updated`, keeping a backup copy of the old one (named in *backup), or
// creates it and its directory (0644, like a shell's own rc file).
Status WriteRcFile(const std::string& path, const std::string& text, const std::string& updated, bool exists,
                   mode_t mode, std::string* backup) {
  if (exists) {
    TB_RETURN_IF_ERROR(Backup(path, text, mode, backup));
  } else {
    std::error_code ec;
    const std::string top = TopMissingDir(path);
    fs::create_directories(fs::path(path).parent_path(), ec);
    if (ec) return Status::IOError("cannot create " + fs::path(path).parent_path().string() + ": " + ec.message());
    return WriteFileAtomically(path, CreatedLine(top) + "\n" + updated, 0644);
  }
  return WriteFileAtomically(path, updated, mode);
}

}  // namespace

Status CmdInstall(Context& ctx, const Argv& args) {
  Args a("install", "install [--shell bash|zsh|fish] [--service auto|systemd|shell] [--yes]");
  a.opts().add_options()("shell", po::value<std::string>()->value_name("S"),
                         "bash, zsh or fish (default: from $SHELL)")(
      "service", po::value<std::string>()->value_name("HOW")->default_value("auto"),
      "how the daemon starts: a systemd user unit, the shells, or auto (systemd when a user manager runs)")(
      "yes,y", "do not ask for confirmation")(
      "packaged-unit", po::value<std::string>()->value_name("BINARY"),
      "print the systemd user unit the Debian package installs, running BINARY (an absolute path), and "
      "change nothing");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  if (a.Has("packaged-unit")) {
    const std::string binary = a.Str("packaged-unit");
    if (binary.empty() || binary[0] != '/') {
      return Status::InvalidArgument("'" + binary +
                                     "' is not an absolute path (tb install --packaged-unit): systemd runs ExecStart "
                                     "without a search path. Pass the installed binary, e.g. /usr/bin/tb");
    }
    return WriteOut(PackagedUnitText(binary)), Status::OK();
  }
  TB_RETURN_IF_ERROR(CheckServiceMode(a.Str("service")));
  Target t;
  TB_RETURN_IF_ERROR(ResolveTarget(ctx, a, &t));
  std::string path = EditPath(t.rc);
  std::string text;
  bool exists = false;
  mode_t mode = 0644;
  TB_RETURN_IF_ERROR(ReadFile(path, &text, &exists, &mode));
  std::string bin = BinaryWord(ctx, t.shell);
  std::string line = InstallLine(t.shell, bin);

  bool found = false, same = false;
  std::string updated = WithOurLine(text, line, &found, &same);
  std::string service;
  if (found && same) {
    TB_RETURN_IF_ERROR(SetUpService(ctx, a.Str("service"), &service));
    WriteOut(service + "tb: already installed in " + t.display + "; nothing changed\n");
    return Status::OK();
  }

  if (!a.Has("yes")) {
    if (!::isatty(STDIN_FILENO)) {
      return Status::InvalidArgument(
          "tb install needs confirmation: run it in a terminal, or pass --yes to add the line to " + t.display +
          " without asking");
    }
    std::string q = std::string(found ? "tb will update this line in " : "tb will add this line to ") + t.display +
                    ":\n  " + line + "\nProceed?";
    if (!AskYesNo(q)) {
      WriteOut("tb: nothing changed\n");
      return Status::OK();
    }
  }
  std::string backup;
  TB_RETURN_IF_ERROR(WriteRcFile(path, text, updated, exists, mode, &backup));
  TB_RETURN_IF_ERROR(SetUpService(ctx, a.Str("service"), &service));
  std::string msg = service + std::string("tb: ") +
                    (found ? "updated the TermBrain line in " : "added the TermBrain line to ") + t.display;
  if (!backup.empty()) msg += " (backup: " + backup + ")";
  msg += ".\nRecording starts in new " + t.shell + " shells; in this one run: " +
         (t.shell == "fish" ? bin + " init fish | source" : "eval \"$(" + bin + " init " + t.shell + ")\"") + "\n";
  WriteOut(msg);
  return Status::OK();
}

namespace {

// Deletes the rc file install created (nothing else is in it), then the
// directories its first line `created` names, when empty.
Status RemoveCreatedRcFile(const std::string& path, const std::string& created, const std::string& display) {
  std::error_code ec;
  if (!fs::remove(path, ec) && ec) return Status::IOError("cannot remove " + path + ": " + ec.message());
  const size_t and_at = created.find(" and ");
  const size_t end = created.find("; tb uninstall");
  const std::string top = and_at != std::string::npos && end != std::string::npos && and_at < end
                              ? created.substr(and_at + 5, end - and_at - 5)
                              : "";
  if (!top.empty() && path.starts_with(top + "/")) {
    for (fs::path d = fs::path(path).parent_path(); !d.empty(); d = d.parent_path()) {
      if (!fs::is_empty(d, ec) || ec || !fs::remove(d, ec) || d == top || d == d.parent_path()) break;
    }
  }
  WriteOut("tb: removed " + display +
           " (tb install had created it, and nothing else was added). Shells already running keep recording "
           "until they exit\n");
  return Status::OK();
}

}  // namespace

Status CmdUninstall(Context& ctx, const Argv& args) {
  Args a("uninstall", "uninstall [--shell bash|zsh|fish]");
  a.opts().add_options()("shell", po::value<std::string>()->value_name("S"),
                         "bash, zsh or fish (default: from $SHELL)");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  Target t;
  TB_RETURN_IF_ERROR(ResolveTarget(ctx, a, &t));
  std::string path = EditPath(t.rc);
  std::string text;
  bool exists = false;
  mode_t mode = 0644;
  TB_RETURN_IF_ERROR(ReadFile(path, &text, &exists, &mode));
  std::string service;
  TB_RETURN_IF_ERROR(TearDownService(ctx, &service));
  WriteOut(service);
  std::string kept, created;
  size_t removed = 0;
  for (std::string_view l : Lines(text)) {
    std::string_view bare = l.ends_with('\n') ? l.substr(0, l.size() - 1) : l;
    if (!IsOurLine(bare)) {
      kept.append(l);
      continue;
    }
    ++removed;
    if (bare.starts_with(kCreatedPrefix)) created = bare;
  }
  if (removed == 0) {
    WriteOut("tb: no TermBrain line in " + t.display + "; nothing changed\n");
    return Status::OK();
  }
  if (!created.empty() && kept.empty()) return RemoveCreatedRcFile(path, created, t.display);
  std::string backup;
  TB_RETURN_IF_ERROR(Backup(path, text, mode, &backup));
  TB_RETURN_IF_ERROR(WriteFileAtomically(path, kept, mode));
  WriteOut("tb: removed the TermBrain line from " + t.display + " (backup: " + backup +
           "). Shells already running keep recording until they exit\n");
  return Status::OK();
}

}  // namespace tb
