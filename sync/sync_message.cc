#include "sync/sync_message.h"

#include <sodium.h>

#include "core/codec.h"
#include "core/data_key.h"

namespace tb {
namespace {

constexpr std::string_view kMagic = "TBS1";
constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kHeader = 4 + 4 + kNonce;

void PutU32BE(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}

uint32_t GetU32BE(std::string_view in) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

std::string AssociatedData(std::string_view prefix, std::string_view subject, std::string_view msg_id) {
  std::string ad(prefix.substr(0, 8));
  ad += subject;
  ad.push_back('\0');
  ad += msg_id;
  return ad;
}

Status Damaged(uint64_t stream_seq, const std::string& why) {
  return Status::Corruption("damaged sync message (stream seq " + std::to_string(stream_seq) + "): " + why);
}

}  // namespace

std::string AccountSubjects(const std::string& account) { return "tb." + account + ".>"; }

std::string StreamName(const std::string& account) { return "TB_" + account; }

std::string SubjectHost(const std::string& account, std::string_view subject) {
  std::string prefix = "tb." + account + ".";
  if (!subject.starts_with(prefix)) return "";
  std::string_view host = subject.substr(prefix.size());
  return IsSyncId(host) ? std::string(host) : "";
}

void SealEvent(const SyncIdentity& self, const Event& ev, SealedEvent* out) {
  out->subject = "tb." + self.key.account + "." + self.host_id;
  out->msg_id = self.host_id + "." + ev.id.ToString() + "." + std::to_string(self.key.epoch);
  Event wire = ev;
  wire.origin_host = self.host_id;
  std::string plain;
  EncodeEvent(wire, &plain);
  std::string& d = out->data;
  d.assign(kMagic);
  PutU32BE(&d, self.key.epoch);
  d.resize(kHeader + plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  auto* nonce = reinterpret_cast<unsigned char*>(d.data() + 8);
  RandomBytes(nonce, kNonce);
  std::string ad = AssociatedData(d, out->subject, out->msg_id);
  unsigned long long n = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char*>(d.data() + kHeader), &n,
                                             reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                                             reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
                                             nonce, self.key.bytes.data());
  d.resize(kHeader + n);
}

Status OpenEvent(const SyncKey& key, std::string_view subject, std::string_view msg_id, std::string_view data,
                 uint64_t stream_seq, Event* out) {
  if (data.size() < kHeader + crypto_aead_xchacha20poly1305_ietf_ABYTES || !data.starts_with(kMagic)) {
    return Damaged(stream_seq, "not a TermBrain sync message");
  }
  std::string host = SubjectHost(key.account, subject);
  if (host.empty()) return Damaged(stream_seq, "subject " + std::string(subject) + " is not a host's");
  const uint32_t epoch = GetU32BE(data.substr(4, 4));
  if (epoch != key.epoch) {
    return Status::Incompatible("sync message (stream seq " + std::to_string(stream_seq) +
                                ") is sealed with key epoch " + std::to_string(epoch) + ", this store holds epoch " +
                                std::to_string(key.epoch) + ". Import the current sync key (tb sync key import FILE)");
  }
  std::string ad = AssociatedData(data, subject, msg_id);
  std::string plain(data.size() - kHeader - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long n = 0;
  const auto* c = reinterpret_cast<const unsigned char*>(data.data() + kHeader);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &n, nullptr, c, data.size() - kHeader,
          reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
          reinterpret_cast<const unsigned char*>(data.data() + 8), key.bytes.data()) != 0) {
    return Status::Incompatible("sync message (stream seq " + std::to_string(stream_seq) +
                                ") does not open with this store's sync key: the key differs from the one it was "
                                "sealed with, or the message was altered. Import the account's key (tb sync key "
                                "import FILE)");
  }
  plain.resize(n);
  Status s = DecodeEvent(plain, out);
  if (!s.ok()) return Damaged(stream_seq, s.message());
  if (out->origin_host != host) return Damaged(stream_seq, "event of host " + out->origin_host + " under " + host);
  if (msg_id != host + "." + out->id.ToString() + "." + std::to_string(epoch)) {
    return Damaged(stream_seq, "message id does not name its event");
  }
  return Status::OK();
}

uint32_t SealedEpoch(std::string_view data) {
  return data.size() >= kHeader && data.starts_with(kMagic) ? GetU32BE(data.substr(4, 4)) : 0;
}

Status OpenMessage(const SyncIdentity& self, std::string_view subject, std::string_view msg_id, std::string_view data,
                   uint64_t stream_seq, Event* out) {
  const SyncKey* key = &self.key;
  if (const uint32_t epoch = SealedEpoch(data); epoch != 0) {
    if (epoch > self.key.epoch) {
      return Status::Incompatible("sync message (stream seq " + std::to_string(stream_seq) +
                                  ") is sealed with key epoch " + std::to_string(epoch) + ", newer than this store's " +
                                  std::to_string(self.key.epoch) +
                                  ": the sync key was rotated on another machine. Run tb sync key export there and "
                                  "tb sync key import FILE here");
    }
    key = self.KeyOf(epoch);
    if (key == nullptr) {
      return Status::NotFound("sync message (stream seq " + std::to_string(stream_seq) +
                              ") is sealed with retired key epoch " + std::to_string(epoch) +
                              ", which this store never held");
    }
  }
  return OpenEvent(*key, subject, msg_id, data, stream_seq, out);
}

}  // namespace tb
