// nginx_rotation_test.cpp: JWKS rotation under load, both ways the module offers (a new file and
// a reload, and the file-change check without reload), with requests in flight the whole time:
// none may be lost (each gets 200 or the expected 401; none fails at the connection level).
#include <atomic>
#include <chrono>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/nginx/nginx_harness.hpp"
#include "tests/support/token_builder.hpp"

namespace jwtbatch::test {
namespace {

using Clock = std::chrono::steady_clock;

// Two key sets with one HMAC key each: A (kid "a") before the rotation, B (kid "b") after.
struct Rotation {
  std::vector<uint8_t> secret_a = std::vector<uint8_t>(32, 0xa1);
  std::vector<uint8_t> secret_b = std::vector<uint8_t>(32, 0xb2);
  std::string jwks_a = jwks("a", secret_a);
  std::string jwks_b = jwks("b", secret_b);
  std::string token_a = token("a", secret_a);
  std::string token_b = token("b", secret_b);

  static std::string jwks(const std::string& kid, const std::vector<uint8_t>& secret) {
    return "{\"keys\":[{\"kty\":\"oct\",\"alg\":\"HS256\",\"kid\":\"" + kid + "\",\"k\":\"" + b64url(secret) + "\"}]}";
  }
  static std::string token(const std::string& kid, const std::vector<uint8_t>& secret) {
    const std::string claims = "{\"sub\":\"" + kid + "\",\"exp\":" + std::to_string(std::time(nullptr) + 3600) + "}";
    return make_token("HS256", "{\"alg\":\"HS256\",\"kid\":\"" + kid + "\"}", claims, secret);
  }
};

struct Sample {
  Clock::time_point start, end;
  bool with_a;  // which token was sent
  int status;
  std::string error;
};

// Load runs `threads` clients, each sending token A and token B in turn until stop() is called,
// each request on a new connection, or (`keep_alive`) all of a client's requests on one connection;
// samples() holds every request's outcome.
class Load {
 public:
  Load(uint16_t port, const Rotation& keys, int threads, bool keep_alive = false) {
    for (int t = 0; t < threads; ++t) {
      workers_.emplace_back([this, port, &keys, t, keep_alive] {
        std::vector<Sample> mine;
        std::unique_ptr<HttpConnection> connection;
        if (keep_alive) connection = std::make_unique<HttpConnection>(port);
        for (uint64_t i = t; !stop_.load(std::memory_order_relaxed); ++i) {
          const bool with_a = i % 2 == 0;
          Sample s;
          s.with_a = with_a;
          s.start = Clock::now();
          const HeaderList headers = bearer(with_a ? keys.token_a : keys.token_b);
          const HttpResponse r = keep_alive ? connection->get("/api/r", headers) : http_get(port, "/api/r", headers);
          s.end = Clock::now();
          s.status = r.status;
          s.error = r.error;
          if (r.status == 401 && r.header("www-authenticate").find("error=\"invalid_token\"") == std::string::npos) {
            s.error = "401 without an invalid_token challenge: " + r.header("www-authenticate");
          }
          mine.push_back(std::move(s));
        }
        std::lock_guard<std::mutex> lock(mu_);
        samples_.insert(samples_.end(), mine.begin(), mine.end());
      });
    }
  }
  ~Load() { stop(); }
  void stop() {
    stop_ = true;
    for (auto& w : workers_)
      if (w.joinable()) w.join();
  }
  const std::vector<Sample>& samples() const { return samples_; }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::vector<Sample> samples_;
};

// check_rotation: no request lost; before `swap_start` A passes and B is refused, after `settled`
// B passes and A is refused, in between either; and some requests were in flight during the swap.
void check_rotation(const std::vector<Sample>& samples, Clock::time_point swap_start, Clock::time_point settled) {
  size_t before = 0, during = 0, after = 0, lost = 0;
  for (const Sample& s : samples) {
    if (!s.error.empty() || (s.status != 200 && s.status != 401)) {
      if (++lost <= 5) ADD_FAILURE() << "lost request: status " << s.status << ", " << s.error;
      continue;
    }
    if (s.end < swap_start) {
      ++before;
      EXPECT_EQ(s.status, s.with_a ? 200 : 401) << "before the rotation";
    } else if (s.start > settled) {
      ++after;
      EXPECT_EQ(s.status, s.with_a ? 401 : 200) << "after the rotation";
    } else {
      ++during;
    }
  }
  EXPECT_EQ(lost, 0u) << "of " << samples.size();
  EXPECT_GT(before, 20u);
  EXPECT_GT(during, 5u) << "no requests were in flight during the rotation";
  EXPECT_GT(after, 20u);
  std::printf("rotation: %zu requests, %zu before, %zu during, %zu after, %zu lost\n", samples.size(), before, during,
              after, lost);
}

TEST(NginxRotation, NewFileAndReloadLosesNoRequest) {
  Rotation keys;
  NginxOptions o;
  o.jwks = keys.jwks_a;
  o.api_directives = "jwtbatch_jwks_check off;";  // only the reload re-reads the file
  NginxServer nginx(o);
  ASSERT_TRUE(nginx.ok()) << nginx.error();
  const std::vector<pid_t> old_workers = nginx.worker_pids();
  Load load(nginx.port(), keys, 4);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  const auto swap_start = Clock::now();
  ASSERT_TRUE(NginxServer::replace_file(nginx.jwks_path(), keys.jwks_b));
  ASSERT_TRUE(nginx.reload()) << nginx.error_log();
  // The old workers finish what they accepted and exit; new connections go to the new workers.
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  for (;;) {
    bool old_alive = false;
    for (pid_t p : nginx.worker_pids())
      for (pid_t q : old_workers) old_alive |= p == q;
    if (!old_alive || Clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto settled = Clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  load.stop();
  check_rotation(load.samples(), swap_start, settled);
}

// The file-change path swaps keys inside the running workers: even keep-alive connections carry on.
TEST(NginxRotation, FileChangeWithoutReloadLosesNoRequest) {
  Rotation keys;
  NginxOptions o;
  o.jwks = keys.jwks_a;
  o.api_directives = "jwtbatch_jwks_check 100ms;";
  NginxServer nginx(o);
  ASSERT_TRUE(nginx.ok()) << nginx.error();
  const std::vector<pid_t> workers = nginx.worker_pids();
  Load load(nginx.port(), keys, 2, /*keep_alive=*/false);
  Load kept(nginx.port(), keys, 2, /*keep_alive=*/true);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  const auto swap_start = Clock::now();
  ASSERT_TRUE(NginxServer::replace_file(nginx.jwks_path(), keys.jwks_b));
  // Each worker notices on its first request after its check interval: 100 ms, plus margin for a
  // loaded machine.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  const auto settled = Clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  load.stop();
  kept.stop();
  std::vector<Sample> samples = load.samples();
  samples.insert(samples.end(), kept.samples().begin(), kept.samples().end());
  check_rotation(samples, swap_start, settled);
  check_rotation(kept.samples(), swap_start, settled);  // on two connections, never closed
  EXPECT_EQ(nginx.worker_pids(), workers) << "no worker may have restarted";
  EXPECT_NE(nginx.error_log().find("jwtbatch: keys reloaded from"), std::string::npos);
}

TEST(NginxRotation, BadNewKeysKeepTheOldOnes) {
  Rotation keys;
  NginxOptions o;
  o.jwks = keys.jwks_a;
  o.api_directives = "jwtbatch_jwks_check 50ms;";
  NginxServer nginx(o);
  ASSERT_TRUE(nginx.ok()) << nginx.error();
  // A broken file: the workers keep key set A (and say why).
  ASSERT_TRUE(NginxServer::replace_file(nginx.jwks_path(), "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2hvcnQ\"}"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(http_get(nginx.port(), "/api/r", bearer(keys.token_a)).status, 200);
  }
  EXPECT_NE(nginx.error_log().find("keeping the keys in use"), std::string::npos) << nginx.error_log();
  // A reload with the broken file is refused by nginx; the running configuration stays.
  EXPECT_FALSE(nginx.reload());
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(http_get(nginx.port(), "/api/r", bearer(keys.token_a)).status, 200);
  }
  // A good file is picked up again.
  ASSERT_TRUE(NginxServer::replace_file(nginx.jwks_path(), keys.jwks_b));
  // Each worker checks the file on its first request after the interval, before verifying.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(http_get(nginx.port(), "/api/r", bearer(keys.token_b)).status, 200);
    EXPECT_EQ(http_get(nginx.port(), "/api/r", bearer(keys.token_a)).status, 401);
  }
}

}  // namespace
}  // namespace jwtbatch::test
