/* loader.c: libjwtbatch_loader, the way to use jwtbatch in a process that links OpenSSL (see
 * "Crypto isolation" in include/jwtbatch/jwtbatch.h).
 *
 * It defines every function of jwtbatch.h. The first call (or jwtbatch_load) dlopen()s
 * libjwtbatch.so with RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND: the library and the objects loaded with
 * it (BoringSSL's libcrypto.so.0 among them) look their symbols up in their own scope before the
 * global one, so their SHA256, EVP_*, ... are BoringSSL's even when the host's OpenSSL
 * (libcrypto.so.3, same names) came first; RTLD_LOCAL keeps BoringSSL's names out of the host's
 * scope in turn. Every call is then forwarded through a pointer resolved with dlsym.
 *
 * Where the library comes from, first found wins: jwtbatch_load's `path`; $JWTBATCH_LIBRARY;
 * "libjwtbatch.so.0" through the loader's normal search (the calling object's RUNPATH,
 * LD_LIBRARY_PATH, ld.so.cache); JWTBATCH_DEFAULT_LIBRARY, the install location compiled in. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwtbatch/jwtbatch.h"

#ifndef JWTBATCH_DEFAULT_LIBRARY
#define JWTBATCH_DEFAULT_LIBRARY "libjwtbatch.so.0"
#endif

/* X(return type, name, parameters, arguments, value when nothing is loaded) for every forwarded
 * function that returns a value. */
#define JWTBATCH_FORWARDED(X)                                                                        \
  X(int, jwtbatch_api_version, (void), (), 0)                                                        \
  X(const char*, jwtbatch_status_name, (int status), (status), "unknown")                            \
  X(const char*, jwtbatch_alg_name, (int alg), (alg), "")                                            \
  X(size_t, jwtbatch_crypto_provider, (char* out, size_t out_len), (out, out_len),                   \
    (write_text(out, out_len, ""), (size_t)0))                                                       \
  X(jwtbatch_options*, jwtbatch_options_new, (void), (), NULL)                                       \
  X(int, jwtbatch_options_set,                                                                       \
    (jwtbatch_options * options, const char* name, const char* value, char* out_error,               \
     size_t out_error_len),                                                                          \
    (options, name, value, out_error, out_error_len), (write_error(out_error, out_error_len), -1))   \
  X(jwtbatch_verifier*, jwtbatch_verifier_new,                                                       \
    (const char* jwks, size_t jwks_len, const jwtbatch_options* options, char* out_message,          \
     size_t out_message_len),                                                                        \
    (jwks, jwks_len, options, out_message, out_message_len),                                         \
    (write_error(out_message, out_message_len), NULL))                                               \
  X(int, jwtbatch_verifier_set_jwks,                                                                 \
    (jwtbatch_verifier * verifier, const char* jwks, size_t jwks_len, char* out_message,             \
     size_t out_message_len),                                                                        \
    (verifier, jwks, jwks_len, out_message, out_message_len),                                        \
    (write_error(out_message, out_message_len), -1))                                                 \
  X(int, jwtbatch_verify,                                                                            \
    (const jwtbatch_verifier* verifier, const char* token, size_t token_len, int64_t now,            \
     jwtbatch_result* out, char* claims_out, size_t claims_cap),                                     \
    (verifier, token, token_len, now, out, claims_out, claims_cap), unloaded_verify(out))            \
  X(int, jwtbatch_verify_batch,                                                                      \
    (const jwtbatch_verifier* verifier, const char* const* tokens, const size_t* token_lens,         \
     size_t num_tokens, int64_t now, jwtbatch_result* out),                                          \
    (verifier, tokens, token_lens, num_tokens, now, out), -1)                                        \
  X(size_t, jwtbatch_describe,                                                                       \
    (const jwtbatch_verifier* verifier, const jwtbatch_result* result, char* out, size_t out_len),   \
    (verifier, result, out, out_len), (write_text(out, out_len, ""), (size_t)0))                     \
  X(int, jwtbatch_claim_value,                                                                       \
    (const char* claims_json, size_t claims_len, const char* name, char* out, size_t out_len,        \
     size_t* out_value_len),                                                                         \
    (claims_json, claims_len, name, out, out_len, out_value_len), -3)                                \
  X(int, jwtbatch_verifier_stats,                                                                    \
    (const jwtbatch_verifier* verifier, jwtbatch_stats* out, size_t out_size),                       \
    (verifier, out, out_size), -1)                                                                   \
  X(int, jwtbatch_audit_buffer,                                                                      \
    (const jwtbatch_verifier* verifier, const char* data, size_t data_len, uint64_t first_line,      \
     const char* source_name, int64_t now, char** out_json, size_t* out_json_len, char* out_error,   \
     size_t out_error_len),                                                                          \
    (verifier, data, data_len, first_line, source_name, now, out_json, out_json_len, out_error,      \
     out_error_len),                                                                                 \
    (unloaded_text(out_json, out_json_len), write_error(out_error, out_error_len), -1))              \
  X(int, jwtbatch_audit_merge,                                                                       \
    (const char* json_a, size_t json_a_len, const char* json_b, size_t json_b_len, char** out_json,  \
     size_t* out_json_len, char* out_error, size_t out_error_len),                                   \
    (json_a, json_a_len, json_b, json_b_len, out_json, out_json_len, out_error, out_error_len),      \
    (unloaded_text(out_json, out_json_len), write_error(out_error, out_error_len), -1))              \
  X(int, jwtbatch_audit_render,                                                                      \
    (const char* json, size_t json_len, const char* format, char** out, size_t* out_len,             \
     char* out_error, size_t out_error_len),                                                         \
    (json, json_len, format, out, out_len, out_error, out_error_len),                                \
    (unloaded_text(out, out_len), write_error(out_error, out_error_len), -1))

