#include "core/analytics/classify.h"

#include "core/toml_noex.h"

#include <array>
#include <cctype>

#include "categories_toml.h"

namespace tb {
namespace {

constexpr std::array<std::string_view, 15> kCategories = {
    "version control", "build",  "package manager", "container", "kubernetes",
    "cloud",           "editor", "navigation",      "file",      "network",
    "database",        "test",   "system",          "shell",     "other"};
constexpr size_t kOther = kCategories.size() - 1;
constexpr size_t kMaxWords = 24;
constexpr size_t kMaxWordBytes = 64;

bool IsOperator(char c) {
  return c == '|' || c == ';' || c == '&' || c == '(' || c == ')' || c == '<' || c == '>' || c == '\n';
}

// The first words of the first simple command, unquoted (bounded work).
std::vector<std::string> FirstWords(std::string_view s) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  size_t i = 0;
  while (i < s.size() && words.size() < kMaxWords) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || IsOperator(c)) {
      if (in_word) words.push_back(std::move(cur));
      cur.clear();
      in_word = false;
      if (IsOperator(c)) return words;
      ++i;
      continue;
    }
    in_word = true;
    if (c == '\'' || c == '"') {
      size_t end = s.find(c, i + 1);
      if (end == std::string_view::npos) end = s.size();
      cur.append(s.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (c == '\\' && i + 1 < s.size()) {
      cur.push_back(s[i + 1]);
      i += 2;
    } else {
      cur.push_back(c);
      ++i;
    }
  }
  if (in_word && words.size() < kMaxWords) words.push_back(std::move(cur));
  return words;
}

bool IsAssignment(std::string_view w) {
  size_t eq = w.find('=');
  if (eq == 0 || eq == std::string_view::npos) return false;
  if (!(std::isalpha(static_cast<unsigned char>(w[0])) || w[0] == '_')) return false;
  for (size_t i = 1; i < eq; ++i) {
    if (!(std::isalnum(static_cast<unsigned char>(w[i])) || w[i] == '_')) return false;
  }
  return true;
}

bool IsName(std::string_view w) {
  if (w.empty() || !std::isalnum(static_cast<unsigned char>(w[0]))) return false;
  for (char c : w) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == ':' || c == '-')) {
      return false;
    }
  }
  return true;
}

bool IsOption(std::string_view w) { return w.size() > 1 && (w[0] == '-' || w[0] == '+'); }

std::string Cut(std::string_view w) { return std::string(w.substr(0, kMaxWordBytes)); }

std::string ToolName(std::string_view w) {
  if (!w.starts_with("./")) {
    size_t slash = w.rfind('/');
    if (slash != std::string_view::npos && slash + 1 < w.size()) w.remove_prefix(slash + 1);
  }
  return Cut(w);
}

void Fnv(uint64_t* h, std::string_view s) {
  for (unsigned char c : s) *h = (*h ^ c) * 0x100000001b3ull;
  *h = (*h ^ 0xff) * 0x100000001b3ull;  // separator
}

Status Bad(std::string_view what) { return Status::InvalidArgument("categories: " + std::string(what)); }

Status ReadStrings(const toml::node* node, std::string_view key, std::vector<std::string>* out) {
  if (node == nullptr) return Status::OK();
  const toml::array* arr = node->as_array();
  if (arr == nullptr) return Bad(std::string(key) + " must be an array of strings");
  for (const toml::node& item : *arr) {
    const auto* s = item.as_string();
    if (s == nullptr) return Bad(std::string(key) + " must be an array of strings");
    out->push_back(s->get());
  }
  return Status::OK();
}

template <typename Set>
Status ReadSet(const toml::node* node, std::string_view key, Set* out) {
  std::vector<std::string> v;
  TB_RETURN_IF_ERROR(ReadStrings(node, key, &v));
  out->insert(v.begin(), v.end());
  return Status::OK();
}

}  // namespace

std::span<const std::string_view> CategoryNames() { return kCategories; }

