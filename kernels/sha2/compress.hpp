// compress.hpp (internal): the SHA-2 compression function as FIPS 180-4 writes it (6.2.2 for
// SHA-256, 6.4.2 for SHA-512 and SHA-384), once for both word sizes. It is the portable reference of
// kernels/sha256 and kernels/sha512 (their scalar.cpp), the definition their vector variants are
// tested against; nothing here is tuned.
//
// Params names a member of the family (Sha256Params, Sha512Params below): Word (uint32_t or
// uint64_t), kRounds (64 or 80), kK (the round constants) and the rotation and shift amounts of the
// four functions of 4.1.2 / 4.1.3: kBigSigma0 and kBigSigma1 (three rotations each), kSmallSigma0
// and kSmallSigma1 (two rotations, then a shift).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/sha256/constants.hpp"
#include "kernels/sha512/constants.hpp"

namespace jwtbatch::kernels::sha2 {

// The two members' parameters (FIPS 180-4 4.1.2 and 4.1.3; SHA-384 is SHA-512's compression).
struct Sha256Params {
  using Word = uint32_t;
  static constexpr int kRounds = 64;
  static constexpr const uint32_t* kK = sha256::kK;
  static constexpr int kBigSigma0[3] = {2, 13, 22}, kBigSigma1[3] = {6, 11, 25};
  static constexpr int kSmallSigma0[3] = {7, 18, 3}, kSmallSigma1[3] = {17, 19, 10};
};
struct Sha512Params {
  using Word = uint64_t;
  static constexpr int kRounds = 80;
  static constexpr const uint64_t* kK = sha512::kK;
  static constexpr int kBigSigma0[3] = {28, 34, 39}, kBigSigma1[3] = {14, 18, 41};
  static constexpr int kSmallSigma0[3] = {1, 8, 7}, kSmallSigma1[3] = {19, 61, 6};
};

template <class Word>
constexpr Word rotr(Word x, int n) {
  return static_cast<Word>((x >> n) | (x << (8 * sizeof(Word) - n)));
}

// load_be reads a big-endian Word.
template <class Word>
Word load_be(const uint8_t* p) {
  Word x = 0;
  for (size_t i = 0; i < sizeof(Word); ++i) x = static_cast<Word>((x << 8) | p[i]);
  return x;
}

// compress absorbs one block (16 words) into `h` (steps 1-4 of the section above).
template <class Params>
void compress(typename Params::Word h[8], const uint8_t* block) {
  using Word = typename Params::Word;
  constexpr const int* S0 = Params::kBigSigma0;
  constexpr const int* S1 = Params::kBigSigma1;
  constexpr const int* s0 = Params::kSmallSigma0;
  constexpr const int* s1 = Params::kSmallSigma1;
  Word w[Params::kRounds];
  for (int t = 0; t < 16; ++t) w[t] = load_be<Word>(block + sizeof(Word) * t);
  for (int t = 16; t < Params::kRounds; ++t) {
    const Word x0 = w[t - 15], x1 = w[t - 2];
    const Word sig0 = rotr(x0, s0[0]) ^ rotr(x0, s0[1]) ^ (x0 >> s0[2]);
    const Word sig1 = rotr(x1, s1[0]) ^ rotr(x1, s1[1]) ^ (x1 >> s1[2]);
    w[t] = sig1 + w[t - 7] + sig0 + w[t - 16];
  }
  Word a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int t = 0; t < Params::kRounds; ++t) {
    const Word t1 = hh + (rotr(e, S1[0]) ^ rotr(e, S1[1]) ^ rotr(e, S1[2])) + ((e & f) ^ (~e & g)) + Params::kK[t] + w[t];
    const Word t2 = (rotr(a, S0[0]) ^ rotr(a, S0[1]) ^ rotr(a, S0[2])) + ((a & b) ^ (a & c) ^ (b & c));
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

}  // namespace jwtbatch::kernels::sha2
