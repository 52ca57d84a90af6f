// keyset.cpp: loading keys (JWKS per RFC 7517, members per RFC 7518 section 6 and RFC 8037
// section 2; PEM SubjectPublicKeyInfo; raw HMAC secrets) and indexing them for stage 4.
//
// A key that cannot be used is skipped with one warning line naming its kid and the reason; a
// document that cannot be read at all, or a set left without any usable key, is an error.
#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include <simdjson.h>

#include "engine/keys/keyset_data.hpp"
#include "jwtbatch/keyset.hpp"
#include "kernels/base64url/base64url.hpp"

namespace jwtbatch {

void KeySet::Impl::finish() {
  by_kid_order.resize(keys.size());
  for (uint32_t i = 0; i < keys.size(); ++i) by_kid_order[i] = i;
  std::stable_sort(by_kid_order.begin(), by_kid_order.end(),
                   [&](uint32_t a, uint32_t b) { return keys[a].kid < keys[b].kid; });
  by_kid.clear();
  for (auto& v : by_alg) v.clear();
  permitted = AlgSet{};
  for (uint32_t i = 0; i < by_kid_order.size(); ++i) {
    const PreparedKey& k = keys[by_kid_order[i]];
    if (k.kid.empty()) continue;  // keys without kid serve kid-less tokens only
    auto [it, fresh] = by_kid.try_emplace(std::string_view(k.kid), KidRange{i, 0});
    ++it->second.count;
  }
  for (uint32_t i = 0; i < keys.size(); ++i) {
    permitted.add(keys[i].algs);
    for (size_t a = 1; a < kNumAlgs; ++a)
      if (keys[i].algs.contains(static_cast<Alg>(a))) by_alg[a].push_back(i);
  }
}

namespace engine {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Decodes a base64url member strictly (the same rules as tokens).
bool decode_member(std::string_view s, std::vector<uint8_t>* out) {
  out->resize(kernels::base64url_decoded_len(s.size()) + kernels::kDecodeOutSlack);
  kernels::DecodeResult r = kernels::base64url_decode_scalar({s.data(), s.size()}, *out);
  if (r.status != kernels::DecodeStatus::ok) return false;
  out->resize(r.count);
  return true;
}

struct JwkReader {
  simdjson::dom::object obj;
  std::string why;

