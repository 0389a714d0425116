// Feeds arbitrary bytes to what sync reads from the network and from a key
// file (sync/sync_message.h, sync/key_export.h): the first byte picks
// OpenMessage on a message of a fixed subject and id for a store holding
// key epoch 2 and retired epoch 1, or ImportSyncKey on a line. Neither may crash, hang or read out of bounds; a
// message that opens must name its subject's host.
#include <cstdlib>

#include "fuzz/fuzz_util.h"
#include "sync/key_export.h"
#include "sync/sync_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest = tb::fuzz::Bytes(data + 1, size - 1);
  tb::SyncIdentity self;
  self.host_id = "0123456789abcdef0123456789abcdef";
  self.key.account = "ffeeddccbbaa99887766554433221100";
  self.key.epoch = 1;
  self.key.bytes.fill(7);
  self.retired.push_back(self.key);
  self.key.epoch = 2;
  self.key.bytes.fill(9);
  if (data[0] % 2 == 0) {
    const std::string host = "00112233445566778899aabbccddeeff";
    const std::string subject = "tb." + self.key.account + "." + host;
    tb::Event ev;
    if (tb::OpenMessage(self, subject, host + ".00000000000000ab-42.1", rest, 1, &ev).ok() && ev.origin_host != host) {
      std::abort();
    }
  } else {
    tb::SyncKey out;
    (void)tb::ImportSyncKey(rest, "passphrase", "/fuzz", &out);
  }
  return 0;
}
