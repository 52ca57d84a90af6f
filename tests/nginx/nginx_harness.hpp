// nginx_harness.hpp (nginx module tests): a real nginx started on a loopback port with a generated
// configuration in a temporary prefix, and a minimal HTTP/1.1 client.
//
// The server runs as a non-daemon master (plus workers) in the foreground of a child process; the
// upstream it proxies to is a second server block of the same nginx on a Unix socket that echoes
// the request headers the module forwarded. Everything lives in a fresh mkdtemp() folder, removed
// at the end unless the test failed (its error log is printed then).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jwtbatch::test {

// HttpResponse is one parsed response; `error` is set (and status is 0) when the exchange failed
// at the connection level: refused, reset, closed before a complete response, timed out.
struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; repeated names joined with ", "
  std::string body;
  std::string error;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// http_get sends `GET path` to 127.0.0.1:`port` on a new connection ("Connection: close") with
// the extra `headers` and reads the whole response. Never throws.
HttpResponse http_get(uint16_t port, const std::string& path, const HeaderList& headers = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

// HttpConnection is one keep-alive connection to 127.0.0.1:`port`, for many requests in turn.
// get() fails (error set) when the connection closes or breaks; it never reconnects, so a test
// sees every connection the server dropped.
class HttpConnection {
 public:
  explicit HttpConnection(uint16_t port);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  HttpResponse get(const std::string& path, const HeaderList& headers = {},
                   std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  int fd_ = -1;
  std::string error_;
  std::string buffer_;  // bytes read past the previous response
};

// bearer is {"Authorization", "Bearer " + token}.
HeaderList bearer(const std::string& token, HeaderList more = {});

// NginxOptions: what goes into the generated configuration.
struct NginxOptions {
  // directives for the protected location /api/ (jwtbatch on and the jwks file come first).
  std::string api_directives;
  // jwks: the content of PREFIX/jwks.json, which /api/ uses.
  std::string jwks;
  int worker_processes = 2;
};

// NginxServer runs one nginx. Construction starts it and waits until it answers; failures are
// reported by ok() false and error() (the test asserts on them).
class NginxServer {
 public:
  explicit NginxServer(NginxOptions options);
  ~NginxServer();
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  uint16_t port() const { return port_; }
  const std::string& prefix() const { return prefix_; }
  std::string jwks_path() const { return prefix_ + "/jwks.json"; }

  // replace_file writes `content` to `path` atomically: a temporary file renamed over it (what a
  // key-rotation job does), so a reader sees the old or the new file, never a partial one.
  static bool replace_file(const std::string& path, const std::string& content);

  // reload sends SIGHUP (re-read configuration and keys, new workers, old ones finish their
  // requests) and waits until the master logged that it started the new workers. Returns false
  // when that did not happen within 10 s.
  bool reload();

  // error_log returns the whole error log so far.
  std::string error_log() const;

  // worker_pids lists the master's current worker processes (from /proc).
  std::vector<pid_t> worker_pids() const;

  // stop ends nginx (SIGQUIT, then SIGKILL after 10 s) and returns its exit status as waitpid()
  // reported it; idempotent.
  int stop();

  // write_config writes nginx.conf for `options` (used by the constructor; a test may rewrite it
  // before reload()).
  void write_config(const NginxOptions& options);

 private:
  bool start();
  bool wait_until_answering();

  std::string prefix_;
  std::string error_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  int exit_status_ = -1;
};

// nginx_binary, module_path, library_path: the paths the build passed in (JWTBATCH_NGINX_BINARY,
// JWTBATCH_NGINX_MODULE, JWTBATCH_C_LIBRARY).
std::string nginx_binary();
std::string module_path();
std::string library_path();

}  // namespace jwtbatch::test
