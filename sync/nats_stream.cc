#include "sync/nats_stream.h"

#include <nats/nats.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace tb {
namespace {

constexpr int64_t kDuplicateWindowNs = 120'000'000'000;  // two minutes
// The longest the destructor waits for libnats' last callbacks.
constexpr std::chrono::seconds kCallbackWait{5};
// Deliveries not yet acknowledged the server allows (more than a Fetch asks).
constexpr int64_t kMaxAckPending = 8192;

std::string Why(natsStatus s) {
  const char* last = nats_GetLastError(nullptr);
  std::string why = natsStatus_GetText(s);
  if (last != nullptr && *last != '\0' && why != last) why += " (" + std::string(last) + ")";
  return why;
}

std::string ConsumerName(const std::string& host_id) { return "tb_" + host_id; }

// A delivered stream message as tb reads it; false when it is not one (no
// JetStream metadata).
bool ToReceived(natsMsg* msg, ReceivedMessage* r) {
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg) != NATS_OK) return false;
  r->stream_seq = meta->Sequence.Stream;
  jsMsgMetaData_Destroy(meta);
  r->subject = natsMsg_GetSubject(msg);
  const char* id = nullptr;
  if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK && id != nullptr) r->msg_id = id;
  const char* parent = nullptr;
  if (natsMsgHeader_Get(msg, "traceparent", &parent) == NATS_OK && parent != nullptr) r->traceparent = parent;
  r->data.assign(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
  return true;
}

}  // namespace

struct NatsStream::Impl {
  NatsOptions o;
  std::string account, stream, subjects;
  std::string consumer;  // this host's, once OpenConsumer ran
  natsOptions* opts = nullptr;
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  natsSubscription* sub = nullptr;
  natsSubscription* doorbell = nullptr;
  std::string watch_prefix;         // "tb.<account>.<own host>": not a reason to wake
  std::atomic<int> wake_fd{-1};     // read on libnats' threads
  natsMsg* last_fetched = nullptr;  // the newest message Fetch returned, to acknowledge
  std::mutex mu;                    // guards publish_error (set on libnats' thread) and the flags below
  std::string publish_error;
  // libnats calls back on threads of its own, also after Destroy returned:
  // the destructor waits for the last call of each kind before it frees
  // what they use.
  std::condition_variable done;
  bool connection_closed = false;  // OnClosed ran
  bool doorbell_done = false;      // the doorbell's handler returned for the last time

  ~Impl() {
    if (doorbell != nullptr) {
      natsSubscription_Unsubscribe(doorbell);
      Await(&doorbell_done);
    }
    if (nc != nullptr) {
      natsConnection_Close(nc);
      Await(&connection_closed);
    }
    natsMsg_Destroy(last_fetched);
    natsSubscription_Destroy(sub);
    natsSubscription_Destroy(doorbell);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    natsOptions_Destroy(opts);
  }

  Status Error(const std::string& what, natsStatus s, jsErrCode code = static_cast<jsErrCode>(0)) const {
    std::string msg = what + " (" + o.url + "): " + Why(s);
    if (code != 0) msg += ", JetStream error " + std::to_string(static_cast<int>(code));
    return Status::IOError(msg);
  }

  // Waits for a token of the publish rate (options.publish_rate per
  // second, up to as many saved; the bucket starts full).
  void Pace() {
    if (o.publish_rate <= 0) return;
    using Clock = std::chrono::steady_clock;
    const double rate = static_cast<double>(o.publish_rate);
    const Clock::time_point now = Clock::now();
    if (refilled == Clock::time_point{}) tokens = rate;
    tokens = std::min(rate, tokens + std::chrono::duration<double>(now - refilled).count() * rate);
    refilled = now;
    if (tokens < 1) {
      const auto wait = std::chrono::duration<double>((1 - tokens) / rate);
      std::this_thread::sleep_for(wait);
      refilled += std::chrono::duration_cast<Clock::duration>(wait);
      tokens = 1;
    }
    tokens -= 1;
  }
  double tokens = 0;
  std::chrono::steady_clock::time_point refilled{};

  // The stream's message count, bytes and last seq (of `out`).
  Status State(StreamFigures* out) const {
    jsStreamInfo* si = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_GetStreamInfo(&si, js, stream.c_str(), nullptr, &code);
    if (s != NATS_OK) return Error("cannot read the sync stream " + stream, s, code);
    out->messages = si->State.Msgs;
    out->bytes = si->State.Bytes;
    out->last_seq = si->State.LastSeq;
    jsStreamInfo_Destroy(si);
    return Status::OK();
  }

  static void Ring(int fd) {
    const uint64_t one = 1;
    if (fd >= 0) (void)!::write(fd, &one, sizeof one);
  }

