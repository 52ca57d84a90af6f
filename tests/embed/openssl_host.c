/* openssl_host.c: a host process linked against the system OpenSSL (libcrypto.so.3), the way nginx
 * or Python are, that embeds jwtbatch through its C API (tests/CMakeLists.txt builds it twice).
 *
 *   openssl_host_loader  links libjwtbatch_loader: jwtbatch is loaded with RTLD_DEEPBIND.
 *   openssl_host_naive   links libjwtbatch.so directly, after OpenSSL: the naive way.
 *
 * It uses OpenSSL first (SHA-256 of "abc", checked against FIPS 180-2), then reports which library
 * its own SHA256 and jwtbatch's SHA256 are bound to (jwtbatch_crypto_provider), then, with
 * --verify, verifies every token of corpus/demo through jwtbatch_verify and jwtbatch_verify_batch
 * and compares each status with expected.txt, counting ok tokens per algorithm; then uses OpenSSL
 * again.
 *
 * usage: openssl_host CORPUS_DIR [--library PATH] [--expect-provider SUBSTRING] [--verify]
 * Exit 0 when every check asked for holds; 1 otherwise (with a message). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "jwtbatch/jwtbatch.h"

static const unsigned char kAbcSha256[32] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};

static char* read_file(const char* dir, const char* name, size_t* out_len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE* f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* buf = malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) exit(1);
  buf[n] = '\0';
  fclose(f);
  *out_len = (size_t)n;
  return buf;
}

/* split_lines cuts `buf` at newlines in place; returns the number of lines, pointers in `lines`. */
static size_t split_lines(char* buf, char*** lines) {
  size_t cap = 1024, n = 0;
  *lines = malloc(cap * sizeof **lines);
  for (char* p = buf; *p;) {
    char* nl = strchr(p, '\n');
    if (nl) *nl = '\0';
    if (n == cap) *lines = realloc(*lines, (cap *= 2) * sizeof **lines);
    (*lines)[n++] = p;
    if (!nl) break;
    p = nl + 1;
  }
  return n;
}

