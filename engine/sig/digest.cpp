// digest.cpp: compute_digests (contract in digest.hpp).
#include "engine/sig/digest.hpp"

#include <openssl/sha.h>

#include "kernels/sha256/sha256.hpp"
#include "kernels/sha512/sha512.hpp"

namespace jwtbatch::engine {

namespace ksha = kernels::sha256;
namespace ksha512 = kernels::sha512;

void compute_digests(std::span<const DigestJob> jobs) noexcept {
  // A lone message of its family gains nothing from lanes (an 8-lane variant would hash it at the
  // cost of eight): BoringSSL takes it, as it takes the single-token paths.
  size_t num256 = 0;
  for (const DigestJob& j : jobs) num256 += j.digest_len == SHA256_DIGEST_LENGTH;
  const size_t num512 = jobs.size() - num256;
  const bool kernel256 = num256 > 1 && ksha::engine_uses_kernels();
  const bool kernel512 = num512 > 1 && ksha512::engine_uses_kernels();
  // The kernels' messages, a block of jobs at a time (small on the stack, enough to fill the lanes).
  constexpr size_t kBlock = 64;
  ksha::Sha256Msg m256[kBlock];
  ksha512::Sha512Msg m512[kBlock];
  size_t n256 = 0, n512 = 0;
  auto flush = [&] {
    if (n256 != 0) ksha::active_variant().many(m256, n256);
    if (n512 != 0) ksha512::active_variant().many(m512, n512);
    n256 = n512 = 0;
  };
  for (const DigestJob& j : jobs) {
    const uint8_t* p = j.input.data();
    const size_t len = j.input.size();
    if (j.digest_len == SHA256_DIGEST_LENGTH) {
      if (!kernel256) {
        SHA256(p, len, j.out);
        continue;
      }
      m256[n256++] = {p, len, nullptr, 0, j.out};
    } else {
      const bool is384 = j.digest_len == SHA384_DIGEST_LENGTH;
      if (!kernel512) {
        if (is384) SHA384(p, len, j.out);
        else SHA512(p, len, j.out);
        continue;
      }
      m512[n512++] = {p, len, nullptr, 0, j.out, is384 ? ksha512::Hash::sha384 : ksha512::Hash::sha512};
    }
    if (n256 == kBlock || n512 == kBlock) flush();
  }
  flush();
}

}  // namespace jwtbatch::engine
