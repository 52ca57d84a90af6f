// jwtbatch_module.cpp: the Python binding `jwtbatch` (pybind11), a thin layer over the C API
// (include/jwtbatch/jwtbatch.h) and nothing else. It links libjwtbatch_loader, which dlopen()s
// libjwtbatch.so with RTLD_LOCAL | RTLD_DEEPBIND: Python has loaded the system OpenSSL (ssl,
// hashlib), and jwtbatch's own crypto calls must stay on BoringSSL (docs/embedding.md, "Crypto
// isolation").
// No C++ of the engine, no BoringSSL, no simdjson or TBB is linked into this module.
//
//   v = jwtbatch.Verifier(jwks_text, iss=[...], aud=[...], leeway=30, extract=True, threads=2)
//   statuses = v.verify([tok, ...] or b"tok\ntok\n", now=...)   # bytes, one status code per token
//   report = v.audit(b"...log...", first_line=1, source="app.log", now=...)  # JSON text
//   jwtbatch.merge_reports(a, b); jwtbatch.render_report(report, "html"|"summary")
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "jwtbatch/jwtbatch.h"

namespace py = pybind11;

namespace {

// Text is a malloc'd string from the C API's audit functions, freed on scope exit.
struct Text {
  char* p = nullptr;
  size_t len = 0;
  ~Text() { jwtbatch_string_free(p); }
  py::str str() const { return py::str(p ? p : "", len); }
};

int64_t now_or_clock(const py::object& now) {
  if (now.is_none()) return static_cast<int64_t>(std::time(nullptr));
  return now.cast<int64_t>();
}

// option_text turns a Python option value into the C API's text: True/False -> "1"/"0",
// numbers -> decimal, lists -> comma-separated (iss and aud are set once per item instead).
std::string option_text(const py::handle& v) {
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>() ? "1" : "0";
  if (py::isinstance<py::int_>(v)) return std::to_string(v.cast<long long>());
  if (py::isinstance<py::str>(v)) return v.cast<std::string>();
  if (py::isinstance<py::bytes>(v)) return v.cast<std::string>();
  std::string out;
  for (const py::handle& item : v) {
    if (!out.empty()) out += ',';
    out += option_text(item);
  }
  return out;
}

// Tokens holds views of a batch: into one bytes buffer's lines, or into a list's bytes/str items
// (the Python objects stay referenced by the caller for the whole call).
struct Tokens {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  std::string owned;  // a copy of a buffer input
};

void lines_of(std::string_view s, Tokens& t) {
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = s.find('\n', pos);
    if (end == std::string_view::npos) end = s.size();
    size_t len = end - pos;
    if (len > 0 && s[pos + len - 1] == '\r') --len;
    t.ptrs.push_back(s.data() + pos);
    t.lens.push_back(len);
    pos = end + 1;
  }
}

void tokens_of(const py::object& input, Tokens& t) {
  if (py::isinstance<py::bytes>(input) || py::isinstance<py::bytearray>(input) ||
      py::isinstance<py::memoryview>(input)) {
    py::buffer_info info = py::buffer(input).request();
    t.owned.assign(static_cast<const char*>(info.ptr), static_cast<size_t>(info.size * info.itemsize));
    lines_of(t.owned, t);
    return;
  }
  if (py::isinstance<py::str>(input)) throw py::type_error("verify: a list of tokens, or bytes with one token per line");
  for (const py::handle& item : input) {
    if (PyBytes_Check(item.ptr())) {
      t.ptrs.push_back(PyBytes_AS_STRING(item.ptr()));
      t.lens.push_back(static_cast<size_t>(PyBytes_GET_SIZE(item.ptr())));
    } else if (PyUnicode_Check(item.ptr())) {
      Py_ssize_t n = 0;
      const char* p = PyUnicode_AsUTF8AndSize(item.ptr(), &n);  // cached in the str object
      if (!p) throw py::error_already_set();
      t.ptrs.push_back(p);
      t.lens.push_back(static_cast<size_t>(n));
    } else {
      throw py::type_error("verify: tokens must be str or bytes");
    }
  }
}