static int openssl_works(void) {
  unsigned char d[32];
  SHA256((const unsigned char*)"abc", 3, d);
  return memcmp(d, kAbcSha256, 32) == 0;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s CORPUS_DIR [--library PATH] [--expect-provider S] [--verify]\n", argv[0]);
    return 2;
  }
  const char* corpus = argv[1];
  const char* library = NULL;
  const char* expect_provider = NULL;
  int verify = 0;
  for (int i = 2; i < argc; ++i) {
    if (!strcmp(argv[i], "--library") && i + 1 < argc) library = argv[++i];
    else if (!strcmp(argv[i], "--expect-provider") && i + 1 < argc) expect_provider = argv[++i];
    else if (!strcmp(argv[i], "--verify")) verify = 1;
  }

  /* 1. The host uses OpenSSL first. */
  if (!openssl_works()) {
    fprintf(stderr, "FAIL: OpenSSL's SHA256 gave a wrong digest\n");
    return 1;
  }
  Dl_info info;
  const char* host_sha = dladdr((void*)&SHA256, &info) && info.dli_fname ? info.dli_fname : "?";
  printf("host: %s; the host's SHA256 is in %s\n", OpenSSL_version(OPENSSL_VERSION), host_sha);

  /* 2. jwtbatch, and which SHA256 its calls are bound to. */
  char err[600];
  if (jwtbatch_load(library, err, sizeof err) != 0) {
    fprintf(stderr, "FAIL: %s\n", err);
    return 1;
  }
  char provider[4096];
  jwtbatch_crypto_provider(provider, sizeof provider);
  printf("jwtbatch's SHA256 is in %s\n", provider);
  if (expect_provider && !strstr(provider, expect_provider)) {
    fprintf(stderr, "FAIL: expected jwtbatch's crypto in a library named like \"%s\"\n", expect_provider);
    return 1;
  }
  if (!verify) return 0;

  /* 3. Every token of the demo corpus, every algorithm, through the C API. */
  size_t jwks_len, n;
  char* jwks = read_file(corpus, "jwks.json", &jwks_len);
  char** tokens;
  char** expected;
  size_t num_tokens = split_lines(read_file(corpus, "tokens.txt", &n), &tokens);
  size_t num_expected = split_lines(read_file(corpus, "expected.txt", &n), &expected);
  if (num_tokens != num_expected || num_tokens == 0) {
    fprintf(stderr, "FAIL: %zu tokens, %zu expected statuses\n", num_tokens, num_expected);
    return 1;
  }
  jwtbatch_options* o = jwtbatch_options_new();
  if (jwtbatch_options_set(o, "iss", "https://issuer.example.com", err, sizeof err) ||
      jwtbatch_options_set(o, "aud", "https://api.example.com", err, sizeof err) ||
      jwtbatch_options_set(o, "cache_size", "1024", err, sizeof err)) {
    fprintf(stderr, "FAIL: options: %s\n", err);
    return 1;
  }
  jwtbatch_verifier* v = jwtbatch_verifier_new(jwks, jwks_len, o, err, sizeof err);
  jwtbatch_options_free(o);
  if (!v) {
    fprintf(stderr, "FAIL: verifier: %s\n", err);
    return 1;
  }
  const int64_t now = 1767225600;
  size_t mismatches = 0, ok_per_alg[16] = {0};
  size_t* lens = malloc(num_tokens * sizeof *lens);
  jwtbatch_result* batch = malloc(num_tokens * sizeof *batch);
  for (size_t i = 0; i < num_tokens; ++i) lens[i] = strlen(tokens[i]);
  for (int round = 0; round < 2; ++round) { /* the second round hits the cache */
    for (size_t i = 0; i < num_tokens; ++i) {
      jwtbatch_result r;
      jwtbatch_verify(v, tokens[i], lens[i], now, &r, NULL, 0);
      if (strcmp(jwtbatch_status_name(r.status), expected[i]) != 0) {
        if (mismatches++ < 5)
          fprintf(stderr, "token %zu: %s, expected %s\n", i, jwtbatch_status_name(r.status), expected[i]);
      } else if (r.status == JWTBATCH_OK && round == 0 && r.alg > 0 && r.alg < 16) {
        ++ok_per_alg[r.alg];
      }
    }
  }
  if (jwtbatch_verify_batch(v, (const char* const*)tokens, lens, num_tokens, now, batch) != 0) {
    fprintf(stderr, "FAIL: jwtbatch_verify_batch\n");
    return 1;
  }
  for (size_t i = 0; i < num_tokens; ++i)
    if (strcmp(jwtbatch_status_name(batch[i].status), expected[i]) != 0 && mismatches++ < 5)
      fprintf(stderr, "batch token %zu: %s, expected %s\n", i, jwtbatch_status_name(batch[i].status), expected[i]);
  jwtbatch_stats s;
  jwtbatch_verifier_stats(v, &s, sizeof s);
  jwtbatch_verifier_free(v);
  int algs_ok = 0;
  for (int a = JWTBATCH_HS256; a <= JWTBATCH_EDDSA; ++a) {
    printf("%s %zu ok\n", jwtbatch_alg_name(a), ok_per_alg[a]);
    algs_ok += ok_per_alg[a] > 0;
  }
  printf("%zu tokens x 3 (single, single again, batch), %zu mismatches; cache hits %llu\n", num_tokens,
         mismatches, (unsigned long long)s.cache_hits);
  if (mismatches || algs_ok != JWTBATCH_EDDSA || s.cache_hits == 0) {
    fprintf(stderr, "FAIL: %zu mismatches, %d of 13 algorithms verified ok, %llu cache hits\n", mismatches,
            algs_ok, (unsigned long long)s.cache_hits);
    return 1;
  }
  /* 4. OpenSSL still works for the host. */
  if (!openssl_works()) {
    fprintf(stderr, "FAIL: OpenSSL broken after jwtbatch ran\n");
    return 1;
  }
  printf("PASS\n");
  return 0;
}
