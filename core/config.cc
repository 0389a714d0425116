#include "core/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/utf8.h"

#include "core/toml_noex.h"

namespace tb {
namespace {

constexpr std::string_view kEnvPrefix = "TERMBRAIN_";
constexpr std::string_view kFileFix = "Fix the value or remove the key";
constexpr std::string_view kEnvFix = "Fix or unset the variable";
// A config file is a few hundred bytes; the cap keeps `--config /dev/zero`
// from eating memory.
constexpr size_t kMaxConfigBytes = 4u << 20;

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

// JSON string literal (also a valid TOML basic string). Invalid UTF-8 becomes
// U+FFFD instead of throwing, because env values are arbitrary bytes.
std::string Quote(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Quotes a user-supplied value for a one-line message, cut to a sane length.
std::string QuoteForMessage(std::string_view s) {
  constexpr size_t kMax = 80;
  if (s.size() <= kMax) return Quote(s);
  return Quote(s.substr(0, kMax)) + "...";
}

// Keeps messages and comments on one line whatever the path contains.
std::string OneLine(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

const ConfigKey* FindKey(std::string_view section, std::string_view name) {
  for (const ConfigKey& k : ConfigKeys()) {
    if (k.section == section && k.name == name) return &k;
  }
  return nullptr;
}

bool IsSection(std::string_view section) {
  return std::ranges::any_of(ConfigKeys(), [&](const ConfigKey& k) { return k.section == section; });
}

std::vector<std::string> KeyNamesIn(std::string_view section) {
  std::vector<std::string> names;
  for (const ConfigKey& k : ConfigKeys()) {
    if (k.section == section) names.emplace_back(k.name);
  }
  return names;
}

std::vector<std::string> EnvNamesIn(std::string_view section) {
  std::vector<std::string> names;
  for (const ConfigKey& k : ConfigKeys()) {
    if (k.section == section) names.push_back(k.EnvName());
  }
  return names;
}

std::string SectionList(std::string_view sep) {
  std::vector<std::string> names;
  for (std::string_view s : ConfigSections()) names.emplace_back(s);
  return Join(names, sep);
}

// --- value checks shared by the file and the environment -------------------
// Each returns "" when the value is acceptable, else the "why" of a message.

std::string RangeProblem(const ConfigKey& key, int64_t v) {
  if (v >= key.min && v <= key.max) return "";
  return key.DottedName() + " = " + std::to_string(v) + " is out of range " + std::to_string(key.min) + ".." +
         std::to_string(key.max);
}

// Normalizes an allowed value to its canonical (lowercase) spelling.
std::string AllowedProblem(const ConfigKey& key, std::string* v) {
  if (key.allowed.empty()) return "";
  std::string lower = Lower(*v);
  for (std::string_view a : key.allowed) {
    if (lower == a) {
      *v = lower;
      return "";
    }
  }
  std::vector<std::string> names(key.allowed.begin(), key.allowed.end());
  return key.DottedName() + " = " + QuoteForMessage(*v) + " is not one of " + Join(names, ", ");
}

std::string SetInt(const ConfigKey& key, int64_t v, Config* cfg) {
  std::string why = RangeProblem(key, v);
  if (why.empty()) key.int_field(*cfg) = static_cast<int>(v);  // range fits int
  return why;
}

std::string SetString(const ConfigKey& key, std::string v, Config* cfg) {
  std::string why = AllowedProblem(key, &v);
  if (why.empty() && key.check_item != nullptr) {
    std::string problem = key.check_item(v);
    if (!problem.empty()) why = key.DottedName() + " = " + QuoteForMessage(v) + " " + problem;
  }
  if (why.empty()) key.string_field(*cfg) = std::move(v);
  return why;
}

// "record.ignore_patterns[2]"
std::string ItemName(const ConfigKey& key, size_t index) {
  return key.DottedName() + "[" + std::to_string(index) + "]";
}

std::string ItemProblem(const ConfigKey& key, size_t index, std::string_view item) {
  if (key.check_item == nullptr) return "";
  std::string why = key.check_item(item);
  if (why.empty()) return "";
  // RE2 errors quote the pattern, which may hold any byte (from the env).
  return ItemName(key, index) + " = " + QuoteForMessage(item) + " " + OneLine(ToValidUtf8(why));
}

// Checks every item; stores the list only when all are acceptable.
std::string SetList(const ConfigKey& key, std::vector<std::string> items, Config* cfg) {
  for (size_t i = 0; i < items.size(); ++i) {
    std::string why = ItemProblem(key, i, items[i]);
    if (!why.empty()) return why;
  }
  key.list_field(*cfg) = std::move(items);
  return "";
}

std::string TypeName(ConfigKey::Type t) {
  switch (t) {
    case ConfigKey::Type::kInt: return "an integer";
    case ConfigKey::Type::kString: return "a string";
    case ConfigKey::Type::kBool: return "a boolean (true or false)";
    case ConfigKey::Type::kStringList: return "an array of strings";
  }
  return "unknown";
}

std::string_view TomlTypeName(toml::node_type t) {
  switch (t) {
    case toml::node_type::none: return "nothing";
    case toml::node_type::table: return "table";
    case toml::node_type::array: return "array";
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "floating-point";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
  }
  return "unknown";
}

// --- reading the file --------------------------------------------------------

// Reads `path` into *text. *missing is set (and OK returned) when the file
// does not exist; whether that is an error is the caller's decision.
Status ReadConfigFile(const std::string& path, std::string* text, bool* missing) {
  *missing = false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    // ENOTDIR: a path component is a file, so the config file cannot exist.
    if (errno == ENOENT || errno == ENOTDIR) {
      *missing = true;
      return Status::OK();
    }
    return Status::IOError("cannot read config file (" + OneLine(path) + "): " + std::strerror(errno) +
                           ". Check its permissions");
  }
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument("config file is a directory (" + OneLine(path) +
                                   "). Point --config or $TERMBRAIN_CONFIG at a file");
  }
  text->clear();
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Status::IOError("cannot read config file (" + OneLine(path) + "): " + std::strerror(err) +
                             ". Check the file");
    }
    if (n == 0) break;
    text->append(buf, static_cast<size_t>(n));
    if (text->size() > kMaxConfigBytes) {
      ::close(fd);
      return Status::InvalidArgument("config file too large (" + OneLine(path) +
                                     "): over 4 MiB. Point --config at a TOML config file");
    }
  }
  ::close(fd);
  return Status::OK();
}

