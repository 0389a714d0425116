#include "core/secrets.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>

namespace tb {
namespace {

// How a rule's match becomes the span to mask.
enum class Pick {
  // The first capture group that took part in the match (the rules are
  // alternations with one group per alternative), else the whole match.
  kFirstGroup,
  // A secret-bearing name and its value: the first group that took part is
  // the name, the next one the value. The name must pass SecretNameOk().
  kNamedValue,
};

struct RuleDef {
  std::string_view name;
  std::string_view matches;
  std::string_view pattern;
  Pick pick = Pick::kFirstGroup;
};

// A value as the shell sees it: double-quoted, single-quoted (the quotes stay
// outside the mask) or a bare word up to the next space or shell operator.
// Three groups.
#define TB_VAL R"re((?:"([^"]*)"|'([^']*)'|([^\s"';&|<>()`]+)))re"
// The same after a space-separated flag, where a bare word starting with '-'
// is the next option, not a value.
#define TB_VAL_NODASH R"re((?:"([^"]*)"|'([^']*)'|([^\s"';&|<>()`\-][^\s"';&|<>()`]*)))re"
// Start of a shell word.
#define TB_WORD_START R"re((?:^|[\s;&|(`]))re"
// Inside one simple command: the rest of it up to the flag we look for.
#define TB_SAME_COMMAND R"re(\s(?:[^;&|\n]*?\s)?)re"
// Names that hold secrets (case-insensitive); SecretNameOk() refines this.
#define TB_SECRET_NAME \
  R"re(((?:[A-Za-z_][A-Za-z0-9_.\-]*)?(?i:token|secret|passw(?:or)?d|api[_.\-]?key)[A-Za-z0-9_.\-]*))re"
#define TB_AUTH_SCHEMES \
  R"re((?i:basic|bearer|token|digest|negotiate|ntlm|apikey|api-key|bot|sso-key|aws4-hmac-sha256|hmac|otp|key))re"
// HTTP header names (with a '-': "password: x" is prose or YAML, not a
// header) that hold a credential: X-API-Key, PRIVATE-TOKEN, X-Auth-Token.
#define TB_HEADER_NAME                                                               \
  R"re((?i:[a-z0-9\-]*-(?:token|api-?key|apikey|secret|passw(?:or)?d)[a-z0-9\-]*)re" \
  R"re(|(?:token|apikey|secret|passw(?:or)?d)-[a-z0-9\-]*|api-key|apikey))re"

// Precedence order: when overlapping spans are equally long, the earlier
// rule names the marker (see Mask()).
// Specific token formats come first, contextual rules (flags, headers,
// assignments) after them. Every pattern is Latin-1 (bytes); see secrets.h.
// docs/security.md mirrors this table: keep them in step.
const RuleDef kRules[] = {
    {"private-key", "PEM private key blocks (-----BEGIN ... PRIVATE KEY----- ... -----END ...)",
     R"re((?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:(.+?)-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|((?:\s|\\[nr])*[A-Za-z0-9+/=]{20}.*)))re"},
    {"aws-access-key", "AWS access key ids (AKIA..., ASIA..., ABIA..., ACCA..., A3T...)",
     R"re(\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\b)re"},
    {"aws-secret-key", "AWS secret keys after aws_secret_access_key / AWS_SECRET_ACCESS_KEY / SecretAccessKey",
     R"re((?i)\b(?:aws[_\-]?)?secret[_\-]?access[_\-]?key["']?(?:\s*[:=]\s*|\s+)["']?([A-Za-z0-9/+=]{16,}))re"},
    {"github-token", "GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)",
     R"re(\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})\b)re"},
    {"gitlab-token", "GitLab tokens (glpat-, gldt-, glrt-, glptt-, ... and GR1348941 runner tokens)",
     R"re(\b((?:glpat|gldt|glrt|glptt|glft|glsoat|glcbt|glimt|gloas|glagent)-[A-Za-z0-9_\-]{20,}|GR1348941[A-Za-z0-9_\-]{20,}))re"},
    {"slack-token", "Slack tokens (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe-, xapp-)",
     R"re(\b((?:xox[abcdeprs](?:\.xox[abcdeprs])?|xapp)-[A-Za-z0-9\-]{10,}))re"},
    {"slack-webhook", "the secret path of Slack webhook URLs (hooks.slack.com/services/...)",
     R"re(\bhooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9/_+\-]+))re"},
    {"stripe-key", "Stripe secret and restricted keys (sk_live_, rk_live_, sk_test_, rk_test_, whsec_)",
     R"re(\b((?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9+/=]{24,}))re"},
    {"npm-token", "npm tokens (npm_ + 36) and .npmrc _auth/_authToken values",
     R"re(\b(npm_[A-Za-z0-9]{36})\b|:_auth(?:Token)?\s*=\s*["']?([^\s"']+))re"},
    {"pypi-token", "PyPI and TestPyPI upload tokens (pypi-AgEIcHlwaS5vcmc...)",
     R"re(\b(pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_\-]{16,}))re"},
    {"google-api-key", "Google API keys (AIza + 35)", R"re(\b(AIza[0-9A-Za-z_\-]{35}))re"},
    {"openai-key", "OpenAI API keys (sk-proj-, sk-svcacct-, sk-admin-, legacy sk-...T3BlbkFJ...)",
     R"re(\b(sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{20,}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}))re"},
    {"anthropic-key", "Anthropic API keys (sk-ant-...)", R"re(\b(sk-ant-[A-Za-z0-9_\-]{20,}))re"},
    {"huggingface-token", "Hugging Face tokens (hf_ + 30 or more)", R"re(\b(hf_[A-Za-z0-9]{30,})\b)re"},
    {"jwt", "JSON Web Tokens (eyJ....eyJ....signature)",
     R"re(\b(eyJ[A-Za-z0-9_\-]{5,}\.eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]*))re"},
    {"url-password", "the password of scheme://user:password@host URLs",
     R"re(\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#@:'"]*:([^\s/?#@'"]+)@)re"},
    {"mysql-password", "mysql/mariadb/mysqldump/mysqladmin... -pPASSWORD (no space; -p alone prompts) and MYSQL_PWD=",
     TB_WORD_START
     R"re((?:[^\s;&|(`]*/)?(?:mysql|mariadb|mysqldump|mysqladmin|mysqlimport|mysqlshow|mysqlcheck|mysqlpump|mysqlsh|mariadb-dump|mariadb-admin|mariadb-import|mariadb-check|mariadb-show))re" TB_SAME_COMMAND
     "-p" TB_VAL R"re(|\bMYSQL_PWD=)re" TB_VAL},
    {"password-flag",
     "--password=X, --password X (also --db-password, --passwd, --passphrase ...); the "
     "password arguments of keytool -storepass/-keypass, openssl pass:X and -k, sshpass -p, "
     "docker/podman login -p, redis-cli -a, mongo/mongosh -p, ldapsearch -w, sqlcmd -P, "
     "zip -P, 7z/rar -pX, htpasswd -b, gh secret set --body",
     // --*password=VALUE (anything after '='), --*password VALUE.
     R"re((?:^|\s)--?(?:[A-Za-z0-9]+[\-_])*(?i:password|passwd|passphrase|pass)=)re" TB_VAL
     R"re(|(?:^|\s)--(?:[A-Za-z0-9]+[\-_])*(?i:password|passwd|passphrase)\s+)re" TB_VAL_NODASH
     R"re(|(?:^|\s)-(?:src|dest|new)?(?:store|key)pass\s+)re" TB_VAL_NODASH R"re(|\bpass:)re" TB_VAL
     R"re(|\bsshpass\s+(?:-[A-Za-z]\s+)*-p\s*)re" TB_VAL
     // Tools whose short flag takes the password as the next argument.
     R"re(|\b(?:docker|podman|nerdctl|buildah|skopeo)\s+login)re" TB_SAME_COMMAND "-p\\s+" TB_VAL_NODASH
     R"re(|\bredis-cli)re" TB_SAME_COMMAND R"re((?:-a|--pass)\s+)re" TB_VAL_NODASH
     R"re(|\b(?:mongo|mongosh|mongodump|mongorestore|mongoexport|mongoimport|mongostat|mongotop))re" TB_SAME_COMMAND
     R"re(-p\s+)re" TB_VAL_NODASH
     R"re(|\bldap(?:search|modify|add|delete|passwd|whoami|compare|modrdn|exop))re" TB_SAME_COMMAND
     R"re(-w\s*)re" TB_VAL_NODASH R"re(|\b(?:sqlcmd|bcp|osql))re" TB_SAME_COMMAND R"re(-P\s*)re" TB_VAL_NODASH
     R"re(|\bopenssl)re" TB_SAME_COMMAND R"re(-k\s+)re" TB_VAL_NODASH R"re(|\b(?:zip|unzip|zipcloak))re" TB_SAME_COMMAND
     R"re(-P\s+)re" TB_VAL_NODASH
     // 7z/rar: -pPASSWORD, attached.
     R"re(|\b(?:7z|7za|7zr|rar|unrar))re" TB_SAME_COMMAND "-p" TB_VAL
     // htpasswd -b[c...] FILE USER PASSWORD
     R"re(|\bhtpasswd\s(?:[^;&|\n]*?\s)?-[A-Za-z]*b[A-Za-z]*\s+(?:-[A-Za-z]+\s+)*[^\s\-]\S*\s+\S+\s+)re" TB_VAL_NODASH
     R"re(|\bgh\s+secret\s+set)re" TB_SAME_COMMAND R"re((?:-b|--body)(?:=|\s+))re" TB_VAL},
    {"token-flag",
     "--token X, --token=X, --api-key X, --access-token X, --client-secret X ... (not "
     "--token-file, --max-tokens, --secret)",
     R"re((?:^|\s)--?(?:[A-Za-z0-9]+[\-_])*(?i:token|api[\-_]?key|apikey)=)re" TB_VAL
     R"re(|(?:^|\s)--?(?:[A-Za-z0-9]+[\-_])+(?i:secret)=)re" TB_VAL
     R"re(|(?:^|\s)--(?:[A-Za-z0-9]+[\-_])*(?i:token|api[\-_]?key|apikey)\s+)re" TB_VAL_NODASH
     R"re(|(?:^|\s)--(?:[A-Za-z0-9]+[\-_])+(?i:secret)\s+)re" TB_VAL_NODASH},
    {"basic-auth", "the password of curl/wget/httpie -u/--user user:password and smbclient -U user%password",
     R"re(\b(?:curl|wget|http|https|xh))re" TB_SAME_COMMAND R"re((?:-u|-U|--user|--proxy-user|-a|--auth)(?:=|\s*))re"
     R"re((?:'[^':]*:([^']+)'|"[^":]*:([^"]+)"|[^\s:"']*:([^\s"']+)))re"
     R"re(|\b(?:smbclient|rpcclient|smbget|smbcacls|smbmap|nxc|crackmapexec))re" TB_SAME_COMMAND
     R"re((?:-U|--user)(?:=|\s*))re"
     R"re((?:'[^'%]*%([^']+)'|"[^"%]*%([^"]+)"|[^\s%"']*%([^\s"']+)))re"},
    {"bearer-token",
     "Authorization: Bearer X headers, Bearer X elsewhere (X of 16+ token characters), curl "
     "--oauth2-bearer X",
     R"re(["'](?i:(?:proxy-)?authorization)\s*:\s*(?i:bearer)\s+([^\s"']+))re"
     R"re(|(?:^|[\s=])(?i:(?:proxy-)?authorization):["']?(?i:bearer)\s+([^\s"']+))re"
     R"re(|\bBearer\s+([A-Za-z0-9\-._~+/]{16,}=*))re"
     R"re(|--oauth2-bearer(?:=|\s+))re" TB_VAL},
    {"authorization", "the credentials of any other Authorization:/Proxy-Authorization: header",
     R"re("(?i:(?:proxy-)?authorization)\s*:\s*(?:)re" TB_AUTH_SCHEMES R"re(\s+)?((?:[^"\\\s]|\\.)(?:[^"\\\n]|\\.)*))re"
     R"re(|'(?i:(?:proxy-)?authorization)\s*:\s*(?:)re" TB_AUTH_SCHEMES R"re(\s+)?([^'\s][^'\n]*))re"
     R"re(|(?:^|[\s=])(?i:(?:proxy-)?authorization):["']?(?:)re" TB_AUTH_SCHEMES R"re(\s+)?([^\s"']+))re"},
    {"token-header",
     "values of HTTP headers named like X-*-Token, *-API-Key, apikey, *-Secret, *-Password "
     "(X-API-Key:, PRIVATE-TOKEN:, X-Vault-Token: ...)",
     R"re(")re" TB_HEADER_NAME R"re(\s*:\s*((?:[^"\\\s]|\\.)(?:[^"\\\n]|\\.)*))re"
     R"re(|')re" TB_HEADER_NAME R"re(\s*:\s*([^'\s][^'\n]*))re"
     R"re(|(?:^|[\s=]))re" TB_HEADER_NAME R"re(:["']?([^\s"']+))re"},
    {"secret-json", "JSON string values of keys named like *token*, *secret*, *password*, *api_key*",
     R"re(\\")re" TB_SECRET_NAME R"re(\\"\s*:\s*\\"([^"\\]*)\\")re"
     R"re(|")re" TB_SECRET_NAME R"re("\s*:\s*"((?:[^"\\]|\\.)*)")re",
     Pick::kNamedValue},
    {"secret-env",
     "NAME=value (export, env, bare assignments, -e, --build-arg, -D, query strings, quoted) "
     "and set/setenv NAME value, where a word of NAME ends in TOKEN, SECRET, PASSWORD, PASSWD "
     "or API_KEY",
     // The whole assignment quoted ("API_KEY=two words", -var 'db_password=x'):
     // the value runs to the closing quote.
     R"re(")re" TB_SECRET_NAME R"re(=((?:[^"\\]|\\.)*)")re"
     R"re(|')re" TB_SECRET_NAME R"re(=([^']*)')re"
     // A shell word, a -e/--build-arg argument, a query parameter, a Java
     // system property (-Dspring.datasource.password=x).
     R"re(|(?:^|[\s;&|(=?`'"]|\s-D))re" TB_SECRET_NAME "=" TB_VAL
     R"re(|\b(?:set|setenv)\s+(?:-[A-Za-z]+\s+)*)re" TB_SECRET_NAME R"re(\s+)re" TB_VAL_NODASH,
     Pick::kNamedValue},
};

#undef TB_VAL
#undef TB_VAL_NODASH
#undef TB_WORD_START
#undef TB_SAME_COMMAND
#undef TB_SECRET_NAME
#undef TB_AUTH_SCHEMES
#undef TB_HEADER_NAME

constexpr size_t kRuleCount = sizeof kRules / sizeof kRules[0];

const std::array<SecretRuleInfo, kRuleCount>& RuleInfos() {
  static const std::array<SecretRuleInfo, kRuleCount> infos = [] {
    std::array<SecretRuleInfo, kRuleCount> a;
    for (size_t i = 0; i < kRuleCount; ++i) a[i] = {kRules[i].name, kRules[i].matches};
    return a;
  }();
  return infos;
}

RE2::Options ByteOptions() {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);
  o.set_log_errors(false);  // the library never prints
  return o;
}

