// lanes.hpp (internal): the lane machinery the vector variants of kernels/sha512 share: which
// message each lane hashes, which block it takes next, and the compression of one block in every
// lane, written once over a variant's vector operations (`Ops`, see avx2.cpp and avx512.cpp).
// arm_sha512.cpp uses LaneSet alone, with its own compression.
// Like padding.hpp, everything is in an unnamed namespace: each variant's file compiles its own
// copy with its own ISA flags.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/sha512/constants.hpp"
#include "kernels/sha512/padding.hpp"
#include "kernels/sha512/sha512.hpp"

namespace jwtbatch::kernels::sha512 {
namespace {

// LaneSet runs msgs[0..num) through W lanes: a lane hashes its message's whole blocks straight from
// `data`, then its padded tail (one or two blocks of its own buffer), writes the digest and takes
// the next message. A lane with no message left hashes a block of zeros whose result is dropped.
// state[j][i] is word Hj of lane i, the layout a vector variant loads and stores with one
// instruction per word.
template <size_t W>
class LaneSet {
 public:
  LaneSet(const Sha512Msg* msgs, size_t num) : msgs_(msgs), num_(num) {
    for (size_t i = 0; i < W; ++i) take_next(i);
  }

  // next_blocks sets blocks[i] to the block lane i hashes next; false when every lane is idle.
  bool next_blocks(const uint8_t* blocks[W]) const {
    bool any = false;
    for (size_t i = 0; i < W; ++i) {
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

  // busy returns true iff lane `i` has a message (false once no message was left for it to take).
  bool busy(size_t i) const { return lanes_[i].msg != nullptr; }

  // advance moves every busy lane past the block it just hashed; a lane whose message is done
  // writes its digest and takes the next message.
  void advance() {
    for (size_t i = 0; i < W; ++i) {
      Lane& l = lanes_[i];
      if (l.msg == nullptr) continue;
      if (l.whole_left != 0) {
        --l.whole_left;
        l.data += kBlockLen;
        continue;
      }
      if (++l.tail_done < l.tail_blocks) continue;
      uint64_t h[8];
      for (size_t j = 0; j < 8; ++j) h[j] = state[j][i];
      store_digest(h, *l.msg);
      take_next(i);
    }
  }

  alignas(64) uint64_t state[8][W];

 private:
  struct Lane {
    const Sha512Msg* msg = nullptr;  // null: idle
    const uint8_t* data = nullptr;   // its next whole block
    size_t whole_left = 0;           // whole blocks of data not yet hashed
    size_t tail_blocks = 0, tail_done = 0;
    alignas(64) uint8_t tail[2 * kBlockLen];
  };

  void take_next(size_t i) {
    Lane& l = lanes_[i];
    if (next_ == num_) {
      l.msg = nullptr;
      return;
    }
    const Sha512Msg& m = msgs_[next_++];
    l.msg = &m;
    l.data = m.data;
    l.whole_left = m.len / kBlockLen;
    l.tail_blocks = pad_tail(m, l.tail);
    l.tail_done = 0;
    const uint64_t* iv = initial_value(m);
    for (size_t j = 0; j < 8; ++j) state[j][i] = iv[j];
  }

  alignas(64) static constexpr uint8_t kZeroBlock[kBlockLen] = {};
  const Sha512Msg* msgs_;
  size_t num_, next_ = 0;
  Lane lanes_[W];
};

// compress_lanes absorbs blocks[i] into lane i of `state` for every lane (FIPS 180-4 6.4.2), on
// the vector type Ops::V of Ops::kLanes 64-bit lanes. Ops supplies load/store of a state row, add,
// xor3, ch, maj, ror<N>, shr<N>, the broadcast of a round constant and load_words (the 16
// big-endian words of each lane's block, transposed: w[t] holds word t of every lane).
template <class Ops>
inline void compress_lanes(uint64_t (*state)[Ops::kLanes], const uint8_t* const* blocks) {
  using V = typename Ops::V;
  V w[16];
  Ops::load_words(blocks, w);
  V a = Ops::load(state[0]), b = Ops::load(state[1]), c = Ops::load(state[2]), d = Ops::load(state[3]);
  V e = Ops::load(state[4]), f = Ops::load(state[5]), g = Ops::load(state[6]), h = Ops::load(state[7]);
#pragma GCC unroll 80
  for (int t = 0; t < 80; ++t) {
    if (t >= 16) {
      const V w15 = w[(t - 15) & 15], w2 = w[(t - 2) & 15];
      const V s0 = Ops::xor3(Ops::template ror<1>(w15), Ops::template ror<8>(w15), Ops::template shr<7>(w15));
      const V s1 = Ops::xor3(Ops::template ror<19>(w2), Ops::template ror<61>(w2), Ops::template shr<6>(w2));
      w[t & 15] = Ops::add(Ops::add(s1, w[(t - 7) & 15]), Ops::add(s0, w[t & 15]));
    }
    const V big_s1 = Ops::xor3(Ops::template ror<14>(e), Ops::template ror<18>(e), Ops::template ror<41>(e));
    const V t1 = Ops::add(Ops::add(h, big_s1), Ops::add(Ops::ch(e, f, g), Ops::add(Ops::constant(kK[t]), w[t & 15])));
    const V big_s0 = Ops::xor3(Ops::template ror<28>(a), Ops::template ror<34>(a), Ops::template ror<39>(a));
    const V t2 = Ops::add(big_s0, Ops::maj(a, b, c));
    h = g;
    g = f;
    f = e;
    e = Ops::add(d, t1);
    d = c;
    c = b;
    b = a;
    a = Ops::add(t1, t2);
  }
  Ops::store(state[0], Ops::add(Ops::load(state[0]), a));
  Ops::store(state[1], Ops::add(Ops::load(state[1]), b));
  Ops::store(state[2], Ops::add(Ops::load(state[2]), c));
  Ops::store(state[3], Ops::add(Ops::load(state[3]), d));
  Ops::store(state[4], Ops::add(Ops::load(state[4]), e));
  Ops::store(state[5], Ops::add(Ops::load(state[5]), f));
  Ops::store(state[6], Ops::add(Ops::load(state[6]), g));
  Ops::store(state[7], Ops::add(Ops::load(state[7]), h));
}

// hash_in_lanes is a vector variant's sha512_many: every message through Ops::kLanes lanes.
template <class Ops>
inline void hash_in_lanes(const Sha512Msg* msgs, size_t num_msgs) {
  LaneSet<Ops::kLanes> lanes(msgs, num_msgs);
  const uint8_t* blocks[Ops::kLanes];
  while (lanes.next_blocks(blocks)) {
    compress_lanes<Ops>(lanes.state, blocks);
    lanes.advance();
  }
}

}  // namespace
}  // namespace jwtbatch::kernels::sha512
