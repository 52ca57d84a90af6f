// crypto.hpp (internal): the signature layer's single-token path and its batch seam.
// verify_signature checks one JWS signature with a key prepared by engine/keys/prepare.cpp;
// verify_signatures (engine/sig/batch.cpp) checks a batch, handing jobs to the families' batch
// kernels (engine/sig/<family>.cpp) and the rest to verify_signature.
//
// Nothing here throws. BoringSSL failures are mapped to false and the thread's error queue is
// cleared (ERR_clear_error), so threads that see many bad tokens do not grow it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <openssl/ecdsa.h>

#include "engine/keys/prepared_key.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch::engine {

// VerifyScratch is one thread's reusable BoringSSL objects (an ECDSA_SIG whose BIGNUMs are
// overwritten per token), so the steady state allocates nothing in jwtbatch's own code.
struct VerifyScratch {
  VerifyScratch();
  ~VerifyScratch();
  VerifyScratch(const VerifyScratch&) = delete;
  VerifyScratch& operator=(const VerifyScratch&) = delete;
  ECDSA_SIG* ecdsa_sig = nullptr;
};

// signature_len returns the exact JWS signature length of `alg` with `key` (HMAC: the hash output;
// RSA: the modulus length; ECDSA: 64/96/132; EdDSA: 64).
size_t signature_len(const PreparedKey& key, Alg alg) noexcept;

// verify_signature returns true iff `signature` is a valid JWS signature by `key` with `alg` over
// `signing_input` (the ASCII bytes "BASE64URL(header).BASE64URL(payload)"). False when `alg` is
// not in key.algs, the length is wrong, ECDSA r or s is not in [1, n-1], or the check fails.
// HMAC tags are compared in constant time. Thread-safe: `key` is only read.
bool verify_signature(const PreparedKey& key, Alg alg, std::span<const uint8_t> signing_input,
                      std::span<const uint8_t> signature, VerifyScratch& scratch) noexcept;

// SigJob is one signature check of a batch: inputs, and `valid` written by verify_signatures.
struct SigJob {
  const PreparedKey* key = nullptr;
  Alg alg = Alg::unknown;
  std::span<const uint8_t> signing_input;
  std::span<const uint8_t> signature;
  bool valid = false;
  bool handled = false;  // set by a batch kernel that claimed the job (valid is then final)
};

// verify_signatures sets `valid` of every job, as verify_signature would. Jobs may mix keys and
// algorithms; stage 6 passes them ordered by key. This is the seam for batch kernels (several
// signatures at once in SIMD lanes, lanes filled across keys of one family): the default checks
// one job at a time.
void verify_signatures(std::span<SigJob> jobs, VerifyScratch& scratch) noexcept;

}  // namespace jwtbatch::engine
