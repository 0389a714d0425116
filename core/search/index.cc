#include "core/search/index.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "core/history_query.h"

namespace tb {
namespace {

constexpr char kMagic[8] = {'T', 'B', 'S', 'E', 'A', 'R', 'C', 'H'};
constexpr uint32_t kFormat = 1;
constexpr uint32_t kEndianCheck = 0x01020304;
constexpr size_t kHeaderSize = 96;
constexpr uint32_t kTables = 6;

enum Tag : uint32_t {
  kTime = 1, kDuration, kSeq, kOrigin, kCounter, kCmd, kCwd, kSession, kHost, kUser, kShell, kExit,
  kFlags, kUses, kFailures, kLastRow, kRunningSeq, kRunningRow, kFolded,
  kTableBase = 20,  // + 3 * table: offsets, blob, slots
};

using Sink = std::function<void(const char*, size_t)>;

template <typename T>
void PutPod(const Sink& out, const T& v) {
  out(reinterpret_cast<const char*>(&v), sizeof v);
}

void PutSection(const Sink& out, uint32_t tag, uint32_t elem, const void* data, size_t bytes) {
  static const char kZeros[8] = {};
  PutPod(out, tag);
  PutPod(out, elem);
  PutPod(out, static_cast<uint64_t>(bytes));
  if (bytes) out(static_cast<const char*>(data), bytes);
  out(kZeros, (8 - bytes % 8) % 8);
}

template <typename T>
void PutVec(const Sink& out, uint32_t tag, const std::vector<T>& v) {
  PutSection(out, tag, sizeof(T), v.data(), v.size() * sizeof(T));
}

// The commands blob with ASCII letters lowercased, written in pieces.
void PutFolded(const Sink& out, std::string_view blob) {
  static const char kZeros[8] = {};
  PutPod(out, uint32_t{kFolded});
  PutPod(out, uint32_t{1});
  PutPod(out, static_cast<uint64_t>(blob.size()));
  for (size_t i = 0; i < blob.size(); i += 65536) {
    std::string piece = AsciiLower(blob.substr(i, 65536));
    out(piece.data(), piece.size());
  }
  out(kZeros, (8 - blob.size() % 8) % 8);
}

template <typename T>
void Permute(std::vector<T>* v, const std::vector<uint32_t>& order) {
  std::vector<T> out(v->size());
  for (size_t i = 0; i < order.size(); ++i) out[i] = (*v)[order[i]];
  v->swap(out);
}

struct Section {
  uint32_t elem = 0;
  std::string_view bytes;
  bool present = false;
};

template <typename T>
Status Take(const Section& s, size_t expect, const char* what, std::span<const T>* out) {
  if (!s.present || s.elem != sizeof(T) || s.bytes.size() % sizeof(T) != 0)
    return Status::Corruption(std::string("search index section ") + what + " is missing or malformed");
  size_t n = s.bytes.size() / sizeof(T);
  if (expect != SIZE_MAX && n != expect)
    return Status::Corruption(std::string("search index section ") + what + " has the wrong length");
  *out = std::span<const T>(reinterpret_cast<const T*>(s.bytes.data()), n);
  return Status::OK();
}

Status CheckIds(std::span<const uint32_t> ids, size_t limit, const char* what) {
  uint32_t mx = 0;
  for (uint32_t v : ids) mx = std::max(mx, v);
  if (!ids.empty() && mx >= limit)
    return Status::Corruption(std::string("search index column ") + what + " refers past its table");
  return Status::OK();
}

}  // namespace

class IndexReader {
 public:
  static Status Read(std::string_view b, SearchIndex* ix);
};

Status IndexReader::Read(std::string_view b, SearchIndex* ix) {
  if (b.size() < kHeaderSize || std::memcmp(b.data(), kMagic, 8) != 0)
    return Status::Corruption("not a search index (bad magic)");
  if (reinterpret_cast<uintptr_t>(b.data()) % 8 != 0) return Status::InvalidArgument("search index not aligned");
  auto get = [&](size_t off, auto* v) { std::memcpy(v, b.data() + off, sizeof *v); };
  uint32_t format, endian, nsec;
  uint64_t size;
  get(8, &format);
  get(12, &endian);
  get(16, &size);
  if (format != kFormat || endian != kEndianCheck)
    return Status::Corruption("search index format " + std::to_string(format) + " is not " + std::to_string(kFormat));
  if (size != b.size()) return Status::Corruption("search index is truncated");
  IndexStamp& st = ix->stamp_;
  get(24, &st.head_seq);
  get(32, &st.head_time_ns);
  get(40, &st.head_id.origin);
  get(48, &st.head_id.counter);
  st.store_id.assign(b.data() + 56, 32);
  get(88, &nsec);
  Section sec[kTableBase + 3 * kTables];
  size_t off = kHeaderSize;
  for (uint32_t i = 0; i < nsec; ++i) {
    if (b.size() - off < 16) return Status::Corruption("search index section header is truncated");
    uint32_t tag, elem;
    uint64_t len;
    get(off, &tag);
    get(off + 4, &elem);
    get(off + 8, &len);
    off += 16;
    if (len > b.size() - off) return Status::Corruption("search index section is truncated");
    if (tag < std::size(sec)) sec[tag] = {elem, b.substr(off, len), true};
    off += len + (8 - len % 8) % 8;
  }
  TB_RETURN_IF_ERROR(Take(sec[kTime], SIZE_MAX, "time", &ix->time_));
  size_t n = ix->time_.size();
  TB_RETURN_IF_ERROR(Take(sec[kDuration], n, "duration", &ix->duration_));
  TB_RETURN_IF_ERROR(Take(sec[kSeq], n, "seq", &ix->seq_));
  TB_RETURN_IF_ERROR(Take(sec[kOrigin], n, "origin", &ix->origin_));
  TB_RETURN_IF_ERROR(Take(sec[kCounter], n, "counter", &ix->counter_));
  TB_RETURN_IF_ERROR(Take(sec[kExit], n, "exit", &ix->exit_));
  TB_RETURN_IF_ERROR(Take(sec[kFlags], n, "flags", &ix->flags_));
  std::span<const uint32_t>* cols[kTables] = {&ix->cmd_, &ix->cwd_, &ix->session_, &ix->host_, &ix->user_, &ix->shell_};
  const char* names[kTables] = {"command", "cwd", "session", "host", "user", "shell"};
  for (uint32_t t = 0; t < kTables; ++t) {
    std::span<const uint64_t> offs;
    std::span<const uint32_t> slots;
    std::span<const char> blob;
    TB_RETURN_IF_ERROR(Take(sec[kTableBase + 3 * t], SIZE_MAX, names[t], &offs));
    TB_RETURN_IF_ERROR(Take(sec[kTableBase + 3 * t + 1], SIZE_MAX, names[t], &blob));
    TB_RETURN_IF_ERROR(Take(sec[kTableBase + 3 * t + 2], SIZE_MAX, names[t], &slots));
    ix->tables_[t] = StringTable(offs, std::string_view(blob.data(), blob.size()), slots);
    TB_RETURN_IF_ERROR(ix->tables_[t].Validate());
    TB_RETURN_IF_ERROR(Take(sec[kCmd + t], n, names[t], cols[t]));
  }
  size_t c = ix->commands().size();
  TB_RETURN_IF_ERROR(Take(sec[kUses], c, "uses", &ix->uses_));
  TB_RETURN_IF_ERROR(Take(sec[kFailures], c, "failures", &ix->failures_));
  TB_RETURN_IF_ERROR(Take(sec[kLastRow], c, "last_row", &ix->last_row_));
  TB_RETURN_IF_ERROR(CheckIds(ix->last_row_, n, "last_row"));
  TB_RETURN_IF_ERROR(Take(sec[kRunningSeq], SIZE_MAX, "running_seq", &ix->running_seq_));
  TB_RETURN_IF_ERROR(Take(sec[kRunningRow], ix->running_seq_.size(), "running_row", &ix->running_row_));
  TB_RETURN_IF_ERROR(CheckIds(ix->running_row_, n, "running_row"));
  std::span<const char> folded;
  TB_RETURN_IF_ERROR(Take(sec[kFolded], ix->commands().blob().size(), "folded", &folded));
  ix->folded_ = std::string_view(folded.data(), folded.size());
  return Status::OK();
}

Status SearchIndex::Open(std::string_view bytes, std::shared_ptr<const void> owner,
                         std::unique_ptr<SearchIndex>* out) {
  auto ix = std::make_unique<SearchIndex>();
  ix->owner_ = std::move(owner);
  TB_RETURN_IF_ERROR(IndexReader::Read(bytes, ix.get()));
  *out = std::move(ix);
  return Status::OK();
}

Status SearchIndex::CheckRows(uint32_t columns) const {
  const std::span<const uint32_t>* cols[kTables] = {&cmd_, &cwd_, &session_, &host_, &user_, &shell_};
  const char* names[kTables] = {"command", "cwd", "session", "host", "user", "shell"};
  for (uint32_t t = 0; t < kTables; ++t) {
    if (!(columns & (1u << t)) || (checked_ & (1u << t))) continue;
    TB_RETURN_IF_ERROR(CheckIds(*cols[t], tables_[t].size(), names[t]));
    checked_ |= 1u << t;
  }
  return Status::OK();
}

bool SearchIndex::RowOk(size_t r) const {
  return cmd_[r] < tables_[0].size() && cwd_[r] < tables_[1].size() && session_[r] < tables_[2].size() &&
         host_[r] < tables_[3].size() && user_[r] < tables_[4].size() && shell_[r] < tables_[5].size();
}

HistoryRecord SearchIndex::Record(size_t r) const {
  HistoryRecord h;
  h.id = {origin_[r], counter_[r]};
  h.seq = seq_[r];
  h.command = commands().Get(cmd_[r]);
  h.cwd = cwds().Get(cwd_[r]);
  uint8_t f = flags_[r];
  if (f & kRowHasExit) h.exit_code = exit_[r];
  if (f & kRowHasDuration) h.duration_ns = duration_[r];
  h.running = f & kRowRunning;
  h.truncated = f & kRowTruncated;
  h.started_at_ns = time_[r];
  h.session = sessions().Get(session_[r]);
  h.host = hosts().Get(host_[r]);
  h.user = tables_[4].Get(user_[r]);
  h.shell = tables_[5].Get(shell_[r]);
  return h;
}

void IndexBuilder::Add(const HistoryRecord& r) {
  time_.push_back(r.started_at_ns);
  duration_.push_back(r.duration_ns.value_or(0));
  seq_.push_back(r.seq);
  origin_.push_back(r.id.origin);
  counter_.push_back(r.id.counter);
  const std::string* fields[kTables] = {&r.command, &r.cwd, &r.session, &r.host, &r.user, &r.shell};
  for (uint32_t t = 0; t < kTables; ++t) cols_[t].push_back(tables_[t].Intern(*fields[t]));
  exit_.push_back(r.exit_code.value_or(0));
  flags_.push_back(static_cast<uint8_t>((r.exit_code ? kRowHasExit : 0) | (r.duration_ns ? kRowHasDuration : 0) |
                                        (r.running ? kRowRunning : 0) | (r.truncated ? kRowTruncated : 0)));
}

void IndexBuilder::SortNewestFirst() {
  auto newer = [&](uint32_t a, uint32_t b) {
    return time_[a] != time_[b] ? time_[a] > time_[b] : seq_[a] > seq_[b];
  };
  size_t n = size();
  bool sorted = true;
  for (size_t i = 1; i < n && sorted; ++i) sorted = !newer(static_cast<uint32_t>(i), static_cast<uint32_t>(i - 1));
  if (sorted) return;
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), newer);
  Permute(&time_, order), Permute(&duration_, order), Permute(&seq_, order), Permute(&origin_, order);
  Permute(&counter_, order), Permute(&exit_, order), Permute(&flags_, order);
  for (auto& c : cols_) Permute(&c, order);
}