Status Classifier::Parse(std::string_view text, std::unique_ptr<Classifier>* out) {
  toml::parse_result parsed = toml::parse(text, std::string_view("categories.toml"));
  if (!parsed) {
    const toml::parse_error& err = parsed.error();
    return Bad("line " + std::to_string(err.source().begin.line) + ": " + std::string(err.description()));
  }
  const toml::table& root = parsed.table();
  auto c = std::make_unique<Classifier>();
  const toml::node* grouping = root.get("grouping");
  if (grouping != nullptr && !grouping->is_table()) return Bad("[grouping] must be a table");
  if (grouping != nullptr) {
    const toml::table& g = *grouping->as_table();
    TB_RETURN_IF_ERROR(ReadSet(g.get("prefixes"), "grouping.prefixes", &c->prefixes_));
    TB_RETURN_IF_ERROR(ReadSet(g.get("option_values"), "grouping.option_values", &c->option_values_));
    TB_RETURN_IF_ERROR(ReadSet(g.get("operand_prefixes"), "grouping.operand_prefixes", &c->operand_prefixes_));
    if (const toml::node* m = g.get("multi_command")) {
      if (!m->is_table()) return Bad("[grouping.multi_command] must be a table");
      for (const auto& [tool, opts] : *m->as_table()) {
        std::string key = "grouping.multi_command." + std::string(tool.str());
        TB_RETURN_IF_ERROR(ReadSet(&opts, key, &c->multi_[std::string(tool.str())]));
      }
    }
  }
  if (const toml::node* cats = root.get("categories")) {
    if (!cats->is_table()) return Bad("[categories] must be a table");
    for (const auto& [name, entries] : *cats->as_table()) {
      size_t idx = 0;
      while (idx < kOther && kCategories[idx] != name.str()) ++idx;
      if (idx == kOther) return Bad("unknown category '" + std::string(name.str()) + "'");
      std::vector<std::string> v;
      TB_RETURN_IF_ERROR(ReadStrings(&entries, "categories." + std::string(name.str()), &v));
      for (const std::string& e : v) {
        if (!c->category_of_.emplace(e, idx).second) {
          return Bad("'" + e + "' is listed under two categories");
        }
      }
    }
  }
  *out = std::move(c);
  return Status::OK();
}

const Classifier& Classifier::Default() {
  static const Classifier* const kDefault = [] {
    std::unique_ptr<Classifier> c;
    if (!Parse(embedded::k_categories_toml, &c).ok()) c = std::make_unique<Classifier>();
    return c.release();
  }();
  return *kDefault;
}

std::string Classifier::Group(std::string_view command) const {
  std::vector<std::string> w = FirstWords(command);
  size_t i = 0;
  std::string first;
  while (i < w.size()) {
    if (IsAssignment(w[i])) {
      ++i;
      continue;
    }
    auto p = prefixes_.find(w[i]);
    if (p == prefixes_.end()) break;
    if (first.empty()) first = w[i];
    const std::string& prefix = *p;
    ++i;
    while (i < w.size() && IsOption(w[i])) {
      bool takes_value = option_values_.contains(prefix + " " + w[i]);
      i += takes_value ? 2 : 1;
    }
    if (operand_prefixes_.contains(prefix) && i < w.size()) ++i;
  }
  if (i >= w.size()) return ToolName(first);
  std::string tool = ToolName(w[i]);
  auto m = multi_.find(tool);
  if (m == multi_.end()) return tool;
  for (size_t j = i + 1; j < w.size(); ++j) {
    if (IsOption(w[j])) {
      if (m->second.contains(w[j])) ++j;
      continue;
    }
    if (IsName(w[j])) return tool + " " + Cut(w[j]);
    break;
  }
  return tool;
}

std::string_view Classifier::Category(std::string_view group) const {
  auto it = category_of_.find(group);
  if (it == category_of_.end()) it = category_of_.find(group.substr(0, group.find(' ')));
  return kCategories[it == category_of_.end() ? kOther : it->second];
}

uint64_t Classifier::GroupingFingerprint() const {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const auto& s : prefixes_) Fnv(&h, s);
  Fnv(&h, "|");
  for (const auto& s : option_values_) Fnv(&h, s);
  Fnv(&h, "|");
  for (const auto& s : operand_prefixes_) Fnv(&h, s);
  Fnv(&h, "|");
  for (const auto& [tool, opts] : multi_) {
    Fnv(&h, tool);
    for (const auto& o : opts) Fnv(&h, o);
    Fnv(&h, "/");
  }
  return h;
}

}  // namespace tb
