// arm_sha512.cpp: SHA-512/384 with the ARMv8.2 SHA-512 instructions, FEAT_SHA512 (contract in
// sha512.hpp): two messages in flight, interleaved round by round, each with its chaining state in
// four 128-bit registers.
//
// References: FIPS 180-4 (6.4.2, the compression; 5.1.2, padding, in padding.hpp); Arm Architecture
// Reference Manual for A-profile (DDI 0487), the pseudocode of SHA512H, SHA512H2, SHA512SU0 and
// SHA512SU1 (A64 Advanced SIMD instructions), reached through the ACLE intrinsics vsha512hq_u64,
// vsha512h2q_u64, vsha512su0q_u64 and vsha512su1q_u64 (arm_neon.h, __ARM_FEATURE_SHA512), whose
// first operand is the instruction's Vd (accumulator), the second Vn, the third Vm.
//
// Two rounds a step, lane 0 being the low 64 bits of a register. The state is held as the pairs
// AB = {a, b}, CD = {c, d}, EF = {e, f}, GH = {g, h} (H0..H7 two words at a time), and for rounds t
// and t+1, KW = {K[t] + W[t], K[t+1] + W[t+1]}:
//   - sha512h(GH + swap(KW), {f, g}, {d, e}) = {T1 of round t+1, T1 of round t}: the high half is
//     h + Sigma1(e) + Ch(e, f, g) + K[t] + W[t]; from it the instruction forms round t+1's e
//     (d + T1) and that round's T1, with g + K[t+1] + W[t+1] as its h + K + W.
//   - The new EF is CD + that result: {c + T1 of t+1, d + T1 of t}, e after two rounds and f (= e
//     after one).
//   - sha512h2(that result, CD, AB) adds Sigma0 and Maj to each T1: the new AB = {a after two
//     rounds, a after one}.
//   - The new CD is the old AB and the new GH the old EF: the registers only change roles.
// The schedule in pairs Wp[i] = {W[2i], W[2i+1]}: sha512su0(Wp[i-8], Wp[i-7]) is W[t-16] +
// sigma0(W[t-15]) for both t, and sha512su1 of that, Wp[i-1] and ext(Wp[i-4], Wp[i-3]) (= {W[2i-7],
// W[2i-6]}) adds sigma1(W[t-2]) + W[t-7]. A block's words are the byte-reversed 64-bit halves of
// 16-byte loads (FIPS 180-4 words are big-endian).
//
// Why two messages: every sha512h and sha512h2 of a message depends on the one before; where their
// latency is several cycles and a new one may issue sooner, one message leaves the unit idle in
// between, and a second, independent message's instructions fill those cycles (as
// kernels/sha256/shani.cpp does with SHA-NI). LaneSet (lanes.hpp) hands each lane its blocks, and a
// message that ends gives its lane to the next; when only one lane has a message left it runs alone
// rather than next to a dummy block. Two lanes' state (8 registers) and schedule (16) fit in the 32
// vector registers, though not with the state to add back and the temporaries (GCC spills some).
// Which width is best on real cores, and what the spills cost, is unmeasured (docs/kernels/sha512.md).
//
// Compiled with -march=armv8.2-a+sha3 (GCC's and clang's switch for these intrinsics; it also allows
// the SHA-256 and SHA-3 instructions): dispatch.cpp calls it only where AT_HWCAP reports Advanced
// SIMD, SHA-256, SHA-3 and SHA-512, which implies an ARMv8.2 CPU. No dynamically initialised globals:
// the round constants are constants.hpp's table.
#include <arm_neon.h>

#include "kernels/sha512/constants.hpp"
#include "kernels/sha512/lanes.hpp"

