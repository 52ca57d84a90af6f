// ed25519.cpp: EdDSA jobs of a stage-6 batch through kernels/ed25519 (see ed25519.hpp).
// Jobs arrive ordered by key, EdDSA among other families; they are gathered kMaxLanes at a time
// into the active variant's lanes (a lane per signature, keys may differ between lanes), and the
// last partial group runs in lanes or single-shot by the variant's break-even.
#include "engine/sig/ed25519.hpp"

#include "engine/sig/force_boringssl.hpp"
#include "kernels/ed25519/ed25519.hpp"

namespace jwtbatch::engine {
namespace {

namespace ed = kernels::ed25519;

bool kernel_job(const SigJob& job) {
  const PreparedKey& key = *job.key;
  const Ed25519Key* ed_key = key.as<Ed25519Key>();
  return job.alg == Alg::eddsa && ed_key != nullptr && key.algs.contains(Alg::eddsa) && ed_key->kernel != nullptr &&
         job.signature.size() == ed::kSignatureLen;
}

}  // namespace

void claim_ed25519_jobs(std::span<SigJob> jobs) noexcept {
  if (force_boringssl()) return;
  const ed::Variant& variant = ed::active_variant();
  ed::Job lanes[ed::kMaxLanes];
  SigJob* owners[ed::kMaxLanes];
  size_t filled = 0;
  auto flush = [&](bool last) {
    if (filled == 0) return;
    if (!last || filled >= variant.break_even) {
      variant.verify_lanes(lanes, filled);
    } else {
      ed::verify_lanes_scalar(lanes, filled);
    }
    for (size_t i = 0; i < filled; ++i) {
      owners[i]->valid = lanes[i].valid;
      owners[i]->handled = true;
    }
    filled = 0;
  };
  for (SigJob& job : jobs) {
    if (!kernel_job(job)) continue;
    lanes[filled] = ed::Job{job.key->as<Ed25519Key>()->kernel.get(), job.signing_input.data(), job.signing_input.size(),
                            job.signature.data(), false};
    owners[filled] = &job;
    if (++filled == ed::kMaxLanes) flush(false);
  }
  flush(true);
}

}  // namespace jwtbatch::engine
