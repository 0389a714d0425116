#include "core/search/index.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include <xxhash.h>

#include "core/history_query.h"

namespace tb {
namespace {

// The layout of docs/formats.md, "Search index".
constexpr char kMagic[8] = {'T', 'B', 'S', 'E', 'A', 'R', 'C', 'H'};
constexpr uint32_t kFormat = 2;
constexpr uint32_t kEndianCheck = 0x01020304;
constexpr size_t kPrefixSize = 16;   // magic, format, byte-order check
constexpr size_t kFooterSize = 112;  // see WriteFooter
constexpr uint32_t kTables = 6;

enum Tag : uint32_t {
  kTime = 1,
  kDuration,
  kSeq,
  kOrigin,
  kCounter,
  kCmd,
  kCwd,
  kSession,
  kHost,
  kUser,
  kShell,
  kExit,
  kFlags,
  kUses,
  kFailures,
  kLastRow,
  kRunningSeq,
  kRunningRow,
  kFolded,
  kTableBase = 20,  // + 3 * table: offsets, blob, slots
};
constexpr uint32_t kSectionCount = 19 + 3 * kTables;

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

// Passes the bytes on while computing the XXH3 of every kBlockSize block
// of them (the last one short).
class BlockHasher {
 public:
  explicit BlockHasher(const Sink& out) : out_(out), state_(XXH3_createState()) { XXH3_64bits_reset(state_); }
  ~BlockHasher() { XXH3_freeState(state_); }
  BlockHasher(const BlockHasher&) = delete;
  BlockHasher& operator=(const BlockHasher&) = delete;
  void operator()(const char* p, size_t n) {
    out_(p, n);
    size_ += n;
    while (n > 0) {
      size_t k = std::min(n, kBlockSize - fill_);
      XXH3_64bits_update(state_, p, k);
      p += k, n -= k, fill_ += k;
      if (fill_ == kBlockSize) Close();
    }
  }
  // The checksums of every block so far (closing a short last block).
  const std::vector<uint64_t>& Finish() {
    if (fill_ > 0) Close();
    return sums_;
  }
  uint64_t size() const { return size_; }