namespace jwtbatch::kernels::sha512 {
namespace {

// load_pair reads the big-endian words {W[2i], W[2i+1]} at `p`.
inline uint64x2_t load_pair(const uint8_t* p) { return vreinterpretq_u64_u8(vrev64q_u8(vld1q_u8(p))); }

// compress absorbs blocks[l] into s[l] for the N (1 or 2) messages l, each s[l] being {AB, CD, EF,
// GH}. The loop over messages is innermost and unrolled, so each step issues N independent chains.
template <int N>
inline void compress(uint64x2_t (*s)[4], const uint8_t* const* blocks) {
  uint64x2_t ab[N], cd[N], ef[N], gh[N], w[N][8];
#pragma GCC unroll 2
  for (int l = 0; l < N; ++l) {
    ab[l] = s[l][0], cd[l] = s[l][1], ef[l] = s[l][2], gh[l] = s[l][3];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) w[l][i] = load_pair(blocks[l] + 16 * i);
  }
  // Step i is rounds 2i and 2i+1; w[l][i % 8] holds Wp[i-8] until replaced by Wp[i].
#pragma GCC unroll 40
  for (int i = 0; i < 40; ++i) {
    const uint64x2_t k = vld1q_u64(kK + 2 * i);
#pragma GCC unroll 2
    for (int l = 0; l < N; ++l) {
      uint64x2_t& wi = w[l][i & 7];
      if (i >= 8) {
        const uint64x2_t w7 = vextq_u64(w[l][(i + 4) & 7], w[l][(i + 5) & 7], 1);  // {W[2i-7], W[2i-6]}
        wi = vsha512su1q_u64(vsha512su0q_u64(wi, w[l][(i + 1) & 7]), w[l][(i + 7) & 7], w7);
      }
      const uint64x2_t kw = vaddq_u64(wi, k);
      const uint64x2_t t1 = vsha512hq_u64(vaddq_u64(gh[l], vextq_u64(kw, kw, 1)), vextq_u64(ef[l], gh[l], 1),
                                          vextq_u64(cd[l], ef[l], 1));
      const uint64x2_t new_ab = vsha512h2q_u64(t1, cd[l], ab[l]);
      gh[l] = ef[l];
      ef[l] = vaddq_u64(cd[l], t1);
      cd[l] = ab[l];
      ab[l] = new_ab;
    }
  }
#pragma GCC unroll 2
  for (int l = 0; l < N; ++l) {
    s[l][0] = vaddq_u64(s[l][0], ab[l]);
    s[l][1] = vaddq_u64(s[l][1], cd[l]);
    s[l][2] = vaddq_u64(s[l][2], ef[l]);
    s[l][3] = vaddq_u64(s[l][3], gh[l]);
  }
}

// LaneSet<2>::state rows are {word j of lane 0, word j of lane 1}; zip1/zip2 of two rows give the
// pair {Hj, Hj+1} of lane 0 and of lane 1, and back.
inline void load_states(const uint64_t (*state)[2], uint64x2_t (*s)[4]) {
  for (int k = 0; k < 4; ++k) {
    const uint64x2_t even = vld1q_u64(state[2 * k]), odd = vld1q_u64(state[2 * k + 1]);
    s[0][k] = vzip1q_u64(even, odd);
    s[1][k] = vzip2q_u64(even, odd);
  }
}

inline void store_states(uint64x2_t (*s)[4], uint64_t (*state)[2]) {
  for (int k = 0; k < 4; ++k) {
    vst1q_u64(state[2 * k], vzip1q_u64(s[0][k], s[1][k]));
    vst1q_u64(state[2 * k + 1], vzip2q_u64(s[0][k], s[1][k]));
  }
}

}  // namespace

void sha512_many_arm_sha512(const Sha512Msg* msgs, size_t num_msgs) noexcept {
  LaneSet<2> lanes(msgs, num_msgs);
  const uint8_t* blocks[2];
  while (lanes.next_blocks(blocks)) {
    uint64x2_t s[2][4];
    load_states(lanes.state, s);
    if (lanes.busy(0) && lanes.busy(1)) {
      compress<2>(s, blocks);
    } else {
      const size_t l = lanes.busy(0) ? 0 : 1;
      compress<1>(&s[l], &blocks[l]);
    }
    store_states(s, lanes.state);
    lanes.advance();
  }
}

}  // namespace jwtbatch::kernels::sha512