const RuleDef* FindBuiltin(std::string_view name) {
  for (const RuleDef& r : kRules) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::string BuiltinNameList() {
  std::string out;
  for (const RuleDef& r : kRules) {
    if (!out.empty()) out += ", ";
    out += r.name;
  }
  return out;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Whether a NAME matched by TB_SECRET_NAME really names a secret. The
// keyword must end a word of the name: GITHUB_TOKEN, accessToken, db.password
// and SECRET_KEY qualify; MAX_TOKENS, tokenizer and PASSWORDLESS do not.
// Names of where a secret lives (TOKEN_FILE, SECRET_PATH, KEY_DIR,
// SECRET_NAME) hold no secret.
bool SecretNameOk(std::string_view name) {
  const std::string lower = ToLower(name);
  for (std::string_view suffix : {"file", "files", "path", "dir", "name"}) {
    if (lower.size() <= suffix.size() || !lower.ends_with(suffix)) continue;
    // A word of its own: TOKEN_FILE, secret.path, tokenFile (not PROFILE).
    size_t start = name.size() - suffix.size();
    char before = name[start];
    char prev = name[start - 1];
    if (prev == '_' || prev == '.' || prev == '-' ||
        (std::isupper(static_cast<unsigned char>(before)) && std::islower(static_cast<unsigned char>(prev)))) {
      return false;
    }
  }
  static constexpr std::string_view kKeywords[] = {"token",  "secret",  "password", "passwd",
                                                   "apikey", "api_key", "api-key",  "api.key"};
  for (std::string_view kw : kKeywords) {
    for (size_t pos = lower.find(kw); pos != std::string::npos; pos = lower.find(kw, pos + 1)) {
      size_t end = pos + kw.size();
      if (end == name.size()) return true;
      unsigned char next = static_cast<unsigned char>(name[end]);
      if (!std::isalpha(next)) return true;
      // camelCase: accessTokenValue is "access token value".
      if (std::isupper(next) && std::islower(static_cast<unsigned char>(name[end - 1]))) {
        return true;
      }
      if (kw == "secret" && lower.compare(end, 3, "key") == 0) return true;  // SECRETKEY
    }
  }
  return false;
}

// One active rule. Its own RE2 (with captures) is compiled on first use:
// the combined RE2::Set answers "does this rule match at all?", and most
// rules never match during a process's life, so compiling all of them up
// front would only slow down every `tb` start (about 1.5 ms).
struct Rule {
  std::string name;
  std::string marker;
  std::string pattern;
  Pick pick = Pick::kFirstGroup;

  // The compiled pattern; thread-safe (call_once).
  const RE2& Re() const {
    std::call_once(once_, [this] {
      re_ = std::make_unique<RE2>(pattern, ByteOptions());
      groups_ = re_->NumberOfCapturingGroups();
    });
    return *re_;
  }
  int Groups() const {
    Re();
    return groups_;
  }

 private:
  mutable std::once_flag once_;
  mutable std::unique_ptr<RE2> re_;
  mutable int groups_ = 0;
};

// A byte range of the text to replace, and the rule (its precedence index).
struct Span {
  size_t begin;
  size_t end;
  size_t rule;
};

bool ValidExtraName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] == '-') return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

