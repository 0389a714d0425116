#include "tools/args.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <sstream>

#include "core/format.h"
#include "core/timefmt.h"

namespace tb {
namespace {

// Where DescribeScope wants the next parser's declarations (null: parse).
thread_local std::optional<ArgsInfo>* describing = nullptr;

constexpr const char* kTableOrJson[] = {"table", "json"};

}  // namespace

DescribeScope::DescribeScope(std::optional<ArgsInfo>* info) {
  info->reset();
  describing = info;
}

DescribeScope::~DescribeScope() { describing = nullptr; }

Args::Args(std::string cmd, std::string usage) : cmd_(std::move(cmd)), usage_(std::move(usage)), opts_("Options") {
  opts_.add_options()("help,h", "show this help");
}

void Args::Positional(const char* name, bool many) {
  opts_.add_options()(name, po::value<std::vector<std::string>>(), name);
  pos_.add(name, many ? -1 : 1);
  pos_names_.push_back(name);
}

void Args::Choices(const char* name, std::vector<std::string> values) {
  choices_.emplace_back(name, std::move(values));
}

ArgsInfo Args::Info() const {
  ArgsInfo info;
  info.usage = usage_;
  info.operands = pos_names_;
  for (const auto& o : opts_.options()) {
    if (std::find(pos_names_.begin(), pos_names_.end(), o->long_name()) != pos_names_.end()) continue;
    OptionInfo opt;
    opt.long_name = o->long_name();
    std::string shown = o->canonical_display_name(po::command_line_style::allow_dash_for_short);
    if (shown.size() == 2 && shown[0] == '-') opt.short_name = shown.substr(1);
    if (o->semantic()->max_tokens() > 0) opt.value_name = o->semantic()->name();
    opt.description = o->description();
    for (const auto& [name, values] : choices_) {
      if (name == opt.long_name) opt.choices = values;
    }
    info.options.push_back(std::move(opt));
  }
  return info;
}

Status Args::Parse(const std::vector<std::string>& args, bool* help) {
  *help = false;
  if (describing != nullptr) {
    *describing = Info();
    describing = nullptr;
    return Status::Busy("described");
  }
  std::string where = " (tb " + cmd_ + "). Run 'tb help " + cmd_ + "'";
  try {
    auto parsed = po::command_line_parser(args)
                      .options(opts_)
                      .positional(pos_)
                      .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)
                      .run();
    po::store(parsed, vm_);
    po::notify(vm_);
  } catch (const po::too_many_positional_options_error&) {
    return Status::InvalidArgument("too many arguments" + where);
  } catch (const po::error& e) {
    return Status::InvalidArgument(std::string(e.what()) + where);
  }
  *help = vm_.count("help") > 0;
  return Status::OK();
}

std::string Args::HelpText() const {
  std::ostringstream out;
  out << "usage: tb " << usage_ << "\n\n";
  po::options_description visible("Options");
  for (const auto& o : opts_.options()) {
    bool positional = false;
    for (const auto& p : pos_names_) positional |= o->long_name() == p;
    if (!positional) visible.add(o);
  }
  out << visible;
  return out.str();
}

std::string Args::Str(const char* name) const {
  if (!vm_.count(name)) return "";
  const auto& v = vm_[name].value();
  if (const auto* s = boost::any_cast<std::string>(&v)) return *s;
  if (const auto* vs = boost::any_cast<std::vector<std::string>>(&v)) return vs->empty() ? "" : vs->front();
  return "";
}

std::vector<std::string> Args::Strs(const char* name) const {
  if (!vm_.count(name)) return {};
  const auto& v = vm_[name].value();
  if (const auto* vs = boost::any_cast<std::vector<std::string>>(&v)) return *vs;
  if (const auto* s = boost::any_cast<std::string>(&v)) return {*s};
  return {};
}

std::optional<std::string> Args::OptStr(const char* name) const {
  if (!vm_.count(name)) return std::nullopt;
  return Str(name);
}

Status ParseIntFlag(const std::string& flag, const std::string& text, int64_t lo, int64_t hi, int64_t* out) {
  int64_t v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size() || v < lo || v > hi) {
    return Status::InvalidArgument("invalid value '" + text + "' for " + flag + ": expected a whole number from " +
                                   std::to_string(lo) + " to " + std::to_string(hi));
  }
  *out = v;
  return Status::OK();
}

