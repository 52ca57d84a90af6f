// base64url_fuzz: every base64url kernel variant this CPU runs (kernels::supported_kernels(), so
// variants added later are fuzzed without touching this file) against the scalar reference.
//
// Input: byte 0 picks the input's alignment (0..63 bytes past a 64-byte boundary); the rest is
// both a candidate encoding (decoded by every variant) and raw bytes (encoded by every variant).
// Invariants:
//   - decode: every variant returns the scalar reference's status and count, and on success the
//     same bytes; the reference itself keeps its contract (count = decoded length on success, the
//     offset of an offending character otherwise), and writes nothing past decoded_len + slack
//     (the output buffer ends exactly there, so AddressSanitizer sees any write beyond);
//   - inputs are read only inside [in, in + n): the input ends exactly at the end of its heap block;
//   - round trip: a successful decode re-encodes to exactly the input (strict decoding accepts
//     one encoding per byte string), and encode-then-decode gives the bytes back, with every
//     variant's encoder writing what the scalar encoder writes.
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "kernels/base64url/base64url.hpp"
#include "kernels/cpu/cpu.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using jwtbatch::kernels::base64url_decode_scalar;
using jwtbatch::kernels::base64url_decoded_len;
using jwtbatch::kernels::base64url_encode_scalar;
using jwtbatch::kernels::base64url_encoded_len;
using jwtbatch::kernels::DecodeResult;
using jwtbatch::kernels::DecodeStatus;
using jwtbatch::kernels::kDecodeOutSlack;
using jwtbatch::kernels::KernelTable;
using jwtbatch::kernels::supported_kernels;

bool is_alphabet(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// Placed holds `bytes` so that they start `align` bytes into an allocation that ends right after
// them (reads past the end hit ASan's redzone).
struct Placed {
  Placed(std::span<const uint8_t> bytes, size_t align) : buf(new char[align + bytes.size()]) {
    if (!bytes.empty()) std::memcpy(buf.get() + align, bytes.data(), bytes.size());
    view = {buf.get() + align, bytes.size()};
  }
  std::unique_ptr<char[]> buf;
  std::span<const char> view;
};

// decode runs `table`'s decoder with an output buffer of exactly decoded_len + slack bytes.
DecodeResult decode(const KernelTable& table, std::span<const char> in, std::vector<uint8_t>* out) {
  out->assign(base64url_decoded_len(in.size()) + kDecodeOutSlack, 0xa5);
  out->shrink_to_fit();
  return table.base64url_decode(in, *out);
}

void check_reference_contract(std::span<const char> in, const DecodeResult& r) {
  const size_t n = in.size();
  switch (r.status) {
    case DecodeStatus::ok:
      JWTBATCH_FUZZ_CHECK(r.count == base64url_decoded_len(n), "ok count is not the decoded length");
      JWTBATCH_FUZZ_CHECK(n % 4 != 1, "ok with a length of 1 mod 4");
      break;
    case DecodeStatus::bad_char:
      JWTBATCH_FUZZ_CHECK(r.count < n, "bad_char offset out of range");
      JWTBATCH_FUZZ_CHECK(!is_alphabet(static_cast<unsigned char>(in[r.count])), "bad_char points at a good char");
      for (size_t i = 0; i < r.count; ++i)
        JWTBATCH_FUZZ_CHECK(is_alphabet(static_cast<unsigned char>(in[i])), "bad_char is not the first bad char");
      break;
    case DecodeStatus::bad_length:
      JWTBATCH_FUZZ_CHECK(n % 4 == 1 && r.count == n, "bad_length on a decodable length");
      break;
    case DecodeStatus::bad_trailing:
      JWTBATCH_FUZZ_CHECK(r.count == n - 1, "bad_trailing not at the last character");
      break;
    case DecodeStatus::out_too_small:
      JWTBATCH_FUZZ_CHECK(false, "out_too_small with a big enough buffer");
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t align = data[0] % 64;
  const std::span<const uint8_t> body(data + 1, size - 1);
  const Placed in(body, align);
  const auto tables = supported_kernels();
  JWTBATCH_FUZZ_CHECK(!tables.empty() && tables[0].name == "scalar", "scalar is not the first table");

  // Decode: the reference, then every variant against it.
  std::vector<uint8_t> ref_out, out;
  const DecodeResult ref = decode(tables[0], in.view, &ref_out);
  check_reference_contract(in.view, ref);
  JWTBATCH_FUZZ_CHECK(ref.status == base64url_decode_scalar(in.view, ref_out).status, "scalar is not deterministic");
  for (const KernelTable& t : tables) {
    const DecodeResult r = decode(t, in.view, &out);
    JWTBATCH_FUZZ_CHECK(r.status == ref.status, "variant status differs from scalar");
    JWTBATCH_FUZZ_CHECK(r.count == ref.count, "variant count differs from scalar");
    if (r.status == DecodeStatus::ok)
      JWTBATCH_FUZZ_CHECK(r.count == 0 || std::memcmp(out.data(), ref_out.data(), r.count) == 0,
                          "variant bytes differ from scalar");
  }

  // Round trip of a successful decode: strict decoding means one encoding per byte string.
  if (ref.status == DecodeStatus::ok) {
    std::string enc(base64url_encoded_len(ref.count), '\0');
    const size_t n = base64url_encode_scalar({ref_out.data(), ref.count}, enc);
    JWTBATCH_FUZZ_CHECK(n == body.size() && std::memcmp(enc.data(), body.data(), n) == 0,
                        "decode then encode does not give the input back");
  }

  // Encode the raw bytes with every variant, then decode them back.
  const Placed raw(body, (align * 7) % 64);
  std::string ref_enc(base64url_encoded_len(body.size()), '\0');
  const size_t ref_len = base64url_encode_scalar({reinterpret_cast<const uint8_t*>(raw.view.data()), raw.view.size()}, ref_enc);
  JWTBATCH_FUZZ_CHECK(ref_len == ref_enc.size(), "scalar encoder length");
  for (const KernelTable& t : tables) {
    std::unique_ptr<char[]> enc(new char[ref_len]);
    const size_t len = t.base64url_encode({reinterpret_cast<const uint8_t*>(raw.view.data()), raw.view.size()},
                                          {enc.get(), ref_len});
    JWTBATCH_FUZZ_CHECK(len == ref_len && std::memcmp(enc.get(), ref_enc.data(), len) == 0,
                        "variant encoding differs from scalar");
    const Placed enc_in({reinterpret_cast<const uint8_t*>(ref_enc.data()), ref_len}, 0);
    const DecodeResult back = decode(t, enc_in.view, &out);
    JWTBATCH_FUZZ_CHECK(back.status == DecodeStatus::ok && back.count == body.size() &&
                            (body.empty() || std::memcmp(out.data(), body.data(), body.size()) == 0),
                        "encode then decode does not give the bytes back");
  }
  return 0;
}