// "‹name›" exactly, as SecretMarker() writes it.
bool IsMarker(std::string_view s) {
  constexpr std::string_view kOpen = "\xE2\x80\xB9", kClose = "\xE2\x80\xBA";
  if (s.size() <= kOpen.size() + kClose.size() || !s.starts_with(kOpen) || !s.ends_with(kClose)) {
    return false;
  }
  std::string_view name = s.substr(kOpen.size(), s.size() - kOpen.size() - kClose.size());
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

std::unique_ptr<Rule> MakeRule(std::string_view name, std::string_view pattern, Pick pick) {
  auto rule = std::make_unique<Rule>();
  rule->name = std::string(name);
  rule->marker = SecretMarker(name);
  rule->pattern = std::string(pattern);
  rule->pick = pick;
  return rule;
}

}  // namespace

std::span<const SecretRuleInfo> BuiltinSecretRules() { return RuleInfos(); }

std::string SecretMarker(std::string_view rule_name) {
  return "\xE2\x80\xB9" + std::string(rule_name) + "\xE2\x80\xBA";
}

std::string SecretRuleNameProblem(std::string_view name) {
  if (FindBuiltin(name) != nullptr) return "";
  return "is not a built-in secret rule (known: " + BuiltinNameList() + ")";
}

std::string ExtraSecretRuleProblem(std::string_view spec) {
  size_t eq = spec.find('=');
  if (eq == std::string_view::npos) {
    return "is not name=REGEX (e.g. \"corp-token=CORP-[0-9A-F]{32}\")";
  }
  std::string_view name = spec.substr(0, eq);
  std::string_view pattern = spec.substr(eq + 1);
  if (!ValidExtraName(name)) {
    return "has an invalid rule name (use 1 to 64 lowercase letters, digits and '-', not "
           "starting with '-')";
  }
  if (FindBuiltin(name) != nullptr) {
    return "reuses the name of a built-in rule (pick another name; to replace a built-in "
           "rule, list it in secrets.disable and add yours under a new name)";
  }
  if (pattern.empty()) return "has an empty pattern";
  RE2 re(re2::StringPiece(pattern.data(), pattern.size()), ByteOptions());
  if (!re.ok()) return "has an invalid RE2 pattern: " + re.error();
  return "";
}