Status Args::Int(const char* name, int64_t lo, int64_t hi, std::optional<int64_t>* out) const {
  out->reset();
  if (!vm_.count(name)) return Status::OK();
  int64_t v;
  std::string flag = std::string("--") + name;
  TB_RETURN_IF_ERROR(ParseIntFlag(flag, Str(name), lo, hi, &v).WithContext("tb " + cmd_));
  *out = v;
  return Status::OK();
}

void AddFilterOptions(po::options_description& opts) {
  opts.add_options()("limit,n", po::value<std::string>()->value_name("N"), "show at most N records")(
      "cwd", po::value<std::string>()->value_name("DIR"), "only commands run in DIR")(
      "session", po::value<std::string>()->value_name("ID"), "only commands of session ID")(
      "host", po::value<std::string>()->value_name("H"),
      "only commands run on host H (current: this machine; all: every machine, the default)")(
      "exit", po::value<std::string>()->value_name("N"), "only commands that exited with N")(
      "failed", "only commands that failed (exit != 0)")("succeeded", "only commands that succeeded (exit 0)")(
      "since", po::value<std::string>()->value_name("T"), "started at or after T (RFC 3339, date, '2 hours ago')")(
      "until", po::value<std::string>()->value_name("T"), "started at or before T");
}

Status ParseTableOrJson(Args& a, const std::vector<std::string>& args, bool* help, bool* json) {
  a.opts().add_options()("format", po::value<std::string>()->default_value("table")->value_name("F"),
                         "output format: table or json");
  a.Choices("format", {std::begin(kTableOrJson), std::end(kTableOrJson)});
  TB_RETURN_IF_ERROR(a.Parse(args, help));
  std::string f = a.Str("format");
  if (std::find(std::begin(kTableOrJson), std::end(kTableOrJson), f) == std::end(kTableOrJson)) {
    return Status::InvalidArgument("unknown format '" + f + "' for tb " + a.cmd() + ": expected table or json");
  }
  *json = f == "json";
  return Status::OK();
}

void AddFormatOption(Args& a, const char* def) {
  a.opts().add_options()("format", po::value<std::string>()->default_value(def)->value_name("F"),
                         "output format: table, json, ndjson, csv or plain");
  std::vector<std::string> names;
  for (std::string_view n : OutputFormatNames()) names.emplace_back(n);
  a.Choices("format", std::move(names));
}

Status FilterFromArgs(const Args& a, int64_t now_ns, HistoryFilter* f) {
  std::optional<int64_t> n;
  TB_RETURN_IF_ERROR(a.Int("limit", 0, INT64_MAX, &n));
  if (n) f->limit = static_cast<size_t>(*n);
  if (auto cwd = a.OptStr("cwd")) {
    // Shells record the logical directory, so resolve '.' and relative
    // paths lexically rather than through symlinks.
    std::error_code ec;
    auto p = std::filesystem::path(*cwd);
    if (p.is_relative()) p = std::filesystem::absolute(p, ec);
    std::string s = p.lexically_normal().string();
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    f->cwd = s;
  }
  f->session = a.OptStr("session");
  f->host = a.OptStr("host");
  std::optional<int64_t> e;
  TB_RETURN_IF_ERROR(a.Int("exit", INT32_MIN, INT32_MAX, &e));
  if (e) f->exit_code = static_cast<int32_t>(*e);
  f->failed = a.Has("failed");
  f->succeeded = a.Has("succeeded");
  if (f->failed && f->succeeded) {
    return Status::InvalidArgument("--failed and --succeeded exclude each other (tb " + a.cmd() + ")");
  }
  for (const char* name : {"since", "until"}) {
    if (auto t = a.OptStr(name)) {
      int64_t ns;
      TB_RETURN_IF_ERROR(ParseTime(*t, now_ns, &ns).WithContext(std::string("--") + name));
      (std::string(name) == "since" ? f->since_ns : f->until_ns) = ns;
    }
  }
  if (f->since_ns && f->until_ns && *f->since_ns > *f->until_ns) {
    return Status::InvalidArgument("--since is after --until (tb " + a.cmd() + ")");
  }
  return Status::OK();
}

}  // namespace tb
