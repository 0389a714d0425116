#include "core/base64.h"

#include <sodium.h>

namespace tb {

std::string Base64Encode(std::string_view in) {
  std::string out(sodium_base64_encoded_len(in.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL libsodium writes
  return out;
}

bool Base64Decode(std::string_view t, std::string* out) {
  out->assign(t.size() / 4 * 3 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out->data()), out->size(), t.data(), t.size(),
                        /*ignore=*/nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != t.data() + t.size()) {
    out->clear();
    return false;
  }
  out->resize(len);
  return true;
}

}  // namespace tb
