// scalar.cpp: the portable P-384 ECDSA verification reference (contract in p384.hpp), the key and
// generator tables, and the batch driver shared by every variant (the variant list: dispatch.cpp).
//
// Arithmetic: kernels/ecc's templates: 384-bit integers as 6 little-endian 64-bit words, Montgomery
// multiplication (CIOS, R = 2^384) modulo p for the field and modulo n for scalars, Jacobian point
// formulas with complete additions (a = -3). Field elements are kept fully reduced (< p) in
// Montgomery form.
//
// Constants: p, n, b and G are the curve's definition (FIPS 186-5 / SEC 2 "secp384r1"); the tests
// check them against BoringSSL's group. Every derived constant (R mod m, R^2 mod m, -m^-1 mod 2^64,
// the tables) is computed here, at compile time or on first use.
//
// References: Hankerson, Menezes, Vanstone, "Guide to Elliptic Curve Cryptography" (2004): 3.3
// (windowed scalar multiplication with precomputation), 2.2.5 (simultaneous inversion, "Montgomery's
// trick"); SEC 1 v2 4.1.4 (the verification steps).
#include <atomic>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

#include "kernels/ecc/jacobian.hpp"
#include "kernels/ecc/mont.hpp"
#include "kernels/p384/p384.hpp"

