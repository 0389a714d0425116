// tb export [--format ndjson|json|csv|markdown] [-o FILE] [filters]
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/export.h"
#include "core/history_query.h"
#include "tools/args.h"
#include "tools/commands.h"

namespace tb {
namespace {

// Writes to FILE atomically: a temp file beside it, fsync, rename, fsync
// of the directory. Nothing is left behind on failure.
class AtomicFile {
 public:
  Status Open(const std::string& path) {
    path_ = path;
    tmp_ = path + ".tmp." + std::to_string(::getpid());
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_ < 0) return Status::IOError("cannot write " + path + ": " + std::strerror(errno));
    return Status::OK();
  }
  Status Write(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::IOError("cannot write " + path_ + ": " + std::strerror(errno));
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::OK();
  }
  Status Commit() {
    if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
      fd_ = -1;
      return Status::IOError("cannot write " + path_ + ": " + std::strerror(errno));
    }
    fd_ = -1;
    if (::rename(tmp_.c_str(), path_.c_str()) != 0) return Status::IOError("cannot write " + path_ + ": " + std::strerror(errno));
    tmp_.clear();
    std::string dir = std::filesystem::path(path_).parent_path().string();
    int d = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d >= 0) {
      ::fsync(d);
      ::close(d);
    }
    return Status::OK();
  }
  ~AtomicFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
  }

 private:
  std::string path_, tmp_;
  int fd_ = -1;
};

}  // namespace

Status CmdExport(Context& ctx, const Argv& args) {
  Args a("export", "export [--format ndjson|json|csv|markdown] [-o FILE] [filters]");
  AddFilterOptions(a.opts());
  a.opts().add_options()
      ("format", po::value<std::string>()->default_value("ndjson")->value_name("F"), "ndjson, json, csv or markdown")
      ("output,o", po::value<std::string>()->value_name("FILE"), "write to FILE atomically (default: stdout)");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  HistoryFilter f;
  TB_RETURN_IF_ERROR(FilterFromArgs(a, NowNs(), &f));
  ExportFormat format;
  TB_RETURN_IF_ERROR(ParseExportFormat(a.Str("format"), &format).WithContext("--format"));
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(StoreOptions::Access::kReadPreferred, &store));
  AtomicFile file;
  bool to_file = a.Has("output");
  if (to_file) TB_RETURN_IF_ERROR(file.Open(a.Str("output")));
  ExportFormatter fmt(format);
  std::string buf;
  fmt.Begin(&buf);
  Status werr;
  bool open = true;
  auto flush = [&]() {
    if (to_file) {
      werr = file.Write(buf);
    } else {
      open = WriteOut(buf);
    }
    buf.clear();
    return werr.ok() && open;
  };
  TB_RETURN_IF_ERROR(QueryHistory(store->reader(), f, [&](const HistoryRecord& r) {
    fmt.Add(r, &buf);
    if (buf.size() > (256 << 10)) return flush();
    return true;
  }));
  TB_RETURN_IF_ERROR(werr);
  if (!open) return Status::OK();
  fmt.End(&buf);
  flush();
  TB_RETURN_IF_ERROR(werr);
  if (to_file) return file.Commit();
  return Status::OK();
}

}  // namespace tb