  static void OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    auto* self = static_cast<Impl*>(closure);
    if (std::string_view(natsMsg_GetSubject(msg)) != self->watch_prefix) Ring(self->wake_fd);
    natsMsg_Destroy(msg);
  }

  // Waits (at most kCallbackWait) for `flag`, which a callback sets.
  void Await(bool* flag) {
    std::unique_lock<std::mutex> lock(mu);
    done.wait_for(lock, kCallbackWait, [flag] { return *flag; });
  }

  void Set(bool* flag) {
    std::lock_guard<std::mutex> lock(mu);
    *flag = true;
    done.notify_all();
  }

  static void OnClosed(natsConnection*, void* closure) {
    auto* self = static_cast<Impl*>(closure);
    Ring(self->wake_fd);
    self->Set(&self->connection_closed);
  }

  static void OnDoorbellDone(void* closure) {
    auto* self = static_cast<Impl*>(closure);
    self->Set(&self->doorbell_done);
  }

  static void OnPublishError(jsCtx*, jsPubAckErr* pae, void* closure) {
    auto* self = static_cast<Impl*>(closure);
    std::lock_guard<std::mutex> lock(self->mu);
    if (self->publish_error.empty()) {
      self->publish_error = pae->ErrText != nullptr ? pae->ErrText : natsStatus_GetText(pae->Err);
    }
  }

  Status EnsureStream() {
    jsStreamInfo* si = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_GetStreamInfo(&si, js, stream.c_str(), nullptr, &code);
    jsStreamInfo_Destroy(si);
    if (s == NATS_OK) return Status::OK();
    if (s != NATS_NOT_FOUND) return Error("cannot read the sync stream " + stream, s, code);
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    const char* subject = subjects.c_str();
    cfg.Name = stream.c_str();
    cfg.Subjects = &subject;
    cfg.SubjectsLen = 1;
    cfg.Storage = js_FileStorage;
    cfg.Replicas = o.replicas;
    cfg.Duplicates = kDuplicateWindowNs;
    s = js_AddStream(&si, js, &cfg, nullptr, &code);
    jsStreamInfo_Destroy(si);
    if (s != NATS_OK) return Error("cannot create the sync stream " + stream, s, code);
    return Status::OK();
  }
};

NatsStream::NatsStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NatsStream::~NatsStream() = default;

Status NatsStream::Connect(const NatsOptions& options, const std::string& account, std::unique_ptr<NatsStream>* out) {
  auto impl = std::make_unique<Impl>();
  Impl& m = *impl;
  m.o = options;
  m.account = account;
  m.stream = StreamName(account);
  m.subjects = AccountSubjects(account);
  natsStatus s = natsOptions_Create(&m.opts);
  // A cluster's URLs, comma-separated: each is a server to try.
  std::vector<std::string> urls;
  for (size_t start = 0; start <= options.url.size();) {
    size_t end = std::min(options.url.find(',', start), options.url.size());
    if (end > start) urls.push_back(options.url.substr(start, end - start));
    start = end + 1;
  }
  std::vector<const char*> servers;
  for (const std::string& u : urls) servers.push_back(u.c_str());
  if (s == NATS_OK) s = natsOptions_SetServers(m.opts, servers.data(), static_cast<int>(servers.size()));
  if (s == NATS_OK) s = natsOptions_SetTimeout(m.opts, options.timeout_ms);
  if (s == NATS_OK) s = natsOptions_SetAllowReconnect(m.opts, false);
  if (s == NATS_OK) s = natsOptions_SetClosedCB(m.opts, &Impl::OnClosed, impl.get());
  if (s == NATS_OK && !options.creds_file.empty()) {
    s = natsOptions_SetUserCredentialsFromFiles(m.opts, options.creds_file.c_str(), nullptr);
  }
  if (s == NATS_OK && !options.ca_file.empty()) {
    s = natsOptions_SetSecure(m.opts, true);
    if (s == NATS_OK) s = natsOptions_LoadCATrustedCertificates(m.opts, options.ca_file.c_str());
  }
  if (s != NATS_OK) return m.Error("cannot set up the connection to the sync server", s);
  s = natsConnection_Connect(&m.nc, m.opts);
  if (s != NATS_OK) return m.Error("cannot reach the sync server", s);
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = options.timeout_ms;
  jo.PublishAsync.MaxPending = options.max_in_flight;
  jo.PublishAsync.ErrHandler = &Impl::OnPublishError;
  jo.PublishAsync.ErrHandlerClosure = impl.get();
  s = natsConnection_JetStream(&m.js, m.nc, &jo);
  if (s != NATS_OK) return m.Error("the sync server has no JetStream", s);
  TB_RETURN_IF_ERROR(m.EnsureStream());
  out->reset(new NatsStream(std::move(impl)));
  return Status::OK();
}