class Verifier {
 public:
  Verifier(const std::string& jwks, const py::kwargs& kwargs) {
    char msg[4096];
    jwtbatch_options* o = jwtbatch_options_new();
    if (!o) throw std::runtime_error("jwtbatch: cannot create options (is libjwtbatch.so loadable?)");
    try {
      for (const auto& [k, v] : kwargs) {
        std::string name = py::str(k);
        for (char& c : name)
          if (c == '-') c = '_';
        const bool each = (name == "iss" || name == "aud") && !py::isinstance<py::str>(v) && py::hasattr(v, "__iter__");
        std::vector<std::string> values;
        if (each)
          for (const py::handle& item : v) values.push_back(option_text(item));
        else
          values.push_back(option_text(v));
        for (const std::string& value : values)
          if (jwtbatch_options_set(o, name.c_str(), value.c_str(), msg, sizeof msg) != 0)
            throw py::value_error("jwtbatch option " + name + ": " + msg);
      }
      v_ = jwtbatch_verifier_new(jwks.data(), jwks.size(), o, msg, sizeof msg);
      jwtbatch_options_free(o);
    } catch (...) {
      jwtbatch_options_free(o);
      throw;
    }
    if (!v_) throw py::value_error(std::string("jwtbatch: ") + msg);
    warnings_ = msg;
  }
  ~Verifier() { jwtbatch_verifier_free(v_); }
  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  // verify: one status code per token, as bytes (jwtbatch.STATUS_NAMES[code] names it). With
  // details=True, a dict of bytes: "status", "alg" (codes), and "exp", "iat" (little-endian int64
  // per token, -2^63 when absent).
  py::object verify(const py::object& tokens, const py::object& now, bool details) const {
    Tokens t;
    tokens_of(tokens, t);
    const int64_t when = now_or_clock(now);
    std::vector<jwtbatch_result> results(t.ptrs.size());
    int rc = 0;
    {
      py::gil_scoped_release release;
      rc = jwtbatch_verify_batch(v_, t.ptrs.data(), t.lens.data(), t.ptrs.size(), when, results.data());
    }
    if (rc != 0) throw std::runtime_error("jwtbatch: verify_batch failed");
    std::string status(results.size(), '\0');
    for (size_t i = 0; i < results.size(); ++i) status[i] = static_cast<char>(results[i].status);
    if (!details) return py::bytes(status);
    std::string alg(results.size(), '\0');
    std::vector<int64_t> exp(results.size()), iat(results.size());
    for (size_t i = 0; i < results.size(); ++i) {
      alg[i] = static_cast<char>(results[i].alg);
      exp[i] = results[i].has_exp ? results[i].exp : INT64_MIN;
      iat[i] = results[i].has_iat ? results[i].iat : INT64_MIN;
    }
    py::dict d;
    d["status"] = py::bytes(status);
    d["alg"] = py::bytes(alg);
    d["exp"] = py::bytes(reinterpret_cast<const char*>(exp.data()), exp.size() * sizeof(int64_t));
    d["iat"] = py::bytes(reinterpret_cast<const char*>(iat.data()), iat.size() * sizeof(int64_t));
    return d;
  }

  // audit: the report (JSON text) of `data` (one token per line, or raw text with extract=True).
  py::str audit(const py::buffer& data, uint64_t first_line, const std::string& source, const py::object& now) const {
    py::buffer_info info = data.request();
    const char* p = static_cast<const char*>(info.ptr);
    const size_t len = static_cast<size_t>(info.size * info.itemsize);
    const int64_t when = now_or_clock(now);
    Text out;
    char err[1024];
    int rc = 0;
    {
      py::gil_scoped_release release;
      rc = jwtbatch_audit_buffer(v_, p, len, first_line, source.c_str(), when, &out.p, &out.len, err, sizeof err);
    }
    if (rc != 0) throw py::value_error(std::string("jwtbatch audit: ") + err);
    return out.str();
  }

