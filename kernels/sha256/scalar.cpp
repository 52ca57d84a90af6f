// scalar.cpp: the portable reference of the multi-buffer SHA-256 kernels (contract in sha256.hpp):
// each message on its own, FIPS 180-4 as written.
//
// References: FIPS 180-4 (Secure Hash Standard, 2015): 4.1.2 and 4.2.2 (functions and constants),
// 5.1.1 (padding), 5.3.3 (initial value), 6.2.2 (the compression: message schedule, 64 rounds).
// Plain portable C++: it builds on every target (ARM64 included), and is the definition the SHA-NI
// variant is tested against.
#include <cstring>

#include "kernels/sha256/constants.hpp"
#include "kernels/sha256/sha256.hpp"

namespace jwtbatch::kernels::sha256 {
namespace {

constexpr uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void store_be32(uint8_t* p, uint32_t x) {
  p[0] = static_cast<uint8_t>(x >> 24);
  p[1] = static_cast<uint8_t>(x >> 16);
  p[2] = static_cast<uint8_t>(x >> 8);
  p[3] = static_cast<uint8_t>(x);
}

// compress absorbs one 64-byte block into `h` (FIPS 180-4 6.2.2 steps 1-4).
void compress(uint32_t h[8], const uint8_t* block) {
  uint32_t w[64];
  for (int t = 0; t < 16; ++t) w[t] = load_be32(block + 4 * t);
  for (int t = 16; t < 64; ++t) {
    const uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
    const uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = s1 + w[t - 7] + s0 + w[t - 16];
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int t = 0; t < 64; ++t) {
    const uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kK[t] + w[t];
    const uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

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