 private:
  void Close() {
    sums_.push_back(XXH3_64bits_digest(state_));
    XXH3_64bits_reset(state_);
    fill_ = 0;
  }
  const Sink& out_;
  XXH3_state_t* state_;
  size_t fill_ = 0;
  uint64_t size_ = 0;
  std::vector<uint64_t> sums_;
};

// The footer's checksum covers the prefix and the footer up to itself.
uint64_t FooterChecksum(const char* prefix, const char* footer) {
  char buf[kPrefixSize + kFooterSize - 8];
  std::memcpy(buf, prefix, kPrefixSize);
  std::memcpy(buf + kPrefixSize, footer, kFooterSize - 8);
  return IndexChecksum(std::string_view(buf, sizeof buf));
}

template <typename T>
void Append(std::string* out, const T& v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof v);
}

// footer := u64(file size) u64(head seq) i64(head time) u64(head origin)
//           u64(head counter) char[32](store id) u32(section count)
//           u32(block shift) u64(covered bytes) u64(block count)
//           u64(checksum of the block checksums) u64(footer checksum)
std::string Footer(const char* prefix, const IndexStamp& st, uint64_t covered, const std::vector<uint64_t>& sums) {
  std::string f;
  Append(&f, static_cast<uint64_t>(covered + sums.size() * 8 + kFooterSize));
  Append(&f, st.head_seq);
  Append(&f, st.head_time_ns);
  Append(&f, st.head_id.origin);
  Append(&f, st.head_id.counter);
  std::string id = st.store_id;
  id.resize(32, '\0');
  f += id;
  Append(&f, kSectionCount);
  Append(&f, kBlockShift);
  Append(&f, covered);
  Append(&f, static_cast<uint64_t>(sums.size()));
  Append(&f, IndexChecksum(std::string_view(reinterpret_cast<const char*>(sums.data()), sums.size() * 8)));
  Append(&f, FooterChecksum(prefix, f.data()));
  return f;
}

template <typename T>
void Permute(std::vector<T>* v, const std::vector<uint32_t>& order) {
  std::vector<T> out(v->size());
  for (size_t i = 0; i < order.size(); ++i) out[i] = (*v)[order[i]];
  v->swap(out);
}

struct Section {
  uint32_t elem = 0;
  size_t offset = 0;  // in the file
  std::string_view bytes;
  bool present = false;
};

Status Malformed(const char* what, const char* why) {
  return Status::Corruption(std::string("search index section ") + what + " " + why);
}

// The elements of `s`, read lazily through `check`.
template <typename T>
Status Take(const Section& s, size_t expect, const char* what, const BlockChecksums* check, IndexColumn<T>* out) {
  if (!s.present || s.elem != sizeof(T) || s.bytes.size() % sizeof(T) != 0)
    return Malformed(what, "is missing or malformed");
  size_t n = s.bytes.size() / sizeof(T);
  if (expect != SIZE_MAX && n != expect) return Malformed(what, "has the wrong length");
  *out = IndexColumn<T>(std::span<const T>(reinterpret_cast<const T*>(s.bytes.data()), n), s.offset, check);
  return Status::OK();
}

// The elements of `s`, verified now.
template <typename T>
Status TakeVerified(const Section& s, size_t expect, const char* what, const BlockChecksums& check,
                    std::span<const T>* out) {
  IndexColumn<T> col;
  TB_RETURN_IF_ERROR(Take(s, expect, what, &check, &col));
  *out = col.All();
  if (out->size() != col.size()) return check.damage();
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

uint64_t IndexChecksum(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

bool BlockChecksums::VerifyBlock(size_t b) const {
  if (state_[b] == kUnknown) {
    size_t from = b << kBlockShift;
    size_t n = std::min(kBlockSize, covered_ - from);
    const bool opened = opener_ == nullptr || opener_->OpenRange(from, n);
    state_[b] = opened && IndexChecksum(std::string_view(base_ + from, n)) == sums_[b] ? kGood : kBad;
  }
  if (state_[b] == kGood) return true;
  if (bad_block_ == SIZE_MAX) bad_block_ = b;
  return false;
}

bool BlockChecksums::VerifySlow(size_t off, size_t len) const {
  if (off > covered_ || len > covered_ - off) return MarkMalformed(), false;  // a read outside: damaged layout
  if (len == 0) return true;
  bool ok = true;
  for (size_t b = off >> kBlockShift, last = (off + len - 1) >> kBlockShift; b <= last; ++b) ok = VerifyBlock(b) && ok;
  return ok;
}

Status BlockChecksums::VerifyAll() const {
  for (size_t b = 0; b < state_.size(); ++b) (void)VerifyBlock(b);
  return damage();
}

Status BlockChecksums::damage() const {
  if (bad_block_ == SIZE_MAX) return Status::OK();
  if (bad_block_ >= state_.size()) return Status::Corruption("search index holds a value out of range");
  return Status::Corruption("search index block " + std::to_string(bad_block_) + " (bytes " +
                            std::to_string(bad_block_ << kBlockShift) + "+) does not match its checksum");
}

class IndexReader {
 public:
  static Status Read(std::string_view b, SearchIndex* ix, const BlockOpener* opener);

 private:
  static Status ReadFooter(std::string_view b, SearchIndex* ix, const BlockOpener* opener, uint64_t* covered,
                           std::span<const uint64_t>* sums);
  static Status ReadSections(std::string_view b, uint64_t covered, const BlockChecksums& check, Section* sec);
  static Status ReadTables(const Section* sec, SearchIndex* ix);
};

Status IndexReader::ReadFooter(std::string_view b, SearchIndex* ix, const BlockOpener* opener, uint64_t* covered,
                               std::span<const uint64_t>* sums) {
  auto get = [&](size_t off, auto* v) { std::memcpy(v, b.data() + off, sizeof *v); };
  const size_t f = b.size() - kFooterSize;
  uint64_t size, nblocks, sums_check, footer_check;
  uint32_t nsec, shift;
  get(f + 104, &footer_check);
  if (footer_check != FooterChecksum(b.data(), b.data() + f))
    return Status::Corruption("search index footer does not match its checksum (truncated or damaged)");
  get(f, &size);
  IndexStamp& st = ix->stamp_;
  get(f + 8, &st.head_seq);
  get(f + 16, &st.head_time_ns);
  get(f + 24, &st.head_id.origin);
  get(f + 32, &st.head_id.counter);
  st.store_id.assign(b.data() + f + 40, 32);
  get(f + 72, &nsec);
  get(f + 76, &shift);
  get(f + 80, covered);
  get(f + 88, &nblocks);
  get(f + 96, &sums_check);
  // Sound checksums over unsound numbers: a writer's bug, still "rebuild".
  if (size != b.size()) return Status::Corruption("search index is truncated");
  if (nsec != kSectionCount || shift != kBlockShift || *covered % 8 != 0 || *covered < kPrefixSize || *covered > f ||
      nblocks != (*covered + kBlockSize - 1) / kBlockSize || (f - *covered) != nblocks * 8)
    return Status::Corruption("search index footer is inconsistent");
  if (opener != nullptr && !opener->OpenRange(*covered, nblocks * 8)) {
    return Status::Corruption("search index block checksums cannot be opened (damaged)");
  }
  *sums = std::span<const uint64_t>(reinterpret_cast<const uint64_t*>(b.data() + *covered), nblocks);
  if (IndexChecksum(b.substr(*covered, nblocks * 8)) != sums_check)
    return Status::Corruption("search index block checksums do not match their checksum");
  return Status::OK();
}

Status IndexReader::ReadSections(std::string_view b, uint64_t covered, const BlockChecksums& check, Section* sec) {
  auto get = [&](size_t off, auto* v) { std::memcpy(v, b.data() + off, sizeof *v); };
  size_t off = kPrefixSize;
  for (uint32_t i = 0; i < kSectionCount; ++i) {
    if (covered - off < 16) return Status::Corruption("search index section header is truncated");
    if (!check.Verify(off, 16)) return check.damage();
    uint32_t tag, elem;
    uint64_t len;
    get(off, &tag);
    get(off + 4, &elem);
    get(off + 8, &len);
    off += 16;
    if (len > covered - off) return Status::Corruption("search index section is truncated");
    if (tag >= kTableBase + 3 * kTables || sec[tag].present)
      return Status::Corruption("search index section tag is wrong");
    sec[tag] = {elem, off, b.substr(off, len), true};
    off += len + (8 - len % 8) % 8;
  }
  if (off != covered) return Status::Corruption("search index sections do not fill the file");
  return Status::OK();
}

Status IndexReader::ReadTables(const Section* sec, SearchIndex* ix) {
  const char* names[kTables] = {"command", "cwd", "session", "host", "user", "shell"};
  for (uint32_t t = 0; t < kTables; ++t) {
    std::span<const uint64_t> offs;
    IndexColumn<uint32_t> slots;
    IndexColumn<char> blob;
    TB_RETURN_IF_ERROR(TakeVerified(sec[kTableBase + 3 * t], SIZE_MAX, names[t], ix->blocks_, &offs));
    TB_RETURN_IF_ERROR(Take(sec[kTableBase + 3 * t + 1], SIZE_MAX, names[t], &ix->blocks_, &blob));
    TB_RETURN_IF_ERROR(Take(sec[kTableBase + 3 * t + 2], SIZE_MAX, names[t], &ix->blocks_, &slots));
    ix->tables_[t] = StringTable(offs, blob, slots);
    TB_RETURN_IF_ERROR(ix->tables_[t].Validate());
  }
  return Status::OK();
}

Status IndexReader::Read(std::string_view b, SearchIndex* ix, const BlockOpener* opener) {
  // Bytes read before the block checksums are known are opened first.
  if (opener != nullptr && (b.size() < kPrefixSize + kFooterSize || !opener->OpenRange(0, kPrefixSize) ||
                            !opener->OpenRange(b.size() - kFooterSize, kFooterSize))) {
    return Status::Corruption("search index cannot be opened (damaged)");
  }
  if (b.size() < kPrefixSize || std::memcmp(b.data(), kMagic, 8) != 0)
    return Status::Corruption("not a search index (bad magic)");
  if (reinterpret_cast<uintptr_t>(b.data()) % 8 != 0) return Status::InvalidArgument("search index not aligned");
  uint32_t format, endian;
  std::memcpy(&format, b.data() + 8, 4);
  std::memcpy(&endian, b.data() + 12, 4);
  if (format != kFormat || endian != kEndianCheck)
    return Status::Incompatible("search index format " + std::to_string(format) + " is not " + std::to_string(kFormat));
  if (b.size() < kPrefixSize + kFooterSize) return Status::Corruption("search index is truncated");
  uint64_t covered;
  std::span<const uint64_t> sums;
  TB_RETURN_IF_ERROR(ReadFooter(b, ix, opener, &covered, &sums));
  ix->blocks_ = BlockChecksums(b.data(), covered, sums, opener);
  const BlockChecksums* check = &ix->blocks_;
  Section sec[kTableBase + 3 * kTables];
  TB_RETURN_IF_ERROR(ReadSections(b, covered, *check, sec));
  TB_RETURN_IF_ERROR(Take(sec[kTime], SIZE_MAX, "time", check, &ix->time_));
  size_t n = ix->time_.size();
  TB_RETURN_IF_ERROR(Take(sec[kDuration], n, "duration", check, &ix->duration_));
  TB_RETURN_IF_ERROR(Take(sec[kSeq], n, "seq", check, &ix->seq_));
  TB_RETURN_IF_ERROR(Take(sec[kOrigin], n, "origin", check, &ix->origin_));
  TB_RETURN_IF_ERROR(Take(sec[kCounter], n, "counter", check, &ix->counter_));
  TB_RETURN_IF_ERROR(Take(sec[kExit], n, "exit", check, &ix->exit_));
  TB_RETURN_IF_ERROR(Take(sec[kFlags], n, "flags", check, &ix->flags_));
  IndexColumn<uint32_t>* cols[kTables] = {&ix->cmd_, &ix->cwd_, &ix->session_, &ix->host_, &ix->user_, &ix->shell_};
  const char* names[kTables] = {"command", "cwd", "session", "host", "user", "shell"};
  for (uint32_t t = 0; t < kTables; ++t) TB_RETURN_IF_ERROR(Take(sec[kCmd + t], n, names[t], check, cols[t]));
  TB_RETURN_IF_ERROR(ReadTables(sec, ix));
  size_t c = ix->commands().size();
  TB_RETURN_IF_ERROR(Take(sec[kUses], c, "uses", check, &ix->uses_));
  TB_RETURN_IF_ERROR(Take(sec[kFailures], c, "failures", check, &ix->failures_));
  TB_RETURN_IF_ERROR(Take(sec[kLastRow], c, "last_row", check, &ix->last_row_));  // checked as read
  if (c > 0 && n == 0) return Malformed("last_row", "names rows of an empty index");
  TB_RETURN_IF_ERROR(TakeVerified(sec[kRunningSeq], SIZE_MAX, "running_seq", *check, &ix->running_seq_));
  TB_RETURN_IF_ERROR(TakeVerified(sec[kRunningRow], ix->running_seq_.size(), "running_row", *check, &ix->running_row_));
  TB_RETURN_IF_ERROR(CheckIds(ix->running_row_, n, "running_row"));
  return Take(sec[kFolded], ix->commands().blob_size(), "folded", check, &ix->folded_);
}

Status SearchIndex::Open(std::string_view bytes, std::shared_ptr<const void> owner, std::unique_ptr<SearchIndex>* out,
                         const BlockOpener* opener) {
  auto ix = std::make_unique<SearchIndex>();
  ix->owner_ = std::move(owner);
  TB_RETURN_IF_ERROR(IndexReader::Read(bytes, ix.get(), opener));
  *out = std::move(ix);
  return Status::OK();
}

Status SearchIndex::CheckRows(uint32_t columns) const {
  const IndexColumn<uint32_t>* cols[kTables] = {&cmd_, &cwd_, &session_, &host_, &user_, &shell_};
  const char* names[kTables] = {"command", "cwd", "session", "host", "user", "shell"};
  for (uint32_t t = 0; t < kTables; ++t) {
    if (!(columns & (1u << t)) || (checked_ & (1u << t))) continue;
    std::span<const uint32_t> ids = cols[t]->All();
    if (ids.size() != cols[t]->size()) return damage();
    TB_RETURN_IF_ERROR(CheckIds(ids, tables_[t].size(), names[t]));
    checked_ |= 1u << t;
  }
  return Status::OK();
}

bool SearchIndex::RowOk(size_t r) const {
  return r < rows() && cmd_[r] < tables_[0].size() && cwd_[r] < tables_[1].size() && session_[r] < tables_[2].size() &&
         host_[r] < tables_[3].size() && user_[r] < tables_[4].size() && shell_[r] < tables_[5].size() && !damaged();
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
  auto newer = [&](uint32_t a, uint32_t b) { return time_[a] != time_[b] ? time_[a] > time_[b] : seq_[a] > seq_[b]; };
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

  // One pass: the prefix and sections through the block hasher, then the
  // block checksums and the footer (docs/formats.md, "Search index").
  char prefix[kPrefixSize];
  std::memcpy(prefix, kMagic, 8);
  std::memcpy(prefix + 8, &kFormat, 4);
  std::memcpy(prefix + 12, &kEndianCheck, 4);
  BlockHasher h(out);
  Sink o = [&h](const char* p, size_t len) { h(p, len); };
  o(prefix, kPrefixSize);
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
  uint64_t covered = h.size();
  const std::vector<uint64_t>& sums = h.Finish();
  out(reinterpret_cast<const char*>(sums.data()), sums.size() * 8);
  std::string footer = Footer(prefix, stamp_, covered, sums);
  out(footer.data(), footer.size());
}

Status AddIndexRecords(const SearchIndex& index, const IndexOverlay& overlay, IndexBuilder* builder) {
  TB_RETURN_IF_ERROR(index.VerifyAll());  // every row is read: verify in one sweep
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
  return index.damage();
}

}  // namespace tb
