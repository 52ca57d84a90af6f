// scalar.cpp: the portable reference of the multi-buffer SHA-512/384 kernels (contract in
// sha512.hpp): each message on its own, FIPS 180-4 as written.
//
// References: FIPS 180-4 (Secure Hash Standard, 2015): 4.1.3 and 4.2.3 (functions and constants),
// 5.1.2 (padding), 5.3.4 and 5.3.5 (initial values), 6.4.2 (the compression: message schedule, 80
// rounds), 6.5 (SHA-384: another initial value, the first six words of the result).
#include <cstring>

#include "kernels/sha512/constants.hpp"
#include "kernels/sha512/padding.hpp"
#include "kernels/sha512/sha512.hpp"

namespace jwtbatch::kernels::sha512 {
namespace {

constexpr uint64_t rotr(uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }

// compress absorbs one 128-byte block into `h` (FIPS 180-4 6.4.2 steps 1-4).
void compress(uint64_t h[8], const uint8_t* block) {
  uint64_t w[80];
  for (int t = 0; t < 16; ++t) w[t] = load_be64(block + 8 * t);
  for (int t = 16; t < 80; ++t) {
    const uint64_t s0 = rotr(w[t - 15], 1) ^ rotr(w[t - 15], 8) ^ (w[t - 15] >> 7);
    const uint64_t s1 = rotr(w[t - 2], 19) ^ rotr(w[t - 2], 61) ^ (w[t - 2] >> 6);
    w[t] = s1 + w[t - 7] + s0 + w[t - 16];
  }
  uint64_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int t = 0; t < 80; ++t) {
    const uint64_t t1 = hh + (rotr(e, 14) ^ rotr(e, 18) ^ rotr(e, 41)) + ((e & f) ^ (~e & g)) + kK[t] + w[t];
    const uint64_t t2 = (rotr(a, 28) ^ rotr(a, 34) ^ rotr(a, 39)) + ((a & b) ^ (a & c) ^ (b & c));
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

void hash_one(const Sha512Msg& m) {
  uint64_t h[8];
  std::memcpy(h, initial_value(m), sizeof(h));
  const size_t num_full = m.len / kBlockLen;
  for (size_t i = 0; i < num_full; ++i) compress(h, m.data + i * kBlockLen);
  uint8_t tail[2 * kBlockLen];
  const size_t tail_blocks = pad_tail(m, tail);
  for (size_t i = 0; i < tail_blocks; ++i) compress(h, tail + i * kBlockLen);
  store_digest(h, m);
}

}  // namespace

void sha512_many_scalar(const Sha512Msg* msgs, size_t num_msgs) noexcept {
  for (size_t i = 0; i < num_msgs; ++i) hash_one(msgs[i]);
}

}  // namespace jwtbatch::kernels::sha512