namespace jwtbatch::kernels::p384 {
namespace {

using ecc::u64;
constexpr int kWords = 6;
using U = ecc::UInt<kWords>;

constexpr U kP{{0x00000000FFFFFFFF, 0xFFFFFFFF00000000, 0xFFFFFFFFFFFFFFFE, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF,
                0xFFFFFFFFFFFFFFFF}};
constexpr U kN{{0xECEC196ACCC52973, 0x581A0DB248B0A77A, 0xC7634D81F4372DDF, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF,
                0xFFFFFFFFFFFFFFFF}};
constexpr U kB{{0x2A85C8EDD3EC2AEF, 0xC656398D8A2ED19D, 0x0314088F5013875A, 0x181D9C6EFE814112, 0x988E056BE3F82D19,
                0xB3312FA7E23EE7E4}};
constexpr U kGx{{0x3A545E3872760AB7, 0x5502F25DBF55296C, 0x59F741E082542A38, 0x6E1D3B628BA79B98, 0x8EB1C71EF320AD74,
                 0xAA87CA22BE8B0537}};
constexpr U kGy{{0x7A431D7C90EA0E5F, 0x0A60B1CE1D7E819D, 0xE9DA3113B5F0B8C0, 0xF8F41DBD289A147C, 0x5D9E98BF9292DC29,
                 0x3617DE4A96262C6F}};

constexpr ecc::Modulus<kWords> kFp = ecc::make_modulus(kP);
constexpr ecc::Modulus<kWords> kFn = ecc::make_modulus(kN);

// Fp is the field in Montgomery form, for ecc::Jacobian.
struct Fp {
  using Elem = U;
  static U mul(const U& a, const U& b) { return ecc::mont_mul(a, b, kFp); }
  static U sqr(const U& a) { return ecc::mont_mul(a, a, kFp); }
  static U add(const U& a, const U& b) { return ecc::mod_add(a, b, kP); }
  static U sub(const U& a, const U& b) { return ecc::mod_sub(a, b, kP); }
  static U neg(const U& a) { return ecc::is_zero(a) ? a : ecc::mod_sub(kP, a, kP); }
  static U one() { return kFp.r1; }
  static bool is_zero(const U& a) { return ecc::is_zero(a); }
  static U to_mont(const U& a) { return mul(a, kFp.r2); }
  static U from_mont(const U& a) { return mul(a, ecc::small<kWords>(1)); }
};
using Curve = ecc::Jacobian<Fp>;
using Affine = Curve::Affine;
using Jac = Curve::Point;

// on_curve: y^2 == x^3 - 3x + b for plain (non-Montgomery) coordinates already < p.
bool on_curve(const U& x_plain, const U& y_plain) {
  const U x = Fp::to_mont(x_plain), y = Fp::to_mont(y_plain), b = Fp::to_mont(kB);
  U rhs = Fp::mul(Fp::sqr(x), x);
  rhs = Fp::sub(rhs, Fp::add(x, Fp::add(x, x)));
  rhs = Fp::add(rhs, b);
  return ecc::equal(Fp::sqr(y), rhs);
}

// ---- tables -------------------------------------------------------------------------------------

// Conversions between mont64 (x * 2^384) and ifma52 (x * 2^416) forms, both canonical.
constexpr u64 kMask52 = (u64{1} << 52) - 1;
constexpr U k2pow352{{0, 0, 0, 0, 0, u64{1} << 32}};  // mont_mul(v, 2^352) = v * 2^-32

void to_limbs52(const U& a, u64 out[kIfmaLimbs]) {
  for (int k = 0; k < kIfmaLimbs; ++k) out[k] = ecc::bits(a, 52 * k, 52);
}

// from_limbs52_mod_p returns the canonical value of 8 limbs of at most 52 bits holding a value
// below 2p (as the IFMA lanes produce).
U from_limbs52_mod_p(const u64 in[kIfmaLimbs]) {
  ecc::UInt<kWords + 1> a{};
  for (int k = 0; k < kIfmaLimbs; ++k) {
    const int pos = 52 * k, w = pos / 64, off = pos % 64;
    a.v[w] |= in[k] << off;
    if (off > 12) a.v[w + 1] |= in[k] >> (64 - off);
  }
  ecc::UInt<kWords + 1> p7{};
  for (int i = 0; i < kWords; ++i) p7.v[i] = kP.v[i];
  if (!ecc::less(a, p7)) ecc::sub(a, a, p7);
  U r;
  for (int i = 0; i < kWords; ++i) r.v[i] = a.v[i];
  return r;
}

U mont64_to_ifma(const U& a) {  // x * 2^384 -> x * 2^416
  U r = a;
  for (int i = 0; i < 32; ++i) r = Fp::add(r, r);
  return r;
}
U ifma_to_mont64(const U& a) { return Fp::mul(a, k2pow352); }

// load_entry returns table entry (window, |digit|) as an affine point in mont64 form.
Affine load_entry(const u64* table, TableFormat format, int window, int abs_digit) {
  const size_t idx = size_t(window) * kWindowEntries + size_t(abs_digit - 1);
  const size_t words = table_entry_words(format);
  Affine a;
  if (format == TableFormat::mont64) {
    std::memcpy(a.x.v, table + idx * words, 48);
    std::memcpy(a.y.v, table + idx * words + 6, 48);
  } else {
    a.x = ifma_to_mont64(from_limbs52_mod_p(table + idx * words));
    a.y = ifma_to_mont64(from_limbs52_mod_p(table + idx * words + kIfmaLimbs));
  }
  return a;
}

// build_table writes d * 2^(7i) * P for every window i and d = 1..64 into `out` in `format`.
// P (Montgomery form) is not infinity; no entry is (n is prime and every multiplier is < n).
void build_table(const Affine& p, TableFormat format, u64* out) {
  std::vector<Jac> pts(kTablePoints);
  Jac base{p.x, p.y, Fp::one(), false};
  for (int w = 0; w < kNumWindows; ++w) {
    Jac* row = &pts[size_t(w) * kWindowEntries];
    row[0] = base;
    for (int d = 1; d < kWindowEntries; ++d) row[d] = Curve::add(row[d - 1], base);
    base = Curve::dbl(row[kWindowEntries - 1]);  // 128 * B = 2^7 * B
  }
  // Simultaneous inversion of every Z (Montgomery's trick), then affine coordinates.
  std::vector<U> prefix(kTablePoints);
  U acc = Fp::one();
  for (size_t i = 0; i < kTablePoints; ++i) prefix[i] = acc = Fp::mul(acc, pts[i].z);
  U inv = ecc::mont_inv(acc, kFp);
  const size_t words = table_entry_words(format);
  for (size_t i = kTablePoints; i-- > 0;) {
    const U zinv = i > 0 ? Fp::mul(inv, prefix[i - 1]) : inv;
    inv = Fp::mul(inv, pts[i].z);
    const U zinv2 = Fp::sqr(zinv);
    const U x = Fp::mul(pts[i].x, zinv2), y = Fp::mul(pts[i].y, Fp::mul(zinv2, zinv));
    if (format == TableFormat::mont64) {
      std::memcpy(out + i * words, x.v, 48);
      std::memcpy(out + i * words + 6, y.v, 48);
    } else {
      to_limbs52(mont64_to_ifma(x), out + i * words);
      to_limbs52(mont64_to_ifma(y), out + i * words + kIfmaLimbs);
    }
  }
}

// ---- ECDSA pieces -------------------------------------------------------------------------------

// Parsed is one job after the checks of SEC 1 4.1.4 steps 1-3: e (the digest reduced mod n), r, s.
struct Parsed {
  U e, r, s;
  bool ok;
};

Parsed parse(const Job& job) {
  Parsed p;
  p.r = ecc::from_be<kWords>(job.sig, kFieldBytes);
  p.s = ecc::from_be<kWords>(job.sig + kFieldBytes, kFieldBytes);
  p.e = ecc::from_be<kWords>(job.digest, kDigestBytes);
  // 0 < r, s < n.
  p.ok = job.key != nullptr && !ecc::is_zero(p.r) && !ecc::is_zero(p.s) && ecc::less(p.r, kN) &&
         ecc::less(p.s, kN);
  // The digest is an integer of 384 bits, so one subtraction reduces it mod n (2^384 < 2n).
  if (!ecc::less(p.e, kN)) ecc::sub(p.e, p.e, kN);
  return p;
}

void recode(const U& u, int8_t d[kNumWindows]) { ecc::recode_signed<kWords, kWindowBits>(u, d, kNumWindows); }

// eval_scalar computes sum dg[i] 2^(7i) G + dq[i] 2^(7i) Q with the tables (the reference).
Jac eval_scalar(const u64* g_table, const Key& key, const int8_t* dg, const int8_t* dq) {
  Jac acc;
  const u64* tables[2] = {g_table, key.table()};
  for (int w = 0; w < kNumWindows; ++w) {
    const int8_t digits[2] = {dg[w], dq[w]};
    for (int k = 0; k < 2; ++k) {
      const int d = digits[k];
      if (d == 0) continue;
      Affine t = load_entry(tables[k], key.format(), w, d < 0 ? -d : d);
      if (d < 0) t.y = Fp::neg(t.y);
      acc = Curve::add_affine(acc, t);
    }
  }
  return acc;
}

// x_matches_r: with R = (X, Y, Z) Jacobian, Z != 0 (X, Z in mont64 form), is x(R) mod n == r?
// x(R) = X / Z^2 is in [0, p), and p < 2n, so x(R) mod n == r iff x(R) == r or x(R) == r + n
// (the latter only possible when r + n < p). Both tests are X == c * Z^2 with no inversion.
bool x_matches_r(const U& x, const U& z, const U& r) {
  const U z2 = Fp::sqr(z);
  const U lhs = Fp::from_mont(x);
  if (ecc::equal(lhs, Fp::mul(z2, r))) return true;  // (r Z^2 R) / R: plain r * Z^2
  U rn{};
  if (ecc::add(rn, r, kN) == 0 && ecc::less(rn, kP)) return ecc::equal(lhs, Fp::mul(z2, rn));
  return false;
}

bool check_result(const Jac& acc, const U& r) { return !acc.inf && x_matches_r(acc.x, acc.z, r); }

// ---- batch driver -------------------------------------------------------------------------------

constexpr size_t kBlock = 64;  // signatures sharing one inversion mod n

// verify_block verifies up to kBlock jobs; `ifma` sends jobs with ifma52 keys to the IFMA lanes.
void verify_block(std::span<const Job> jobs, bool* out, bool ifma) noexcept {
  Parsed parsed[kBlock];
  U s_mont[kBlock], prefix[kBlock];
  size_t idx[kBlock];
  size_t num = 0;
  U acc = kFn.r1;
  for (size_t i = 0; i < jobs.size(); ++i) {
    out[i] = false;
    parsed[i] = parse(jobs[i]);
    if (!parsed[i].ok) continue;
    s_mont[num] = ecc::mont_mul(parsed[i].s, kFn.r2, kFn);
    prefix[num] = acc = ecc::mont_mul(acc, s_mont[num], kFn);
    idx[num++] = i;
  }
  if (num == 0) return;
  U inv = ecc::mont_inv(acc, kFn);
  int8_t dg[kBlock][kNumWindows], dq[kBlock][kNumWindows];
  for (size_t k = num; k-- > 0;) {
    // w = s^-1 in Montgomery form; e * w / R and r * w / R are the plain u1 and u2.
    const U w = k > 0 ? ecc::mont_mul(inv, prefix[k - 1], kFn) : inv;
    inv = ecc::mont_mul(inv, s_mont[k], kFn);
    const Parsed& p = parsed[idx[k]];
    recode(ecc::mont_mul(p.e, w, kFn), dg[k]);
    recode(ecc::mont_mul(p.r, w, kFn), dq[k]);
  }
  size_t k = 0;
#if defined(__x86_64__)
  if (ifma) {
    // Fill lanes with the jobs whose key is in ifma52 form, across keys.
    size_t lanes_idx[8];
    size_t filled = 0;
    LaneBatch lb;
    LaneResult lr;
    lb.g_table = generator_table(TableFormat::ifma52);
    auto flush = [&] {
      for (size_t l = filled; l < 8; ++l) {
        lb.q_tables[l] = lb.q_tables[0];
        for (int w = 0; w < kNumWindows; ++w) lb.g_digits[w][l] = lb.q_digits[w][l] = 0;
      }
      eval_lanes_avx512_ifma(lb, lr);
      for (size_t l = 0; l < filled; ++l) {
        const size_t kk = lanes_idx[l], i = idx[kk];
        if (lr.infinity[l]) continue;  // the sum is infinity: fails
        u64 xl[kIfmaLimbs], zl[kIfmaLimbs];
        for (int j = 0; j < kIfmaLimbs; ++j) xl[j] = lr.x[j][l], zl[j] = lr.z[j][l];
        const U z = ifma_to_mont64(from_limbs52_mod_p(zl));
        if (ecc::is_zero(z)) {
          // An exceptional addition (doubling or P + -P) happened in the lane: redo it exactly.
          out[i] = check_result(eval_scalar(lb.g_table, *jobs[i].key, dg[kk], dq[kk]), parsed[i].r);
          continue;
        }
        out[i] = x_matches_r(ifma_to_mont64(from_limbs52_mod_p(xl)), z, parsed[i].r);
      }
      filled = 0;
    };
    for (; k < num; ++k) {
      const size_t i = idx[k];
      const Key& key = *jobs[i].key;
      if (key.format() != TableFormat::ifma52) {
        out[i] = check_result(eval_scalar(generator_table(key.format()), key, dg[k], dq[k]), parsed[i].r);
        continue;
      }
      lb.q_tables[filled] = key.table();
      for (int w = 0; w < kNumWindows; ++w) {
        lb.g_digits[w][filled] = dg[k][w];
        lb.q_digits[w][filled] = dq[k][w];
      }
      lanes_idx[filled++] = k;
      if (filled == 8) flush();
    }
    if (filled > 0) flush();
    return;
  }
#else
  (void)ifma;
#endif
  for (; k < num; ++k) {
    const size_t i = idx[k];
    const Key& key = *jobs[i].key;
    out[i] = check_result(eval_scalar(generator_table(key.format()), key, dg[k], dq[k]), parsed[i].r);
  }
}

void verify_batch(std::span<const Job> jobs, bool* out, bool ifma) noexcept {
  for (size_t i = 0; i < jobs.size(); i += kBlock) {
    const size_t len = jobs.size() - i < kBlock ? jobs.size() - i : kBlock;
    verify_block(jobs.subspan(i, len), out + i, ifma);
  }
}

std::atomic<size_t> g_live_keys{0};

}  // namespace

// ---- public -------------------------------------------------------------------------------------

Key::~Key() { g_live_keys.fetch_sub(1, std::memory_order_relaxed); }

size_t prepared_key_count() noexcept { return g_live_keys.load(std::memory_order_relaxed); }

std::shared_ptr<const Key> prepare_key(std::span<const uint8_t, kFieldBytes> x, std::span<const uint8_t, kFieldBytes> y,
                                       TableFormat format, const char** out_why) noexcept {
  const char* dummy = nullptr;
  const char*& why = out_why != nullptr ? *out_why : dummy;
  const U px = ecc::from_be<kWords>(x.data(), kFieldBytes), py = ecc::from_be<kWords>(y.data(), kFieldBytes);
  if (!ecc::less(px, kP) || !ecc::less(py, kP)) return why = "coordinate >= p", nullptr;
  if (!on_curve(px, py)) return why = "point is not on P-384", nullptr;
  if (g_live_keys.fetch_add(1, std::memory_order_relaxed) >= kMaxPreparedKeys) {
    g_live_keys.fetch_sub(1, std::memory_order_relaxed);
    return why = "too many prepared P-384 keys", nullptr;
  }
  Key* raw = new (std::nothrow) Key();
  if (raw == nullptr) {
    g_live_keys.fetch_sub(1, std::memory_order_relaxed);
    return why = "out of memory", nullptr;
  }
  try {
    std::shared_ptr<Key> key(raw);  // deletes raw if it throws; ~Key gives the count back
    key->format_ = format;
    key->table_.reset(new uint64_t[kTablePoints * table_entry_words(format)]);
    build_table(Affine{Fp::to_mont(px), Fp::to_mont(py)}, format, key->table_.get());
    generator_table(format);  // G's table too, at load time rather than on the first token
    return key;
  } catch (const std::bad_alloc&) {
    why = "out of memory";
    return nullptr;
  }
}

const uint64_t* generator_table(TableFormat format) noexcept {
  // One table per format for the whole process, never freed (no destruction-order hazard at exit).
  static std::once_flag once[2];
  static uint64_t* tables[2];
  const int f = format == TableFormat::mont64 ? 0 : 1;
  std::call_once(once[f], [&] {
    tables[f] = new uint64_t[kTablePoints * table_entry_words(format)];
    build_table(Affine{Fp::to_mont(kGx), Fp::to_mont(kGy)}, format, tables[f]);
  });
  return tables[f];
}

bool verify_one(const Key& key, const uint8_t digest[kDigestBytes], const uint8_t sig[kSigBytes]) noexcept {
  const Parsed p = parse(Job{&key, digest, sig});
  if (!p.ok) return false;
  const U w = ecc::mont_inv(ecc::mont_mul(p.s, kFn.r2, kFn), kFn);
  int8_t dg[kNumWindows], dq[kNumWindows];
  recode(ecc::mont_mul(p.e, w, kFn), dg);
  recode(ecc::mont_mul(p.r, w, kFn), dq);
  return check_result(eval_scalar(generator_table(key.format()), key, dg, dq), p.r);
}

void verify_batch_scalar(std::span<const Job> jobs, bool* out) noexcept { verify_batch(jobs, out, false); }

#if defined(__x86_64__)
void verify_batch_avx512_ifma(std::span<const Job> jobs, bool* out) noexcept { verify_batch(jobs, out, true); }
#endif

}  // namespace jwtbatch::kernels::p384
