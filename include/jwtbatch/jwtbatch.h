/* jwtbatch.h: the C API of jwtbatch, for embedders (API gateways, nginx, Python through ctypes).
 *
 * It wraps the C++ API (jwtbatch.hpp), which stays the primary one: create a verifier from JWKS text
 * and options, verify one token (a status, the time claims, and chosen claims as JSON text for
 * forwarding), verify a batch, swap the key set atomically from a refreshed JWKS, read counters,
 * free. Nothing throws across it; every function is safe to call from many threads at once on the
 * same verifier, except jwtbatch_verifier_free (and jwtbatch_options_* on one options object).
 *
 * Ownership, for every pointer in this file:
 *   - Handles (jwtbatch_options*, jwtbatch_verifier*) are made by their _new function and owned by
 *     the caller until passed to their _free function (which accepts NULL).
 *   - Every other pointer argument is borrowed for the duration of the call only: the library keeps
 *     no pointer to caller memory after it returns (JWKS text, tokens, option strings are copied or
 *     consumed during the call).
 *   - Output buffers (char* out, size_t out_len) are caller-owned; the library writes at most
 *     out_len bytes, always NUL-terminated when out_len > 0, and never allocates memory the caller
 *     must free.
 *   - The const char* returned by jwtbatch_status_name and jwtbatch_alg_name point to static
 *     strings: never free them; they live as long as the library is loaded.
 *
 * Crypto isolation (read this when the host process links OpenSSL: nginx, Python, curl, ...):
 * jwtbatch verifies signatures with BoringSSL (Debian's android-libboringssl), whose libcrypto
 * exports the same, unversioned, symbol names as OpenSSL's libcrypto.so.3. Linked naively into a
 * process that already has OpenSSL, libjwtbatch's calls to SHA256, EVP_* ... bind to OpenSSL (a
 * different ABI: wrong results or crashes). So:
 *   - libjwtbatch.so exports only the jwtbatch_* functions of this header (a version script; all of
 *     the C++ engine, simdjson and TBB glue inside it is hidden).
 *   - Hosts that may have OpenSSL link libjwtbatch_loader (static, a few KiB; pkg-config
 *     jwtbatch-loader, CMake jwtbatch::loader) instead of libjwtbatch. It defines the same
 *     functions as this header; on first use it dlopen()s libjwtbatch.so with
 *     RTLD_LOCAL | RTLD_DEEPBIND, so libjwtbatch and its BoringSSL resolve their symbols among
 *     themselves first, and forwards every call through dlsym'd pointers. Same header, same code:
 *     only the link line differs. The library is found at JWTBATCH_LIBRARY (environment), else at
 *     the path jwtbatch_load() was given, else at the install location compiled into the loader.
 *   - Hosts without OpenSSL may link libjwtbatch directly (pkg-config jwtbatch, CMake
 *     jwtbatch::jwtbatch).
 *   - Python: ctypes.CDLL(path_to_libjwtbatch_so, mode=os.RTLD_LOCAL | os.RTLD_DEEPBIND).
 *   - jwtbatch_crypto_provider() names the file that jwtbatch's crypto calls are bound to: check it
 *     (it must be BoringSSL's libcrypto.so.0) in a host you have not tried before.
 *   - RTLD_DEEPBIND is refused by AddressSanitizer: under ASan, link libjwtbatch directly into a
 *     host without OpenSSL.
 */
#ifndef JWTBATCH_JWTBATCH_H_
#define JWTBATCH_JWTBATCH_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define JWTBATCH_API __attribute__((visibility("default")))
#else
#define JWTBATCH_API
#endif

/* JWTBATCH_C_API_VERSION changes when a function or struct of this header changes incompatibly
 * (additions keep it); jwtbatch_api_version returns the library's. */
#define JWTBATCH_C_API_VERSION 1

/* jwtbatch_status: one token's verdict. The values and names are those of jwtbatch::Status and of
 * the command line (README, "Verdicts"). When several things are wrong the first group wins:
 * structure > algorithm and key > signature > claims. */
