/* consumer.c: the smallest program on jwtbatch's C API, built against an installed package. It
 * verifies the first token of a corpus whose expected status is ok, and one forged copy of it.
 * usage: consumer JWKS_FILE TOKENS_FILE EXPECTED_FILE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jwtbatch/jwtbatch.h>

static char* slurp(const char* path, size_t* len) {
  FILE* f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* b = malloc((size_t)n + 1);
  if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) return NULL;
  b[n] = '\0';
  fclose(f);
  *len = (size_t)n;
  return b;
}

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  size_t jwks_len, n;
  char* jwks = slurp(argv[1], &jwks_len);
  char* tokens = slurp(argv[2], &n);
  char* expected = slurp(argv[3], &n);
  if (!jwks || !tokens || !expected) return 2;
  /* The first line whose expected status is "ok". */
  char *t = tokens, *e = expected;
  while (strncmp(e, "ok\n", 3) != 0) {
    t = strchr(t, '\n') + 1;
    e = strchr(e, '\n') + 1;
  }
  *strchr(t, '\n') = '\0';

  char msg[512];
  jwtbatch_options* o = jwtbatch_options_new();
  if (!o || jwtbatch_options_set(o, "iss", "https://issuer.example.com", msg, sizeof msg) != 0 ||
      jwtbatch_options_set(o, "aud", "https://api.example.com", msg, sizeof msg) != 0 ||
      jwtbatch_options_set(o, "claims", "sub", msg, sizeof msg) != 0) {
    fprintf(stderr, "options: %s\n", msg);
    return 1;
  }
  jwtbatch_verifier* v = jwtbatch_verifier_new(jwks, jwks_len, o, msg, sizeof msg);
  jwtbatch_options_free(o);
  if (!v) {
    fprintf(stderr, "verifier: %s\n", msg);
    return 1;
  }
  jwtbatch_result r;
  char claims[1024];
  int s = jwtbatch_verify(v, t, strlen(t), 1767225600, &r, claims, sizeof claims);
  printf("%s %s %s\n", jwtbatch_status_name(s), jwtbatch_alg_name(r.alg), claims);
  t[strlen(t) - 2] ^= 1; /* forged */
  int forged = jwtbatch_verify(v, t, strlen(t), 1767225600, &r, NULL, 0);
  jwtbatch_describe(v, &r, msg, sizeof msg);
  printf("forged: %s (%s)\n", jwtbatch_status_name(forged), msg);
  jwtbatch_verifier_free(v);
  return s == JWTBATCH_OK && forged != JWTBATCH_OK && strstr(claims, "\"sub\"") ? 0 : 1;
}