Status NatsStream::Publish(const std::vector<SealedEvent>& events) {
  Impl& m = *impl_;
  for (const SealedEvent& e : events) {
    m.Pace();
    natsMsg* msg = nullptr;
    natsStatus s = natsMsg_Create(&msg, e.subject.c_str(), nullptr, e.data.data(), static_cast<int>(e.data.size()));
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, "Nats-Msg-Id", e.msg_id.c_str());
    if (s == NATS_OK && !e.traceparent.empty()) s = natsMsgHeader_Set(msg, "traceparent", e.traceparent.c_str());
    if (s == NATS_OK) s = js_PublishMsgAsync(m.js, &msg, nullptr);
    natsMsg_Destroy(msg);  // nothing when the library took it
    if (s != NATS_OK) return m.Error("cannot publish to the sync stream", s);
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = m.o.timeout_ms;
  natsStatus s = js_PublishAsyncComplete(m.js, &po);
  if (s != NATS_OK) {
    natsMsgList pending{};
    if (js_PublishAsyncGetPendingList(&pending, m.js) == NATS_OK) natsMsgList_Destroy(&pending);
    return m.Error("the sync stream did not acknowledge every event in time", s);
  }
  std::lock_guard<std::mutex> lock(m.mu);
  if (!m.publish_error.empty()) {
    std::string why = m.publish_error;
    m.publish_error.clear();
    return Status::IOError("the sync stream refused an event (" + m.o.url + "): " + why);
  }
  return Status::OK();
}

Status NatsStream::OpenConsumer(const std::string& host_id, uint64_t consumed) {
  Impl& m = *impl_;
  const std::string name = ConsumerName(host_id);
  jsConsumerInfo* ci = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetConsumerInfo(&ci, m.js, m.stream.c_str(), name.c_str(), nullptr, &code);
  bool create = s == NATS_NOT_FOUND;
  if (s == NATS_OK && (ci->Delivered.Stream > consumed || ci->NumAckPending > 0)) {
    // It delivered messages this store does not hold (a pull that stopped
    // at a message it could not open, a crash before the commit, a store
    // restored from an older copy), or holds deliveries nobody will
    // acknowledge (a pull that was killed: the server would wait for them
    // before delivering more): read again from the cursor on.
    s = js_DeleteConsumer(m.js, m.stream.c_str(), name.c_str(), nullptr, &code);
    create = true;
  }
  jsConsumerInfo_Destroy(ci);
  ci = nullptr;
  if (s != NATS_OK && s != NATS_NOT_FOUND) return m.Error("cannot read this host's sync consumer", s, code);
  if (create) {
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = name.c_str();
    cc.FilterSubject = m.subjects.c_str();
    cc.AckPolicy = js_AckAll;
    cc.MaxAckPending = kMaxAckPending;
    cc.DeliverPolicy = consumed == 0 ? js_DeliverAll : js_DeliverByStartSequence;
    cc.OptStartSeq = consumed == 0 ? 0 : consumed + 1;
    s = js_AddConsumer(&ci, m.js, m.stream.c_str(), &cc, nullptr, &code);
    jsConsumerInfo_Destroy(ci);
    if (s != NATS_OK) return m.Error("cannot create this host's sync consumer", s, code);
  }
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = m.stream.c_str();
  so.Consumer = name.c_str();
  s = js_PullSubscribe(&m.sub, m.js, m.subjects.c_str(), name.c_str(), nullptr, &so, &code);
  if (s != NATS_OK) return m.Error("cannot read this host's sync consumer", s, code);
  m.consumer = name;
  return Status::OK();
}

Status NatsStream::Fetch(int max, std::vector<ReceivedMessage>* out) {
  Impl& m = *impl_;
  out->clear();
  if (m.sub == nullptr) return Status::InvalidArgument("no sync consumer is open");
  // Asks for exactly what the consumer has waiting: a pull for more than
  // that (or a no-wait pull) is held by the server until it expires.
  jsConsumerInfo* ci = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetConsumerInfo(&ci, m.js, m.stream.c_str(), m.consumer.c_str(), nullptr, &code);
  if (s != NATS_OK) return m.Error("cannot read this host's sync consumer", s, code);
  const uint64_t waiting = ci->NumPending;
  jsConsumerInfo_Destroy(ci);
  if (waiting == 0) return Status::OK();
  natsMsgList list{};
  s = natsSubscription_Fetch(&list, m.sub, static_cast<int>(std::min<uint64_t>(waiting, max)), m.o.timeout_ms, &code);
  if (s == NATS_TIMEOUT && list.Count == 0) return m.Error("the sync stream did not deliver in time", s, code);
  if (s != NATS_OK && s != NATS_TIMEOUT) return m.Error("cannot read from the sync stream", s, code);
  for (int i = 0; i < list.Count; ++i) {
    natsMsg* msg = list.Msgs[i];
    ReceivedMessage r;
    if (!ToReceived(msg, &r)) continue;  // not a stream message
    out->push_back(std::move(r));
    if (i + 1 == list.Count) {
      natsMsg_Destroy(m.last_fetched);
      m.last_fetched = msg;
      list.Msgs[i] = nullptr;  // kept to acknowledge
    }
  }
  natsMsgList_Destroy(&list);
  return Status::OK();
}

