// avx512.cpp: SHA-256 in 16 lanes of ZMM registers (contract in sha256.hpp): one message a 32-bit
// lane, vprord for the rotations, vpternlogd for Ch, Maj and the three-way xors, vpshufb (AVX-512
// BW) for the byte order, a 16x16 transposition of each block set into words. Compiled with
// -mavx512f -mavx512bw; dispatch.cpp offers it only where the CPU has both.
//
// Why it exists beside SHA-NI: a SHA-NI stream is one dependent chain of sha256rnds2 (about 70
// cycles a block with four messages interleaved on Zen 4, docs/kernels/sha256.md), while here 16
// messages advance with plain vector arithmetic, about 30 vector operations a round for all of them.
// Which is faster depends on the CPU and on how many messages a call has (a lane without a message
// hashes zeros); docs/kernels/sha256.md has the measurements that decide the engine's use.
//
// Scheduling: a lane hashes its message's whole blocks straight from `data`, then its padded tail
// (one or two blocks of its own buffer), writes the digest and takes the next message, so messages
// of mixed lengths keep the lanes busy; an idle lane hashes a block of zeros whose result is dropped.
//
// References: FIPS 180-4 (6.2.2 the compression, 5.1.1 padding, 5.3.3 the initial value); Intel,
// "Intel 64 and IA-32 Architectures Software Developer's Manual" (VPRORD, VPTERNLOGD, VSHUFI32X4);
// Gueron and Krasnov, "Parallelizing message schedules to accelerate the computations of hash
// functions" (2012), for hashing independent messages in vector lanes.
#include <immintrin.h>

#include <cstring>

// GCC 12 reports the self-initialisation inside _mm512_undefined_epi32 (behind the unpack and
// shuffle intrinsics) as "may be used uninitialized" once they are inlined; it is not.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "kernels/sha256/constants.hpp"
#include "kernels/sha256/sha256.hpp"

namespace jwtbatch::kernels::sha256 {
namespace {

using V = __m512i;
constexpr size_t kLanes = 16;

inline void store_be32(uint8_t* p, uint32_t x) {
  p[0] = static_cast<uint8_t>(x >> 24);
  p[1] = static_cast<uint8_t>(x >> 16);
  p[2] = static_cast<uint8_t>(x >> 8);
  p[3] = static_cast<uint8_t>(x);
}

// Lanes runs msgs[0..num) through the 16 lanes. state[j][i] is word Hj of lane i, the layout
// loaded and stored with one instruction per word.
class Lanes {
 public:
  Lanes(const Sha256Msg* msgs, size_t num) : msgs_(msgs), num_(num) {
    for (size_t i = 0; i < kLanes; ++i) take_next(i);
  }

  // next_blocks sets blocks[i] to the block lane i hashes next; false when every lane is idle.
  bool next_blocks(const uint8_t* blocks[kLanes]) const {
    bool any = false;
    for (size_t i = 0; i < kLanes; ++i) {
      const Lane& l = lanes_[i];
      if (l.msg == nullptr) {
        blocks[i] = kZeroBlock;
      } else {
        blocks[i] = l.whole_left != 0 ? l.data : l.tail + l.tail_done * kBlockLen;
        any = true;
      }
    }
    return any;
  }

  // advance moves every busy lane past the block it just hashed; a lane whose message is done
  // writes its digest and takes the next message.
  void advance() {
    for (size_t i = 0; i < kLanes; ++i) {
      Lane& l = lanes_[i];
      if (l.msg == nullptr) continue;
      if (l.whole_left != 0) {
        --l.whole_left;
        l.data += kBlockLen;
        continue;
      }
      if (++l.tail_done < l.tail_blocks) continue;
      for (size_t j = 0; j < 8; ++j) store_be32(l.msg->out + 4 * j, state[j][i]);
      take_next(i);
    }
  }

  alignas(64) uint32_t state[8][kLanes];