// --- applying the file -------------------------------------------------------

std::string FileWhere(const std::string& path, const toml::source_position& pos) {
  return OneLine(path) + ":" + std::to_string(pos.line);
}

// One top-level or section entry of the file, either a key to apply or a
// problem; collected first so the earliest problem in the file is reported.
struct Entry {
  toml::source_position pos;
  const ConfigKey* key = nullptr;
  const toml::node* node = nullptr;
  std::string error;  // a complete message, when non-empty
};

void CollectSection(const std::string& path, std::string_view section, const toml::table& table,
                    std::vector<Entry>* entries) {
  for (auto&& [k, node] : table) {
    Entry e;
    e.pos = k.source().begin;
    e.key = FindKey(section, k.str());
    e.node = &node;
    if (e.key == nullptr) {
      std::string dotted = std::string(section) + "." + std::string(k.str());
      e.error = "unknown config key '" + OneLine(dotted) + "' (" + FileWhere(path, e.pos) + "). Known keys in [" +
                std::string(section) + "]: " + Join(KeyNamesIn(section), ", ");
    }
    entries->push_back(std::move(e));
  }
}

void CollectRoot(const std::string& path, const toml::table& root, std::vector<Entry>* entries) {
  for (auto&& [k, node] : root) {
    const std::string name(k.str());
    toml::source_position pos = k.source().begin;
    std::string where = FileWhere(path, pos);
    if (IsSection(name) && node.is_table()) {
      CollectSection(path, name, *node.as_table(), entries);
      continue;
    }
    Entry e;
    e.pos = pos;
    if (IsSection(name)) {
      e.error = "invalid config (" + where + "): " + name + " must be a table, got " +
                std::string(TomlTypeName(node.type())) + ". Write it as a [" + name + "] section";
    } else if (node.is_table()) {
      e.error =
          "unknown config section '[" + OneLine(name) + "]' (" + where + "). Known sections: " + SectionList(", ");
    } else {
      e.error =
          "unknown config key '" + OneLine(name) + "' (" + where + "). Keys belong in a section: " + SectionList(", ");
    }
    entries->push_back(std::move(e));
  }
}

std::string FileProblem(const std::string& path, const toml::source_position& pos, const std::string& why) {
  return "invalid config (" + FileWhere(path, pos) + "): " + why + ". " + std::string(kFileFix);
}