struct SecretMasker::Impl {
  std::vector<std::unique_ptr<Rule>> rules;  // precedence order
  std::unique_ptr<RE2::Set> set;

  void FindSpans(size_t index, re2::StringPiece text, std::vector<Span>* out) const;
};

void SecretMasker::Impl::FindSpans(size_t index, re2::StringPiece text, std::vector<Span>* out) const {
  const Rule& rule = *rules[index];
  const RE2& re = rule.Re();
  if (!re.ok()) {
    // Unreachable (the set compiled the same pattern), but if the rule's
    // own program cannot be built, hide the whole text rather than risk it.
    out->push_back({0, text.size(), index});
    return;
  }
  const int n = rule.Groups() + 1;
  std::array<re2::StringPiece, 24> small;
  std::vector<re2::StringPiece> large;
  re2::StringPiece* g = small.data();
  if (n > static_cast<int>(small.size())) {
    large.resize(static_cast<size_t>(n));
    g = large.data();
  }
  size_t pos = 0;
  while (pos <= text.size() && re.Match(text, pos, text.size(), RE2::UNANCHORED, g, n)) {
    const size_t match_begin = static_cast<size_t>(g[0].data() - text.data());
    const size_t match_end = match_begin + g[0].size();
    re2::StringPiece secret;
    bool found = false;
    if (rule.pick == Pick::kFirstGroup) {
      for (int i = 1; i < n && !found; ++i) {
        if (g[i].data() != nullptr) secret = g[i], found = true;
      }
      if (!found) secret = g[0], found = true;
    } else {
      int name = 1;
      while (name < n && g[name].data() == nullptr) ++name;
      for (int i = name + 1; i < n && !found; ++i) {
        if (g[i].data() != nullptr) secret = g[i], found = true;
      }
      if (found && !SecretNameOk(std::string_view(g[name].data(), g[name].size()))) found = false;
    }
    size_t begin = found ? static_cast<size_t>(secret.data() - text.data()) : 0;
    // A value starting with '$' is a shell expansion ($TOKEN, "${X}",
    // $(pass show x)): there is no secret in the text. Inside single quotes
    // the shell does not expand, so '$ecret' is a literal.
    if (found && !secret.empty() && secret[0] == '$' && (begin == 0 || text[begin - 1] != '\'')) {
      found = false;
    }
    // Already a marker (text masked before, e.g. a command re-run from
    // history): leave it, so masking twice changes nothing.
    if (found && IsMarker(std::string_view(secret.data(), secret.size()))) found = false;
    if (found && !secret.empty()) {
      out->push_back({begin, begin + secret.size(), index});
      pos = std::max(match_end, match_begin + 1);
    } else {
      // Rejected: look again from the next byte, so a real secret that
      // starts inside the rejected match is still found.
      pos = match_begin + 1;
    }
  }
}