typedef enum jwtbatch_status {
  JWTBATCH_OK = 0,
  JWTBATCH_MALFORMED = 1,
  JWTBATCH_TOO_LARGE = 2,
  JWTBATCH_BAD_BASE64 = 3,
  JWTBATCH_BAD_JSON = 4,
  JWTBATCH_BAD_HEADER = 5,
  JWTBATCH_UNSUPPORTED_ALG = 6,
  JWTBATCH_ALG_NOT_ALLOWED = 7,
  JWTBATCH_KEY_NOT_FOUND = 8,
  JWTBATCH_UNSUPPORTED_CRIT = 9,
  JWTBATCH_BAD_SIGNATURE = 10,
  JWTBATCH_EXPIRED = 11,
  JWTBATCH_NOT_YET_VALID = 12,
  JWTBATCH_BAD_ISSUER = 13,
  JWTBATCH_BAD_AUDIENCE = 14,
  JWTBATCH_MISSING_CLAIM = 15,
  JWTBATCH_BAD_CLAIM = 16
} jwtbatch_status;
#define JWTBATCH_NUM_STATUSES 17

/* jwtbatch_alg: the JWS algorithms (values of jwtbatch::Alg). */
typedef enum jwtbatch_alg {
  JWTBATCH_ALG_UNKNOWN = 0,
  JWTBATCH_HS256, JWTBATCH_HS384, JWTBATCH_HS512,
  JWTBATCH_RS256, JWTBATCH_RS384, JWTBATCH_RS512,
  JWTBATCH_PS256, JWTBATCH_PS384, JWTBATCH_PS512,
  JWTBATCH_ES256, JWTBATCH_ES384, JWTBATCH_ES512,
  JWTBATCH_EDDSA
} jwtbatch_alg;

typedef struct jwtbatch_options jwtbatch_options;
typedef struct jwtbatch_verifier jwtbatch_verifier;

/* jwtbatch_api_version returns JWTBATCH_C_API_VERSION as the library was built. */
JWTBATCH_API int jwtbatch_api_version(void);

/* jwtbatch_status_name returns the stable snake_case name of `status` ("ok", "bad_signature", ...),
 * or "unknown" when out of range. Static storage. */
JWTBATCH_API const char* jwtbatch_status_name(int status);

/* jwtbatch_alg_name returns the JOSE name of `alg` ("HS256", ..., "EdDSA"), or "" for
 * JWTBATCH_ALG_UNKNOWN and values out of range. Static storage. */
JWTBATCH_API const char* jwtbatch_alg_name(int alg);

/* jwtbatch_crypto_provider writes to `out` (out_len bytes, NUL-terminated) the path of the shared
 * object that jwtbatch's own calls to BoringSSL's SHA256 are bound to in this process (it must be
 * BoringSSL's libcrypto.so.0; see "Crypto isolation" above). It returns the path's length, or 0 when
 * the loader cannot tell. */
JWTBATCH_API size_t jwtbatch_crypto_provider(char* out, size_t out_len);

/* ---- options -------------------------------------------------------------------------------- */

/* jwtbatch_options_new returns an options object holding the defaults (RFC 8725: exp required, no
 * leeway; every algorithm the key set permits; no cache), or NULL when out of memory. */
JWTBATCH_API jwtbatch_options* jwtbatch_options_new(void);

/* jwtbatch_options_free frees `options` (NULL is fine). A verifier made from it keeps its own copy. */
JWTBATCH_API void jwtbatch_options_free(jwtbatch_options* options);