// Applies a TOML array to a kStringList key; returns a complete message or
// "". Item problems name the item's own line (arrays may span lines).
std::string ApplyArray(const std::string& path, const Entry& e, Config* cfg) {
  const ConfigKey& key = *e.key;
  const toml::array& array = *e.node->as_array();
  std::vector<std::string> items;
  for (size_t i = 0; i < array.size(); ++i) {
    const toml::node& item = *array.get(i);
    // toml++ gives items of inline arrays a position; fall back to the key's.
    toml::source_position pos = item.source().begin ? item.source().begin : e.pos;
    if (!item.is_string()) {
      return FileProblem(path, pos,
                         ItemName(key, i) + " must be a string, got " + std::string(TomlTypeName(item.type())));
    }
    std::string value = item.as_string()->get();
    std::string why = ItemProblem(key, i, value);
    if (!why.empty()) return FileProblem(path, pos, why);
    items.push_back(std::move(value));
  }
  key.list_field(*cfg) = std::move(items);
  return "";
}

// Applies one file entry; returns a complete message or "".
std::string ApplyEntry(const std::string& path, const Entry& e, Config* cfg) {
  const ConfigKey& key = *e.key;
  std::string why;
  if (key.type == ConfigKey::Type::kInt && e.node->is_integer()) {
    why = SetInt(key, e.node->as_integer()->get(), cfg);
  } else if (key.type == ConfigKey::Type::kString && e.node->is_string()) {
    why = SetString(key, e.node->as_string()->get(), cfg);
  } else if (key.type == ConfigKey::Type::kBool && e.node->is_boolean()) {
    key.bool_field(*cfg) = e.node->as_boolean()->get();
  } else if (key.type == ConfigKey::Type::kStringList && e.node->is_array()) {
    return ApplyArray(path, e, cfg);
  } else {
    why = key.DottedName() + " must be " + TypeName(key.type) + ", got " + std::string(TomlTypeName(e.node->type()));
  }
  if (why.empty()) return "";
  return FileProblem(path, e.pos, why);
}

Status ApplyFile(const std::string& path, const std::string& text, Config* cfg, ConfigOrigins* origins) {
  toml::parse_result parsed = toml::parse(std::string_view(text), std::string_view(path));
  if (!parsed) {
    const toml::parse_error& err = parsed.error();
    return Status::InvalidArgument("invalid config (" + OneLine(path) + ":" + std::to_string(err.source().begin.line) +
                                   ":" + std::to_string(err.source().begin.column) +
                                   "): TOML syntax error: " + OneLine(err.description()) + ". Fix the syntax");
  }
  std::vector<Entry> entries;
  CollectRoot(path, parsed.table(), &entries);
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
  });
  for (const Entry& e : entries) {
    if (!e.error.empty()) return Status::InvalidArgument(e.error);
    std::string error = ApplyEntry(path, e, cfg);
    if (!error.empty()) return Status::InvalidArgument(error);
    origins->by_key[e.key->DottedName()] = FileWhere(path, e.pos);
  }
  return Status::OK();
}

// --- applying the environment -----------------------------------------------

// The section an env name addresses ("TERMBRAIN_LOG_LEVEL" -> "log"), or ""
// when it is not a config variable at all.
std::string_view EnvSection(std::string_view name) {
  if (name.substr(0, kEnvPrefix.size()) != kEnvPrefix) return "";
  std::string_view rest = name.substr(kEnvPrefix.size());
  for (std::string_view section : ConfigSections()) {
    std::string prefix = Upper(section) + "_";
    if (rest.substr(0, prefix.size()) == prefix) return section;
  }
  return "";
}

// Strict integer: optional '-', digits, nothing else.
std::string ParseEnvInt(const ConfigKey& key, const std::string& value, Config* cfg) {
  int64_t v = 0;
  const char* begin = value.data();
  const char* end = begin + value.size();
  auto [ptr, ec] = std::from_chars(begin, end, v);
  if (ptr == end && ec == std::errc::result_out_of_range) {
    return key.DottedName() + " = " + value + " is out of range " + std::to_string(key.min) + ".." +
           std::to_string(key.max);
  }
  if (value.empty() || ptr != end || ec != std::errc()) {
    return key.DottedName() + " must be an integer, got " + QuoteForMessage(value);
  }
  return SetInt(key, v, cfg);
}

