// padding.hpp (internal): what every variant of kernels/sha512 does around the compression: the
// initial value of a message, its padded tail blocks and the digest's encoding. Everything here is
// in an unnamed namespace: each variant's file compiles its own copy with its own ISA flags, so no
// inline function is shared (and picked by the linker) across files built for different CPUs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/sha512/constants.hpp"
#include "kernels/sha512/sha512.hpp"

namespace jwtbatch::kernels::sha512 {
namespace {

inline void store_be64(uint8_t* p, uint64_t x) {
  for (int i = 7; i >= 0; --i, x >>= 8) p[i] = static_cast<uint8_t>(x);
}

// initial_value is the chaining state a message starts from: its iv, else its hash's standard one.
inline const uint64_t* initial_value(const Sha512Msg& m) {
  if (m.iv != nullptr) return m.iv;
  return m.hash == Hash::sha384 ? kInitial384 : kInitial512;
}

// pad_tail writes the last blocks of `m` (FIPS 180-4 5.1.2) to `tail` (room for two blocks): the
// bytes after its whole blocks, a 1 bit, zeros, and the total length in bits as a 128-bit
// big-endian number, ending on a block boundary. Returns the number of blocks written: one when
// the rest leaves at least 17 bytes of room, else two.
inline size_t pad_tail(const Sha512Msg& m, uint8_t* tail) {
  const size_t rest = m.len % kBlockLen;
  const size_t blocks = rest + 17 <= kBlockLen ? 1 : 2;
  std::memset(tail, 0, blocks * kBlockLen);
  if (rest != 0) std::memcpy(tail, m.data + (m.len - rest), rest);
  tail[rest] = 0x80;
  const uint64_t total = m.prefix_len + m.len;  // bytes; the bit count's top 64 bits are total >> 61
  store_be64(tail + blocks * kBlockLen - 16, total >> 61);
  store_be64(tail + blocks * kBlockLen - 8, total << 3);
  return blocks;
}

// store_digest writes the digest of `m` from its final state `h`: the first six words (SHA-384) or
// all eight (SHA-512), big-endian.
inline void store_digest(const uint64_t h[8], const Sha512Msg& m) {
  const size_t words = digest_len(m.hash) / 8;
  for (size_t i = 0; i < words; ++i) store_be64(m.out + 8 * i, h[i]);
}

}  // namespace
}  // namespace jwtbatch::kernels::sha512