  const std::string& warnings() const { return warnings_; }

 private:
  jwtbatch_verifier* v_ = nullptr;
  std::string warnings_;
};

py::str merge_reports(const std::string& a, const std::string& b) {
  Text out;
  char err[1024];
  int rc = 0;
  {
    py::gil_scoped_release release;
    rc = jwtbatch_audit_merge(a.data(), a.size(), b.data(), b.size(), &out.p, &out.len, err, sizeof err);
  }
  if (rc != 0) throw py::value_error(std::string("jwtbatch merge_reports: ") + err);
  return out.str();
}

py::str render_report(const std::string& json, const std::string& format) {
  Text out;
  char err[1024];
  int rc = 0;
  {
    py::gil_scoped_release release;
    rc = jwtbatch_audit_render(json.data(), json.size(), format.c_str(), &out.p, &out.len, err, sizeof err);
  }
  if (rc != 0) throw py::value_error(std::string("jwtbatch render_report: ") + err);
  return out.str();
}

}  // namespace

PYBIND11_MODULE(jwtbatch, m) {
  m.doc() = "jwtbatch: batch JWT verification and token-log audits (through the isolated C API)";
  char err[1024];
  // $JWTBATCH_LIBRARY first (the loader reads it), else the library this module was built beside.
  const char* env = std::getenv("JWTBATCH_LIBRARY");
  if (jwtbatch_load(env && env[0] ? nullptr : JWTBATCH_PY_LIBRARY, err, sizeof err) != 0 &&
      jwtbatch_load(nullptr, err, sizeof err) != 0)
    throw py::import_error(std::string("jwtbatch: cannot load libjwtbatch.so: ") + err);

  py::list names;
  for (int s = 0; s < JWTBATCH_NUM_STATUSES; ++s) names.append(jwtbatch_status_name(s));
  m.attr("STATUS_NAMES") = py::tuple(names);
  py::list algs;
  for (int a = 0; a <= JWTBATCH_EDDSA; ++a) algs.append(jwtbatch_alg_name(a));
  m.attr("ALG_NAMES") = py::tuple(algs);

  py::class_<Verifier>(m, "Verifier")
      .def(py::init<const std::string&, const py::kwargs&>(), py::arg("jwks"),
           "Verifier(jwks_text, **options): options as the command line names them (alg, iss, aud,\n"
           "require, leeway, max_age, typ, max_token_bytes, threads; for audits extract,\n"
           "max_lifetime, large_token_bytes, exact_limit, replay_limit, examples); '-' or '_'.")
      .def("verify", &Verifier::verify, py::arg("tokens"), py::arg("now") = py::none(), py::arg("details") = false,
           "verify(tokens, now=None, details=False) -> bytes of status codes (GIL released)")
      .def("audit", &Verifier::audit, py::arg("data"), py::arg("first_line") = 1, py::arg("source") = "-",
           py::arg("now") = py::none(), "audit(data, first_line=1, source='-', now=None) -> report JSON text")
      .def_property_readonly("warnings", &Verifier::warnings);
  m.def("merge_reports", &merge_reports, py::arg("a"), py::arg("b"), "merge two audit reports (JSON text)");
  m.def("render_report", &render_report, py::arg("report"), py::arg("format"),
        "render a report as 'html', 'summary' or 'json'");
  m.def("status_name", [](int s) { return std::string(jwtbatch_status_name(s)); });
  m.def("crypto_provider", [] {
    char buf[4096];
    jwtbatch_crypto_provider(buf, sizeof buf);
    return std::string(buf);
  }, "the file jwtbatch's SHA256 is bound to (BoringSSL's libcrypto.so.0 when isolated)");
}
