#include "core/history_query.h"

#include <algorithm>
#include <climits>
#include <queue>
#include <vector>

#include "core/codec.h"
#include "core/keycode.h"
#include "core/views/commands_view.h"
#include "core/views/field_index_view.h"
#include "core/views/history_view.h"

namespace tb {
namespace {

using Pos = Posting;

// Two walkers of a time-ordered list, newest first within the filter's time
// range: `history` (keys i64key(time) u64be(seq), values the record's state)
// and one value of a field index.
class HistoryWalker {
 public:
  HistoryWalker(std::unique_ptr<KvCursor> cursor, const HistoryFilter& f)
      : c_(std::move(cursor)), since_(f.since_ns.value_or(INT64_MIN)) {
    c_->SeekForPrev(HistoryKey(f.until_ns.value_or(INT64_MAX), UINT64_MAX));
    Load();
  }
  bool Valid() const { return valid_; }
  const Pos& pos() const { return pos_; }
  std::string_view value() const { return c_->value(); }
  void Next() {
    c_->Prev();
    Load();
  }
  Status status() const {
    if (!c_->status().ok()) return c_->status();
    return bad_key_ ? Status::Corruption("malformed view key") : Status::OK();
  }

 private:
  void Load() {
    valid_ = c_->Valid();
    if (!valid_) return;
    if (!ParseHistoryKey(c_->key(), &pos_.time_ns, &pos_.seq)) {
      bad_key_ = true;
      valid_ = false;
      return;
    }
    valid_ = pos_.time_ns >= since_;
  }
  std::unique_ptr<KvCursor> c_;
  int64_t since_;
  Pos pos_;
  bool valid_ = false;
  bool bad_key_ = false;
};

class IndexWalker {
 public:
  IndexWalker(std::unique_ptr<FieldIndexCursor> cursor, const HistoryFilter& f)
      : c_(std::move(cursor)), since_(f.since_ns.value_or(INT64_MIN)) {
    c_->SeekForPrev(Pos{f.until_ns.value_or(INT64_MAX), UINT64_MAX});
  }
  bool Valid() const { return c_->Valid() && c_->posting().time_ns >= since_; }
  const Pos& pos() const { return c_->posting(); }
  void Next() { c_->Prev(); }
  Status status() const { return c_->status(); }

 private:
  std::unique_ptr<FieldIndexCursor> c_;
  int64_t since_;
};

// Reads log events by seq. Listings visit seqs in (nearly) descending
// order, so stepping a log cursor back a few entries reuses the block it
// already decoded, where a point lookup per event would not.
class EventFetcher {
 public:
  explicit EventFetcher(StoreReader& r) : reader_(r), cursor_(r.NewLogCursor()) {}
  Status Get(uint64_t seq, Event* ev) {
    if (!cursor_ || !Position(seq)) return reader_.GetEvent(seq, ev);
    Status s = DecodeEvent(cursor_->value(), ev);
    return s.ok() ? s : s.WithContext("log event " + std::to_string(seq));
  }

