// scalar.cpp: the portable reference of the RSA public operation (contract in rsa.hpp).
//
// Montgomery multiplication on 64-bit limbs, the CIOS form (Koc, Acar, Kaliski, "Analyzing and
// comparing Montgomery multiplication algorithms", IEEE Micro 1996), with the final conditional
// subtraction, so every value stays fully reduced (< n). Exponentiation left to right over the bits
// of e; since e is odd, the last multiplication takes s itself instead of s R, which also leaves the
// Montgomery domain: (s^(e-1) R) * s * R^-1 = s^e. For e = 65537: 1 + 16 + 1 multiplications.
#include <bit>
#include <cstring>

#include "kernels/rsa/rsa.hpp"

namespace jwtbatch::kernels::rsa {
namespace {

using u128 = unsigned __int128;

// mont_mul sets out = a * b * R^-1 mod n for a, b < n (num limbs); out may alias a or b.
void mont_mul(uint64_t* out, const uint64_t* a, const uint64_t* b, const uint64_t* n,
              uint64_t n0inv, size_t num) {
  uint64_t t[kMaxLimbs64 + 2] = {};
  for (size_t i = 0; i < num; ++i) {
    // t += a * b[i]
    uint64_t c = 0;
    for (size_t j = 0; j < num; ++j) {
      u128 p = static_cast<u128>(a[j]) * b[i] + t[j] + c;
      t[j] = static_cast<uint64_t>(p);
      c = static_cast<uint64_t>(p >> 64);
    }
    u128 s = static_cast<u128>(t[num]) + c;
    t[num] = static_cast<uint64_t>(s);
    t[num + 1] = static_cast<uint64_t>(s >> 64);
    // t = (t + m n) / 2^64 with m chosen so the low limb cancels
    const uint64_t m = t[0] * n0inv;
    u128 p = static_cast<u128>(m) * n[0] + t[0];
    c = static_cast<uint64_t>(p >> 64);
    for (size_t j = 1; j < num; ++j) {
      p = static_cast<u128>(m) * n[j] + t[j] + c;
      t[j - 1] = static_cast<uint64_t>(p);
      c = static_cast<uint64_t>(p >> 64);
    }
    s = static_cast<u128>(t[num]) + c;
    t[num - 1] = static_cast<uint64_t>(s);
    t[num] = t[num + 1] + static_cast<uint64_t>(s >> 64);
  }
  // t < 2n: subtract n once if t >= n.
  bool geq = t[num] != 0;
  if (!geq) {
    geq = true;
    for (size_t i = num; i-- > 0;)
      if (t[i] != n[i]) {
        geq = t[i] > n[i];
        break;
      }
  }
  if (geq) {
    uint64_t borrow = 0;
    for (size_t i = 0; i < num; ++i) {
      u128 d = static_cast<u128>(t[i]) - n[i] - borrow;
      t[i] = static_cast<uint64_t>(d);
      borrow = static_cast<uint64_t>(d >> 64) & 1;
    }
  }
  std::memcpy(out, t, num * sizeof(uint64_t));
}

}  // namespace

void public_op_scalar(const Key& key, const uint8_t* s, uint8_t* out) noexcept {
  const size_t num = key.num_limbs64;
  uint64_t a[kMaxLimbs64] = {}, aR[kMaxLimbs64] = {}, x[kMaxLimbs64] = {};
  for (size_t i = 0; i < num; ++i) {  // big-endian bytes -> little-endian limbs
    uint64_t v = 0;
    for (size_t b = 0; b < 8; ++b) v = (v << 8) | s[key.n_len - 8 * (i + 1) + b];
    a[i] = v;
  }
  mont_mul(aR, a, key.rr64, key.n64, key.n0inv64, num);  // s R
  std::memcpy(x, aR, num * sizeof(uint64_t));
  const int top = 63 - std::countl_zero(key.e);
  for (int bit = top - 1; bit >= 1; --bit) {
    mont_mul(x, x, x, key.n64, key.n0inv64, num);
    if ((key.e >> bit) & 1) mont_mul(x, x, aR, key.n64, key.n0inv64, num);
  }
  mont_mul(x, x, x, key.n64, key.n0inv64, num);     // s^(e-1) R
  mont_mul(x, x, a, key.n64, key.n0inv64, num);     // s^e, out of the Montgomery domain
  for (size_t i = 0; i < num; ++i)
    for (size_t b = 0; b < 8; ++b)
      out[key.n_len - 8 * (i + 1) + b] = static_cast<uint8_t>(x[i] >> (56 - 8 * b));
}

void mod_mul_scalar(const Key& key, const uint64_t* a, const uint64_t* b, uint64_t* out) noexcept {
  // (a b R^-1) R^2 R^-1 = a b, both products fully reduced.
  uint64_t t[kMaxLimbs64];
  mont_mul(t, a, b, key.n64, key.n0inv64, key.num_limbs64);
  mont_mul(out, t, key.rr64, key.n64, key.n0inv64, key.num_limbs64);
}

uint32_t pkcs1_check_batch_scalar(const Key& key, const uint8_t* const* s,
                                  const uint8_t* const* digests, const size_t* digest_lens,
                                  size_t num_lanes) noexcept {
  // The definition: the public operation, then the whole encoding compared.
  uint32_t mask = 0;
  for (size_t i = 0; i < num_lanes; ++i) {
    uint8_t got[kMaxModulusLen], want[kMaxModulusLen];
    if (!pkcs1_encode(key.n_len, digests[i], digest_lens[i], want)) continue;
    public_op_scalar(key, s[i], got);
    if (std::memcmp(got, want, key.n_len) == 0) mask |= uint32_t{1} << i;
  }
  return mask;
}

void public_op_batch_scalar(const Key* const* keys, const uint8_t* const* s, uint8_t* const* out,
                            size_t num_lanes) noexcept {
  for (size_t i = 0; i < num_lanes; ++i) public_op_scalar(*keys[i], s[i], out[i]);
}

}  // namespace jwtbatch::kernels::rsa
