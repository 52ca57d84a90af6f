// nginx_harness.cpp (nginx module tests): see nginx_harness.hpp.
#include "tests/nginx/nginx_harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

namespace jwtbatch::test {

namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return s;
}

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return s.substr(b, e - b);
}

// wait_fd waits until `fd` is ready for `events` or `deadline` passes.
bool wait_fd(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    const int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return false;
  }
}

// parse_response fills `out` from the bytes of a whole response read until the server closed.
void parse_response(const std::string& raw, HttpResponse* out) {
  const size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) {
    out->error = raw.empty() ? "connection closed without a response" : "incomplete response head";
    return;
  }
  std::istringstream head(raw.substr(0, end));
  std::string line;
  std::getline(head, line);
  if (line.rfind("HTTP/1.", 0) != 0 || line.size() < 12) {
    out->error = "bad status line: " + line;
    return;
  }
  const int status = std::atoi(line.c_str() + 9);
  while (std::getline(head, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string name = lower(line.substr(0, colon));
    const std::string value = trim(line.substr(colon + 1));
    auto [it, fresh] = out->headers.emplace(name, value);
    if (!fresh) it->second += ", " + value;
  }
  out->body = raw.substr(end + 4);
  const std::string length = out->header("content-length");
  if (!length.empty() && out->body.size() != static_cast<size_t>(std::atoll(length.c_str()))) {
    out->error = "body shorter than Content-Length";
    return;
  }
  out->status = status;
}

bool read_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return true;
}

size_t count_of(const std::string& text, const std::string& what, size_t from = 0) {
  size_t n = 0;
  for (size_t at = text.find(what, from); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

uint16_t free_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

}  // namespace

std::string nginx_binary() { return JWTBATCH_NGINX_BINARY; }
std::string module_path() { return JWTBATCH_NGINX_MODULE; }
std::string library_path() { return JWTBATCH_C_LIBRARY; }

HeaderList bearer(const std::string& token, HeaderList more) {
  more.insert(more.begin(), {"Authorization", "Bearer " + token});
  return more;
}

namespace {

// connect_loopback returns a connected non-blocking socket to 127.0.0.1:`port`, or -1 with `error`.
int connect_loopback(uint16_t port, Clock::time_point deadline, std::string* error) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) {
    *error = std::string("connect: ") + std::strerror(errno);
    close(fd);
    return -1;
  }
  if (!wait_fd(fd, POLLOUT, deadline)) {
    *error = "connect: timed out";
    close(fd);
    return -1;
  }
  int so_error = 0;
  socklen_t so_len = sizeof so_error;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len);
  if (so_error != 0) {
    *error = std::string("connect: ") + std::strerror(so_error);
    close(fd);
    return -1;
  }
  return fd;
}

// send_request writes a GET request; false with `error` when it could not.
bool send_request(int fd, const std::string& path, const HeaderList& headers, bool keep_alive,
                  Clock::time_point deadline, std::string* error) {
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  request += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n";
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_fd(fd, POLLOUT, deadline)) break;
    } else {
      break;
    }
  }
  if (sent < request.size()) {
    *error = std::string("send: ") + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

HttpConnection::HttpConnection(uint16_t port) {
  fd_ = connect_loopback(port, Clock::now() + std::chrono::seconds(10), &error_);
}

HttpConnection::~HttpConnection() {
  if (fd_ >= 0) close(fd_);
}

HttpResponse HttpConnection::get(const std::string& path, const HeaderList& headers,
                                 std::chrono::milliseconds timeout) {
  HttpResponse out;
  const auto deadline = Clock::now() + timeout;
  if (fd_ < 0) {
    out.error = error_.empty() ? "not connected" : error_;
    return out;
  }
  auto fail = [&](std::string why) {
    out.error = why;
    error_ = "connection broken earlier: " + why;
    close(fd_);
    fd_ = -1;
    return out;
  };
  if (!send_request(fd_, path, headers, true, deadline, &out.error)) return fail(out.error);
  // Read the head, then Content-Length bytes of body (nginx sends it for these responses).
  size_t head_end = std::string::npos, total = 0;
  char buf[16384];
  for (;;) {
    if (head_end == std::string::npos) {
      head_end = buffer_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        HttpResponse head;
        parse_response(buffer_.substr(0, head_end + 4), &head);
        const std::string length = head.header("content-length");
        if (length.empty()) return fail("response without Content-Length on a keep-alive connection");
        total = head_end + 4 + static_cast<size_t>(std::atoll(length.c_str()));
      }
    }
    if (head_end != std::string::npos && buffer_.size() >= total) break;
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      buffer_.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      return fail(buffer_.empty() ? "connection closed by the server" : "connection closed mid-response");
    } else if (errno == EAGAIN || errno == EINTR) {
      if (!wait_fd(fd_, POLLIN, deadline)) return fail("recv: timed out");
    } else {
      return fail(std::string("recv: ") + std::strerror(errno));
    }
  }
  parse_response(buffer_.substr(0, total), &out);
  buffer_.erase(0, total);
  if (!out.error.empty()) return fail(out.error);
  if (out.header("connection") == "close") return fail("server closed the connection after a response");
  return out;
}

