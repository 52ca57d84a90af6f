// avx512_ifma.cpp: placeholder until the 8-lane IFMA code lands: forwards to the scalar reference.
#include "kernels/ed25519/ed25519.hpp"

namespace jwtbatch::kernels::ed25519 {
void verify_lanes_avx512_ifma(Job* jobs, size_t num_jobs) noexcept { verify_lanes_scalar(jobs, num_jobs); }
}  // namespace jwtbatch::kernels::ed25519