/* jwtbatch_options_set sets option `name` to `value` (both NUL-terminated, borrowed). It returns 0,
 * or -1 with a one-line reason in `out_error` (may be NULL) for an unknown name or a bad value.
 * The policy options ("alg" to "max_token_bytes" below) are those of the C++ table
 * jwtbatch::policy_options() (include/jwtbatch/options.hpp), which the command's flags use too:
 * same names, bounds and messages. Changed by that table (API version unchanged): "max_token_bytes"
 * refuses 1 to 15 (it accepted 1 and up; the command always required 16), and integer values may
 * carry a leading sign ("+60"; a "-" still fails every bound but "-0").
 *
 *   name              value
 *   "alg"             comma-separated allow-list, e.g. "RS256,ES256" (replaces; default: every
 *                     algorithm the key set permits)
 *   "iss"             an accepted issuer (each call adds one; when any, iss is required)
 *   "aud"             an accepted audience (each call adds one; when any, aud is required)
 *   "require"         comma-separated claims that must be present (replaces the default "exp";
 *                     "" for none)
 *   "leeway"          seconds of clock skew tolerated for exp, nbf, iat (default 0)
 *   "max_age"         seconds: iat required and no older than this
 *   "typ"             the header's typ must be this (case-insensitive, "application/" optional)
 *   "max_token_bytes" longer tokens are too_large (default 65536; from 16 to 2^30)
 *   "claims"          comma-separated claim names that jwtbatch_verify returns as JSON text (adds;
 *                     names of printable ASCII without quote or backslash)
 *   "cache_size"      entries of the verified-token cache (default 0: no cache); rounded up to a
 *                     multiple of 8
 *   "cache_ttl"       the longest an entry may live, in seconds, also for tokens without exp
 *                     (default 300); an entry never outlives the token's exp (nor max_age) nor a
 *                     key-set swap
 *   "threads"         threads for jwtbatch_verify_batch and jwtbatch_audit_buffer (default 0:
 *                     every core)
 *
 *   For jwtbatch_audit_buffer (the names of `jwtbatch audit`'s flags; README "Audit"):
 *   "extract"         "1": raw text, every JWT-looking word is audited; "0" (default): one token
 *                     per line
 *   "max_lifetime"    seconds: long_lived above this (default 900)
 *   "large_token_bytes" large_token above this (default 4096)
 *   "exact_limit"     distinct kid/iss/aud values counted exactly per table (default 10000)
 *   "replay_limit"    distinct fingerprints remembered exactly for replays (default 262144)
 *   "examples"        examples kept per finding (default 5)
 */
JWTBATCH_API int jwtbatch_options_set(jwtbatch_options* options, const char* name, const char* value,
                                      char* out_error, size_t out_error_len);

/* ---- verifier ------------------------------------------------------------------------------- */

/* jwtbatch_verifier_new loads the key set from `jwks` (jwks_len bytes of a JWKS document, RFC 7517,
 * or of one JWK; borrowed) and copies `options` (NULL: the defaults). It returns the verifier, or
 * NULL with a one-line reason in `out_message` (may be NULL). On success `out_message` receives the
 * warnings for skipped keys, one line each ("" when none). */
JWTBATCH_API jwtbatch_verifier* jwtbatch_verifier_new(const char* jwks, size_t jwks_len,
                                                      const jwtbatch_options* options,
                                                      char* out_message, size_t out_message_len);

/* jwtbatch_verifier_free frees `verifier` (NULL is fine). No call on it may be running or follow. */
JWTBATCH_API void jwtbatch_verifier_free(jwtbatch_verifier* verifier);

/* jwtbatch_verifier_set_jwks replaces the key set with the one in `jwks` (borrowed), atomically:
 * verifications already running finish with the old set, later ones use the new set, and no
 * cached verdict of the old set is used again. It returns 0 (warnings in `out_message` as for
 * jwtbatch_verifier_new), or -1 with the reason in `out_message`, keeping the old set. */
JWTBATCH_API int jwtbatch_verifier_set_jwks(jwtbatch_verifier* verifier, const char* jwks,
                                            size_t jwks_len, char* out_message,
                                            size_t out_message_len);

/* jwtbatch_result: one token's verdict. Fields past `status` are set as far as the token got. */
typedef struct jwtbatch_result {
  int32_t status;      /* a jwtbatch_status */
  int32_t alg;         /* a jwtbatch_alg, once the header parsed */
  uint32_t detail;     /* what exactly was wrong (read it through jwtbatch_describe) */
  uint32_t key_index;  /* index of the key used in the key set of that moment; 0xffffffff if none */
  int64_t exp, nbf, iat; /* the time claims (seconds), valid when has_* is 1 */
  uint8_t has_exp, has_nbf, has_iat;
  uint8_t from_cache;  /* 1 when the verdict came from the verified-token cache */
  uint32_t reserved0;
  /* claims_len: the length of the selected claims' JSON text (see jwtbatch_verify), without its
   * NUL; 0 when none was written. */
  size_t claims_len;
  uint64_t reserved[4];
} jwtbatch_result;