SecretMasker::SecretMasker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SecretMasker::~SecretMasker() = default;

Status SecretMasker::Create(const Config& config, std::unique_ptr<SecretMasker>* out) {
  auto impl = std::make_unique<Impl>();
  for (const std::string& name : config.secrets.disable) {
    if (FindBuiltin(name) == nullptr) {
      return Status::InvalidArgument("unknown secret rule '" + name +
                                     "' in secrets.disable. Known rules: " + BuiltinNameList());
    }
  }
  for (const std::string& spec : config.secrets.extra) {
    std::string why = ExtraSecretRuleProblem(spec);
    if (!why.empty()) {
      return Status::InvalidArgument("invalid secret rule in secrets.extra: \"" + spec + "\" " + why +
                                     ". Fix secrets.extra");
    }
    size_t eq = spec.find('=');
    impl->rules.push_back(
        MakeRule(std::string_view(spec).substr(0, eq), std::string_view(spec).substr(eq + 1), Pick::kFirstGroup));
  }
  for (const RuleDef& def : kRules) {
    const auto& off = config.secrets.disable;
    if (std::find(off.begin(), off.end(), def.name) != off.end()) continue;
    impl->rules.push_back(MakeRule(def.name, def.pattern, def.pick));
  }
  // One combined DFA answers "which rules match at all?" in a single pass;
  // most commands match none and are done after it. The budget is generous
  // because the DFA of two dozen alternations is large; if it still runs
  // out, Mask() falls back to running every rule (slower, same result).
  RE2::Options set_options = ByteOptions();
  set_options.set_max_mem(64 << 20);
  impl->set = std::make_unique<RE2::Set>(set_options, RE2::UNANCHORED);
  for (const auto& rule : impl->rules) {
    std::string error;
    if (impl->set->Add(rule->pattern, &error) < 0) {
      return Status::InvalidArgument("invalid secret rule '" + rule->name + "': not a valid RE2 pattern: " + error);
    }
  }
  if (!impl->rules.empty() && !impl->set->Compile()) {
    return Status::InvalidArgument(
        "secret rules too large to compile together. Remove some of "
        "secrets.extra");
  }
  out->reset(new SecretMasker(std::move(impl)));
  return Status::OK();
}