 private:
  static constexpr uint64_t kMaxSteps = 64;
  bool Position(uint64_t seq) {
    uint64_t cur = 0;
    bool valid = cursor_->Valid() && ParseSeqKey(cursor_->key(), &cur);
    if (valid && cur > seq && cur - seq <= kMaxSteps) {
      while (valid && cur > seq) {
        cursor_->Prev();
        valid = cursor_->Valid() && ParseSeqKey(cursor_->key(), &cur);
      }
    } else if (!valid || cur != seq) {
      cursor_->SeekForPrev(SeqKey(seq));
      valid = cursor_->Valid() && ParseSeqKey(cursor_->key(), &cur);
    }
    return valid && cur == seq;
  }
  StoreReader& reader_;
  std::unique_ptr<KvCursor> cursor_;
};

Status BuildRecord(Event& ev, uint64_t seq, std::string_view state_value, HistoryRecord* r);

bool MatchesRest(const HistoryRecord& r, const HistoryFilter& f, const std::string& needle) {
  if (f.cwd && r.cwd != *f.cwd) return false;
  if (f.session && r.session != *f.session) return false;
  if (f.host && r.host != *f.host) return false;
  if (f.exit_code && r.exit_code != f.exit_code) return false;
  if (f.failed && !(r.exit_code && *r.exit_code != 0)) return false;
  if (f.succeeded && !(r.exit_code && *r.exit_code == 0)) return false;
  if (f.text && !ContainsFolded(r.command, needle)) return false;
  return true;
}

// Shared tail of every route: load, filter, emit, count.
class Emitter {
 public:
  Emitter(StoreReader& reader, const HistoryFilter& f, const std::function<bool(const HistoryRecord&)>& emit)
      : reader_(reader), fetcher_(reader), f_(f), emit_(emit), needle_(AsciiLower(f.text.value_or(""))) {}
  // Returns false when the query is complete (limit reached or caller stop).
  bool Offer(uint64_t seq, std::string_view state_value) {
    status_ = fetcher_.Get(seq, &ev_);
    if (status_.ok()) status_ = BuildRecord(ev_, seq, state_value, &rec_);
    if (!status_.ok()) return false;
    if (!MatchesRest(rec_, f_, needle_)) return true;
    ++emitted_;
    if (!emit_(rec_)) return false;
    return f_.limit == 0 || emitted_ < f_.limit;
  }
  // Offer for index views: the history state is looked up first.
  bool OfferIndexed(const Pos& p) {
    std::string state;
    status_ = reader_.GetViewValue(kHistoryViewName, HistoryKey(p.time_ns, p.seq), &state);
    if (status_.IsNotFound()) {
      status_ = Status::OK();  // index ahead of history cannot happen; skip defensively
      return true;
    }
    if (!status_.ok()) return false;
    return Offer(p.seq, state);
  }
  const Status& status() const { return status_; }
  const std::string& needle() const { return needle_; }

 private:
  StoreReader& reader_;
  EventFetcher fetcher_;
  Event ev_;
  const HistoryFilter& f_;
  const std::function<bool(const HistoryRecord&)>& emit_;
  std::string needle_;
  HistoryRecord rec_;
  size_t emitted_ = 0;
  Status status_;
};

// Offers every record `w` visits (offer() false: the query is complete); a
// malformed entry or a cursor error ends the walk and is reported instead
// of a silently shortened history.
template <typename Walker, typename Offer>
Status Walk(Walker& w, Emitter& out, Offer offer) {
  for (; w.Valid(); w.Next()) {
    if (!offer()) return out.status();
  }
  TB_RETURN_IF_ERROR(w.status());
  return out.status();
}

Status WalkHistory(StoreReader& reader, const HistoryFilter& f, Emitter& out) {
  auto cursor = NewHistoryCursor(reader);
  if (!cursor) return Status::Corruption("view history is missing");
  HistoryWalker w(std::move(cursor), f);
  return Walk(w, out, [&] { return out.Offer(w.pos().seq, w.value()); });
}

Status WalkIndex(StoreReader& reader, IndexedField field, std::string_view value, const HistoryFilter& f,
                 Emitter& out) {
  auto cursor = NewFieldIndexCursor(reader, field, value);
  if (!cursor) return Status::Corruption("view " + std::string(FieldIndexViewName(field)) + " is missing");
  IndexWalker w(std::move(cursor), f);
  return Walk(w, out, [&] { return out.OfferIndexed(w.pos()); });
}

struct Candidate {
  std::string text;
  Pos last;
  uint64_t uses = 0;
};

// Finds the unique commands containing the needle; *total_uses counts all.
Status FindCandidates(StoreReader& reader, const std::string& needle, const HistoryFilter& f,
                      std::vector<Candidate>* out, uint64_t* total_uses) {
  auto c = reader.NewViewCursor(kCommandsViewName);
  if (!c) return Status::Corruption("view commands is missing");
  CommandStats st;
  for (c->SeekToFirst(); c->Valid(); c->Next()) {
    if (!DecodeCommandStats(c->value(), &st)) return Status::Corruption("malformed commands entry");
    *total_uses += st.uses;
    if (!ContainsFolded(c->key(), needle)) continue;
    if (f.since_ns && st.last_time_ns < *f.since_ns) continue;
    out->push_back({std::string(c->key()), {st.last_time_ns, st.last_seq}, st.uses});
  }
  return c->status();
}

// Merges the by_command lists of the candidates newest first, opening a
// candidate's list only once it could hold the next newest record.
Status MergeCandidates(StoreReader& reader, std::vector<Candidate>& cands, const HistoryFilter& f, Emitter& out) {
  std::sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) { return a.last > b.last; });
  std::vector<std::unique_ptr<IndexWalker>> walkers;
  auto cmp = [&](size_t a, size_t b) { return walkers[a]->pos() < walkers[b]->pos(); };
  std::priority_queue<size_t, std::vector<size_t>, decltype(cmp)> heap(cmp);
  size_t next = 0;
  while (true) {
    while (next < cands.size() && (heap.empty() || cands[next].last >= walkers[heap.top()]->pos())) {
      auto cursor = NewFieldIndexCursor(reader, IndexedField::kCommand, cands[next].text);
      if (!cursor) return Status::Corruption("view by_command is missing");
      walkers.push_back(std::make_unique<IndexWalker>(std::move(cursor), f));
      ++next;
      TB_RETURN_IF_ERROR(walkers.back()->status());
      if (walkers.back()->Valid()) heap.push(walkers.size() - 1);
    }
    if (heap.empty()) return Status::OK();
    size_t top = heap.top();
    heap.pop();
    if (!out.OfferIndexed(walkers[top]->pos())) return out.status();
    walkers[top]->Next();
    TB_RETURN_IF_ERROR(walkers[top]->status());
    if (walkers[top]->Valid()) heap.push(top);
  }
}

