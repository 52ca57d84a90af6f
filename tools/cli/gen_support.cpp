// gen_support.cpp: HMAC_DRBG, xoshiro256**, base64url and JSON string helpers for `jwtbatch gen`.
#include "tools/cli/gen_support.hpp"

#include <cstring>

#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "jwtbatch/json.hpp"
#include "jwtbatch/text.hpp"

namespace jwtbatch::cli::gen {

// --- HMAC_DRBG (SP 800-90A 10.1.2) -----------------------------------------------------------

HmacDrbg::HmacDrbg(const EVP_MD* md, std::span<const uint8_t> seed_material)
    : md_(md), md_len_(EVP_MD_size(md)) {
  k_.fill(0x00);
  v_.fill(0x01);
  update(seed_material);
}

void HmacDrbg::update(std::span<const uint8_t> data) {
  // K = HMAC(K, V || 0x00 || data); V = HMAC(K, V); then again with 0x01 when data is non-empty.
  for (uint8_t round = 0; round < 2; ++round) {
    if (round == 1 && data.empty()) break;
    HMAC_CTX ctx;
    HMAC_CTX_init(&ctx);
    unsigned len = 0;
    HMAC_Init_ex(&ctx, k_.data(), md_len_, md_, nullptr);
    HMAC_Update(&ctx, v_.data(), md_len_);
    HMAC_Update(&ctx, &round, 1);
    if (!data.empty()) HMAC_Update(&ctx, data.data(), data.size());
    HMAC_Final(&ctx, k_.data(), &len);
    HMAC_CTX_cleanup(&ctx);
    HMAC(md_, k_.data(), md_len_, v_.data(), md_len_, v_.data(), &len);
  }
}

void HmacDrbg::next_block(std::span<uint8_t> out) {
  unsigned len = 0;
  HMAC(md_, k_.data(), md_len_, v_.data(), md_len_, v_.data(), &len);
  std::memcpy(out.data(), v_.data(), std::min(out.size(), md_len_));
}

void HmacDrbg::generate(std::span<uint8_t> out) {
  std::array<uint8_t, 64> block{};
  size_t done = 0;
  while (done < out.size()) {
    next_block(block);
    size_t n = std::min(md_len_, out.size() - done);
    std::memcpy(out.data() + done, block.data(), n);
    done += n;
  }
  update({});
}

namespace {

void put_u64_be(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

std::vector<uint8_t> seed_material(uint64_t seed, std::string_view label, uint64_t index) {
  static constexpr std::string_view kDomain = "jwtbatch-gen/1";
  std::vector<uint8_t> m(kDomain.begin(), kDomain.end());
  m.push_back(0);
  put_u64_be(m, seed);
  put_u64_be(m, label.size());
  m.insert(m.end(), label.begin(), label.end());
  put_u64_be(m, index);
  return m;
}

}  // namespace

HmacDrbg key_drbg(uint64_t seed, std::string_view label) {
  return HmacDrbg(EVP_sha256(), seed_material(seed, label, 0));
}

// --- xoshiro256** ----------------------------------------------------------------------------

Rng::Rng(uint64_t seed, std::string_view label, uint64_t index) {
  std::vector<uint8_t> m = seed_material(seed, label, index);
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(m.data(), m.size(), digest);
  for (size_t i = 0; i < 4; ++i) {
    uint64_t w = 0;
    for (size_t j = 0; j < 8; ++j) w = w << 8 | digest[8 * i + j];
    s_[i] = w;
  }
  if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;  // the one state xoshiro cannot leave
}

uint64_t Rng::next() {
  auto rotl = [](uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

uint64_t Rng::below(uint64_t n) {
  // Rejection sampling on the top of the range keeps every value equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do {
    x = next();
  } while (x >= limit);
  return x % n;
}

int64_t Rng::range(int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1));
}

bool Rng::chance(double p) {
  // 53 random bits as a double in [0, 1).
  return static_cast<double>(next() >> 11) * 0x1.0p-53 < p;
}

void Rng::fill(std::span<uint8_t> out) {
  for (size_t i = 0; i < out.size(); i += 8) {
    uint64_t w = next();
    for (size_t j = 0; j < 8 && i + j < out.size(); ++j) out[i + j] = static_cast<uint8_t>(w >> (8 * j));
  }
}

// --- text ------------------------------------------------------------------------------------

std::string b64url(std::span<const uint8_t> in) {
  std::string out;
  base64url_encode(in, &out);
  return out;
}

std::string b64url(std::string_view in) { return b64url(as_bytes(in)); }

bool b64url_decode(std::string_view in, std::vector<uint8_t>* out) {
  out->assign(base64url_decode_capacity(in.size()), 0);
  size_t n = 0;
  if (!base64url_decode(in, *out, &n)) return false;
  out->resize(n);
  return true;
}

std::string hex(std::span<const uint8_t> in) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(in.size() * 2);
  for (uint8_t b : in) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(&out, s);
  return out;
}

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t j = 1; j < len; ++j) {
      if ((p[i + j] & 0xc0) != 0x80) return false;
      cp = cp << 6 | (p[i + j] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff))) return false;
    if (cp >= 0xd800 && cp <= 0xdfff) return false;
    i += len;
  }
  return true;
}

}  // namespace jwtbatch::cli::gen