/* Those that return nothing. */
#define JWTBATCH_FORWARDED_VOID(X)                                              \
  X(jwtbatch_options_free, (jwtbatch_options * options), (options))             \
  X(jwtbatch_verifier_free, (jwtbatch_verifier * verifier), (verifier))        \
  X(jwtbatch_string_free, (char* s), (s))

static pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;
static int g_state; /* 0: not tried, 1: loaded, -1: the automatic load failed */
static char g_error[512];
static void* g_handle;

#define DECLARE_POINTER(ret, name, params, args, fallback) static ret(*p_##name) params;
#define DECLARE_POINTER_VOID(name, params, args) static void(*p_##name) params;
JWTBATCH_FORWARDED(DECLARE_POINTER)
JWTBATCH_FORWARDED_VOID(DECLARE_POINTER_VOID)

static void write_text(char* out, size_t out_len, const char* s) {
  if (!out || out_len == 0) return;
  size_t n = strlen(s);
  if (n >= out_len) n = out_len - 1;
  memcpy(out, s, n);
  out[n] = '\0';
}

static void write_error(char* out, size_t out_len) {
  char buf[600];
  snprintf(buf, sizeof buf, "jwtbatch loader: %s", g_error[0] ? g_error : "libjwtbatch.so not loaded");
  write_text(out, out_len, buf);
}

static void unloaded_text(char** out, size_t* out_len) {
  if (out) *out = NULL;
  if (out_len) *out_len = 0;
}

static int unloaded_verify(jwtbatch_result* out) {
  if (out) {
    memset(out, 0, sizeof *out);
    out->status = JWTBATCH_MALFORMED;
    out->key_index = 0xffffffffu;
  }
  return JWTBATCH_MALFORMED;
}

/* try_open opens `path` and resolves every function; on failure it leaves the reason in g_error.
 * Called with g_mutex held. */
static int try_open(const char* path) {
  void* h = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (!h) {
    const char* e = dlerror();
    snprintf(g_error, sizeof g_error, "%s", e ? e : path);
    return -1;
  }
#define RESOLVE(ret, name, params, args, fallback)                                              \
  *(void**)(&p_##name) = dlsym(h, #name);                                                        \
  if (!p_##name) {                                                                               \
    snprintf(g_error, sizeof g_error, "%s: no symbol %s", path, #name);                          \
    dlclose(h);                                                                                  \
    return -1;                                                                                   \
  }
#define RESOLVE_VOID(name, params, args) RESOLVE(void, name, params, args, 0)
  JWTBATCH_FORWARDED(RESOLVE)
  JWTBATCH_FORWARDED_VOID(RESOLVE_VOID)
#undef RESOLVE
#undef RESOLVE_VOID
  if (p_jwtbatch_api_version() != JWTBATCH_C_API_VERSION) {
    snprintf(g_error, sizeof g_error, "%s: C API version %d, this loader was built for %d", path,
             p_jwtbatch_api_version(), JWTBATCH_C_API_VERSION);
    dlclose(h);
    return -1;
  }
  g_handle = h;
  g_error[0] = '\0';
  __atomic_store_n(&g_state, 1, __ATOMIC_RELEASE);
  return 0;
}

/* load_locked tries the candidates in order (see the top of this file). */
static int load_locked(const char* path) {
  if (g_state == 1) return 0;
  if (path) return try_open(path);
  const char* env = getenv("JWTBATCH_LIBRARY");
  if (env && env[0]) return try_open(env);
  if (try_open("libjwtbatch.so.0") == 0) return 0;
  char first[sizeof g_error];
  memcpy(first, g_error, sizeof first);
  if (strcmp(JWTBATCH_DEFAULT_LIBRARY, "libjwtbatch.so.0") != 0 && try_open(JWTBATCH_DEFAULT_LIBRARY) == 0) return 0;
  memcpy(g_error, first, sizeof first);
  return -1;
}

/* ensure_loaded: 1 when the library is there, loading it on first use (once: a failed automatic
 * load is not retried on every call; jwtbatch_load can retry). */
static int ensure_loaded(void) {
  if (__atomic_load_n(&g_state, __ATOMIC_ACQUIRE) == 1) return 1;
  pthread_mutex_lock(&g_mutex);
  if (g_state == 0 && load_locked(NULL) != 0) g_state = -1;
  const int ok = g_state == 1;
  pthread_mutex_unlock(&g_mutex);
  return ok;
}

int jwtbatch_load(const char* path, char* out_error, size_t out_error_len) {
  pthread_mutex_lock(&g_mutex);
  const int rc = load_locked(path);
  if (rc != 0) {
    if (g_state != 1) g_state = -1;
    write_error(out_error, out_error_len);
  } else {
    write_text(out_error, out_error_len, "");
  }
  pthread_mutex_unlock(&g_mutex);
  return rc;
}

#define FORWARD(ret, name, params, args, fallback) \
  ret name params {                                \
    if (!ensure_loaded()) return fallback;         \
    return p_##name args;                          \
  }
#define FORWARD_VOID(name, params, args) \
  void name params {                     \
    if (!ensure_loaded()) return;        \
    p_##name args;                       \
  }
JWTBATCH_FORWARDED(FORWARD)
JWTBATCH_FORWARDED_VOID(FORWARD_VOID)
