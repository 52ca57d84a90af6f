// jwks_fuzz: key loading (engine/keys/keyset.cpp, the prepare_* functions of engine/keys/prepare.cpp) on
// hostile documents: KeySet::from_jwks, KeySetBuilder::add_jwks twice then build, add_pem and
// add_hmac_secret.
//
// Input: byte 0 picks the entry point (0-1 from_jwks, 2 add_jwks of the bytes and of the demo set,
// 3 add_pem, 4 add_hmac_secret); the rest is the document.
// Invariants: no crash, no leak (LeakSanitizer at exit of every run), bounded time (tools/fuzz.sh
// runs with -timeout and -rss_limit_mb); a loaded set is non-empty, within the key limit, every
// key with a kid within the kid limit and a non-empty set of algorithms of its own family, and the
// set's permitted algorithms are the union of its keys'; a failed load explains itself (a non-empty
// error); a set loads the same way twice.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/sig/crypto.hpp"
#include "engine/keys/keyset_data.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace jwtbatch;

void check_set(const std::shared_ptr<const KeySet>& keys, const std::string& error) {
  if (!keys) {
    JWTBATCH_FUZZ_CHECK(!error.empty(), "failed load without an error");
    return;
  }
  JWTBATCH_FUZZ_CHECK(keys->size() > 0 && keys->size() <= engine::kMaxKeys, "key count out of range");
  AlgSet all;
  for (size_t i = 0; i < keys->size(); ++i) {
    JWTBATCH_FUZZ_CHECK(keys->kid(i).size() <= engine::kMaxKidBytes, "kid over the limit loaded");
    const AlgSet algs = keys->algs(i);
    JWTBATCH_FUZZ_CHECK(!algs.empty(), "a key that verifies nothing");
    const engine::PreparedKey& k = keys->impl().keys[i];
    const engine::EcKey* ec = k.as<engine::EcKey>();
    const AlgSet family = engine::family_algs(k.family(), ec != nullptr ? ec->curve : engine::Curve::p256);
    JWTBATCH_FUZZ_CHECK(algs.intersect(family) == algs, "a key permits another family's algorithm");
    JWTBATCH_FUZZ_CHECK(keys->family(i) == k.family(), "KeySet::family disagrees with the key's material");
    if (const engine::RsaKey* rsa = k.as<engine::RsaKey>())
      JWTBATCH_FUZZ_CHECK(rsa->bits >= engine::kMinRsaBits && rsa->bits <= engine::kMaxRsaBits, "RSA size out of range");
    all.add(algs);
  }
  JWTBATCH_FUZZ_CHECK(all == keys->permitted_algs(), "permitted_algs is not the union");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view doc(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string error;
  switch (data[0] % 5) {
    case 0:
    case 1: {
      std::vector<std::string> warnings;
      auto keys = KeySet::from_jwks(doc, &error, &warnings);
      check_set(keys, error);
      std::string error2;
      std::vector<std::string> warnings2;
      auto again = KeySet::from_jwks(doc, &error2, &warnings2);
      JWTBATCH_FUZZ_CHECK(bool(keys) == bool(again) && error == error2 && warnings == warnings2,
                          "loading is not deterministic");
      if (keys) JWTBATCH_FUZZ_CHECK(keys->size() == again->size(), "loading is not deterministic");
      break;
    }
    case 2: {
      static const std::string demo = fuzz::demo_jwks_text();
      KeySetBuilder b;
      const bool ok = b.add_jwks(doc, &error);
      JWTBATCH_FUZZ_CHECK(ok || !error.empty(), "add_jwks failed without an error");
      std::string demo_error;
      JWTBATCH_FUZZ_CHECK(b.add_jwks(demo, &demo_error), "the demo set no longer loads");
      error.clear();
      auto keys = b.build(&error);
      JWTBATCH_FUZZ_CHECK(keys != nullptr, "a builder holding the demo keys built nothing");
      check_set(keys, error);
      break;
    }
    case 3: {
      KeySetBuilder b;
      const bool ok = b.add_pem(doc, "pem", static_cast<Alg>(size % kNumAlgs), &error);
      JWTBATCH_FUZZ_CHECK(ok || !error.empty(), "add_pem failed without an error");
      error.clear();
      auto keys = b.build(&error);
      JWTBATCH_FUZZ_CHECK(ok == (keys != nullptr), "add_pem and build disagree");
      check_set(keys, error);
      break;
    }
    default: {
      KeySetBuilder b;
      const bool ok = b.add_hmac_secret({reinterpret_cast<const uint8_t*>(doc.data()), doc.size()}, "hs",
                                        static_cast<Alg>(size % kNumAlgs), &error);
      JWTBATCH_FUZZ_CHECK(ok || !error.empty(), "add_hmac_secret failed without an error");
      JWTBATCH_FUZZ_CHECK(!ok || doc.size() >= 32, "HMAC secret under 32 bytes accepted");
      error.clear();
      check_set(b.build(&error), error);
      break;
    }
  }
  return 0;
}
