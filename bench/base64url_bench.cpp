// base64url_bench.cpp: base64url decode (and encode) throughput of every kernel variant this CPU
// runs, at 16 B .. 64 KiB of input, beside a memcpy of the same size.
//
// Names: BM_decode_base64url/<variant>/<input bytes>, BM_encode_base64url/<variant>/<input bytes>,
// BM_memcpy/<bytes>. Bytes processed are input bytes (characters for decode), so decode and memcpy
// rates compare directly. Variants come from find_kernels(), never from JWTBATCH_FORCE_ISA, and
// every variant's output is checked against the scalar reference before timing.
#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/base64url/base64url.hpp"
#include "kernels/cpu/cpu.hpp"

namespace jwtbatch::kernels {
namespace {

constexpr int64_t kSizes[] = {16, 64, 256, 1024, 4096, 65536};

std::vector<uint8_t> random_bytes(size_t len, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> v(len);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

// valid_input returns a valid base64url text of exactly `len` characters (len % 4 != 1).
std::string valid_input(size_t len) {
  const std::vector<uint8_t> bytes = random_bytes(base64url_decoded_len(len), len);
  std::string s(base64url_encoded_len(bytes.size()), '\0');
  s.resize(base64url_encode_scalar(bytes, s));
  return s;
}

void bm_decode(benchmark::State& state, const KernelTable* k) {
  const auto len = static_cast<size_t>(state.range(0));
  const std::string in = valid_input(len);
  std::vector<uint8_t> out(base64url_decoded_len(len) + kDecodeOutSlack);
  std::vector<uint8_t> want(out.size());
  const DecodeResult expect = base64url_decode_scalar(in, want);
  const DecodeResult got = k->base64url_decode(in, out);
  if (got.status != expect.status || got.count != expect.count ||
      std::memcmp(out.data(), want.data(), expect.count) != 0) {
    state.SkipWithError("output differs from base64url_decode_scalar");
    return;
  }
  const Base64urlDecode decode = k->base64url_decode;
  for (auto _ : state) {
    DecodeResult r = decode(in, out);
    benchmark::DoNotOptimize(r);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(len));
}

void bm_encode(benchmark::State& state, const KernelTable* k) {
  const auto len = static_cast<size_t>(state.range(0));
  const std::vector<uint8_t> in = random_bytes(len, len + 1);
  std::string out(base64url_encoded_len(len), '\0');
  std::string want(out.size(), '\0');
  base64url_encode_scalar(in, want);
  if (k->base64url_encode(in, out) != want.size() || out != want) {
    state.SkipWithError("output differs from base64url_encode_scalar");
    return;
  }
  const Base64urlEncode encode = k->base64url_encode;
  for (auto _ : state) {
    size_t n = encode(in, out);
    benchmark::DoNotOptimize(n);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(len));
}

void bm_memcpy(benchmark::State& state) {
  const auto len = static_cast<size_t>(state.range(0));
  const std::vector<uint8_t> in = random_bytes(len, len);
  std::vector<uint8_t> out(len);
  for (auto _ : state) {
    benchmark::DoNotOptimize(in.data());
    std::memcpy(out.data(), in.data(), len);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(len));
}

// Registered at start-up, one family per variant this CPU runs.
const bool kRegistered = [] {
  benchmark::AddCustomContext("jwtbatch.kernels.active", std::string(active_kernels().name));
  std::string names;
  for (const KernelTable& t : supported_kernels()) {
    if (!names.empty()) names += ',';
    names += t.name;
  }
  benchmark::AddCustomContext("jwtbatch.kernels.supported", names);
  for (const KernelTable& t : supported_kernels()) {
    const KernelTable* k = find_kernels(t.name);
    auto* b = benchmark::RegisterBenchmark(("BM_decode_base64url/" + std::string(t.name)).c_str(), bm_decode, k);
    for (int64_t n : kSizes) b->Arg(n);
  }
  auto* m = benchmark::RegisterBenchmark("BM_memcpy", bm_memcpy);
  for (int64_t n : kSizes) m->Arg(n);
  for (const KernelTable& t : supported_kernels()) {
    const KernelTable* k = find_kernels(t.name);
    auto* b = benchmark::RegisterBenchmark(("BM_encode_base64url/" + std::string(t.name)).c_str(), bm_encode, k);
    for (int64_t n : kSizes) b->Arg(n);
  }
  return true;
}();

}  // namespace
}  // namespace jwtbatch::kernels
