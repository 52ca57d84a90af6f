// rsa_cli_test.cpp: RS256 / PS256 through the `jwtbatch` command with the RSA kernels (default),
// the portable reference (JWTBATCH_FORCE_ISA=scalar) and BoringSSL alone
// (JWTBATCH_FORCE_BORINGSSL=1): the three runs must print the same verdicts, the right ones.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/cli_command.hpp"
#include "tests/support/token_builder.hpp"

namespace jwtbatch {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kNow = 1767225600;

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(RsaCli, KernelsScalarAndBoringSslPrintTheSameVerdicts) {
  const fs::path dir = fs::temp_directory_path() / ("jwtbatch_rsa_cli_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "keys.jwks") << test::test_keys().jwks();
  // Valid and forged tokens of both RSA algorithms, enough of them to fill lanes, in one chunk.
  std::string input, want;
  for (int i = 0; i < 200; ++i) {
    const bool pss = i % 3 == 0;
    const std::string alg = pss ? "PS256" : "RS256";
    const std::string hdr = "{\"alg\":\"" + alg + "\",\"kid\":\"" + (pss ? "ps" : "rs") + "\"}";
    std::string token = test::make_token(alg, hdr, "{\"exp\":" + std::to_string(kNow + 60 + i) + "}");
    const bool forge = i % 5 == 2;
    if (forge) token[token.size() - 10] = token[token.size() - 10] == 'A' ? 'B' : 'A';
    input += token + "\n";
    want += forge ? "bad_signature\n" : "ok\n";
  }
  std::ofstream(dir / "tokens.txt") << input;
  std::string outputs[3];
  const char* envs[3] = {"", "JWTBATCH_FORCE_ISA=scalar ", "JWTBATCH_FORCE_BORINGSSL=1 "};
  for (int k = 0; k < 3; ++k) {
    const fs::path out = dir / ("out" + std::to_string(k) + ".txt");
    const std::string cmd = std::string("env ") + envs[k] + test::cli_command() + " verify --threads 1 --jwks " +
                            (dir / "keys.jwks").string() + " --now " + std::to_string(kNow) + " " +
                            (dir / "tokens.txt").string() + " >" + out.string() + " 2>/dev/null";
    const int status = std::system(cmd.c_str());
    ASSERT_TRUE(WIFEXITED(status)) << cmd;
    outputs[k] = slurp(out);
  }
  fs::remove_all(dir);
  EXPECT_EQ(outputs[0], outputs[2]) << "kernels vs BoringSSL";
  EXPECT_EQ(outputs[1], outputs[2]) << "scalar vs BoringSSL";
  std::stringstream lines(outputs[0]), expected(want);
  std::string line, status;
  int n = 0;
  while (std::getline(lines, line) && std::getline(expected, status)) {
    EXPECT_NE(line.find("\"status\":\"" + status + "\""), std::string::npos) << n << ": " << line;
    ++n;
  }
  EXPECT_EQ(n, 200);
}

}  // namespace
}  // namespace jwtbatch