Status NatsStream::AckFetched() {
  Impl& m = *impl_;
  if (m.last_fetched == nullptr) return Status::OK();
  natsStatus s = natsMsg_AckSync(m.last_fetched, nullptr, nullptr);
  natsMsg_Destroy(m.last_fetched);
  m.last_fetched = nullptr;
  if (s != NATS_OK) return m.Error("cannot acknowledge what this host read", s);
  return Status::OK();
}

Status NatsStream::Figures(const std::string& host_id, StreamFigures* out) {
  Impl& m = *impl_;
  *out = StreamFigures{};
  TB_RETURN_IF_ERROR(m.State(out));
  jsConsumerInfo* ci = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetConsumerInfo(&ci, m.js, m.stream.c_str(), ConsumerName(host_id).c_str(), nullptr, &code);
  if (s == NATS_NOT_FOUND) {
    out->consumer_pending = out->messages;
    return Status::OK();
  }
  if (s != NATS_OK) return m.Error("cannot read this host's sync consumer", s, code);
  out->consumer_pending = ci->NumPending;
  out->consumer_acked = ci->AckFloor.Stream;
  jsConsumerInfo_Destroy(ci);
  return Status::OK();
}

Status NatsStream::LastSeq(uint64_t* out) {
  StreamFigures f;
  TB_RETURN_IF_ERROR(impl_->State(&f));
  *out = f.last_seq;
  return Status::OK();
}

Status NatsStream::PurgeHost(const std::string& host_id, uint64_t below) {
  Impl& m = *impl_;
  const std::string subject = "tb." + m.account + "." + host_id;
  jsOptions o;
  jsOptions_Init(&o);
  o.Wait = m.o.timeout_ms;
  o.Stream.Purge.Subject = subject.c_str();
  o.Stream.Purge.Sequence = below;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_PurgeStream(m.js, m.stream.c_str(), &o, &code);
  if (s != NATS_OK) return m.Error("cannot purge this host's older messages from the sync stream", s, code);
  return Status::OK();
}

Status NatsStream::Watch(const std::string& host_id, int wake_fd) {
  Impl& m = *impl_;
  m.watch_prefix = "tb." + m.account + "." + host_id;
  m.wake_fd.store(wake_fd);
  natsStatus s = natsConnection_Subscribe(&m.doorbell, m.nc, m.subjects.c_str(), &Impl::OnMessage, impl_.get());
  if (s == NATS_OK) s = natsSubscription_SetOnCompleteCB(m.doorbell, &Impl::OnDoorbellDone, impl_.get());
  if (s != NATS_OK) return m.Error("cannot watch the sync subjects", s);
  return Status::OK();
}

bool NatsStream::connected() const { return natsConnection_Status(impl_->nc) == NATS_CONN_STATUS_CONNECTED; }

Status NatsStream::ReadAll(const std::function<Status(const ReceivedMessage&)>& visit) {
  Impl& m = *impl_;
  StreamFigures f;
  TB_RETURN_IF_ERROR(m.State(&f));
  const uint64_t last = f.last_seq;
  uint64_t left = f.messages;
  if (left == 0) return Status::OK();
  jsErrCode code = static_cast<jsErrCode>(0);
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = m.stream.c_str();
  so.Config.AckPolicy = js_AckNone;
  so.Config.DeliverPolicy = js_DeliverAll;
  natsSubscription* sub = nullptr;
  natsStatus s = js_PullSubscribe(&sub, m.js, m.subjects.c_str(), nullptr, nullptr, &so, &code);
  if (s != NATS_OK) return m.Error("cannot read the sync stream " + m.stream, s, code);
  Status result;
  while (result.ok() && left > 0) {
    natsMsgList list{};
    s = natsSubscription_Fetch(&list, sub, static_cast<int>(std::min<uint64_t>(left, 1024)), m.o.timeout_ms, &code);
    if (s != NATS_OK && !(s == NATS_TIMEOUT && list.Count > 0)) {
      result = m.Error("cannot read the sync stream " + m.stream, s, code);
    }
    for (int i = 0; result.ok() && i < list.Count; ++i) {
      ReceivedMessage r;
      if (!ToReceived(list.Msgs[i], &r)) continue;
      --left;
      if (r.stream_seq >= last) left = 0;
      result = visit(r);
    }
    natsMsgList_Destroy(&list);
  }
  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
  return result;
}

}  // namespace tb
