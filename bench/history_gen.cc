#include "bench/history_gen.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <deque>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "bench/dev_cycles.h"

namespace tb::bench {

// ---------------------------------------------------------------- Rng, Zipf

double Rng::Uniform() { return static_cast<double>(mt_() >> 11) * 0x1.0p-53; }

uint64_t Rng::Below(uint64_t n) {
  // Multiply-shift (Lemire) without the rejection step: the bias is < n/2^64.
  return static_cast<uint64_t>((static_cast<unsigned __int128>(mt_()) * n) >> 64);
}

bool Rng::Chance(double p) { return Uniform() < p; }

double Rng::Normal() {
  double s = 0;
  for (int i = 0; i < 12; ++i) s += Uniform();
  return s - 6.0;
}

double Rng::Exponential(double mean) { return -mean * std::log(1.0 - Uniform()); }

Zipf::Zipf(size_t n, double s) : cdf_(n) {
  double sum = 0;
  for (size_t k = 0; k < n; ++k) {
    sum += 1.0 / std::pow(static_cast<double>(k + 1), s);
    cdf_[k] = sum;
  }
  for (double& c : cdf_) c /= sum;
}

size_t Zipf::Sample(Rng& rng) const {
  double u = rng.Uniform();
  size_t i = static_cast<size_t>(std::upper_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  return std::min(i, cdf_.size() - 1);
}

namespace {

// ---------------------------------------------------------------- vocabulary

constexpr std::string_view kWords[] = {
    "auth",     "token",   "cache",     "retry",     "config",    "parser",     "router",   "client",     "server",
    "worker",   "queue",   "metrics",   "logger",    "session",   "user",       "account",  "billing",    "invoice",
    "payment",  "search",  "index",     "query",     "schema",    "migration",  "upload",   "download",   "export",
    "import",   "report",  "dashboard", "login",     "logout",    "signup",     "profile",  "settings",   "notify",
    "email",    "webhook", "scheduler", "cron",      "backup",    "restore",    "snapshot", "replica",    "shard",
    "proxy",    "gateway", "limiter",   "timeout",   "deadline",  "context",    "handler",  "middleware", "storage",
    "bucket",   "object",  "stream",    "buffer",    "codec",     "encoder",    "decoder",  "format",     "render",
    "template", "layout",  "theme",     "button",    "modal",     "table",      "chart",    "graph",      "node",
    "edge",     "tree",    "heap",      "list",      "map",       "set",        "vector",   "matrix",     "tensor",
    "model",    "train",   "eval",      "predict",   "feature",   "label",      "dataset",  "loader",     "sampler",
    "batch",    "epoch",   "loss",      "optimizer", "kernel",    "driver",     "device",   "socket",     "packet",
    "frame",    "header",  "payload",   "checksum",  "hash",      "crypto",     "cipher",   "key",        "cert",
    "tls",      "dns",     "http",      "grpc",      "proto",     "json",       "yaml",     "toml",       "csv",
    "xml",      "sql",     "db",        "pool",      "conn",      "tx",         "lock",     "mutex",      "thread",
    "task",     "job",     "pipeline",  "stage",     "deploy",    "release",    "build",    "test",       "bench",
    "lint",     "fmt",     "docs",      "readme",    "changelog", "version",    "flag",     "option",     "arg",
    "env",      "secret",  "vault",     "policy",    "role",      "permission", "audit",    "trace",      "span",
    "sample",   "debug"};

constexpr std::string_view kVerbs[] = {
    "fix",      "add",     "remove", "refactor", "update",   "rename", "move",     "handle",   "support", "improve",
    "simplify", "cleanup", "bump",   "revert",   "document", "test",   "optimize", "validate", "cache",   "retry",
    "log",      "expose",  "hide",   "split",    "merge",    "inline", "extract",  "drop",     "allow",   "deny"};

constexpr std::string_view kNpmPkgs[] = {
    "react",          "react-dom",   "typescript",    "eslint",      "prettier",     "jest",    "vitest",
    "vite",           "webpack",     "axios",         "lodash",      "express",      "zod",     "dayjs",
    "next",           "tailwindcss", "postcss",       "@types/node", "@types/react", "ts-node", "nodemon",
    "dotenv",         "uuid",        "chalk",         "commander",   "yargs",        "pino",    "prisma",
    "@prisma/client", "graphql",     "apollo-server", "socket.io",   "redis",        "pg",      "mongoose",
    "sharp",          "playwright",  "cypress",       "storybook",   "rollup",       "esbuild", "turbo",
    "husky",          "lint-staged", "msw",           "swr",         "immer",        "zustand", "date-fns",
    "classnames"};

constexpr std::string_view kCrates[] = {"serde",   "serde_json", "tokio",       "anyhow",    "thiserror", "clap",
                                        "tracing", "reqwest",    "rayon",       "regex",     "itertools", "chrono",
                                        "uuid",    "bytes",      "futures",     "hyper",     "axum",      "sqlx",
                                        "rand",    "once_cell",  "parking_lot", "crossbeam", "criterion", "proptest",
                                        "insta",   "tempfile",   "walkdir",     "indicatif", "toml",      "dashmap"};

constexpr std::string_view kPyPkgs[] = {
    "numpy",   "pandas", "requests", "flask", "django",       "fastapi",    "uvicorn", "pydantic", "pytest",
    "black",   "ruff",   "mypy",     "torch", "scikit-learn", "matplotlib", "jupyter", "boto3",    "sqlalchemy",
    "alembic", "celery", "redis",    "httpx", "rich",         "typer",      "polars"};

constexpr std::string_view kImages[] = {"postgres",
                                        "redis",
                                        "nginx",
                                        "alpine",
                                        "ubuntu",
                                        "debian",
                                        "python",
                                        "node",
                                        "golang",
                                        "rust",
                                        "mysql",
                                        "mongo",
                                        "rabbitmq",
                                        "elasticsearch",
                                        "grafana/grafana",
                                        "prom/prometheus",
                                        "minio/minio",
                                        "traefik",
                                        "busybox",
                                        "curlimages/curl",
                                        "bitnami/kafka",
                                        "jaegertracing/all-in-one",
                                        "localstack/localstack",
                                        "hashicorp/vault",
                                        "envoyproxy/envoy"};

constexpr std::string_view kNamespaces[] = {"default",    "staging",     "prod",          "dev",
                                            "monitoring", "kube-system", "ingress-nginx", "data"};

constexpr std::string_view kServices[] = {
    "api",       "web",           "auth-service", "billing-api", "search-indexer", "notifier",
    "gateway",   "worker",        "scheduler",    "frontend",    "admin",          "ledger",
    "ingest",    "exporter",      "reporting",    "uploader",    "thumbnailer",    "mailer",
    "webhooks",  "sessions",      "catalog",      "inventory",   "orders",         "payments",
    "analytics", "feature-flags", "rate-limiter", "cdn-purger",  "audit-log",      "identity"};

constexpr std::string_view kRemoteHosts[] = {
    "build-server", "prod-bastion", "db-primary",       "db-replica-1",    "db-replica-2", "web-01",  "web-02",
    "web-03",       "worker-01",    "worker-02",        "ci-runner-3",     "gpu-box",      "nas",     "pi",
    "staging-app",  "monitoring",   "jump.example.com", "git.example.com", "vpn-gw",       "kafka-1", "kafka-2",
    "redis-cache",  "es-node-1",    "backup-host",      "dev-vm"};

constexpr std::string_view kExts[] = {"go", "rs",   "ts",   "tsx",  "js", "py",  "c",   "cc",  "h",
                                      "md", "yaml", "json", "toml", "sh", "sql", "log", "txt", "proto"};

constexpr std::string_view kHomeDirs[] = {"",
                                          "/Downloads",
                                          "/dotfiles",
                                          "/notes",
                                          "/tmp",
                                          "/scratch",
                                          "/Documents",
                                          "/.config/nvim",
                                          "/.config",
                                          "/bin",
                                          "/Desktop",
                                          "/.ssh",
                                          "/backups",
                                          "/talks",
                                          "/src",
                                          "/work",
                                          "/go",
                                          "/.local/share",
                                          "/Pictures",
                                          "/books",
                                          "/sandbox",
                                          "/sandbox/rust-play",
                                          "/sandbox/py",
                                          "/sandbox/ts",
                                          "/.kube",
                                          "/.aws",
                                          "/vms",
                                          "/music",
                                          "/photos/2025",
                                          "/photos/2026"};

constexpr std::string_view kSystemDirs[] = {"/root",
                                            "/etc",
                                            "/var/log",
                                            "/etc/nginx",
                                            "/etc/nginx/sites-enabled",
                                            "/etc/systemd/system",
                                            "/var/lib/docker",
                                            "/var/lib/postgresql",
                                            "/var/www",
                                            "/var/www/html",
                                            "/srv",
                                            "/opt",
                                            "/tmp",
                                            "/usr/local/bin",
                                            "/etc/ssl/certs",
                                            "/var/log/nginx",
                                            "/var/backups",
                                            "/etc/cron.d",
                                            "/home/alex",
                                            "/mnt/data",
                                            "/mnt/backup",
                                            "/etc/prometheus",
                                            "/opt/grafana",
                                            "/etc/docker",
                                            "/var/spool/cron",
                                            "/usr/share/doc",
                                            "/proc",
                                            "/sys/class/net",
                                            "/boot",
                                            "/etc/apt"};

// The head: a few commands everybody types all day, most frequent first.
constexpr std::string_view kHead[] = {"ls",
                                      "git status",
                                      "cd ..",
                                      "ll",
                                      "git diff",
                                      "ls -la",
                                      "clear",
                                      "make",
                                      "cd",
                                      "git pull",
                                      "vim .",
                                      "git log --oneline",
                                      "pwd",
                                      "git add .",
                                      "htop",
                                      "docker ps",
                                      "kubectl get pods",
                                      "cargo build",
                                      "npm test",
                                      "make test",
                                      "exit",
                                      "history",
                                      "git push",
                                      "git branch",
                                      "git stash",
                                      "git stash pop",
                                      "cd -",
                                      "ls -lh",
                                      "top",
                                      "df -h",
                                      "du -sh *",
                                      "npm run dev",
                                      "cargo test",
                                      "go test ./...",
                                      "python3",
                                      "tmux attach",
                                      "git fetch --all",
                                      "git checkout main",
                                      "git checkout -",
                                      "make clean",
                                      "docker compose up -d",
                                      "docker compose down",
                                      "kubectl get svc",
                                      "git log",
                                      "tig",
                                      "code .",
                                      "nvim",
                                      "source ~/.zshrc",
                                      "sudo apt update",
                                      "cat README.md",
                                      "ls src",
                                      "git diff --staged",
                                      "git commit --amend --no-edit",
                                      "make -j8",
                                      "cargo clippy",
                                      "npm install",
                                      "go build ./...",
                                      "pytest",
                                      "which python3",
                                      "whoami",
                                      "date",
                                      "uptime",
                                      "free -h",
                                      "ps aux | grep node",
                                      "ssh build-server",
                                      "kubectl get nodes",
                                      "docker images",
                                      "git remote -v",
                                      "fg",
                                      "jobs",
                                      "git log -p",
                                      "ls -a",
                                      "git commit",
                                      "make lint",
                                      "cargo fmt",
                                      "npm run build",
                                      "docker compose logs -f",
                                      "kubectl get deployments",
                                      "git rebase --continue",
                                      "git status -s"};

enum class Kind { kGo, kRust, kNode, kPython, kCpp, kInfra };

struct Project {
  std::string name;
  Kind kind;
  std::string root;                // absolute
  std::vector<std::string> dirs;   // absolute, root first
  std::vector<std::string> files;  // relative to root
  std::vector<std::string> branches;
  std::vector<std::string> targets;  // make / binary / script names
  std::unique_ptr<Zipf> dir_zipf;
  std::unique_ptr<Zipf> file_zipf;
};

// A command planned ahead (workflows mode) and where it runs.
struct Step {
  PlannedCommand command;
  std::string cwd;
};

struct Session {
  std::deque<Step> plan;  // workflows mode: the next commands, in order
  std::string id;
  uint64_t origin = 0;
  uint64_t counter = 0;
  size_t project = 0;
  size_t host = 0;
  std::string user;
  std::string shell;
  uint64_t remaining = 0;
};

struct HostSpec {
  std::string_view name;
  double weight;
  double root_share;
  std::string_view shell;
};

constexpr HostSpec kHosts[] = {{"alex-laptop", 0.55, 0.0, "zsh"},
                               {"workstation", 0.30, 0.02, "zsh"},
                               {"build-server", 0.10, 0.30, "bash"},
                               {"prod-bastion", 0.05, 0.60, "bash"}};

constexpr std::string_view kUser = "alex";
constexpr std::string_view kHome = "/home/alex";

template <size_t N>
std::string_view Pick(Rng& r, const std::string_view (&arr)[N]) {
  return arr[r.Below(N)];
}

std::string Hex(Rng& r, size_t digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(digits, '0');
  uint64_t bits = 0;
  for (size_t i = 0; i < digits; ++i) {
    if (i % 16 == 0) bits = r.Bits();
    s[i] = kHex[bits & 15];
    bits >>= 4;
  }
  return s;
}

std::string Alnum(Rng& r, size_t n) {
  static constexpr char kChars[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string s(n, 'x');
  for (char& c : s) c = kChars[r.Below(sizeof(kChars) - 1)];
  return s;
}

std::string Num(uint64_t v) { return std::to_string(v); }

std::string Version(Rng& r) { return Num(r.Below(5)) + "." + Num(r.Below(30)) + "." + Num(r.Below(20)); }

std::string Pod(Rng& r) { return std::string(Pick(r, kServices)) + "-" + Hex(r, 9) + "-" + Alnum(r, 5); }

std::string Message(Rng& r) {
  std::string m(Pick(r, kVerbs));
  m += " ";
  m += Pick(r, kWords);
  if (r.Chance(0.6)) {
    m += " ";
    m += Pick(r, kWords);
  }
  if (r.Chance(0.3)) {
    m += " in ";
    m += Pick(r, kWords);
  }
  return m;
}

}  // namespace

// ---------------------------------------------------------------- generator

struct HistoryGenerator::Impl {
  GenOptions opt;
  Rng rng;
  double time_scale;  // 1e6 / N so the span is ~2 years for any N
  std::vector<Project> projects;
  Zipf project_zipf{150, 1.0};
  Zipf head_zipf{std::size(kHead), 1.05};
  Zipf home_zipf{std::size(kHomeDirs), 1.2};
  Zipf system_zipf{std::size(kSystemDirs), 1.1};
  Zipf word_zipf{std::size(kWords), 0.8};

  static constexpr double kHeadShare = 0.22;
  static constexpr double kNewShare = 0.36;
  // Gaps: inside a session log-normal (median 5 s, mean 11.6 s); a break
  // (1 in 400 commands) is exponential with this mean, which puts 1M
  // commands over ~730 days. Gaps are scaled by 1e6/N for other sizes.
  static constexpr double kBreakMeanS = 20600.0;
  // Every distinct text -> its index in `texts`; `occurrences` lists the
  // text index of each non-head command so far (reuse picks from it).
  std::unordered_map<std::string, uint32_t> text_index;
  std::vector<const std::string*> texts;
  std::vector<uint32_t> occurrences;

  std::vector<Session> active;
  size_t current = 0;
  uint64_t produced = 0;
  int64_t now_ns = 0;
  GenCommand out;

  // stats
  std::unordered_set<std::string> dirs_seen;
  uint64_t sessions = 0, failures = 0, bytes = 0, events = 0, cycles = 0, typos = 0;
  bool host_seen[4] = {};
  bool root_seen = false, user_seen = false;
  std::vector<int64_t> duration_sample;

  explicit Impl(const GenOptions& o)
      : opt(o), rng(o.seed), time_scale(1e6 / static_cast<double>(std::max<uint64_t>(o.commands, 1))) {
    now_ns = o.start_ns;
    BuildProjects();
    occurrences.reserve(o.commands);
  }

  // ------------------------------------------------------------ projects
  void BuildProjects() {
    static constexpr std::string_view kBases[] = {"/src/", "/work/", "/go/src/github.com/acme/", "/projects/",
                                                  "/src/oss/"};
    projects.resize(project_zipf.size());
    for (size_t i = 0; i < projects.size(); ++i) {
      Project& p = projects[i];
      p.kind = static_cast<Kind>(rng.Below(6));
      p.name = std::string(Pick(rng, kWords)) + "-" + std::string(Pick(rng, kWords));
      if (rng.Chance(0.3)) p.name += std::string("-") + Num(rng.Below(9) + 2);
      p.root = std::string(kHome) + std::string(kBases[rng.Below(std::size(kBases))]) + p.name;
      BuildLayout(p);
      p.dir_zipf = std::make_unique<Zipf>(p.dirs.size(), 1.1);
      p.file_zipf = std::make_unique<Zipf>(p.files.size(), 0.9);
      p.branches = {"main", "develop"};
      size_t nb = 4 + rng.Below(8);
      for (size_t b = 0; b < nb; ++b) p.branches.push_back(NewBranch());
      size_t nt = 3 + rng.Below(4);
      for (size_t t = 0; t < nt; ++t) p.targets.push_back(std::string(Pick(rng, kWords)));
    }
  }

  std::string NewBranch() {
    static constexpr std::string_view kPrefixes[] = {"feature/", "fix/", "chore/", "alex/", "hotfix/"};
    std::string b(kPrefixes[rng.Below(std::size(kPrefixes))]);
    b += Pick(rng, kWords);
    b += "-";
    b += Pick(rng, kWords);
    if (rng.Chance(0.5)) b += std::string("-") + Num(100 + rng.Below(4900));
    return b;
  }

  void BuildLayout(Project& p) {
    std::vector<std::string> rel;  // relative dirs
    std::vector<std::string> mods;
    size_t nmods = 3 + rng.Below(5);
    for (size_t m = 0; m < nmods; ++m) mods.emplace_back(Pick(rng, kWords));
    std::string ext;
    std::vector<std::string> fixed_files;
    switch (p.kind) {
      case Kind::kGo:
        ext = "go";
        rel = {"cmd/" + p.name, "internal", "pkg", "api", "deploy", "scripts"};
        for (auto& m : mods) rel.push_back("internal/" + m);
        fixed_files = {"go.mod", "go.sum", "Makefile", "README.md", "Dockerfile", "cmd/" + p.name + "/main.go"};
        break;
      case Kind::kRust:
        ext = "rs";
        rel = {"src", "src/bin", "tests", "benches", "examples"};
        for (auto& m : mods) rel.push_back("crates/" + m + "/src");
        fixed_files = {"Cargo.toml", "Cargo.lock", "README.md", "src/main.rs", "src/lib.rs", "build.rs"};
        break;
      case Kind::kNode:
        ext = rng.Chance(0.7) ? "ts" : "js";
        rel = {"src", "src/components", "src/pages", "src/lib", "test", "public", "scripts"};
        for (auto& m : mods) rel.push_back("src/components/" + m);
        fixed_files = {"package.json",   "tsconfig.json",  "README.md",
                       ".eslintrc.json", "vite.config.ts", "src/index." + ext};
        break;
      case Kind::kPython:
        ext = "py";
        rel = {p.name.substr(0, p.name.find('-')), "tests", "scripts", "notebooks", "docs"};
        for (auto& m : mods) rel.push_back(rel[0] + "/" + m);
        fixed_files = {"pyproject.toml", "requirements.txt", "README.md",
                       "setup.cfg",      "Makefile",         rel[0] + "/__init__.py"};
        break;
      case Kind::kCpp:
        ext = rng.Chance(0.5) ? "cc" : "cpp";
        rel = {"src", "include/" + p.name, "tests", "build", "cmake", "bench", "third_party"};
        for (auto& m : mods) rel.push_back("src/" + m);
        fixed_files = {"CMakeLists.txt", "README.md", ".clang-format", "src/main." + ext, "Makefile"};
        break;
      case Kind::kInfra:
        ext = "yaml";
        rel = {"terraform", "terraform/prod", "terraform/staging", "k8s", "helm", "ansible", "ansible/roles"};
        for (auto& m : mods) rel.push_back("k8s/" + m);
        fixed_files = {"README.md", "Makefile", "terraform/prod/main.tf", "terraform/staging/main.tf",
                       "ansible/site.yml"};
        break;
    }
    p.dirs.push_back(p.root);
    for (auto& r : rel) p.dirs.push_back(p.root + "/" + r);
    p.files = fixed_files;
    size_t nfiles = 15 + rng.Below(25);
    for (size_t f = 0; f < nfiles; ++f) {
      const std::string& dir = rel[rng.Below(rel.size())];
      std::string name(Pick(rng, kWords));
      if (rng.Chance(0.4)) name += "_" + std::string(Pick(rng, kWords));
      if (p.kind == Kind::kPython && dir == "tests") name = "test_" + name;
      p.files.push_back(dir + "/" + name + "." + ext);
    }
  }

  // ------------------------------------------------------------ sessions
  void StartSession() {
    Session s;
    s.id = Hex(rng, 32);
    s.origin = rng.Bits() | 1;
    s.project = project_zipf.Sample(rng);
    double u = rng.Uniform(), acc = 0;
    s.host = 0;
    for (size_t h = 0; h < std::size(kHosts); ++h) {
      acc += kHosts[h].weight;
      if (u < acc) {
        s.host = h;
        break;
      }
    }
    s.user = rng.Chance(kHosts[s.host].root_share) ? "root" : std::string(kUser);
    s.shell = std::string(kHosts[s.host].shell);
    if (s.host == 1 && rng.Chance(0.15)) s.shell = "fish";
    s.remaining = std::max<uint64_t>(5, static_cast<uint64_t>(std::exp(std::log(350.0) + 0.7 * rng.Normal())));
    active.push_back(std::move(s));
    current = active.size() - 1;
    sessions++;
  }

  Session& PickSession() {
    if (active.empty()) StartSession();
    if (active.size() < 3 && rng.Chance(1.0 / 500)) StartSession();  // a new pane
    if (active.size() > 1 && rng.Chance(0.12)) current = rng.Below(active.size());
    if (current >= active.size()) current = active.size() - 1;
    return active[current];
  }

  // ------------------------------------------------------------ time
  void AdvanceTime() {
    double gap_s;
    if (produced > 0 && rng.Chance(1.0 / 400)) {
      // The user went away: every pane is closed, the next command starts
      // a new session after the break.
      gap_s = rng.Exponential(kBreakMeanS);
      active.clear();
    } else {
      gap_s = std::exp(std::log(5.0) + 1.3 * rng.Normal());
    }
    int64_t gap_ns = static_cast<int64_t>(gap_s * time_scale * 1e9);
    now_ns += std::max<int64_t>(gap_ns, 1000);  // strictly increasing, >= 1 us apart
  }

  // ------------------------------------------------------------ text
  const Project& P(const Session& s) const { return projects[s.project]; }
  std::string File(const Project& p) { return p.files[p.file_zipf->Sample(rng)]; }
  std::string Rel(const Project& p) {
    const std::string& d = p.dirs[1 + rng.Below(p.dirs.size() - 1)];
    return d.substr(p.root.size() + 1);
  }
  std::string Branch(const Project& p) { return p.branches[rng.Below(p.branches.size())]; }
  std::string Word() { return std::string(kWords[word_zipf.Sample(rng)]); }

  std::string Git(const Project& p) {
    switch (rng.Below(20)) {
      case 0:
      case 1:
      case 2: return "git commit -m \"" + Message(rng) + "\"";
      case 3: return "git checkout -b " + NewBranch();
      case 4:
      case 5: return "git checkout " + Branch(p);
      case 6: return "git show " + Hex(rng, 7);
      case 7: return "git log --oneline -n " + Num(5 + rng.Below(46)) + " " + File(p);
      case 8: return "git diff " + Hex(rng, 7) + ".." + Hex(rng, 7);
      case 9: return "git add " + File(p);
      case 10: return "git diff " + File(p);
      case 11: return "git rebase -i HEAD~" + Num(2 + rng.Below(9));
      case 12: return "git cherry-pick " + Hex(rng, rng.Chance(0.7) ? 7 : 40);
      case 13: return "git push origin " + Branch(p);
      case 14: return "git push -u origin " + NewBranch();
      case 15: return "git reset --hard " + Hex(rng, 7);
      case 16: return "git blame " + File(p);
      case 17: return "git log -p --follow " + File(p);
      case 18: return "git stash push -m \"" + Message(rng) + "\"";
      default: return "git grep -n \"" + Word() + "\"";
    }
  }

  std::string Edit(const Project& p) {
    static constexpr std::string_view kEditors[] = {"vim ", "vim ", "nvim ", "less ", "cat ", "code ", "bat "};
    std::string e(Pick(rng, kEditors));
    if (rng.Chance(0.25)) e += "~" + p.root.substr(kHome.size()) + "/";  // from elsewhere
    return e + File(p);
  }

  std::string Nav(const Project& p, const Session& s) {
    switch (rng.Below(5)) {
      case 0: return "cd " + Rel(p);
      case 1: return "ls " + Rel(p);
      case 2: return "cd " + std::string(s.user == "root" ? "/root" : "~") + p.root.substr(kHome.size());
      case 3: return "tree -L " + Num(1 + rng.Below(3)) + " " + Rel(p);
      default: return "ls -la " + Rel(p);
    }
  }

  std::string Docker(const Project& p) {
    std::string image = std::string(Pick(rng, kImages)) + ":" + Num(rng.Below(17)) + (rng.Chance(0.4) ? "-alpine" : "");
    switch (rng.Below(10)) {
      case 0: {
        auto port = Num(3000 + rng.Below(6000));
        return "docker run --rm -it -p " + port + ":" + port + " " + image;
      }
      case 1: return "docker build -t " + p.name + ":" + Version(rng) + " .";
      case 2: return "docker exec -it " + p.name + "-" + std::string(Pick(rng, kServices)) + "-1 sh";
      case 3:
        return "docker logs -f --tail " + Num(50 * (1 + rng.Below(20))) + " " + p.name + "-" +
               std::string(Pick(rng, kServices)) + "-1";
      case 4: return "docker pull " + image;
      case 5: return "docker rmi " + Hex(rng, 12);
      case 6: return "docker compose logs -f " + std::string(Pick(rng, kServices));
      case 7: return "docker push registry.example.com/" + p.name + ":" + Version(rng);
      case 8:
        return "docker run --rm -v $(pwd):/src -w /src " + image + " make " + p.targets[rng.Below(p.targets.size())];
      default: return "docker inspect " + Hex(rng, 12);
    }
  }

  std::string Kubectl() {
    std::string ns = " -n " + std::string(Pick(rng, kNamespaces));
    std::string svc(Pick(rng, kServices));
    switch (rng.Below(12)) {
      case 0:
      case 1: return "kubectl get pods" + ns;
      case 2:
      case 3: return "kubectl logs -f " + Pod(rng) + ns;
      case 4: return "kubectl describe pod " + Pod(rng) + ns;
      case 5: return "kubectl apply -f k8s/" + svc + "/" + std::string(Pick(rng, kWords)) + ".yaml";
      case 6: return "kubectl rollout restart deployment/" + svc + ns;
      case 7: return "kubectl exec -it " + Pod(rng) + ns + " -- sh";
      case 8: {
        auto port = Num(8000 + rng.Below(2000));
        return "kubectl port-forward svc/" + svc + " " + port + ":" + port + ns;
      }
      case 9: return "kubectl scale deployment/" + svc + " --replicas=" + Num(rng.Below(10)) + ns;
      case 10: return "kubectl get events" + ns + " --sort-by=.lastTimestamp";
      default: return "kubectl delete pod " + Pod(rng) + ns;
    }
  }

  std::string Lang(const Project& p) {
    const std::string& t = p.targets[rng.Below(p.targets.size())];
    switch (p.kind) {
      case Kind::kNode:
        switch (rng.Below(6)) {
          case 0: return "npm install " + std::string(Pick(rng, kNpmPkgs)) + "@" + Version(rng);
          case 1: return "npm run " + t;
          case 2: return "npm test -- " + File(p);
          case 3: return "npx " + std::string(rng.Chance(0.5) ? "eslint --fix " : "prettier --write ") + File(p);
          case 4: return "yarn add -D " + std::string(Pick(rng, kNpmPkgs));
          default: return "npx tsc --noEmit -p " + Rel(p);
        }
      case Kind::kRust:
        switch (rng.Below(5)) {
          case 0: return "cargo build --release --bin " + t;
          case 1: return "cargo test " + Word() + "_" + Word();
          case 2: return "cargo run --bin " + t + " -- --" + Word() + " " + Num(rng.Below(1000));
          case 3: return "cargo add " + std::string(Pick(rng, kCrates)) + "@" + Version(rng);
          default: return "cargo bench --bench " + t;
        }
      case Kind::kGo:
        switch (rng.Below(4)) {
          case 0: return "go test ./" + Rel(p) + "/... -run Test" + Word();
          case 1: return "go run ./cmd/" + p.name + " --" + Word() + "=" + Num(rng.Below(100));
          case 2: return "go get github.com/" + Word() + "/" + Word() + "@v" + Version(rng);
          default: return "go test -race -count=1 ./" + Rel(p) + "/...";
        }
      case Kind::kPython:
        switch (rng.Below(5)) {
          case 0: return "python3 scripts/" + Word() + ".py --" + Word() + " " + Num(rng.Below(500));
          case 1: return "pytest " + File(p) + " -k " + Word();
          case 2: return "pip install " + std::string(Pick(rng, kPyPkgs)) + "==" + Version(rng);
          case 3: return "python -m " + Word() + "." + Word();
          default: return "ruff check " + Rel(p);
        }
      case Kind::kCpp:
        switch (rng.Below(5)) {
          case 0: return "make -j" + Num(2 + rng.Below(15)) + " " + t;
          case 1: return "cmake -S . -B build -DCMAKE_BUILD_TYPE=" + std::string(rng.Chance(0.5) ? "Release" : "Debug");
          case 2: return "ninja -C build " + t;
          case 3: return "./build/" + t + " --" + Word() + " " + Num(rng.Below(1000));
          default: return "gdb --args ./build/" + t + " " + File(p);
        }
      case Kind::kInfra:
        switch (rng.Below(5)) {
          case 0: return "terraform plan -var-file=" + std::string(rng.Chance(0.5) ? "prod" : "staging") + ".tfvars";
          case 1: return "terraform apply -target=module." + Word();
          case 2:
            return "helm upgrade --install " + std::string(Pick(rng, kServices)) + " ./helm/" + Word() + " -n " +
                   std::string(Pick(rng, kNamespaces));
          case 3: return "ansible-playbook -i inventory/" + Word() + " site.yml --tags " + Word();
          default: return "aws s3 ls s3://" + p.name + "-" + Word() + "/" + Num(2024 + rng.Below(3)) + "/";
        }
    }
    return "make " + t;
  }

  std::string Remote() {
    std::string host(Pick(rng, kRemoteHosts));
    switch (rng.Below(5)) {
      case 0:
      case 1: return "ssh " + std::string(rng.Chance(0.5) ? "alex@" : "") + host;
      case 2: {
        auto port = Num(5000 + rng.Below(5000));
        return "ssh -L " + port + ":localhost:" + port + " " + host;
      }
      case 3: return "scp " + Word() + "." + std::string(Pick(rng, kExts)) + " " + host + ":/tmp/";
      default: return "rsync -avz --progress " + Word() + "/ " + host + ":/srv/" + Word() + "/";
    }
  }

  std::string Search(const Project& p) {
    switch (rng.Below(8)) {
      case 0: return "grep -rn \"" + Word() + "\" " + Rel(p);
      case 1: return "rg -i " + Word() + " " + Rel(p);
      case 2: return "rg \"" + Word() + "\\(\" --type " + std::string(Pick(rng, kExts));
      case 3: return "find . -name \"*." + std::string(Pick(rng, kExts)) + "\" -mtime -" + Num(1 + rng.Below(30));
      case 4: return "find " + Rel(p) + " -type f -size +" + Num(1 + rng.Below(500)) + "M";
      case 5: return "grep -v " + Word() + " /var/log/" + Word() + ".log | wc -l";
      case 6: return "sed -i 's/" + Word() + "/" + Word() + "/g' " + File(p);
      default:
        return "awk '{print $" + Num(1 + rng.Below(9)) +
               "}' /var/log/nginx/access.log | sort | uniq -c | sort -rn | head";
    }
  }

  std::string Http() {
    switch (rng.Below(3)) {
      case 0:
        return "curl -s https://" + std::string(Pick(rng, kServices)) + ".example.com/api/v" + Num(1 + rng.Below(3)) +
               "/" + Word() + "/" + Num(rng.Below(100000)) + " | jq ." + Word();
      case 1:
        return "curl -X POST -H \"Content-Type: application/json\" -d '{\"" + Word() + "\":\"" + Word() +
               "\"}' localhost:" + Num(3000 + rng.Below(6000)) + "/" + Word();
      default: return "wget https://releases.example.com/" + Word() + "/" + Word() + "-" + Version(rng) + ".tar.gz";
    }
  }

  std::string Misc(const Project& p) {
    switch (rng.Below(16)) {
      case 0: return "tail -f /var/log/" + Word() + ".log";
      case 1: return "ps aux | grep " + Word();
      case 2: return "kill -9 " + Num(1000 + rng.Below(60000));
      case 3: return "chmod +x scripts/" + Word() + ".sh";
      case 4: return "mkdir -p " + Rel(p) + "/" + Word();
      case 5: return "rm -rf " + Rel(p) + "/build";
      case 6: {
        auto f = File(p);
        return "cp " + f + " " + f + ".bak";
      }
      case 7: return "mv " + File(p) + " " + Rel(p) + "/";
      case 8: return "tar -xzf " + Word() + "-" + Version(rng) + ".tar.gz";
      case 9: {
        auto w = Word();
        for (char& c : w) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return "export " + w + "_URL=http://localhost:" + Num(3000 + rng.Below(6000));
      }
      case 10: return "man " + Word();
      case 11: return "systemctl status " + std::string(Pick(rng, kServices));
      case 12:
        return "journalctl -u " + std::string(Pick(rng, kServices)) + " --since \"" + Num(1 + rng.Below(24)) +
               " hours ago\"";
      case 13: return "sudo apt install " + std::string(Pick(rng, kPyPkgs));
      case 14: return "brew install " + Word();
      default: return "./scripts/" + Word() + ".sh " + Word();
    }
  }

  std::string NewText(const Session& s) {
    const Project& p = P(s);
    double u = rng.Uniform();
    if (u < 0.26) return Git(p);
    if (u < 0.37) return Edit(p);
    if (u < 0.44) return Nav(p, s);
    if (u < 0.51) return Docker(p);
    if (u < 0.58) return Kubectl();
    if (u < 0.72) return Lang(p);
    if (u < 0.76) return Remote();
    if (u < 0.85) return Search(p);
    if (u < 0.89) return Http();
    return Misc(p);
  }

  uint32_t Intern(std::string text) {
    auto [it, inserted] = text_index.emplace(std::move(text), static_cast<uint32_t>(texts.size()));
    if (inserted) texts.push_back(&it->first);
    return it->second;
  }

  // Picks the text of the next command. Reuse draws from earlier non-head
  // commands only, so the head keeps its own share.
  uint32_t ChooseText(const Session& s) {
    double u = rng.Uniform();
    if (u < kHeadShare) return Intern(std::string(kHead[head_zipf.Sample(rng)]));
    if (u < kHeadShare + kNewShare || occurrences.empty()) {
      uint32_t ti = Intern(NewText(s));
      occurrences.push_back(ti);
      return ti;
    }
    uint32_t ti = occurrences[occurrences.size() - 1];
    if (rng.Chance(0.6)) {
      // A recent command again (up-arrow, ctrl-r).
      uint64_t d = 1 + static_cast<uint64_t>(rng.Exponential(30.0));
      ti = d <= occurrences.size() ? occurrences[occurrences.size() - d] : occurrences[rng.Below(occurrences.size())];
    } else {
      // Anything from the past, with P(distance d) ~ 1/d (log-uniform): old
      // commands come back too, without the first ones snowballing.
      double n = static_cast<double>(occurrences.size());
      uint64_t d = static_cast<uint64_t>(std::exp(rng.Uniform() * std::log(n)));
      ti = occurrences[occurrences.size() - std::clamp<uint64_t>(d, 1, occurrences.size())];
    }
    occurrences.push_back(ti);
    return ti;
  }

  std::string ChooseCwd(const Session& s) {
    if (s.user == "root") {
      if (rng.Chance(0.7)) return std::string(kSystemDirs[system_zipf.Sample(rng)]);
    }
    const Project& p = P(s);
    double u = rng.Uniform();
    if (u < 0.75) return p.dirs[p.dir_zipf->Sample(rng)];
    if (u < 0.95)
      return (s.user == "root" ? std::string("/root") : std::string(kHome)) +
             std::string(kHomeDirs[home_zipf.Sample(rng)]);
    // Any project's directory (a quick look elsewhere).
    const Project& q = projects[rng.Below(projects.size())];
    return q.dirs[rng.Below(q.dirs.size())];
  }

  static double MedianMs(std::string_view c) {
    auto starts = [&](std::string_view p) { return c.substr(0, p.size()) == p; };
    for (auto p : {"vim", "nvim", "less", "ssh", "htop", "top", "tmux", "python3", "tig", "man", "gdb", "code",
                   "kubectl exec", "kubectl logs -f", "docker logs -f", "tail -f", "docker exec",
                   "kubectl port-forward", "docker compose logs"}) {
      if (starts(p)) return 90000;
    }
    for (auto p : {"make", "cargo", "npm", "yarn", "npx", "go ", "pytest", "docker build", "cmake", "ninja",
                   "terraform", "helm", "ansible", "./build", "docker run"}) {
      if (starts(p)) return 12000;
    }
    for (auto p : {"curl", "wget", "kubectl", "docker", "git push", "git pull", "git fetch", "scp", "rsync", "pip",
                   "brew", "sudo apt", "aws", "go get"}) {
      if (starts(p)) return 800;
    }
    for (auto p : {"ls", "cd", "pwd", "clear", "ll", "git ", "which", "whoami", "date", "cat", "history", "fg", "jobs",
                   "export", "mkdir", "cp", "mv", "chmod"}) {
      if (starts(p)) return 12;
    }
    return 120;
  }

  int32_t ChooseExit() {
    if (!rng.Chance(0.08)) return 0;
    double u = rng.Uniform();
    if (u < 0.55) return 1;
    if (u < 0.65) return 2;
    if (u < 0.73) return 127;
    if (u < 0.88) return 130;
    if (u < 0.92) return 137;
    if (u < 0.95) return 101;
    return 255;
  }

  // Workflows mode: the session's next command(s): a development cycle or
  // one command as the default mode picks it, each maybe after its typo.
  void Plan(Session& s) {
    static constexpr double kCycleShare = 0.08, kTypoRate = 0.03;
    const Project& p = P(s);
    std::vector<PlannedCommand> cmds;
    std::string cwd;
    if (s.user != "root" && rng.Chance(kCycleShare)) {
      PlanCycle(
          rng, static_cast<CycleKind>(p.kind), [&] { return File(p); }, &cmds);
      cwd = p.dirs[0];
      cycles++;
    } else {
      uint32_t ti = ChooseText(s);
      cwd = ChooseCwd(s);
      cmds.push_back({*texts[ti], ChooseExit()});
    }
    for (PlannedCommand& c : cmds) {
      PlannedCommand typo;
      if (rng.Chance(kTypoRate) && Typo(rng, c.text, &typo)) {
        s.plan.push_back({std::move(typo), cwd});
        typos++;
      }
      s.plan.push_back({std::move(c), cwd});
    }
  }

  const GenCommand& Next() {
    AdvanceTime();
    Session& s = PickSession();
    if (opt.workflows) {
      if (s.plan.empty()) Plan(s);
      Step& st = s.plan.front();
      out.command = *texts[Intern(std::move(st.command.text))];
      out.cwd = std::move(st.cwd);
      out.exit_code = st.command.exit_code;
      s.plan.pop_front();
    } else {
      uint32_t ti = ChooseText(s);
      out.command = *texts[ti];
      out.cwd = ChooseCwd(s);
      out.exit_code = ChooseExit();
    }
    out.session = s.id;
    out.host = std::string(kHosts[s.host].name);
    out.user = s.user;
    out.shell = s.shell;
    out.time_ns = now_ns;
    double ms = std::exp(std::log(MedianMs(out.command)) + 1.1 * rng.Normal());
    out.duration_ns = static_cast<int64_t>(ms * 1e6);
    out.as_pair = opt.pair_fraction > 0 && rng.Chance(opt.pair_fraction);
    out.index = produced;
    origin_ = s.origin;
    counter_ = ++s.counter;
    if (out.as_pair) ++s.counter;
    produced++;
    // stats
    events += out.as_pair ? 2 : 1;
    bytes += out.command.size();
    if (out.exit_code != 0) failures++;
    dirs_seen.insert(out.cwd);
    host_seen[s.host] = true;
    (s.user == "root" ? root_seen : user_seen) = true;
    if (produced % 64 == 1) duration_sample.push_back(out.duration_ns);
    if (--s.remaining == 0) {
      active.erase(active.begin() + static_cast<long>(current));
      current = 0;
    }
    return out;
  }

  uint64_t origin_ = 0, counter_ = 0;
};

HistoryGenerator::HistoryGenerator(const GenOptions& options) : impl_(std::make_unique<Impl>(options)) {}
HistoryGenerator::~HistoryGenerator() = default;

bool HistoryGenerator::done() const { return impl_->produced >= impl_->opt.commands; }

const GenCommand& HistoryGenerator::Next() { return impl_->Next(); }

namespace {

void AppendEvents(const GenCommand& c, uint64_t origin, uint64_t counter, std::vector<Event>* out) {
  Event ev;
  ev.time_ns = c.time_ns;
  ev.host = c.host;
  ev.user = c.user;
  ev.session = c.session;
  ev.command = c.command;
  ev.cwd = c.cwd;
  ev.shell = c.shell;
  if (!c.as_pair) {
    ev.kind = EventKind::kRecorded;
    ev.exit_code = c.exit_code;
    ev.duration_ns = c.duration_ns;
    out->push_back(std::move(ev));
    return;
  }
  // What a shell hook writes: ids are (session origin, counter) so the
  // finish can name its start before either reaches the store.
  ev.kind = EventKind::kStarted;
  ev.id = EventId{origin, counter};
  out->push_back(std::move(ev));
  Event fin;
  fin.kind = EventKind::kFinished;
  fin.id = EventId{origin, counter + 1};
  fin.time_ns = c.time_ns + c.duration_ns;
  fin.host = c.host;
  fin.user = c.user;
  fin.session = c.session;
  fin.exit_code = c.exit_code;
  fin.duration_ns = c.duration_ns;
  fin.start = EventId{origin, counter};
  out->push_back(std::move(fin));
}

}  // namespace

void HistoryGenerator::ToEvents(const GenCommand& c, std::vector<Event>* out) {
  // Without the session origin (only known inside the generator) pairs get
  // an origin derived from the session id.
  uint64_t origin = 1469598103934665603ull;
  for (char ch : c.session) origin = (origin ^ static_cast<uint8_t>(ch)) * 1099511628211ull;
  AppendEvents(c, origin | 1, 2 * c.index + 1, out);
}

size_t HistoryGenerator::NextEvents(size_t max, std::vector<Event>* out) {
  size_t n = 0;
  while (n < max && !done()) {
    const GenCommand& c = Next();
    AppendEvents(c, impl_->origin_, impl_->counter_, out);
    ++n;
  }
  return n;
}

namespace {

bool WriteStr(std::FILE* f, const std::string& s) {
  uint32_t n = static_cast<uint32_t>(s.size());
  return std::fwrite(&n, sizeof(n), 1, f) == 1 && (n == 0 || std::fwrite(s.data(), 1, n, f) == n);
}

bool ReadStr(std::FILE* f, std::string* s) {
  uint32_t n = 0;
  if (std::fread(&n, sizeof(n), 1, f) != 1) return false;
  s->resize(n);
  return n == 0 || std::fread(s->data(), 1, n, f) == n;
}

template <typename T>
bool WritePod(std::FILE* f, T v) {
  return std::fwrite(&v, sizeof(v), 1, f) == 1;
}

template <typename T>
bool ReadPod(std::FILE* f, T* v) {
  return std::fread(v, sizeof(*v), 1, f) == 1;
}

}  // namespace

bool WriteCommand(std::FILE* f, const GenCommand& c) {
  return WriteStr(f, c.command) && WriteStr(f, c.cwd) && WriteStr(f, c.session) && WriteStr(f, c.host) &&
         WriteStr(f, c.user) && WriteStr(f, c.shell) && WritePod(f, c.time_ns) && WritePod(f, c.exit_code) &&
         WritePod(f, c.duration_ns) && WritePod(f, static_cast<uint8_t>(c.as_pair ? 1 : 0)) && WritePod(f, c.index);
}

bool ReadCommand(std::FILE* f, GenCommand* c) {
  uint8_t pair = 0;
  bool ok = ReadStr(f, &c->command) && ReadStr(f, &c->cwd) && ReadStr(f, &c->session) && ReadStr(f, &c->host) &&
            ReadStr(f, &c->user) && ReadStr(f, &c->shell) && ReadPod(f, &c->time_ns) && ReadPod(f, &c->exit_code) &&
            ReadPod(f, &c->duration_ns) && ReadPod(f, &pair) && ReadPod(f, &c->index);
  c->as_pair = pair != 0;
  return ok;
}

GenStats HistoryGenerator::stats() const {
  const Impl& m = *impl_;
  GenStats s;
  s.commands = m.produced;
  s.events = m.events;
  s.unique_commands = m.texts.size();
  s.cycles = m.cycles;
  s.typos = m.typos;
  s.command_bytes = m.bytes;
  s.distinct_dirs = m.dirs_seen.size();
  s.sessions = m.sessions;
  s.failures = m.failures;
  for (bool h : m.host_seen) s.hosts += h ? 1 : 0;
  s.users = (m.root_seen ? 1 : 0) + (m.user_seen ? 1 : 0);
  s.first_ns = m.opt.start_ns;
  s.last_ns = m.now_ns;
  if (!m.duration_sample.empty()) {
    std::vector<int64_t> d = m.duration_sample;
    std::sort(d.begin(), d.end());
    s.median_duration_ms = static_cast<double>(d[d.size() / 2]) / 1e6;
    s.p99_duration_ms = static_cast<double>(d[d.size() * 99 / 100]) / 1e6;
  }
  return s;
}

std::string HistoryGenerator::Describe() const {
  GenStats s = stats();
  double n = static_cast<double>(std::max<uint64_t>(s.commands, 1));
  char buf[768];
  std::snprintf(buf, sizeof(buf),
                "commands %llu (events %llu), unique texts %llu (%.1f %%), mean length %.1f bytes\n"
                "directories %llu, sessions %llu (mean %.0f commands), hosts %llu, users %llu\n"
                "failures %.1f %%, duration median %.0f ms / p99 %.0f s, span %.0f days\n",
                static_cast<unsigned long long>(s.commands), static_cast<unsigned long long>(s.events),
                static_cast<unsigned long long>(s.unique_commands), 100.0 * static_cast<double>(s.unique_commands) / n,
                static_cast<double>(s.command_bytes) / n, static_cast<unsigned long long>(s.distinct_dirs),
                static_cast<unsigned long long>(s.sessions), n / static_cast<double>(std::max<uint64_t>(s.sessions, 1)),
                static_cast<unsigned long long>(s.hosts), static_cast<unsigned long long>(s.users),
                100.0 * static_cast<double>(s.failures) / n, s.median_duration_ms, s.p99_duration_ms / 1000.0,
                static_cast<double>(s.last_ns - s.first_ns) / 86400e9);
  std::string text = buf;
  if (impl_->opt.workflows) {
    std::snprintf(buf, sizeof(buf), "workflows mode: %llu development cycles, %llu typos (%.1f %% of commands)\n",
                  static_cast<unsigned long long>(s.cycles), static_cast<unsigned long long>(s.typos),
                  100.0 * static_cast<double>(s.typos) / n);
    text += buf;
  }
  return text;
}

}  // namespace tb::bench