size_t SecretMasker::Mask(std::string* text) const {
  const Impl& m = *impl_;
  if (text->empty() || m.rules.empty()) return 0;
  const re2::StringPiece input(*text);
  std::vector<int> hits;
  RE2::Set::ErrorInfo info;
  if (!m.set->Match(input, &hits, &info)) {
    if (info.kind == RE2::Set::kNoError) return 0;  // no rule matches: the common case
    hits.resize(m.rules.size());                    // out of DFA memory: try every rule
    for (size_t i = 0; i < hits.size(); ++i) hits[i] = static_cast<int>(i);
  }
  std::vector<Span> spans;
  for (int i : hits) m.FindSpans(static_cast<size_t>(i), input, &spans);
  if (spans.empty()) return 0;
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.begin != b.begin ? a.begin < b.begin : a.rule < b.rule; });
  // Overlapping spans become one, so no part of any secret survives between
  // two markers. It is named after the longest span (the value of
  // DB_PASSWORD=postgres://u:pw@h is a secret-env, not only a url-password);
  // equal lengths go to the rule that comes first (GITHUB_TOKEN=ghp_...
  // is a github-token).
  std::vector<Span> merged;
  size_t longest = 0;  // length of the span that names merged.back()
  for (const Span& s : spans) {
    const size_t len = s.end - s.begin;
    if (!merged.empty() && s.begin < merged.back().end) {
      Span& m = merged.back();
      m.end = std::max(m.end, s.end);
      if (len > longest || (len == longest && s.rule < m.rule)) {
        m.rule = s.rule;
        longest = len;
      }
    } else {
      merged.push_back(s);
      longest = len;
    }
  }
  std::string out;
  out.reserve(text->size() + merged.size() * 24);
  size_t at = 0;
  for (const Span& s : merged) {
    out.append(*text, at, s.begin - at);
    out += m.rules[s.rule]->marker;
    at = s.end;
  }
  out.append(*text, at, std::string::npos);
  *text = std::move(out);
  return merged.size();
}

std::vector<std::string> SecretMasker::RuleNames() const {
  std::vector<std::string> names;
  for (const auto& r : impl_->rules) names.push_back(r->name);
  return names;
}

}  // namespace tb