HttpResponse http_get(uint16_t port, const std::string& path, const HeaderList& headers,
                      std::chrono::milliseconds timeout) {
  HttpResponse out;
  const auto deadline = Clock::now() + timeout;
  const int fd = connect_loopback(port, deadline, &out.error);
  if (fd < 0) return out;
  if (!send_request(fd, path, headers, false, deadline, &out.error)) {
    close(fd);
    return out;
  }
  std::string raw;
  char buf[16384];
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      raw.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno == EAGAIN || errno == EINTR) {
      if (!wait_fd(fd, POLLIN, deadline)) {
        out.error = "recv: timed out";
        close(fd);
        return out;
      }
    } else {
      out.error = std::string("recv: ") + std::strerror(errno);
      close(fd);
      return out;
    }
  }
  close(fd);
  parse_response(raw, &out);
  return out;
}

NginxServer::NginxServer(NginxOptions options) {
  char tmpl[] = "/tmp/jwtbatch-nginx-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    error_ = std::string("mkdtemp: ") + std::strerror(errno);
    return;
  }
  prefix_ = tmpl;
  if (!replace_file(jwks_path(), options.jwks)) {
    error_ = "cannot write " + jwks_path();
    return;
  }
  // A port picked free can be taken before nginx binds it: try a few.
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_loopback_port();
    write_config(options);
    if (start()) return;
    if (error_log().find("Address already in use") == std::string::npos) return;
    error_.clear();
    std::filesystem::remove(prefix_ + "/error.log");
  }
}

NginxServer::~NginxServer() {
  stop();
  if (prefix_.empty()) return;
  if (testing::Test::HasFailure()) {
    std::fprintf(stderr, "--- nginx error log (%s/error.log)\n%s---\n", prefix_.c_str(), error_log().c_str());
  }
  std::error_code ec;
  std::filesystem::remove_all(prefix_, ec);
}

void NginxServer::write_config(const NginxOptions& options) {
  const std::string& p = prefix_;
  std::ostringstream c;
  c << "load_module " << module_path() << ";\n"
    << "daemon off;\nmaster_process on;\n"
    << "worker_processes " << options.worker_processes << ";\n";
  // As root, nginx would switch its workers to nobody, who cannot read the 0700 prefix.
  if (geteuid() == 0) c << "user root;\n";
  c << "error_log " << p << "/error.log notice;\n"
    << "pid " << p << "/nginx.pid;\n"
    << "events { worker_connections 1024; }\n"
    << "http {\n"
    << "  access_log off;\n"
    << "  keepalive_requests 1000000;\n"
    << "  client_body_temp_path " << p << "/tmp_body;\n"
    << "  proxy_temp_path " << p << "/tmp_proxy;\n"
    << "  fastcgi_temp_path " << p << "/tmp_fastcgi;\n"
    << "  uwsgi_temp_path " << p << "/tmp_uwsgi;\n"
    << "  scgi_temp_path " << p << "/tmp_scgi;\n"
    << "  jwtbatch_library " << library_path() << ";\n"
    // The upstream: echoes the headers the module forwards (and what the client sent).
    << "  server {\n"
    << "    listen unix:" << p << "/upstream.sock;\n"
    << "    location / {\n"
    << "      return 200 \"sub=$http_x_jwt_sub\\niss=$http_x_jwt_iss\\naud=$http_x_jwt_aud\\n"
       "scope=$http_x_jwt_scope\\nrole=$http_x_jwt_role\\ncache=$http_x_jwt_cache\\n"
       "status=$http_x_jwt_status\\nuri=$request_uri\\n\";\n"
    << "    }\n"
    << "  }\n"
    << "  server {\n"
    << "    listen 127.0.0.1:" << port_ << ";\n"
    << "    location = /healthz { return 204; }\n"
    << "    location = /jwtbatch-stats { jwtbatch_stats; }\n"
    << "    location /api/ {\n"
    << "      jwtbatch on;\n"
    << "      jwtbatch_jwks " << jwks_path() << ";\n"
    << "      " << options.api_directives << "\n"
    << "      proxy_pass http://unix:" << p << "/upstream.sock:;\n"
    << "    }\n"
    << "    location /open/ {\n"
    << "      proxy_pass http://unix:" << p << "/upstream.sock:;\n"
    << "    }\n"
    << "  }\n"
    << "}\n";
  replace_file(p + "/nginx.conf", c.str());
}