  // str reads an optional string member: false (with why) when present but not a string.
  bool str(std::string_view name, std::string_view* out, bool* present) {
    element v;
    *present = obj.at_key(name).get(v) == simdjson::SUCCESS;
    if (!*present) return true;
    if (v.get_string().get(*out) != simdjson::SUCCESS) {
      why = "member \"" + std::string(name) + "\" is not a string";
      return false;
    }
    return true;
  }
  // bytes reads a required base64url member.
  bool bytes(std::string_view name, std::vector<uint8_t>* out) {
    std::string_view s;
    bool present = false;
    if (!str(name, &s, &present)) return false;
    if (!present) {
      why = "missing member \"" + std::string(name) + "\"";
      return false;
    }
    if (!decode_member(s, out)) {
      why = "member \"" + std::string(name) + "\" is not valid base64url";
      return false;
    }
    return true;
  }
};

// add_jwk prepares one JWK; on failure it returns false with a reason. `unsupported` is set for
// well-formed keys of an algorithm jwtbatch does not implement (Ed448).
bool add_jwk(KeySetData& data, const simdjson::dom::object& obj, std::string* kid_out,
             std::string* why, bool* unsupported) {
  JwkReader r{obj, {}};
  std::string_view kid, kty, alg_name, use, crv;
  bool has_kid = false, has_kty = false, has_alg = false, has_use = false, has_crv = false;
  auto fail = [&](std::string reason) {
    *why = std::move(reason);
    return false;
  };
  if (!r.str("kid", &kid, &has_kid)) return fail(r.why);
  if (has_kid) *kid_out = std::string(kid);
  if (kid.size() > kMaxKidBytes) return fail("kid longer than " + std::to_string(kMaxKidBytes) + " bytes");
  if (!r.str("kty", &kty, &has_kty) || !has_kty) return fail("missing or non-string \"kty\"");
  if (!r.str("alg", &alg_name, &has_alg)) return fail(r.why);
  if (!r.str("use", &use, &has_use)) return fail(r.why);
  if (has_use && use != "sig") return fail("\"use\": \"" + std::string(use) + "\" is not \"sig\"");
  element ops;
  if (obj.at_key("key_ops").get(ops) == simdjson::SUCCESS) {
    simdjson::dom::array arr;
    if (ops.get_array().get(arr) != simdjson::SUCCESS) return fail("\"key_ops\" is not an array");
    bool verify = false;
    for (element op : arr) {
      std::string_view s;
      if (op.get_string().get(s) == simdjson::SUCCESS && s == "verify") verify = true;
    }
    if (!verify) return fail("\"key_ops\" does not include \"verify\"");
  }
  AlgSet algs;
  if (has_alg) {
    const Alg a = alg_from_string(alg_name);
    if (a == Alg::unknown) {
      *unsupported = has_kid;
      return fail("alg \"" + std::string(alg_name) + "\" is not supported");
    }
    algs.add(a);
  }

  std::vector<uint8_t> a, b;
  std::optional<PreparedKey> key;
  std::string reason;
  if (kty == "oct") {
    if (!r.bytes("k", &a)) return fail(r.why);
    key = prepare_hmac(a, algs, &reason);
  } else if (kty == "RSA") {
    if (!r.bytes("n", &a) || !r.bytes("e", &b)) return fail(r.why);
    key = prepare_rsa(a, b, algs, &reason);
  } else if (kty == "EC") {
    if (!r.str("crv", &crv, &has_crv) || !has_crv) return fail("missing or non-string \"crv\"");
    Curve curve;
    if (crv == "P-256") curve = Curve::p256;
    else if (crv == "P-384") curve = Curve::p384;
    else if (crv == "P-521") curve = Curve::p521;
    else {
      *unsupported = has_kid;
      return fail("curve \"" + std::string(crv) + "\" is not supported");
    }
    if (!r.bytes("x", &a) || !r.bytes("y", &b)) return fail(r.why);
    key = prepare_ec(curve, a, b, algs, &reason);
  } else if (kty == "OKP") {
    if (!r.str("crv", &crv, &has_crv) || !has_crv) return fail("missing or non-string \"crv\"");
    if (crv != "Ed25519") {
      *unsupported = has_kid;
      return fail("curve \"" + std::string(crv) + "\" is not supported (only Ed25519)");
    }
    if (!r.bytes("x", &a)) return fail(r.why);
    key = prepare_ed25519(a, algs, &reason);
  } else {
    return fail("kty \"" + std::string(kty) + "\" is not supported");
  }
  if (!key) return fail(reason);
  key->kid = std::string(kid);
  data.keys.push_back(std::move(*key));
  return true;
}

std::string warning(std::string_view kid, std::string_view why) {
  std::string w = "skipped key";
  if (!kid.empty()) w += " \"" + std::string(kid) + "\"";
  w += ": ";
  w += why;
  return w;
}

}  // namespace
}  // namespace engine

namespace {
std::atomic<uint64_t> g_next_keyset_id{1};
}  // namespace

KeySet::KeySet(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)), id_(g_next_keyset_id.fetch_add(1, std::memory_order_relaxed)) {}
KeySet::~KeySet() = default;
size_t KeySet::size() const noexcept { return impl_->keys.size(); }
std::string_view KeySet::kid(size_t index) const noexcept { return impl_->keys[index].kid; }
AlgSet KeySet::algs(size_t index) const noexcept { return impl_->keys[index].algs; }
KeyFamily KeySet::family(size_t index) const noexcept { return impl_->keys[index].family(); }
AlgSet KeySet::permitted_algs() const noexcept { return impl_->permitted; }

std::shared_ptr<const KeySet> KeySet::from_jwks(std::string_view jwks, std::string* out_error,
                                                std::vector<std::string>* out_warnings) {
  KeySetBuilder b;
  std::shared_ptr<const KeySet> keys;
  if (b.add_jwks(jwks, out_error)) keys = b.build(out_error);
  if (out_warnings) out_warnings->insert(out_warnings->end(), b.warnings().begin(), b.warnings().end());
  return keys;
}