Status SearchText(StoreReader& reader, const HistoryFilter& f, Emitter& out) {
  std::vector<Candidate> cands;
  uint64_t total = 0, matching_uses = 0;
  TB_RETURN_IF_ERROR(FindCandidates(reader, out.needle(), f, &cands, &total));
  if (cands.empty()) return Status::OK();
  // Cost model: walking history reads ~limit/density records; merging opens
  // one cursor per candidate needed (~20 record reads each).
  for (const auto& c : cands) matching_uses += c.uses;
  double density = static_cast<double>(matching_uses) / static_cast<double>(std::max<uint64_t>(total, 1));
  double walk_cost = f.limit == 0 ? static_cast<double>(total) : std::min<double>(total, f.limit / density);
  double merge_cost =
      20.0 * static_cast<double>(std::min<size_t>(cands.size(), f.limit == 0 ? cands.size() : f.limit + 1));
  if (cands.size() > 4096 || walk_cost < merge_cost) return WalkHistory(reader, f, out);
  return MergeCandidates(reader, cands, f, out);
}

}  // namespace

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool ContainsFolded(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  if (hay.size() < needle.size()) return false;
  const char first = needle[0];
  const char first_up = (first >= 'a' && first <= 'z') ? static_cast<char>(first - 32) : first;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (hay[i] != first && hay[i] != first_up) continue;
    size_t j = 1;
    for (; j < needle.size(); ++j) {
      char c = hay[i + j];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      if (c != needle[j]) break;
    }
    if (j == needle.size()) return true;
  }
  return false;
}

namespace {

Status BuildRecord(Event& ev, uint64_t seq, std::string_view state_value, HistoryRecord* r) {
  HistoryState st;
  if (!DecodeHistoryState(state_value, &st)) {
    return Status::Corruption("malformed history entry for seq " + std::to_string(seq));
  }
  r->id = ev.id;
  r->seq = seq;
  r->command.swap(ev.command);
  r->cwd.swap(ev.cwd);
  r->exit_code = st.exit_code;
  r->duration_ns = st.duration_ns;
  r->running = st.running;
  r->started_at_ns = ev.time_ns;
  r->session.swap(ev.session);
  r->host.swap(ev.host);
  r->user.swap(ev.user);
  r->shell.swap(ev.shell);
  r->truncated = ev.truncated;
  return Status::OK();
}

}  // namespace

Status LoadRecord(StoreReader& reader, uint64_t seq, std::string_view state_value, HistoryRecord* r) {
  Event ev;
  TB_RETURN_IF_ERROR(reader.GetEvent(seq, &ev));
  return BuildRecord(ev, seq, state_value, r);
}

Status QueryHistory(StoreReader& reader, const HistoryFilter& f,
                    const std::function<bool(const HistoryRecord&)>& emit) {
  Emitter out(reader, f, emit);
  if (f.cwd) return WalkIndex(reader, IndexedField::kCwd, *f.cwd, f, out);
  if (f.session) return WalkIndex(reader, IndexedField::kSession, *f.session, f, out);
  if (f.text && !f.text->empty()) return SearchText(reader, f, out);
  return WalkHistory(reader, f, out);
}

}  // namespace tb
