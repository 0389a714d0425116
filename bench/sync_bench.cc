// sync_bench: sync over NATS JetStream (sync/syncer.h) against the server's
// own ceiling on the same machine. Starts a nats-server on a loopback port,
// builds a store of N generated commands (30 % as start + finish pairs),
// then measures:
//   ceiling  raw libnats: N messages of the same mean size published
//            asynchronously to a scratch stream, then read back through a
//            durable pull consumer (what any client could do at best);
//   publish  PublishOutbox of the whole store (scan, seal, publish, acks);
//   initial  PullInbox into a new, empty store (fetch, open, de-duplicate,
//            append with every view): the "new machine" case;
//   again    a second PullInbox (nothing new: the cost of a no-op sync);
//   lag      a command appended and published on host A every 50 ms while
//            host B's SyncSession waits on its doorbell: time from A's
//            append to the event being in B's store (p50/p99/max; the
//            daemon's drain lag, measured by daemon_bench, comes on top).
//
//   sync_bench [--commands N] [--dir DIR] [--lag-samples K]
#include <nats/nats.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bench/history_gen.h"
#include "storage/data_dir.h"
#include "sync/sync_session.h"
#include "sync/syncer.h"

using namespace tb;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int Fail(const char* what, const Status& s) {
  std::fprintf(stderr, "sync_bench: %s: %s\n", what, s.ToString().c_str());
  return 1;
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string Url(int port) { return "nats://127.0.0.1:" + std::to_string(port); }

pid_t StartServer(const std::string& dir, int port) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (!::freopen("/dev/null", "w", stderr)) ::_exit(126);
    const std::string p = std::to_string(port);
    ::execlp("nats-server", "nats-server", "-js", "-a", "127.0.0.1", "-p", p.c_str(), "-sd", dir.c_str(),
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < 400; ++i) {  // ready when it accepts a connection
    natsConnection* nc = nullptr;
    if (natsConnection_ConnectTo(&nc, Url(port).c_str()) == NATS_OK) {
      natsConnection_Destroy(nc);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return pid;
}

// The server's ceiling: `n` messages of `size` bytes published
// asynchronously, then consumed through a durable pull consumer.
bool Ceiling(int port, size_t n, size_t size, double* pub_s, double* sub_s) {
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  if (natsConnection_ConnectTo(&nc, Url(port).c_str()) != NATS_OK) return false;
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.PublishAsync.MaxPending = 4096;
  natsConnection_JetStream(&js, nc, &jo);
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  const char* subject = "ceiling.x";
  cfg.Name = "CEILING";
  cfg.Subjects = &subject;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  jsStreamInfo* si = nullptr;
  if (js_AddStream(&si, js, &cfg, nullptr, nullptr) != NATS_OK) return false;
  jsStreamInfo_Destroy(si);
  std::string payload(size, 'x');
  auto t = Clock::now();
  for (size_t i = 0; i < n; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "m%zu", i);
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = id;
    if (js_PublishAsync(js, subject, payload.data(), static_cast<int>(size), &po) != NATS_OK) return false;
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = 60000;
  if (js_PublishAsyncComplete(js, &po) != NATS_OK) return false;
  *pub_s = Since(t);
  natsSubscription* sub = nullptr;
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Config.AckPolicy = js_AckAll;
  so.Config.MaxAckPending = 8192;
  if (js_PullSubscribe(&sub, js, subject, "reader", nullptr, &so, nullptr) != NATS_OK) return false;
  t = Clock::now();
  size_t got = 0;
  while (got < n) {
    natsMsgList list{};
    if (natsSubscription_Fetch(&list, sub, static_cast<int>(std::min<size_t>(1024, n - got)), 5000, nullptr) !=
        NATS_OK) {
      return false;
    }
    got += static_cast<size_t>(list.Count);
    if (list.Count > 0) natsMsg_Ack(list.Msgs[list.Count - 1], nullptr);
    natsMsgList_Destroy(&list);
  }
  *sub_s = Since(t);
  natsSubscription_Destroy(sub);
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  return true;
}

StoreOptions Options(const std::string& dir) {
  StoreOptions so;
  so.data_dir = dir;
  so.access = StoreOptions::Access::kReadWrite;
  so.block_cache_bytes = 32ull << 20;
  so.write_buffer_bytes = 16ull << 20;
  return so;
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 1'000'000;
  size_t lag_samples = 200;
  std::string dir = "/tmp/tb-sync-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--commands")) n = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    if (!std::strcmp(argv[i], "--lag-samples")) lag_samples = std::stoull(argv[i + 1]);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir);
  const int port = FreePort();
  const pid_t server = StartServer(dir + "/nats", port);
  NatsOptions nats;
  nats.url = Url(port);
  nats.timeout_ms = 60000;

  std::unique_ptr<Store> a;
  Status s = Store::Open(Options(dir + "/a"), &a);
  if (!s.ok()) return Fail("open a", s);
  uint64_t events = 0;
  bench::GenOptions go;
  go.commands = n;
  go.pair_fraction = 0.3;
  bench::HistoryGenerator gen(go);
  std::vector<Event> batch;
  while (!gen.done()) {
    batch.clear();
    gen.NextEvents(4096, &batch);
    if (!(s = a->Append(batch, false)).ok()) return Fail("append", s);
    events += batch.size();
  }
  SyncIdentity self;
  if (!(s = SetUpSync(*a, nullptr, &self)).ok()) return Fail("sync init", s);
  std::printf("store     %zu commands = %llu events\n", n, static_cast<unsigned long long>(events));

  std::unique_ptr<NatsStream> stream;
  if (!(s = NatsStream::Connect(nats, self.key.account, &stream)).ok()) return Fail("connect", s);
  SyncCounts c;
  auto t = Clock::now();
  if (!(s = PublishOutbox(*a, self, *stream, &c)).ok()) return Fail("publish", s);
  const double publish_s = Since(t);
  StreamFigures f;
  if (!(s = stream->Figures(self.host_id, &f)).ok()) return Fail("figures", s);
  const size_t mean = f.messages ? f.bytes / f.messages : 0;

  std::unique_ptr<Store> b;
  if (!(s = Store::Open(Options(dir + "/b"), &b)).ok()) return Fail("open b", s);
  SyncIdentity other;
  if (!(s = SetUpSync(*b, &self.key, &other)).ok()) return Fail("sync import", s);
  std::unique_ptr<NatsStream> bstream;
  if (!(s = NatsStream::Connect(nats, self.key.account, &bstream)).ok()) return Fail("connect b", s);
  SyncCounts bc;
  t = Clock::now();
  if (!(s = PullInbox(*b, other, *bstream, &bc)).ok()) return Fail("pull", s);
  const double pull_s = Since(t);
  t = Clock::now();
  SyncCounts again;
  if (!(s = PullInbox(*b, other, *bstream, &again)).ok()) return Fail("pull again", s);
  const double again_s = Since(t);

  double ceil_pub = 0, ceil_sub = 0;
  const bool ceiling = Ceiling(port, c.published, mean, &ceil_pub, &ceil_sub);

  std::printf("messages  %llu published (%zu B mean on the stream)\n", static_cast<unsigned long long>(c.published),
              mean);
  if (ceiling) {
    std::printf("ceiling   raw publish %.0f msg/s, raw pull %.0f msg/s (libnats, %zu B messages)\n",
                c.published / ceil_pub, c.published / ceil_sub, mean);
  }
  std::printf("publish   %.2f s: %.0f events/s (%.2fx the raw publish)\n", publish_s, c.published / publish_s,
              ceiling ? ceil_pub / publish_s : 0.0);
  std::printf("initial   %llu events into an empty store in %.2f s: %.0f events/s (%.2fx the raw pull)\n",
              static_cast<unsigned long long>(bc.received), pull_s, bc.received / pull_s,
              ceiling ? ceil_sub / pull_s : 0.0);
  std::printf("again     nothing new: %.1f ms\n", again_s * 1000);

  const uint64_t published = c.published;
  // Lag: A appends and publishes; B's session waits on its doorbell.
  const int wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  SyncSessionOptions so;
  so.nats = nats;
  so.wake_fd = wake;
  so.now_ns = [] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
  };
  SyncSession bsession(so);
  if (!(s = bsession.Run(*b, &again)).ok()) return Fail("session", s);
  std::vector<double> lags;
  for (size_t i = 0; i < lag_samples; ++i) {
    Event ev;
    ev.kind = EventKind::kRecorded;
    ev.time_ns = 1'800'000'000'000'000'000 + static_cast<int64_t>(i);
    ev.command = "lag probe " + std::to_string(i);
    const uint64_t want = b->head() + 1;
    const auto start = Clock::now();
    if (!(s = a->Append(std::span<Event>(&ev, 1), true)).ok()) return Fail("append probe", s);
    if (!(s = PublishOutbox(*a, self, *stream, &c)).ok()) return Fail("publish probe", s);
    while (b->head() < want) {
      pollfd p{wake, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) return Fail("lag", Status::IOError("no doorbell within 2 s"));
      uint64_t rings;
      (void)!::read(wake, &rings, sizeof rings);
      if (!(s = bsession.Run(*b, &again)).ok()) return Fail("session run", s);
    }
    lags.push_back(Since(start) * 1000);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::sort(lags.begin(), lags.end());
  if (!lags.empty()) {
    std::printf("lag       A append -> in B's store: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%zu samples)\n",
                lags[lags.size() / 2], lags[lags.size() * 99 / 100], lags.back(), lags.size());
  }
  ::close(wake);
  stream.reset();
  bstream.reset();
  ::kill(server, SIGTERM);
  ::waitpid(server, nullptr, 0);
  return bc.received == published ? 0 : 1;
}
