// pkcs1.cpp: EMSA-PKCS1-v1_5 encoding (RFC 8017 section 9.2; contract in rsa.hpp), shared by the
// engine's encoding check and the kernels' PKCS#1 check tables.
#include <cstring>

#include "kernels/rsa/rsa.hpp"

namespace jwtbatch::kernels::rsa {
namespace {

// DigestInfo DER prefixes of RFC 8017 section 9.2, note 1: SEQUENCE { SEQUENCE { OID, NULL },
// OCTET STRING of the hash length }, the hash value follows.
constexpr uint8_t kSha256Prefix[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
constexpr uint8_t kSha384Prefix[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
constexpr uint8_t kSha512Prefix[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};

}  // namespace

bool pkcs1_encode(size_t em_len, const uint8_t* digest, size_t digest_len, uint8_t* em) noexcept {
  const uint8_t* prefix;
  size_t prefix_len;
  switch (digest_len) {
    case 32: prefix = kSha256Prefix; prefix_len = sizeof(kSha256Prefix); break;
    case 48: prefix = kSha384Prefix; prefix_len = sizeof(kSha384Prefix); break;
    case 64: prefix = kSha512Prefix; prefix_len = sizeof(kSha512Prefix); break;
    default: return false;
  }
  const size_t t_len = prefix_len + digest_len;
  if (em_len < t_len + 11 || em_len > kMaxModulusLen) return false;  // RFC 8017 9.2 step 3
  // EM = 0x00 || 0x01 || PS (0xff, em_len - tLen - 3 >= 8 bytes) || 0x00 || T.
  em[0] = 0x00;
  em[1] = 0x01;
  std::memset(em + 2, 0xff, em_len - t_len - 3);
  em[em_len - t_len - 1] = 0x00;
  std::memcpy(em + em_len - t_len, prefix, prefix_len);
  std::memcpy(em + em_len - digest_len, digest, digest_len);
  return true;
}

}  // namespace jwtbatch::kernels::rsa