bool NginxServer::replace_file(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".new";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    out << content;
    if (!out.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

bool NginxServer::start() {
  const std::string conf = prefix_ + "/nginx.conf";
  const std::string out_log = prefix_ + "/stderr.log";
  const std::string bin = nginx_binary();
  const std::string pfx = prefix_ + "/";
  pid_ = fork();
  if (pid_ < 0) {
    error_ = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid_ == 0) {
    const int fd = open(out_log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execl(bin.c_str(), "nginx", "-p", pfx.c_str(), "-c", conf.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  exit_status_ = -1;
  return wait_until_answering();
}

bool NginxServer::wait_until_answering() {
  const auto deadline = Clock::now() + std::chrono::seconds(15);
  while (Clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      exit_status_ = status;
      std::string err;
      read_file(prefix_ + "/stderr.log", &err);
      error_ = "nginx exited at start (status " + std::to_string(status) + "): " + err + error_log();
      return false;
    }
    const HttpResponse r = http_get(port_, "/healthz", {}, std::chrono::milliseconds(500));
    if (r.status == 204) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error_ = "nginx did not answer within 15 s: " + error_log();
  return false;
}

bool NginxServer::reload() {
  if (pid_ <= 0) return false;
  const std::string before = error_log();
  const size_t reloads = count_of(before, "reconfiguring");
  if (kill(pid_, SIGHUP) != 0) return false;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    const std::string log = error_log();
    // The master logs "reconfiguring", then either an [emerg] (the new configuration was refused,
    // the old one stays) or one "start worker process" per new worker.
    size_t at = 0;
    for (size_t i = 0; i <= reloads; ++i) {
      at = log.find("reconfiguring", i == 0 ? 0 : at + 1);
      if (at == std::string::npos) break;
    }
    if (at != std::string::npos) {
      if (log.find("[emerg]", at) != std::string::npos) return false;
      if (count_of(log, "start worker process", at) >= 1 && log.find("gracefully shutting down", at) != std::string::npos)
        return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::string NginxServer::error_log() const {
  std::string s;
  read_file(prefix_ + "/error.log", &s);
  return s;
}

std::vector<pid_t> NginxServer::worker_pids() const {
  std::vector<pid_t> out;
  if (pid_ <= 0) return out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat;
    if (!read_file(e.path().string() + "/stat", &stat)) continue;
    // pid (comm) state ppid ...: comm may hold spaces; parse after the last ')'.
    const size_t rp = stat.rfind(')');
    if (rp == std::string::npos) continue;
    std::istringstream rest(stat.substr(rp + 1));
    std::string state;
    long ppid = 0;
    rest >> state >> ppid;
    if (ppid == pid_) out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

int NginxServer::stop() {
  if (pid_ <= 0) return exit_status_;
  kill(pid_, SIGQUIT);
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  int status = 0;
  for (;;) {
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (Clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  exit_status_ = status;
  return status;
}

}  // namespace jwtbatch::test