// true, false (any case), 1 or 0.
std::string ParseEnvBool(const ConfigKey& key, const std::string& value, Config* cfg) {
  std::string lower = Lower(value);
  if (lower == "true" || lower == "1") {
    key.bool_field(*cfg) = true;
  } else if (lower == "false" || lower == "0") {
    key.bool_field(*cfg) = false;
  } else {
    return key.DottedName() + " must be true, false, 1 or 0, got " + QuoteForMessage(value);
  }
  return "";
}

// One item per line; empty lines are skipped (see config.h). Lines, not a
// JSON array: a single pattern needs no quoting at all, and backslashes in
// regular expressions stay as typed.
std::string ParseEnvList(const ConfigKey& key, const std::string& value, Config* cfg) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find('\n', start);
    if (end == std::string::npos) end = value.size();
    if (end > start) items.push_back(value.substr(start, end - start));
    start = end + 1;
  }
  return SetList(key, std::move(items), cfg);
}

std::string ParseEnvValue(const ConfigKey& key, const std::string& value, Config* cfg) {
  switch (key.type) {
    case ConfigKey::Type::kInt: return ParseEnvInt(key, value, cfg);
    case ConfigKey::Type::kString: return SetString(key, value, cfg);
    case ConfigKey::Type::kBool: return ParseEnvBool(key, value, cfg);
    case ConfigKey::Type::kStringList: return ParseEnvList(key, value, cfg);
  }
  return "";
}

Status ApplyEnvVar(const std::string& name, const std::string& value, std::string_view section, Config* cfg,
                   ConfigOrigins* origins) {
  const ConfigKey* key = nullptr;
  for (const ConfigKey& k : ConfigKeys()) {
    if (k.section == section && k.EnvName() == name) key = &k;
  }
  if (key == nullptr) {
    return Status::InvalidArgument("unknown config variable " + OneLine(name) +
                                   ". Known: " + Join(EnvNamesIn(section), ", "));
  }
  std::string why = ParseEnvValue(*key, value, cfg);
  if (!why.empty()) {
    return Status::InvalidArgument("invalid config (env " + name + "): " + why + ". " + std::string(kEnvFix));
  }
  origins->by_key[key->DottedName()] = "env " + name;
  return Status::OK();
}

Status ApplyEnv(const Env& env, Config* cfg, ConfigOrigins* origins) {
  std::set<std::string, std::less<>> seen;  // first occurrence wins, like getenv
  for (const auto& [name, value] : env) {
    std::string_view section = EnvSection(name);
    if (section.empty() || !seen.insert(name).second) continue;
    TB_RETURN_IF_ERROR(ApplyEnvVar(name, value, section, cfg, origins));
  }
  return Status::OK();
}

// --- paths -------------------------------------------------------------------

const std::string* Lookup(const Env& env, std::string_view name) {
  for (const auto& [k, v] : env) {
    if (k == name) return &v;
  }
  return nullptr;
}

// A non-empty value of `name`, or "".
std::string NonEmpty(const Env& env, std::string_view name) {
  const std::string* v = Lookup(env, name);
  return v == nullptr ? std::string() : *v;
}

// XDG base directories must be absolute; relative ones are to be ignored.
std::string XdgDir(const Env& env, std::string_view name) {
  std::string v = NonEmpty(env, name);
  return !v.empty() && v[0] == '/' ? v : std::string();
}

// --- rendering ---------------------------------------------------------------

std::string RenderText(const Config& cfg, const ConfigOrigins& origins) {
  Config& c = const_cast<Config&>(cfg);  // accessors are non-const; we only read
  std::string out;
  std::string_view section;
  for (const ConfigKey& k : ConfigKeys()) {
    if (k.section != section) {
      if (!out.empty()) out += "\n";
      out += std::string("[") + std::string(k.section) + "]\n";
      section = k.section;
    }
    std::string value;
    switch (k.type) {
      case ConfigKey::Type::kInt: value = std::to_string(k.int_field(c)); break;
      case ConfigKey::Type::kString: value = Quote(k.string_field(c)); break;
      case ConfigKey::Type::kBool: value = k.bool_field(c) ? "true" : "false"; break;
      case ConfigKey::Type::kStringList: {
        std::vector<std::string> items;
        for (const std::string& item : k.list_field(c)) items.push_back(Quote(item));
        value = "[" + Join(items, ", ") + "]";
        break;
      }
    }
    out += std::string(k.name) + " = " + value + "  # " + OneLine(origins.Of(k.DottedName())) + "\n";
  }
  return out;
}

