// pipeline.hpp (internal): the per-token working state of a chunk and the six stage entry points
// (DESIGN.md). A chunk of up to kChunkTokens tokens runs every stage on one thread; each stage
// touches only tokens still `ok`, so the first failure decides a token's status. Nothing here
// throws or allocates per token: buffers live in the thread's Workspace and grow only when a chunk
// needs more than any before it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <simdjson.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JWTBATCH_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(JWTBATCH_ASAN)
#define JWTBATCH_ASAN 1
#endif
#ifdef JWTBATCH_ASAN
#include <sanitizer/asan_interface.h>
#define JWTBATCH_ASAN_POISON(addr, size) ASAN_POISON_MEMORY_REGION(addr, size)
#define JWTBATCH_ASAN_UNPOISON(addr, size) ASAN_UNPOISON_MEMORY_REGION(addr, size)
#else
#define JWTBATCH_ASAN_POISON(addr, size) ((void)(addr), (void)(size))
#define JWTBATCH_ASAN_UNPOISON(addr, size) ((void)(addr), (void)(size))
#endif

#include "engine/sig/crypto.hpp"
#include "engine/keys/keyset_data.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/stats.hpp"
#include "jwtbatch/verifier.hpp"
#include "kernels/cpu/cpu.hpp"

namespace jwtbatch::engine {

inline constexpr size_t kChunkTokens = 1024;

// The detail codes of Verdict::detail (include/jwtbatch/verifier.hpp).
using namespace verdict_detail;

// Arena is a bump allocator reset per chunk; reset() sizes it for the whole chunk up front, so
// pointers handed out stay valid until the next reset. Nothing checks bounds on the hot path: the
// caller of reset() reserves enough for every alloc of the chunk. Under AddressSanitizer the bytes
// past the reservation are poisoned, so an alloc beyond it is reported even when the buffer is
// bigger from an earlier chunk (tests/fuzz relies on this).
class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() { JWTBATCH_ASAN_UNPOISON(buf_.data(), buf_.size()); }
  void reset(size_t capacity) {
    JWTBATCH_ASAN_UNPOISON(buf_.data(), buf_.size());
    if (buf_.size() < capacity) buf_.resize(capacity);
    JWTBATCH_ASAN_POISON(buf_.data() + capacity, buf_.size() - capacity);
    used_ = 0;
  }
  // alloc returns `n` bytes at a 64-byte boundary (decoded parts: SIMD stores, simdjson input).
  uint8_t* alloc(size_t n) {
    uint8_t* p = buf_.data() + used_;
    used_ += (n + 63) & ~size_t{63};
    return p;
  }
  // alloc_bytes returns `n` bytes, packed: for strings copied out of the JSON, whose total never
  // exceeds the JSON's length (one 64-byte slot each would: many short aud values overran).
  uint8_t* alloc_bytes(size_t n) {
    uint8_t* p = buf_.data() + used_;
    used_ += n;
    return p;
  }
  size_t remaining() const { return buf_.size() - used_; }
  // mark and rewind let a benchmark rerun one stage over the same chunk.
  size_t mark() const { return used_; }
  void rewind(size_t mark) { used_ = mark; }

 private:
  std::vector<uint8_t> buf_;
  size_t used_ = 0;
};

struct TokenWork {
  std::string_view token;
  uint32_t dot1 = 0, dot2 = 0;
  Status status = Status::ok;        // structure, algorithm/key and signature verdict so far
  Status claim_status = Status::ok;  // stage 5's verdict, reported only if the signature holds
  uint32_t detail = 0;
  uint32_t claim_detail = 0;
  // stage 2
  const uint8_t* header = nullptr;
  const uint8_t* claims = nullptr;
  const uint8_t* sig = nullptr;
  uint32_t header_len = 0, claims_len = 0, sig_len = 0;
  // stage 3: header
  Alg alg = Alg::unknown;
  bool has_kid = false, has_crit = false;
  std::string_view kid;  // copied into the arena
  // stage 3: claims
  bool has_exp = false, has_nbf = false, has_iat = false, has_iss = false, has_aud = false;
  double exp = 0, nbf = 0, iat = 0;
  std::string_view iss;  // copied into the arena
  uint32_t aud_begin = 0, aud_count = 0;  // into Workspace::aud_pool
  uint64_t required_seen = 0;             // bit i: Policy::required_claims[i] present
  // stage 4
  uint32_t key_index = kNoKey;  // kNoKey with status ok after stage 4: try every by_alg candidate
};

// BatchContext is what every chunk of one batch shares, read-only.
struct BatchContext {
  const KeySetData* keys = nullptr;
  const Policy* policy = nullptr;
  AlgSet allowed;
  UnixSeconds now = 0;
  const kernels::KernelTable* kernels = nullptr;
  uint64_t required_mask = 0;  // bits of the required claims in use (at most 64)
  bool timing = true;          // read the clock around each stage (only when stats are wanted)
};

// Workspace is one thread's scratch, reused chunk after chunk.
struct Workspace {
  Workspace();
  Arena arena;
  std::vector<TokenWork> work;
  std::vector<std::string_view> aud_pool;
  std::vector<std::string_view> names;  // duplicate-member detection
  std::vector<uint32_t> order;          // stage 6 grouping by key
  std::vector<uint32_t> key_counts;     // stage 6 counting sort
  std::vector<SigJob> jobs;             // stage 6 batch of signature checks
  simdjson::dom::parser parser;
  size_t parser_capacity = 0, parser_depth = 0;
  VerifyScratch scratch;
};

void split_chunk(const BatchContext& ctx, std::span<TokenWork> work, StageStats& stats) noexcept;
void decode_chunk(const BatchContext& ctx, Workspace& ws, std::span<TokenWork> work, StageStats& stats) noexcept;
void parse_chunk(const BatchContext& ctx, Workspace& ws, std::span<TokenWork> work, StageStats& stats) noexcept;
void resolve_chunk(const BatchContext& ctx, std::span<TokenWork> work, StageStats& stats) noexcept;
void check_chunk(const BatchContext& ctx, Workspace& ws, std::span<TokenWork> work, StageStats& stats) noexcept;
void verify_chunk(const BatchContext& ctx, Workspace& ws, std::span<TokenWork> work, StageStats& stats) noexcept;

// run_chunk runs all six stages over `tokens` and writes `out` (same length, at most
// kChunkTokens), adding its counters to `stats`.
void run_chunk(const BatchContext& ctx, Workspace& ws, std::span<const std::string_view> tokens,
               std::span<Verdict> out, BatchStats& stats) noexcept;

}  // namespace jwtbatch::engine