KeySetBuilder::KeySetBuilder() : data_(std::make_unique<engine::KeySetData>()) {}
KeySetBuilder::~KeySetBuilder() = default;

bool KeySetBuilder::add_jwks(std::string_view jwks, std::string* out_error) {
  if (jwks.size() > engine::kMaxJwksBytes) {
    *out_error = "JWKS larger than " + std::to_string(engine::kMaxJwksBytes) + " bytes";
    return false;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(jwks.data(), jwks.size()).get(doc); err != simdjson::SUCCESS) {
    *out_error = std::string("JWKS is not valid JSON: ") + simdjson::error_message(err);
    return false;
  }
  simdjson::dom::object top;
  if (doc.get_object().get(top) != simdjson::SUCCESS) {
    *out_error = "JWKS is not a JSON object";
    return false;
  }
  auto add_one = [&](simdjson::dom::element e) {
    simdjson::dom::object obj;
    std::string kid, why;
    bool unsupported = false;
    if (e.get_object().get(obj) != simdjson::SUCCESS) {
      why = "not a JSON object";
    } else if (data_->keys.size() >= engine::kMaxKeys) {
      // The warning names the key as every other skip does (a kid too long to be one is left out).
      std::string_view k;
      if (obj.at_key("kid").get_string().get(k) == simdjson::SUCCESS && k.size() <= engine::kMaxKidBytes) kid = k;
      why = "more than " + std::to_string(engine::kMaxKeys) + " keys";
    } else if (engine::add_jwk(*data_, obj, &kid, &why, &unsupported)) {
      return;
    }
    if (unsupported) data_->unsupported_kids.insert(kid);
    warnings_.push_back(engine::warning(kid, why));
  };
  simdjson::dom::element keys;
  if (top.at_key("keys").get(keys) == simdjson::SUCCESS) {
    simdjson::dom::array arr;
    if (keys.get_array().get(arr) != simdjson::SUCCESS) {
      *out_error = "JWKS member \"keys\" is not an array";
      return false;
    }
    for (simdjson::dom::element e : arr) add_one(e);
  } else if (top.at_key("kty").error() == simdjson::SUCCESS) {
    add_one(doc);  // a single JWK
  } else {
    *out_error = "JWKS has no \"keys\" array";
    return false;
  }
  return true;
}

namespace {

// add_prepared appends a key prepared for `kid`, or reports why it could not be.
bool add_prepared(engine::KeySetData& data, std::optional<engine::PreparedKey> key, std::string_view kid,
                  const std::string& why, std::string* out_error) {
  if (!key) {
    *out_error = engine::warning(kid, why);
    return false;
  }
  key->kid = std::string(kid);
  data.keys.push_back(std::move(*key));
  return true;
}

AlgSet only(Alg alg) { return alg == Alg::unknown ? AlgSet{} : AlgSet{alg}; }

}  // namespace

bool KeySetBuilder::add_pem(std::string_view pem, std::string_view kid, Alg alg, std::string* out_error) {
  std::string why;
  auto key = engine::prepare_spki_pem(pem, only(alg), &why);
  return add_prepared(*data_, std::move(key), kid, why, out_error);
}

bool KeySetBuilder::add_hmac_secret(std::span<const uint8_t> secret, std::string_view kid, Alg alg,
                                    std::string* out_error) {
  std::string why;
  auto key = engine::prepare_hmac(secret, only(alg), &why);
  return add_prepared(*data_, std::move(key), kid, why, out_error);
}

std::shared_ptr<const KeySet> KeySetBuilder::build(std::string* out_error) {
  if (data_->keys.empty()) {
    *out_error = "no usable key";
    if (!warnings_.empty()) *out_error += " (" + warnings_.front() + ")";
    return nullptr;
  }
  data_->finish();
  auto keys = std::make_shared<const KeySet>(std::move(data_));
  data_ = std::make_unique<engine::KeySetData>();
  return keys;
}

}  // namespace jwtbatch
