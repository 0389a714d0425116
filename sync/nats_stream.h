// NatsStream: the one place that talks to NATS JetStream (libnats). It
// connects, makes sure the account's stream exists, publishes sealed events
// with their de-duplication ids and waits for the acks, and reads other
// hosts' messages through this host's durable pull consumer.
//
// The stream (docs/sync.md, "Stream"): name StreamName(account), subjects
// "tb.<account>.>", file storage, `replicas` copies, limits retention with
// no size or age limit (the history is the user's; retention is an event),
// a de-duplication window of two minutes. The consumer: durable
// "tb_<host>", filter "tb.<account>.>", deliver all, acknowledge all (an
// ack covers every earlier message).
// Thread safety: one thread per NatsStream.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "sync/sync_message.h"

namespace tb {

struct NatsOptions {
  std::string url;         // nats://host:port (comma-separated for a cluster)
  std::string creds_file;  // NATS user credentials (JWT + nkey seed); "" = none
  std::string ca_file;     // a CA to verify the server's TLS certificate; "" = system
  int64_t replicas = 1;
  int64_t timeout_ms = 5000;     // connect, request and ack timeout
  int64_t publish_rate = 0;      // messages per second Publish sends at most (a token bucket of as many); 0 = no limit
  int64_t max_in_flight = 4096;  // published messages awaiting their acknowledgement at once
};

struct ReceivedMessage {
  std::string subject;
  std::string msg_id;
  std::string traceparent;  // the W3C trace context header; "" when there is none (sync/trace.h)
  std::string data;
  uint64_t stream_seq = 0;
};

struct StreamFigures {
  uint64_t messages = 0;
  uint64_t bytes = 0;
  uint64_t last_seq = 0;
  uint64_t consumer_pending = 0;  // messages this host's consumer has not read yet
  uint64_t consumer_acked = 0;    // its acknowledged floor (stream seq)
};

class NatsStream {
 public:
  // Connects and creates the stream when it does not exist. Unavailable-
  // style failures are IOError: "cannot reach the sync server (<url>): <why>".
  static Status Connect(const NatsOptions& options, const std::string& account, std::unique_ptr<NatsStream>* out);
  ~NatsStream();
  NatsStream(const NatsStream&) = delete;
  NatsStream& operator=(const NatsStream&) = delete;

  // Publishes `events` and returns once the stream acknowledged every one
  // (a duplicate id counts as acknowledged: the stream already holds it).
  Status Publish(const std::vector<SealedEvent>& events);
  // Makes sure consumer "tb_<host>" exists and delivers from the stream seq
  // after `consumed` on: a consumer that already delivered further (a pull
  // that stopped early, a store restored from an older copy) is created
  // again from there.
  Status OpenConsumer(const std::string& host_id, uint64_t consumed);
  // Up to `max` messages the consumer has not delivered yet; none (and OK)
  // when there are none. Needs OpenConsumer.
  Status Fetch(int max, std::vector<ReceivedMessage>* out);
  // Acknowledges every message Fetch returned so far (call it once they
  // are committed to the store).
  Status AckFetched();
  Status Figures(const std::string& host_id, StreamFigures* out);
  // The stream's last seq (0 when it never held a message).
  Status LastSeq(uint64_t* out);
  // Removes host `host_id`'s messages below stream seq `below` (what it
  // published under a key it has since replaced).
  Status PurgeHost(const std::string& host_id, uint64_t below);
  // Reads every message of the stream in order through a consumer of its
  // own (ephemeral, no acknowledgements: this host's consumer is left as
  // it is), up to the stream's last seq when it starts.
  Status ReadAll(const std::function<Status(const ReceivedMessage&)>& visit);
  // From now on, writes to the eventfd `wake_fd` (it stays the caller's)
  // whenever a message of another host than `host_id` is published on the
  // account's subjects, and when the connection closes: the daemon's
  // doorbell. Messages are not read this way (Fetch reads them).
  Status Watch(const std::string& host_id, int wake_fd);
  // False once the connection to the server was lost.
  bool connected() const;

 private:
  struct Impl;
  explicit NatsStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tb
