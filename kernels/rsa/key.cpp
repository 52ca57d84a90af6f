// key.cpp: RSA key preparation for the kernels (contract in rsa.hpp): the modulus as 64-bit and
// 52-bit limbs and the Montgomery constants of both representations, computed once per key.
//
// R^2 mod n is computed by plain modular doubling from 2^(bits-1) (a few thousand shifts of the
// modulus, well under a millisecond at load): slow but obviously right, and it needs nothing but n.
// -n^-1 mod 2^64 by Newton's iteration x <- x (2 - n x), which doubles the correct low bits each
// step (Montgomery, "Modular multiplication without trial division", 1985; HAC 14.94 for the
// word-level inverse).
#include <algorithm>
#include <cstring>

#include "kernels/rsa/rsa.hpp"

namespace jwtbatch::kernels::rsa {
namespace {

// be_to_limbs64 reads `len` big-endian bytes into `num_limbs` little-endian 64-bit limbs.
void be_to_limbs64(const uint8_t* in, size_t len, uint64_t* out, size_t num_limbs) {
  std::fill(out, out + num_limbs, 0);
  for (size_t i = 0; i < len; ++i) {
    const size_t bit = 8 * (len - 1 - i);
    out[bit / 64] |= static_cast<uint64_t>(in[i]) << (bit % 64);
  }
}

// ge reports a >= b for `num` limbs.
bool ge(const uint64_t* a, const uint64_t* b, size_t num) {
  for (size_t i = num; i-- > 0;)
    if (a[i] != b[i]) return a[i] > b[i];
  return true;
}

void sub_in_place(uint64_t* a, const uint64_t* b, size_t num) {
  unsigned __int128 borrow = 0;
  for (size_t i = 0; i < num; ++i) {
    unsigned __int128 d = static_cast<unsigned __int128>(a[i]) - b[i] - borrow;
    a[i] = static_cast<uint64_t>(d);
    borrow = (d >> 64) & 1;
  }
}

// double_mod_n sets `x` (num limbs, x < n) to x 2^k mod n, one modular doubling at a time.
void double_mod_n(const uint64_t* n, size_t num, size_t k, uint64_t* x) {
  for (size_t i = 0; i < k; ++i) {
    const uint64_t top = x[num - 1] >> 63;
    for (size_t j = num; j-- > 1;) x[j] = (x[j] << 1) | (x[j - 1] >> 63);
    x[0] <<= 1;
    if (top != 0 || ge(x, n, num)) sub_in_place(x, n, num);  // 2x < 2n: one subtraction suffices
  }
}

// pow2_mod_n sets `x` (num limbs, x < n) to 2^k mod n for k >= bits - 1, where n has `bits` bits.
void pow2_mod_n(const uint64_t* n, size_t num, int bits, size_t k, uint64_t* x) {
  std::fill(x, x + num, 0);
  x[(bits - 1) / 64] = uint64_t{1} << ((bits - 1) % 64);  // 2^(bits-1) < n: n is odd and > it
  double_mod_n(n, num, k - static_cast<size_t>(bits - 1), x);
}

// limbs64_to_52 splits `num64` 64-bit limbs into `num52` 52-bit limbs.
void limbs64_to_52(const uint64_t* in, size_t num64, uint64_t* out, size_t num52) {
  constexpr uint64_t kMask = (uint64_t{1} << 52) - 1;
  for (size_t k = 0; k < num52; ++k) {
    const size_t bit = 52 * k, w = bit / 64, sh = bit % 64;
    uint64_t v = w < num64 ? in[w] >> sh : 0;
    if (sh > 12 && w + 1 < num64) v |= in[w + 1] << (64 - sh);
    out[k] = v & kMask;
  }
}

uint64_t neg_inverse64(uint64_t n0) {
  uint64_t x = n0;  // n0 * n0 = 1 mod 8 for odd n0: three correct bits
  for (int i = 0; i < 5; ++i) x *= 2 - n0 * x;
  return ~x + 1;
}

// halve_mod_n sets `x` (num limbs, x < n, n odd) to x 2^-k mod n, one modular halving at a time:
// x / 2 for even x, (x + n) / 2 for odd x (x + n may carry out of the top limb).
void halve_mod_n(const uint64_t* n, size_t num, size_t k, uint64_t* x) {
  for (size_t i = 0; i < k; ++i) {
    uint64_t top = 0;
    if (x[0] & 1) {
      unsigned __int128 carry = 0;
      for (size_t j = 0; j < num; ++j) {
        carry += static_cast<unsigned __int128>(x[j]) + n[j];
        x[j] = static_cast<uint64_t>(carry);
        carry >>= 64;
      }
      top = static_cast<uint64_t>(carry);
    }
    for (size_t j = 0; j + 1 < num; ++j) x[j] = (x[j] >> 1) | (x[j + 1] << 63);
    x[num - 1] = (x[num - 1] >> 1) | (top << 63);
  }
}

// prepare_pkcs1_tables fills key.pkcs1_rows52 and key.pkcs1_base52 (rsa.hpp) from n, e and the
// 64-bit Montgomery constants: K = (R52^-1)^(e-1) by square and multiply, R52^-1 = 2^-(52 L) by
// halvings; the rows by doublings; the bases as EM_h times K 2^104.
void prepare_pkcs1_tables(Key& key) {
  const size_t num = key.num_limbs64, L = key.num_limbs52;
  uint64_t rinv[kMaxLimbs64] = {1}, k[kMaxLimbs64] = {1};
  halve_mod_n(key.n64, num, 52 * L, rinv);
  const uint64_t exp = key.e - 1;  // > 0: e is odd and > 1
  for (int bit = 63 - __builtin_clzll(exp); bit >= 0; --bit) {
    mod_mul_scalar(key, k, k, k);
    if ((exp >> bit) & 1) mod_mul_scalar(key, k, rinv, k);
  }
  double_mod_n(key.n64, num, 104, k);  // K 2^104
  key.pkcs1_rows52.assign(kPkcs1Rows * L + 8, 0);
  uint64_t row[kMaxLimbs64];
  std::memcpy(row, k, sizeof(row));
  for (size_t j = 0; j < kPkcs1Rows; ++j) {
    limbs64_to_52(row, num, key.pkcs1_rows52.data() + j * L, L);
    double_mod_n(key.n64, num, 52, row);
  }
  key.pkcs1_base52.assign(3 * L + 8, 0);
  const size_t digest_lens[3] = {32, 48, 64};
  for (size_t h = 0; h < 3; ++h) {
    uint8_t em[kMaxModulusLen];
    const uint8_t zero[64] = {};
    pkcs1_encode(key.n_len, zero, digest_lens[h], em);  // below n: it starts 00 01
    uint64_t b[kMaxLimbs64];
    be_to_limbs64(em, key.n_len, b, num);
    mod_mul_scalar(key, b, k, b);
    limbs64_to_52(b, num, key.pkcs1_base52.data() + h * L, L);
  }
}

}  // namespace

std::shared_ptr<const Key> prepare_key(std::span<const uint8_t> n, std::span<const uint8_t> e) {
  while (!n.empty() && n.front() == 0) n = n.subspan(1);
  while (!e.empty() && e.front() == 0) e = e.subspan(1);
  if (n.size() != 256 && n.size() != 384 && n.size() != 512) return nullptr;
  if ((n.back() & 1) == 0) return nullptr;
  if (e.empty() || e.size() > 8 || (e.back() & 1) == 0) return nullptr;
  uint64_t ev = 0;
  for (uint8_t b : e) ev = (ev << 8) | b;
  if (ev <= 1) return nullptr;

  auto key = std::make_shared<Key>();
  key->n_len = n.size();
  key->e = ev;
  int lead = 0;
  while ((n.front() << lead & 0x80) == 0) ++lead;
  key->num_bits = static_cast<int>(8 * n.size()) - lead;

  key->num_limbs64 = n.size() / 8;
  be_to_limbs64(n.data(), n.size(), key->n64, key->num_limbs64);
  pow2_mod_n(key->n64, key->num_limbs64, key->num_bits, 2 * 64 * key->num_limbs64, key->rr64);
  key->n0inv64 = neg_inverse64(key->n64[0]);

  // R52 >= 4n keeps almost-Montgomery products below 2n (see avx512_ifma.cpp); blocks of four.
  size_t num52 = (static_cast<size_t>(key->num_bits) + 2 + 51) / 52;
  num52 = (num52 + 3) / 4 * 4;
  key->num_limbs52 = num52;
  limbs64_to_52(key->n64, key->num_limbs64, key->n52, num52);
  uint64_t rr[kMaxLimbs64];
  pow2_mod_n(key->n64, key->num_limbs64, key->num_bits, 2 * 52 * num52, rr);
  limbs64_to_52(rr, key->num_limbs64, key->rr52, num52);
  key->n0inv52 = key->n0inv64 & ((uint64_t{1} << 52) - 1);
  // conv52: row j is 2^(52 (num52 + 2 + j)) mod n, each row 52 doublings mod n from the last.
  key->conv52.resize(num52 * num52);
  uint64_t x[kMaxLimbs64];
  pow2_mod_n(key->n64, key->num_limbs64, key->num_bits, 52 * (num52 + 2), x);
  for (size_t j = 0; j < num52; ++j) {
    limbs64_to_52(x, key->num_limbs64, key->conv52.data() + j * num52, num52);
    double_mod_n(key->n64, key->num_limbs64, 52, x);
  }
  prepare_pkcs1_tables(*key);
  return key;
}

bool below_modulus(const Key& key, const uint8_t* s) noexcept {
  // Big-endian bytes compare like the numbers they encode.
  for (size_t i = 0; i < key.n_len; ++i) {
    const size_t bit = 8 * (key.n_len - 1 - i);
    const uint8_t nb = static_cast<uint8_t>(key.n64[bit / 64] >> (bit % 64));
    if (s[i] != nb) return s[i] < nb;
  }
  return false;  // equal
}

}  // namespace jwtbatch::kernels::rsa