 private:
  struct Lane {
    const Sha256Msg* msg = nullptr;  // null: idle
    const uint8_t* data = nullptr;   // its next whole block
    size_t whole_left = 0;           // whole blocks of data not yet hashed
    size_t tail_blocks = 0, tail_done = 0;
    alignas(64) uint8_t tail[2 * kBlockLen];
  };

  // take_next gives lane i the next message: its chaining state and its padded tail (FIPS 180-4
  // 5.1.1: the rest, a 1 bit, zeros, the length in bits as a 64-bit big-endian number, ending on a
  // block boundary: one block when the rest leaves at least 9 bytes of room, else two).
  void take_next(size_t i) {
    Lane& l = lanes_[i];
    if (next_ == num_) {
      l.msg = nullptr;
      return;
    }
    const Sha256Msg& m = msgs_[next_++];
    l.msg = &m;
    l.data = m.data;
    l.whole_left = m.len / kBlockLen;
    const size_t rest = m.len % kBlockLen;
    l.tail_blocks = rest + 9 <= kBlockLen ? 1 : 2;
    std::memset(l.tail, 0, l.tail_blocks * kBlockLen);
    if (rest != 0) std::memcpy(l.tail, m.data + (m.len - rest), rest);
    l.tail[rest] = 0x80;
    const uint64_t bits = (m.prefix_len + m.len) * 8;
    store_be32(l.tail + l.tail_blocks * kBlockLen - 8, static_cast<uint32_t>(bits >> 32));
    store_be32(l.tail + l.tail_blocks * kBlockLen - 4, static_cast<uint32_t>(bits));
    l.tail_done = 0;
    const uint32_t* iv = m.iv != nullptr ? m.iv : kInitial;
    for (size_t j = 0; j < 8; ++j) state[j][i] = iv[j];
  }

