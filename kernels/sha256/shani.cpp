// shani.cpp: multi-buffer SHA-256 with the x86 SHA extensions (contract in sha256.hpp): up to four
// independent messages in flight, interleaved block by block.
//
// References: FIPS 180-4 (6.2.2, the compression; 5.1.1, padding); Intel, "Intel SHA Extensions:
// New Instructions Supporting the Secure Hash Algorithm on Intel Architecture Processors" (Gulley,
// Gopal, Yap, Feghali, Guilford, Wolrich, 2013), for the instruction flow: the state kept as the two
// words ABEF and CDGH, sha256rnds2 doing two rounds with W+K in the low half of its implicit xmm0
// operand, and the schedule W[t] for four t at a time from sha256msg1 (W[t-16] + sigma0(W[t-15])),
// one palignr (W[t-7]) and sha256msg2 (the sigma1(W[t-2]) terms, two of which depend on the words
// just produced).
//
// Why several messages: a block is 32 sha256rnds2, each depending on the one before; where the
// instruction's latency is several cycles and one issues per cycle, one message leaves most of the
// unit idle. Rounds of independent messages fill it, so lanes are interleaved round by round. Each lane has its
// own message and block cursor; full blocks are read straight from the message, the last one or two
// (the rest, the padding and the length) from a per-lane tail buffer. When a lane's message ends its
// digest is written and the next message takes the lane; once fewer messages remain than lanes, the
// remaining ones run narrower (down to one stream) rather than hashing dummies.
//
// The SHA instructions have only legacy SSE encodings, so they reach xmm0-xmm15 only: four lanes'
// state (8 registers) and schedule (16) do not all fit, and GCC 12 spills some of both (a spilled
// state adds a store-to-load delay to its lane's chain). Where this code stands against the
// instruction mix's bound, and the schedules and builds tried without gain (an AVX-512VL build
// among them, hence no such variant): docs/kernels/sha256.md, measured with bench/sha_bench.cpp.
// No dynamically initialised globals: the round constants are a constant table.
#include <immintrin.h>

#include <cstring>

#include "kernels/sha256/constants.hpp"
#include "kernels/sha256/sha256.hpp"

namespace jwtbatch::kernels::sha256 {
namespace {

// The byte order of a message word is big-endian (FIPS 180-4 3.1): reverse each 32-bit word.
inline __m128i bswap32(__m128i x) {
  return _mm_shuffle_epi8(x, _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL));
}

// Lane is one message in flight.
struct Lane {
  __m128i abef;            // state words A, B, E, F (A in the top 32 bits), as sha256rnds2 wants
  __m128i cdgh;            // C, D, G, H
  const uint8_t* next;     // the next full block of the message
  size_t num_full;         // full blocks of the message left
  uint32_t tail_off;       // offset in `tail` of the next tail block
  uint32_t tail_len;       // 64 or 128
  uint8_t* out;
  alignas(16) uint8_t tail[2 * kBlockLen];  // the rest of the message, the padding, the length
};

// start puts message `m` into `lane`: its chaining state and its tail (FIPS 180-4 5.1.1).
inline void start(Lane& lane, const Sha256Msg& m) {
  const uint32_t* h = m.iv != nullptr ? m.iv : kInitial;
  // H0..H3 = (A, B, C, D) and H4..H7 = (E, F, G, H), lowest word first; rearranged into
  // ABEF = (F, E, B, A) and CDGH = (H, G, D, C), lowest word first.
  const __m128i abcd = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h));
  const __m128i efgh = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + 4));
  const __m128i badc = _mm_shuffle_epi32(abcd, 0xb1);
  const __m128i hgfe = _mm_shuffle_epi32(efgh, 0x1b);
  lane.abef = _mm_alignr_epi8(badc, hgfe, 8);
  lane.cdgh = _mm_blend_epi16(hgfe, badc, 0xf0);
  lane.num_full = m.len / kBlockLen;
  lane.next = m.data;
  lane.out = m.out;
  const size_t rest = m.len - lane.num_full * kBlockLen;
  const size_t tail_len = rest + 9 <= kBlockLen ? kBlockLen : 2 * kBlockLen;
  std::memset(lane.tail, 0, sizeof(lane.tail));
  if (rest != 0) std::memcpy(lane.tail, m.data + lane.num_full * kBlockLen, rest);
  lane.tail[rest] = 0x80;
  const uint64_t bits = (m.prefix_len + m.len) * 8;
  for (int i = 0; i < 8; ++i) lane.tail[tail_len - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
  lane.tail_off = 0;
  lane.tail_len = static_cast<uint32_t>(tail_len);
}

inline const uint8_t* block_of(const Lane& lane) {
  return lane.num_full != 0 ? lane.next : lane.tail + lane.tail_off;
}

// advance moves `lane` past the block just compressed; returns true when the message is done.
inline bool advance(Lane& lane) {
  if (lane.num_full != 0) {
    lane.next += kBlockLen;
    --lane.num_full;
    return false;
  }
  lane.tail_off += kBlockLen;
  return lane.tail_off == lane.tail_len;
}