/* jwtbatch_verify checks one token (`token_len` bytes at `token`, borrowed; no NUL needed) at
 * Unix time `now` and writes `out` (not NULL). It returns out->status.
 *
 * When the status is ok and the "claims" option names claims, the token's claims of those names
 * (those present, in option order) are written to `claims_out` as one compact JSON object, e.g.
 * {"sub":"alice","scope":"read write"}, NUL-terminated, and out->claims_len is its length. When
 * it needs more than claims_cap bytes (NUL included), nothing is written, claims_out[0] is set to
 * NUL (if claims_cap > 0) and out->claims_len is the length needed: call again with a larger
 * buffer (the second call is a cache hit when the cache is on). `claims_out` may be NULL when
 * claims_cap is 0.
 *
 * With the cache on (option "cache_size"), a token verified ok before, under the same key set and
 * still inside its validity window at `now`, is answered from the cache (out->from_cache = 1)
 * without decoding, parsing or signature checks. Only ok verdicts are cached. */
JWTBATCH_API int jwtbatch_verify(const jwtbatch_verifier* verifier, const char* token,
                                 size_t token_len, int64_t now, jwtbatch_result* out,
                                 char* claims_out, size_t claims_cap);

/* jwtbatch_verify_batch checks `num_tokens` tokens (tokens[i] of token_lens[i] bytes, all borrowed)
 * at `now`, on up to "threads" threads, and writes out[i] (the array holds num_tokens results; no
 * claims: claims_len is 0). The cache is neither read nor filled. It returns 0, or -1 when an
 * argument is NULL while num_tokens > 0. */
JWTBATCH_API int jwtbatch_verify_batch(const jwtbatch_verifier* verifier, const char* const* tokens,
                                       const size_t* token_lens, size_t num_tokens, int64_t now,
                                       jwtbatch_result* out);

/* jwtbatch_describe writes a one-line, human-readable reason for `result` (as judged under the
 * verifier's options) to `out` ("token expired at 2026-09-21T05:46:40Z"; "" for ok). The text is
 * printable ASCII and holds nothing taken from the token, so it may go into an RFC 6750
 * error_description. It returns the full length (snprintf-style: a result >= out_len means the text
 * was truncated). */
JWTBATCH_API size_t jwtbatch_describe(const jwtbatch_verifier* verifier, const jwtbatch_result* result,
                                      char* out, size_t out_len);

/* jwtbatch_claim_value finds member `name` (NUL-terminated) in the JSON object `claims_json`
 * (claims_len bytes, e.g. what jwtbatch_verify wrote) and writes its value to `out`: a string
 * unescaped (UTF-8), any other value as compact JSON text; NUL-terminated. `out_value_len` (may be
 * NULL) receives the value's length. Returns:
 *    1  found and written;
 *    0  absent;
 *   -1  out_len too small (out_value_len holds the length needed, NUL excluded);
 *   -2  the value holds a control character (a byte below 0x20, or 0x7f): refused, so that it can
 *       never split an HTTP header;
 *   -3  claims_json is not a JSON object. */
JWTBATCH_API int jwtbatch_claim_value(const char* claims_json, size_t claims_len, const char* name,
                                      char* out, size_t out_len, size_t* out_value_len);

/* jwtbatch_stats: counters since the verifier was made. jwtbatch_verify and jwtbatch_verify_batch
 * both count into `tokens` and `status_counts`. */
typedef struct jwtbatch_stats {
  uint64_t tokens;                                /* tokens verified (cache hits included) */
  uint64_t status_counts[JWTBATCH_NUM_STATUSES];  /* per jwtbatch_status */
  uint64_t batches;                               /* jwtbatch_verify_batch calls */
  uint64_t batch_wall_nanos;                      /* their total wall-clock time */
  uint64_t cache_hits;       /* jwtbatch_verify answered from the cache */
  uint64_t cache_misses;     /* looked up, not there (or expired, or of an old key set) */
  uint64_t cache_inserts;    /* ok verdicts stored */
  uint64_t cache_evictions;  /* live entries pushed out to make room (size bound) */
  uint64_t cache_expired;    /* entries dropped because past their window or of an old key set */
  uint64_t cache_entries;    /* entries held now */
  uint64_t cache_capacity;   /* the most entries it can hold (0: no cache) */
  uint64_t key_sets;         /* key sets installed (1 + successful jwtbatch_verifier_set_jwks) */
  uint64_t keys;             /* usable keys in the current key set */
} jwtbatch_stats;

