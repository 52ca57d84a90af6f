// scalar.cpp: the portable reference of the multi-buffer SHA-512/384 kernels (contract in
// sha512.hpp): each message on its own, FIPS 180-4 as written.
//
// References: FIPS 180-4 (Secure Hash Standard, 2015): 4.1.3 and 4.2.3 (functions and constants),
// 5.1.2 (padding), 5.3.4 and 5.3.5 (initial values), 6.4.2 (the compression: message schedule, 80
// rounds, kernels/sha2/compress.hpp), 6.5 (SHA-384: another initial value, the first six words of
// the result).
#include <cstring>

#include "kernels/sha2/compress.hpp"
#include "kernels/sha512/constants.hpp"
#include "kernels/sha512/padding.hpp"
#include "kernels/sha512/sha512.hpp"

namespace jwtbatch::kernels::sha512 {
namespace {

void compress(uint64_t h[8], const uint8_t* block) { sha2::compress<sha2::Sha512Params>(h, block); }

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
