// consumer.cpp: a C++ program on jwtbatch's public C++ API (jwtbatch.hpp), built against an
// installed package with nothing but the package's own usage requirements. It also includes the
// system's OpenSSL headers, as a host that uses OpenSSL for something else would, and checks at
// compile time that <openssl/...> is the system's OpenSSL 3, not the BoringSSL jwtbatch runs on.
// It verifies a corpus in one batch and compares every status with the expected one.
// usage: consumer_cxx JWKS_FILE TOKENS_FILE EXPECTED_FILE
#include <openssl/opensslv.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <jwtbatch/jwtbatch.hpp>

#if defined(OPENSSL_IS_BORINGSSL)
#error "<openssl/opensslv.h> resolved to BoringSSL's header: jwtbatch's package leaks its include path"
#endif
#if !defined(OPENSSL_VERSION_MAJOR) || OPENSSL_VERSION_MAJOR < 3
#error "<openssl/opensslv.h> is not the system's OpenSSL 3 header"
#endif

namespace {

std::string slurp(const char* path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream s(text);
  for (std::string l; std::getline(s, l);) out.push_back(l);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  std::string error;
  std::vector<std::string> warnings;
  auto keys = jwtbatch::KeySet::from_jwks(slurp(argv[1]), &error, &warnings);
  if (!keys) {
    std::fprintf(stderr, "jwks: %s\n", error.c_str());
    return 1;
  }
  jwtbatch::Policy policy;
  policy.issuers = {"https://issuer.example.com"};
  policy.audiences = {"https://api.example.com"};
  const jwtbatch::Verifier verifier(keys, policy);

  const std::vector<std::string> tokens = lines(slurp(argv[2]));
  const std::vector<std::string> expected = lines(slurp(argv[3]));
  if (tokens.empty() || tokens.size() != expected.size()) return 2;
  std::vector<std::string_view> views(tokens.begin(), tokens.end());
  std::vector<jwtbatch::Verdict> verdicts(views.size());
  if (verifier.verify_batch(views, verdicts, 1767225600) != jwtbatch::Status::ok) return 1;
  size_t mismatches = 0;
  for (size_t i = 0; i < verdicts.size(); ++i) {
    if (jwtbatch::to_string(verdicts[i].status) != expected[i]) {
      if (++mismatches <= 5)
        std::fprintf(stderr, "line %zu: %s, expected %s\n", i + 1,
                     std::string(jwtbatch::to_string(verdicts[i].status)).c_str(), expected[i].c_str());
    }
  }
  std::printf("C++ API: %zu tokens, %zu mismatches (OpenSSL header %s)\n", verdicts.size(), mismatches,
              OPENSSL_VERSION_TEXT);
  return mismatches == 0 ? 0 : 1;
}