/* jwtbatch_verifier_stats fills `out` (out_size bytes: pass sizeof(jwtbatch_stats); a smaller,
 * older struct gets its prefix). Returns 0, or -1 when an argument is NULL. */
JWTBATCH_API int jwtbatch_verifier_stats(const jwtbatch_verifier* verifier, jwtbatch_stats* out,
                                         size_t out_size);

/* ---- audit ---------------------------------------------------------------------------------
 *
 * An audit (README "Audit") of a buffer gives a report as JSON text (the "jwtbatch-audit-1" format
 * of `jwtbatch audit --json`); reports of parts of an input merge into the report of the whole.
 * These functions hand back text whose size is not known in advance: *out receives a malloc'd,
 * NUL-terminated string that the caller owns and frees with jwtbatch_string_free (the only
 * exception to "the library never allocates memory the caller must free"). On failure *out is
 * NULL. They return 0, or -1 with a one-line reason in `out_error` (may be NULL). */

/* jwtbatch_audit_buffer audits `data` (data_len bytes, borrowed): one token per line, or raw text
 * when the "extract" option is 1, with the verifier's policy and audit options, at time `now`, on
 * up to "threads" threads. `first_line` is the line number of data's first line (1 for a whole
 * file; for a part of a file cut at a line start, 1 + the newlines before it) and `source_name`
 * (NUL-terminated, NULL: "-") names the input: examples read source_name:line as for the whole
 * file. The report goes to *out_json (its length to *out_json_len, which may be NULL). */
JWTBATCH_API int jwtbatch_audit_buffer(const jwtbatch_verifier* verifier, const char* data, size_t data_len,
                                       uint64_t first_line, const char* source_name, int64_t now,
                                       char** out_json, size_t* out_json_len, char* out_error,
                                       size_t out_error_len);

/* jwtbatch_audit_merge merges the reports `json_a` and `json_b` (JSON text, borrowed) into one,
 * written to *out_json: every count adds exactly; the bounded tables and replay sets merge as their
 * sketches do, and the report's "exact" members say which parts are exact. Merging is associative
 * and commutative in every count (the order of `sources` follows the merge order). */
JWTBATCH_API int jwtbatch_audit_merge(const char* json_a, size_t json_a_len, const char* json_b,
                                      size_t json_b_len, char** out_json, size_t* out_json_len,
                                      char* out_error, size_t out_error_len);

/* jwtbatch_audit_render renders the report `json` (borrowed) as `format`: "html" (the
 * self-contained page of `jwtbatch audit --html`), "summary" (the text `jwtbatch audit` prints) or
 * "json" (re-serialised), into *out. */
JWTBATCH_API int jwtbatch_audit_render(const char* json, size_t json_len, const char* format, char** out,
                                       size_t* out_len, char* out_error, size_t out_error_len);

/* jwtbatch_string_free frees a string the audit functions returned (NULL is fine). */
JWTBATCH_API void jwtbatch_string_free(char* s);

/* ---- loader (libjwtbatch_loader only) -------------------------------------------------------- */

/* jwtbatch_load loads libjwtbatch.so from `path` (NULL: $JWTBATCH_LIBRARY, else the installed
 * location) with RTLD_LOCAL | RTLD_DEEPBIND and resolves every function of this header. Calling it
 * is optional: the first call of any other function loads from the default place. It returns 0 (also
 * when already loaded), or -1 with the dlopen/dlsym error in `out_error`. Every other function fails
 * safely while nothing is loaded: _new functions return NULL with the load error, jwtbatch_verify
 * returns JWTBATCH_MALFORMED, name functions return "unknown"/"". In libjwtbatch itself it does
 * nothing and returns 0. */
JWTBATCH_API int jwtbatch_load(const char* path, char* out_error, size_t out_error_len);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* JWTBATCH_JWTBATCH_H_ */
