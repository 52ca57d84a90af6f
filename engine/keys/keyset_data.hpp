// keyset_data.hpp (internal): the prepared keys behind a KeySet, indexed for the resolve stage.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/keys/prepared_key.hpp"
#include "jwtbatch/keyset.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch {
namespace engine {

// Load-time limits (resource exhaustion: a JWKS is input too), documented in keyset.hpp.
using jwtbatch::kMaxJwksBytes;
using jwtbatch::kMaxKeys;
using jwtbatch::kMaxKidBytes;

// KidRange is where one kid's keys sit in KeySetData::by_kid_order.
struct KidRange {
  uint32_t begin = 0, count = 0;
};

}  // namespace engine

// KeySet::Impl is the engine's view of a KeySet (engine::KeySetData below).
struct KeySet::Impl {
  using PreparedKey = engine::PreparedKey;
  using KidRange = engine::KidRange;

  std::vector<PreparedKey> keys;
  // Built by finish(): lookups by kid (views into keys[i].kid), candidates per alg for tokens
  // without a kid, and the union of what the keys permit.
  std::vector<uint32_t> by_kid_order;
  std::unordered_map<std::string_view, KidRange> by_kid;
  std::array<std::vector<uint32_t>, kNumAlgs> by_alg;
  AlgSet permitted;
  // Kids of keys that are well-formed but of an algorithm jwtbatch does not implement (Ed448):
  // tokens naming them get unsupported_alg rather than key_not_found.
  std::unordered_set<std::string> unsupported_kids;

  // finish builds the indexes; call once after the last key is added.
  void finish();
};

namespace engine {
using KeySetData = KeySet::Impl;
}  // namespace engine

}  // namespace jwtbatch