std::string RenderJson(const Config& cfg, const ConfigOrigins& origins) {
  Config& c = const_cast<Config&>(cfg);  // accessors are non-const; we only read
  nlohmann::ordered_json root = nlohmann::ordered_json::object();
  for (const ConfigKey& k : ConfigKeys()) {
    nlohmann::ordered_json entry = nlohmann::ordered_json::object();
    switch (k.type) {
      case ConfigKey::Type::kInt: entry["value"] = k.int_field(c); break;
      case ConfigKey::Type::kString: entry["value"] = k.string_field(c); break;
      case ConfigKey::Type::kBool: entry["value"] = k.bool_field(c); break;
      case ConfigKey::Type::kStringList: entry["value"] = k.list_field(c); break;
    }
    entry["source"] = origins.Of(k.DottedName());
    root[std::string(k.section)][std::string(k.name)] = std::move(entry);
  }
  return root.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace

Env EnvFromEnviron(const char* const* envp) {
  Env env;
  if (envp == nullptr) return env;
  for (; *envp != nullptr; ++envp) {
    std::string_view entry(*envp);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace_back(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

std::string ConfigKey::DottedName() const { return std::string(section) + "." + std::string(name); }

std::string ConfigKey::EnvName() const { return std::string(kEnvPrefix) + Upper(section) + "_" + Upper(name); }

std::vector<std::string_view> ConfigSections() {
  std::vector<std::string_view> sections;
  for (const ConfigKey& k : ConfigKeys()) {
    if (std::find(sections.begin(), sections.end(), k.section) == sections.end()) {
      sections.push_back(k.section);
    }
  }
  return sections;
}

const std::string& ConfigOrigins::Of(std::string_view dotted_key) const {
  static const std::string kDefault = "default";
  auto it = by_key.find(dotted_key);
  return it == by_key.end() ? kDefault : it->second;
}

ConfigSource DefaultConfigPath(const Env& env) {
  std::string explicit_path = NonEmpty(env, "TERMBRAIN_CONFIG");
  if (!explicit_path.empty()) return {explicit_path, true};
  std::string xdg = XdgDir(env, "XDG_CONFIG_HOME");
  if (!xdg.empty()) return {xdg + "/termbrain/config.toml", false};
  std::string home = NonEmpty(env, "HOME");
  if (!home.empty()) return {home + "/.config/termbrain/config.toml", false};
  return {"", false};
}

std::string DefaultDataDir(const Env& env) {
  std::string dir = NonEmpty(env, "TERMBRAIN_DATA_DIR");
  if (!dir.empty()) return dir;
  std::string xdg = XdgDir(env, "XDG_DATA_HOME");
  if (!xdg.empty()) return xdg + "/termbrain";
  std::string home = NonEmpty(env, "HOME");
  if (!home.empty()) return home + "/.local/share/termbrain";
  return "";
}

Status LoadConfig(const std::string& path, bool path_is_explicit, const Env& env, Config* out, ConfigOrigins* origins) {
  Config cfg;
  ConfigOrigins found;
  if (path.empty() && path_is_explicit) {
    return Status::InvalidArgument("empty config file path. Pass a file to --config or unset $TERMBRAIN_CONFIG");
  }
  if (!path.empty()) {
    std::string text;
    bool missing = false;
    TB_RETURN_IF_ERROR(ReadConfigFile(path, &text, &missing));
    if (missing && path_is_explicit) {
      return Status::InvalidArgument("config file not found (" + OneLine(path) +
                                     "). Create it, or fix --config or $TERMBRAIN_CONFIG");
    }
    if (!missing) TB_RETURN_IF_ERROR(ApplyFile(path, text, &cfg, &found));
  }
  TB_RETURN_IF_ERROR(ApplyEnv(env, &cfg, &found));
  for (const ConfigKey& k : ConfigKeys()) found.by_key.try_emplace(k.DottedName(), "default");
  *out = std::move(cfg);
  if (origins != nullptr) *origins = std::move(found);
  return Status::OK();
}

std::string RenderConfig(const Config& cfg, const ConfigOrigins& origins, bool json) {
  return json ? RenderJson(cfg, origins) : RenderText(cfg, origins);
}

}  // namespace tb
