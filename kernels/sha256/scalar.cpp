// scalar.cpp: the portable reference of the multi-buffer SHA-256 kernels (contract in sha256.hpp):
// each message on its own, FIPS 180-4 as written.
//
// References: FIPS 180-4 (Secure Hash Standard, 2015): 4.1.2 and 4.2.2 (functions and constants),
// 5.1.1 (padding), 5.3.3 (initial value), 6.2.2 (the compression: message schedule, 64 rounds).
// Plain portable C++: it builds on every target (ARM64 included), and is the definition the SHA-NI
// variant is tested against.
#include <cstring>

#include "kernels/sha256/sha256.hpp"

namespace jwtbatch::kernels::sha256 {
namespace {

// FIPS 180-4 4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
constexpr uint32_t kK[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// FIPS 180-4 5.3.3: the first 32 bits of the fractional parts of the square roots of the first 8 primes.
constexpr uint32_t kInitial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

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