// finish writes the digest of `lane`: (A..H) back from ABEF/CDGH, each word big-endian.
inline void finish(const Lane& lane) {
  const __m128i feba = _mm_shuffle_epi32(lane.abef, 0x1b);  // (A, B, E, F) lowest first
  const __m128i dchg = _mm_shuffle_epi32(lane.cdgh, 0xb1);  // (G, H, C, D)
  const __m128i abcd = _mm_blend_epi16(feba, dchg, 0xf0);
  const __m128i efgh = _mm_alignr_epi8(dchg, feba, 8);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(lane.out), bswap32(abcd));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(lane.out + 16), bswap32(efgh));
}

// run compresses blocks of lanes[0..N-1] until the message of at least one lane ends (its lane's
// tail_off then equals tail_len). The lanes' rounds are interleaved: the loops over lanes are
// innermost and unrolled, so every step issues N independent instructions. The chaining states stay
// in registers from block to block: a round trip through memory (Lane::abef) would add a store-to-load
// forwarding delay to every block's dependency chain.
template <int N>
void run(Lane* lanes) {
  __m128i abef[N], cdgh[N];
#pragma GCC unroll 4
  for (int l = 0; l < N; ++l) {
    abef[l] = lanes[l].abef;
    cdgh[l] = lanes[l].cdgh;
  }
  for (;;) {
    const uint8_t* p[N];
    __m128i abef0[N], cdgh0[N], w[N][4];
#pragma GCC unroll 4
    for (int l = 0; l < N; ++l) {
      p[l] = block_of(lanes[l]);
      abef0[l] = abef[l];
      cdgh0[l] = cdgh[l];
    }
    // Group g is rounds 4g..4g+3: the words W[4g..4g+3] (w[.][g % 4]) plus their constants, two
    // rounds in the low half of the operand and two after moving the high half down.
#pragma GCC unroll 16
    for (int g = 0; g < 16; ++g) {
      const __m128i k = _mm_load_si128(reinterpret_cast<const __m128i*>(kK + 4 * g));
#pragma GCC unroll 4
      for (int l = 0; l < N; ++l) {
        __m128i& wg = w[l][g & 3];
        if (g < 4) {
          wg = bswap32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p[l] + 16 * g)));
        } else {
          // W[t..t+3] = sigma1 terms + W[t-7..t-4] + sigma0(W[t-15..t-12]) + W[t-16..t-13].
          const __m128i w16 = wg;                 // W[t-16..t-13]
          const __m128i w12 = w[l][(g + 1) & 3];  // W[t-12..t-9]
          const __m128i w8 = w[l][(g + 2) & 3];   // W[t-8..t-5]
          const __m128i w4 = w[l][(g + 3) & 3];   // W[t-4..t-1]
          const __m128i s = _mm_add_epi32(_mm_sha256msg1_epu32(w16, w12), _mm_alignr_epi8(w4, w8, 4));
          wg = _mm_sha256msg2_epu32(s, w4);
        }
        const __m128i wk = _mm_add_epi32(wg, k);
        // rnds2 takes CDGH and ABEF and returns the new ABEF; the new CDGH is the old ABEF, so the
        // two registers swap roles every call and are back in place after each pair.
        cdgh[l] = _mm_sha256rnds2_epu32(cdgh[l], abef[l], wk);
        abef[l] = _mm_sha256rnds2_epu32(abef[l], cdgh[l], _mm_shuffle_epi32(wk, 0x0e));
      }
    }
    bool ended = false;
#pragma GCC unroll 4
    for (int l = 0; l < N; ++l) {
      abef[l] = _mm_add_epi32(abef[l], abef0[l]);
      cdgh[l] = _mm_add_epi32(cdgh[l], cdgh0[l]);
      ended |= advance(lanes[l]);
    }
    if (ended) break;
  }
#pragma GCC unroll 4
  for (int l = 0; l < N; ++l) {
    lanes[l].abef = abef[l];
    lanes[l].cdgh = cdgh[l];
  }
}

}  // namespace

void sha256_many_shani_lanes(const Sha256Msg* msgs, size_t num_msgs, size_t max_lanes) noexcept {
  if (max_lanes < 1) max_lanes = 1;
  if (max_lanes > kMaxLanes) max_lanes = kMaxLanes;
  Lane lanes[kMaxLanes];
  size_t active = 0, next_msg = 0;
  while (active < max_lanes && next_msg < num_msgs) start(lanes[active++], msgs[next_msg++]);
  // Active lanes stay packed at the front: a lane whose message ended takes the next message, or,
  // when none is left, the last active lane moves into its place and the width shrinks.
  while (active != 0) {
    switch (active) {
      case 4: run<4>(lanes); break;
      case 3: run<3>(lanes); break;
      case 2: run<2>(lanes); break;
      default: run<1>(lanes); break;
    }
    for (size_t l = 0; l < active;) {
      if (lanes[l].tail_off != lanes[l].tail_len) {
        ++l;
        continue;
      }
      finish(lanes[l]);
      if (next_msg < num_msgs) {
        start(lanes[l++], msgs[next_msg++]);
      } else if (l != --active) {
        lanes[l] = lanes[active];  // not looked at yet: this slot is looked at again
      }
    }
  }
}

void sha256_many_shani(const Sha256Msg* msgs, size_t num_msgs) noexcept {
  sha256_many_shani_lanes(msgs, num_msgs, kMaxLanes);
}

}  // namespace jwtbatch::kernels::sha256