  alignas(64) static constexpr uint8_t kZeroBlock[kBlockLen] = {};
  const Sha256Msg* msgs_;
  size_t num_, next_ = 0;
  Lane lanes_[kLanes];
};

// load_words sets w[t] to big-endian word t of every lane's block: the 16 blocks as rows,
// byte-swapped, then the 16x16 matrix of words transposed: 32-bit then 64-bit unpacks (words
// 4q + m of four rows in each 128-bit quarter q), then a 4x4 transposition of 128-bit quarters.
inline void load_words(const uint8_t* const* blocks, V w[16]) {
  const V bswap = _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b, 0x04050607, 0x00010203);
  V r[16], a[16], b[16];
  for (int i = 0; i < 16; ++i) r[i] = _mm512_shuffle_epi8(_mm512_loadu_si512(blocks[i]), bswap);
  for (int j = 0; j < 8; ++j) {
    a[2 * j] = _mm512_unpacklo_epi32(r[2 * j], r[2 * j + 1]);      // words 4q, 4q+1 of rows 2j, 2j+1
    a[2 * j + 1] = _mm512_unpackhi_epi32(r[2 * j], r[2 * j + 1]);  // words 4q+2, 4q+3
  }
  for (int k = 0; k < 4; ++k) {  // b[4k + m], quarter q: word 4q + m of rows 4k..4k+3
    b[4 * k + 0] = _mm512_unpacklo_epi64(a[4 * k], a[4 * k + 2]);
    b[4 * k + 1] = _mm512_unpackhi_epi64(a[4 * k], a[4 * k + 2]);
    b[4 * k + 2] = _mm512_unpacklo_epi64(a[4 * k + 1], a[4 * k + 3]);
    b[4 * k + 3] = _mm512_unpackhi_epi64(a[4 * k + 1], a[4 * k + 3]);
  }
  for (int m = 0; m < 4; ++m) {
    const V c0 = _mm512_shuffle_i32x4(b[m], b[4 + m], 0x44);       // quarters 0, 1 of rows 0-3, 4-7
    const V c1 = _mm512_shuffle_i32x4(b[m], b[4 + m], 0xee);       // quarters 2, 3
    const V c2 = _mm512_shuffle_i32x4(b[8 + m], b[12 + m], 0x44);  // rows 8-11, 12-15
    const V c3 = _mm512_shuffle_i32x4(b[8 + m], b[12 + m], 0xee);
    w[m] = _mm512_shuffle_i32x4(c0, c2, 0x88);       // quarter 0 of every row group: word m
    w[4 + m] = _mm512_shuffle_i32x4(c0, c2, 0xdd);   // word 4 + m
    w[8 + m] = _mm512_shuffle_i32x4(c1, c3, 0x88);   // word 8 + m
    w[12 + m] = _mm512_shuffle_i32x4(c1, c3, 0xdd);  // word 12 + m
  }
}

// vpternlogd truth tables, indexed by (a << 2) | (b << 1) | c: odd parity 0x96, a ? b : c 0xca,
// majority 0xe8.
inline V xor3(V a, V b, V c) { return _mm512_ternarylogic_epi32(a, b, c, 0x96); }
inline V add(V a, V b) { return _mm512_add_epi32(a, b); }

// compress absorbs blocks[i] into lane i of `state` (FIPS 180-4 6.2.2).
inline void compress(uint32_t (*state)[kLanes], const uint8_t* const* blocks) {
  V w[16];
  load_words(blocks, w);
  V a = _mm512_load_si512(state[0]), b = _mm512_load_si512(state[1]), c = _mm512_load_si512(state[2]);
  V d = _mm512_load_si512(state[3]), e = _mm512_load_si512(state[4]), f = _mm512_load_si512(state[5]);
  V g = _mm512_load_si512(state[6]), h = _mm512_load_si512(state[7]);
#pragma GCC unroll 64
  for (int t = 0; t < 64; ++t) {
    if (t >= 16) {
      const V w15 = w[(t - 15) & 15], w2 = w[(t - 2) & 15];
      const V s0 = xor3(_mm512_ror_epi32(w15, 7), _mm512_ror_epi32(w15, 18), _mm512_srli_epi32(w15, 3));
      const V s1 = xor3(_mm512_ror_epi32(w2, 17), _mm512_ror_epi32(w2, 19), _mm512_srli_epi32(w2, 10));
      w[t & 15] = add(add(s1, w[(t - 7) & 15]), add(s0, w[t & 15]));
    }
    const V big_s1 = xor3(_mm512_ror_epi32(e, 6), _mm512_ror_epi32(e, 11), _mm512_ror_epi32(e, 25));
    const V ch = _mm512_ternarylogic_epi32(e, f, g, 0xca);
    const V kw = add(_mm512_set1_epi32(static_cast<int>(kK[t])), w[t & 15]);
    const V t1 = add(add(h, big_s1), add(ch, kw));
    const V big_s0 = xor3(_mm512_ror_epi32(a, 2), _mm512_ror_epi32(a, 13), _mm512_ror_epi32(a, 22));
    const V t2 = add(big_s0, _mm512_ternarylogic_epi32(a, b, c, 0xe8));
    h = g;
    g = f;
    f = e;
    e = add(d, t1);
    d = c;
    c = b;
    b = a;
    a = add(t1, t2);
  }
  const V out[8] = {a, b, c, d, e, f, g, h};
  for (int j = 0; j < 8; ++j) _mm512_store_si512(state[j], add(_mm512_load_si512(state[j]), out[j]));
}

}  // namespace

void sha256_many_avx512(const Sha256Msg* msgs, size_t num_msgs) noexcept {
  Lanes lanes(msgs, num_msgs);
  const uint8_t* blocks[kLanes];
  while (lanes.next_blocks(blocks)) {
    compress(lanes.state, blocks);
    lanes.advance();
  }
}

}  // namespace jwtbatch::kernels::sha256