void IndexBuilder::Serialize(std::string* out) {
  out->clear();
  Serialize([out](const char* p, size_t n) { out->append(p, n); });
}

void IndexBuilder::Serialize(const Sink& out) {
  SortNewestFirst();
  size_t n = size(), c = tables_[0].size();
  std::vector<uint32_t> uses(c, 0), failures(c, 0), last_row(c, UINT32_MAX), running_row;
  std::vector<uint64_t> running_seq;
  for (size_t i = 0; i < n; ++i) {
    uint32_t cmd = cols_[0][i];
    ++uses[cmd];
    if ((flags_[i] & kRowHasExit) && exit_[i] != 0) ++failures[cmd];
    if (last_row[cmd] == UINT32_MAX) last_row[cmd] = static_cast<uint32_t>(i);
  }
  std::vector<std::pair<uint64_t, uint32_t>> running;
  for (size_t i = 0; i < n; ++i)
    if (flags_[i] & kRowRunning) running.push_back({seq_[i], static_cast<uint32_t>(i)});
  std::sort(running.begin(), running.end());
  for (auto& [s, row] : running) running_seq.push_back(s), running_row.push_back(row);

  uint64_t size = kHeaderSize;  // computed first: the header carries it
  auto count = [&size](const char*, size_t len) { size += len; };
  auto body = [&](const Sink& o) {
    PutVec(o, kTime, time_);
    PutVec(o, kDuration, duration_);
    PutVec(o, kSeq, seq_);
    PutVec(o, kOrigin, origin_);
    PutVec(o, kCounter, counter_);
    for (uint32_t t = 0; t < kTables; ++t) PutVec(o, kCmd + t, cols_[t]);
    PutVec(o, kExit, exit_);
    PutVec(o, kFlags, flags_);
    PutVec(o, kUses, uses);
    PutVec(o, kFailures, failures);
    PutVec(o, kLastRow, last_row);
    PutVec(o, kRunningSeq, running_seq);
    PutVec(o, kRunningRow, running_row);
    PutFolded(o, tables_[0].blob());
    for (uint32_t t = 0; t < kTables; ++t) {
      PutVec(o, kTableBase + 3 * t, tables_[t].offsets());
      PutSection(o, kTableBase + 3 * t + 1, 1, tables_[t].blob().data(), tables_[t].blob().size());
      PutVec(o, kTableBase + 3 * t + 2, tables_[t].slots());
    }
  };
  body(count);
  out(kMagic, 8);
  PutPod(out, kFormat);
  PutPod(out, kEndianCheck);
  PutPod(out, size);
  PutPod(out, stamp_.head_seq);
  PutPod(out, stamp_.head_time_ns);
  PutPod(out, stamp_.head_id.origin);
  PutPod(out, stamp_.head_id.counter);
  std::string id = stamp_.store_id;
  id.resize(32, '\0');
  out(id.data(), id.size());
  PutPod(out, uint32_t{19 + 3 * kTables});
  PutPod(out, uint32_t{0});
  body(out);
}

Status AddIndexRecords(const SearchIndex& index, const IndexOverlay& overlay, IndexBuilder* builder) {
  TB_RETURN_IF_ERROR(index.CheckRows(SearchIndex::kAllColumns));
  size_t p = 0;
  const auto& patched = overlay.patched;  // ascending by row
  for (size_t r = 0; r < index.rows(); ++r) {
    if (p < patched.size() && patched[p].first == r) {
      builder->Add(patched[p++].second);
      continue;
    }
    builder->Add(index.Record(r));
  }
  for (const auto& rec : overlay.records) builder->Add(rec);
  return Status::OK();
}

}  // namespace tb
