// scalar.cpp: the portable reference of the multi-buffer SHA-256 kernels (contract in sha256.hpp):
// each message on its own, FIPS 180-4 as written.
//
// References: FIPS 180-4 (Secure Hash Standard, 2015): 4.1.2 and 4.2.2 (functions and constants),
// 5.1.1 (padding), 5.3.3 (initial value), 6.2.2 (the compression: message schedule, 64 rounds,
// kernels/sha2/compress.hpp).
// Plain portable C++: it builds on every target (ARM64 included), and is the definition the SHA-NI
// variant is tested against.
#include <cstring>

#include "kernels/sha2/compress.hpp"
#include "kernels/sha256/constants.hpp"
#include "kernels/sha256/sha256.hpp"

namespace jwtbatch::kernels::sha256 {
namespace {

void store_be32(uint8_t* p, uint32_t x) {
  p[0] = static_cast<uint8_t>(x >> 24);
  p[1] = static_cast<uint8_t>(x >> 16);
  p[2] = static_cast<uint8_t>(x >> 8);
  p[3] = static_cast<uint8_t>(x);
}

void compress(uint32_t h[8], const uint8_t* block) { sha2::compress<sha2::Sha256Params>(h, block); }

void hash_one(const Sha256Msg& m) {
  uint32_t h[8];
  std::memcpy(h, m.iv != nullptr ? m.iv : kInitial, sizeof(h));
  const size_t num_full = m.len / kBlockLen;
  for (size_t i = 0; i < num_full; ++i) compress(h, m.data + i * kBlockLen);
  // 5.1.1: the rest, a 1 bit, zeros, and the length in bits as a 64-bit big-endian number, ending
  // on a block boundary: one more block when the rest leaves at least 9 bytes of room, else two.
  uint8_t tail[2 * kBlockLen] = {};
  const size_t rest = m.len - num_full * kBlockLen;
  if (rest != 0) std::memcpy(tail, m.data + num_full * kBlockLen, rest);
  tail[rest] = 0x80;
  const size_t tail_len = rest + 9 <= kBlockLen ? kBlockLen : 2 * kBlockLen;
  const uint64_t bits = (m.prefix_len + m.len) * 8;
  store_be32(tail + tail_len - 8, static_cast<uint32_t>(bits >> 32));
  store_be32(tail + tail_len - 4, static_cast<uint32_t>(bits));
  compress(h, tail);
  if (tail_len == 2 * kBlockLen) compress(h, tail + kBlockLen);
  for (int i = 0; i < 8; ++i) store_be32(m.out + 4 * i, h[i]);
}

}  // namespace

void sha256_many_scalar(const Sha256Msg* msgs, size_t num_msgs) noexcept {
  for (size_t i = 0; i < num_msgs; ++i) hash_one(msgs[i]);
}

}  // namespace jwtbatch::kernels::sha256
