/* ngx_http_jwtbatch_module.c: JWT (compact JWS) verification for nginx, on jwtbatch's C API.
 *
 * An access-phase handler takes the token of "Authorization: Bearer <token>" (RFC 6750 section
 * 2.1), verifies it with jwtbatch (signature, algorithm allow-list, issuer, audience, time window
 * with leeway, required claims), and either lets the request through, with chosen claims set as
 * request headers for the upstream, or answers 401 with an RFC 6750 section 3 challenge:
 *
 *   WWW-Authenticate: Bearer realm="api", error="invalid_token", error_description="token expired at ..."
 *
 * (a request without a bearer token gets the challenge without error, as section 3.1 asks).
 *
 * Crypto isolation: nginx links the system OpenSSL, jwtbatch links BoringSSL, and both export the
 * same symbol names. This module never links libjwtbatch: it links jwtbatch's loader (a small
 * static library, C only), which dlopen()s libjwtbatch.so with RTLD_LOCAL | RTLD_DEEPBIND, so that
 * libjwtbatch's calls into BoringSSL can never be bound to nginx's OpenSSL (include/jwtbatch/
 * jwtbatch.h, "Crypto isolation"). The module logs the crypto provider jwtbatch is bound to when
 * the library is loaded.
 *
 * Keys: each location with its own settings gets one jwtbatch verifier, made when the
 * configuration is read (so `nginx -t` and a reload check the JWKS file, and a reload with a bad
 * file keeps the running configuration). On reload (SIGHUP) the new configuration re-reads the
 * file. Between reloads every worker checks the file at most once per `jwtbatch_jwks_check`
 * interval (on a request) and, when its inode, size or mtime changed, swaps the key set atomically
 * (jwtbatch_verifier_set_jwks); a file that does not load keeps the old keys (logged).
 *
 * The verified-token cache (on by default) lives in each worker process.
 */
#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <jwtbatch/jwtbatch.h>

#define JWTBATCH_NGX_MAX_JWKS (4 * 1024 * 1024)
#define JWTBATCH_NGX_MESSAGE_LEN 1024
#define JWTBATCH_NGX_CLAIMS_BUF 1024

/* ngx_http_jwtbatch_keys_t: one verifier and the JWKS file it was loaded from. After fork each
 * worker has its own copy, so the file state is per worker (no locking). */
typedef struct {
  jwtbatch_verifier *verifier;
  ngx_str_t path; /* NUL-terminated */
  ngx_msec_t check_interval; /* 0: never re-read between reloads */
  ngx_msec_t next_check;
  /* the file as last read (loaded or refused) */
  dev_t dev;
  ino_t ino;
  off_t size;
  time_t mtime_sec;
  long mtime_nsec;
} ngx_http_jwtbatch_keys_t;

typedef struct {
  ngx_str_t claim;  /* NUL-terminated */
  ngx_str_t header; /* as configured */
  ngx_str_t lowcase;
  ngx_uint_t hash;
} ngx_http_jwtbatch_claim_header_t;

typedef struct {
  ngx_flag_t enable;
  ngx_str_t jwks;
  ngx_array_t *algs;      /* ngx_str_t */
  ngx_array_t *issuers;   /* ngx_str_t */
  ngx_array_t *audiences; /* ngx_str_t */
  ngx_array_t *require;   /* ngx_str_t; an empty array: no claim required */
  time_t leeway;
  ngx_array_t *claim_headers; /* ngx_http_jwtbatch_claim_header_t */
  ngx_flag_t cache;
  ngx_uint_t cache_size;
  time_t cache_ttl;
  ngx_msec_t jwks_check;
  ngx_str_t realm;
  ngx_http_jwtbatch_keys_t *keys;
} ngx_http_jwtbatch_loc_conf_t;

typedef struct {
  ngx_str_t library;
  ngx_flag_t loaded;
  ngx_array_t verifiers; /* ngx_http_jwtbatch_keys_t *, for jwtbatch_stats */
} ngx_http_jwtbatch_main_conf_t;

/* per request: what the variables report */
typedef struct {
  ngx_int_t status;  /* a jwtbatch_status, or -1: no token */
  ngx_uint_t from_cache;
  ngx_uint_t cache_on;
} ngx_http_jwtbatch_ctx_t;

static ngx_int_t ngx_http_jwtbatch_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_jwtbatch_init(ngx_conf_t *cf);
static ngx_int_t ngx_http_jwtbatch_init_process(ngx_cycle_t *cycle);
static void *ngx_http_jwtbatch_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_jwtbatch_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_jwtbatch_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child);
static char *ngx_http_jwtbatch_str_list(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static char *ngx_http_jwtbatch_require(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static char *ngx_http_jwtbatch_claim_header(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static char *ngx_http_jwtbatch_jwks_check(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static char *ngx_http_jwtbatch_stats(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);

static ngx_command_t ngx_http_jwtbatch_commands[] = {
    {ngx_string("jwtbatch_library"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1, ngx_conf_set_str_slot,
     NGX_HTTP_MAIN_CONF_OFFSET, offsetof(ngx_http_jwtbatch_main_conf_t, library), NULL},
    {ngx_string("jwtbatch"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_HTTP_LMT_CONF | NGX_CONF_FLAG,
     ngx_conf_set_flag_slot, NGX_HTTP_LOC_CONF_OFFSET, offsetof(ngx_http_jwtbatch_loc_conf_t, enable), NULL},
    {ngx_string("jwtbatch_jwks"), NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_conf_set_str_slot, NGX_HTTP_LOC_CONF_OFFSET, offsetof(ngx_http_jwtbatch_loc_conf_t, jwks), NULL},
    {ngx_string("jwtbatch_jwks_check"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1, ngx_http_jwtbatch_jwks_check,
     NGX_HTTP_LOC_CONF_OFFSET, offsetof(ngx_http_jwtbatch_loc_conf_t, jwks_check), NULL},
    {ngx_string("jwtbatch_algs"), NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_1MORE,
     ngx_http_jwtbatch_str_list, NGX_HTTP_LOC_CONF_OFFSET, offsetof(ngx_http_jwtbatch_loc_conf_t, algs), NULL},
    {ngx_string("jwtbatch_issuer"), NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_1MORE,
     ngx_http_jwtbatch_str_list, NGX_HTTP_LOC_CONF_OFFSET, offsetof(ngx_http_jwtbatch_loc_conf_t, issuers), NULL},
    {ngx_string("jwtbatch_audience"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_1MORE, ngx_http_jwtbatch_str_list,
     NGX_HTTP_LOC_CONF_OFFSET, offsetof(ngx_http_jwtbatch_loc_conf_t, audiences), NULL},
    {ngx_string("jwtbatch_require"), NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_1MORE,
     ngx_http_jwtbatch_require, NGX_HTTP_LOC_CONF_OFFSET, offsetof(ngx_http_jwtbatch_loc_conf_t, require), NULL},
    {ngx_string("jwtbatch_leeway"), NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_conf_set_sec_slot, NGX_HTTP_LOC_CONF_OFFSET, offsetof(ngx_http_jwtbatch_loc_conf_t, leeway), NULL},
    {ngx_string("jwtbatch_claim_header"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE2, ngx_http_jwtbatch_claim_header,
     NGX_HTTP_LOC_CONF_OFFSET, offsetof(ngx_http_jwtbatch_loc_conf_t, claim_headers), NULL},
    {ngx_string("jwtbatch_cache"), NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_FLAG,
     ngx_conf_set_flag_slot, NGX_HTTP_LOC_CONF_OFFSET, offsetof(ngx_http_jwtbatch_loc_conf_t, cache), NULL},
    {ngx_string("jwtbatch_cache_size"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1, ngx_conf_set_num_slot,
     NGX_HTTP_LOC_CONF_OFFSET, offsetof(ngx_http_jwtbatch_loc_conf_t, cache_size), NULL},
    {ngx_string("jwtbatch_cache_ttl"), NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_conf_set_sec_slot, NGX_HTTP_LOC_CONF_OFFSET, offsetof(ngx_http_jwtbatch_loc_conf_t, cache_ttl), NULL},
    {ngx_string("jwtbatch_realm"), NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_conf_set_str_slot, NGX_HTTP_LOC_CONF_OFFSET, offsetof(ngx_http_jwtbatch_loc_conf_t, realm), NULL},
    {ngx_string("jwtbatch_stats"), NGX_HTTP_LOC_CONF | NGX_CONF_NOARGS, ngx_http_jwtbatch_stats, 0, 0, NULL},
    ngx_null_command};

static ngx_http_module_t ngx_http_jwtbatch_module_ctx = {
    ngx_http_jwtbatch_preconfiguration, ngx_http_jwtbatch_init,
    ngx_http_jwtbatch_create_main_conf, NULL,
    NULL, NULL,
    ngx_http_jwtbatch_create_loc_conf, ngx_http_jwtbatch_merge_loc_conf};

ngx_module_t ngx_http_jwtbatch_module = {NGX_MODULE_V1,
                                         &ngx_http_jwtbatch_module_ctx,
                                         ngx_http_jwtbatch_commands,
                                         NGX_HTTP_MODULE,
                                         NULL, NULL,
                                         ngx_http_jwtbatch_init_process,
                                         NULL, NULL, NULL, NULL,
                                         NGX_MODULE_V1_PADDING};

/* ---- configuration -------------------------------------------------------------------------- */

static void *ngx_http_jwtbatch_create_main_conf(ngx_conf_t *cf) {
  ngx_http_jwtbatch_main_conf_t *mcf = ngx_pcalloc(cf->pool, sizeof(*mcf));
  if (mcf == NULL) return NULL;
  if (ngx_array_init(&mcf->verifiers, cf->pool, 4, sizeof(ngx_http_jwtbatch_keys_t *)) != NGX_OK) return NULL;
  return mcf;
}

static void *ngx_http_jwtbatch_create_loc_conf(ngx_conf_t *cf) {
  ngx_http_jwtbatch_loc_conf_t *conf = ngx_pcalloc(cf->pool, sizeof(*conf));
  if (conf == NULL) return NULL;
  /* ngx_pcalloc: jwks, realm empty; arrays NULL (unset); keys NULL */
  conf->enable = NGX_CONF_UNSET;
  conf->leeway = NGX_CONF_UNSET;
  conf->cache = NGX_CONF_UNSET;
  conf->cache_size = NGX_CONF_UNSET_UINT;
  conf->cache_ttl = NGX_CONF_UNSET;
  conf->jwks_check = NGX_CONF_UNSET_MSEC;
  return conf;
}

/* ngx_http_jwtbatch_str_list: a directive of one or more strings, each a list item (repeatable). */
static char *ngx_http_jwtbatch_str_list(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
  ngx_array_t **list = (ngx_array_t **)((char *)conf + cmd->offset);
  ngx_str_t *value = cf->args->elts;
  ngx_uint_t i;
  if (*list == NULL) {
    *list = ngx_array_create(cf->pool, 4, sizeof(ngx_str_t));
    if (*list == NULL) return NGX_CONF_ERROR;
  }
  for (i = 1; i < cf->args->nelts; i++) {
    ngx_str_t *s = ngx_array_push(*list);
    if (s == NULL) return NGX_CONF_ERROR;
    *s = value[i];
  }
  return NGX_CONF_OK;
}

/* jwtbatch_require CLAIM ... | off */
static char *ngx_http_jwtbatch_require(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
  ngx_http_jwtbatch_loc_conf_t *lcf = conf;
  ngx_str_t *value = cf->args->elts;
  if (lcf->require != NULL) return "is duplicate";
  if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "off") == 0) {
    lcf->require = ngx_array_create(cf->pool, 1, sizeof(ngx_str_t));
    return lcf->require == NULL ? NGX_CONF_ERROR : NGX_CONF_OK;
  }
  return ngx_http_jwtbatch_str_list(cf, cmd, conf);
}

/* jwtbatch_jwks_check TIME | off */
static char *ngx_http_jwtbatch_jwks_check(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
  ngx_http_jwtbatch_loc_conf_t *lcf = conf;
  ngx_str_t *value = cf->args->elts;
  if (lcf->jwks_check != NGX_CONF_UNSET_MSEC) return "is duplicate";
  if (ngx_strcmp(value[1].data, "off") == 0) {
    lcf->jwks_check = 0;
    return NGX_CONF_OK;
  }
  return ngx_conf_set_msec_slot(cf, cmd, conf);
}

/* jwtbatch_claim_header CLAIM HEADER-NAME */
static char *ngx_http_jwtbatch_claim_header(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
  ngx_http_jwtbatch_loc_conf_t *lcf = conf;
  ngx_str_t *value = cf->args->elts;
  ngx_http_jwtbatch_claim_header_t *ch;
  ngx_uint_t i;
  if (lcf->claim_headers == NULL) {
    lcf->claim_headers = ngx_array_create(cf->pool, 4, sizeof(ngx_http_jwtbatch_claim_header_t));
    if (lcf->claim_headers == NULL) return NGX_CONF_ERROR;
  }
  if (value[1].len == 0) return "needs a claim name";
  for (i = 0; i < value[1].len; i++) {
    /* jwtbatch's "claims" option: printable ASCII without quote, backslash or comma */
    if (value[1].data[i] <= 0x20 || value[1].data[i] >= 0x7f || value[1].data[i] == '"' ||
        value[1].data[i] == '\\' || value[1].data[i] == ',') {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "invalid claim name \"%V\"", &value[1]);
      return NGX_CONF_ERROR;
    }
  }
  if (value[2].len == 0) return "needs a header name";
  for (i = 0; i < value[2].len; i++) {
    u_char c = value[2].data[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "invalid header name \"%V\"", &value[2]);
      return NGX_CONF_ERROR;
    }
  }
  ch = ngx_array_push(lcf->claim_headers);
  if (ch == NULL) return NGX_CONF_ERROR;
  ch->claim = value[1]; /* configuration strings are NUL-terminated */
  ch->header = value[2];
  ch->lowcase.len = value[2].len;
  ch->lowcase.data = ngx_pnalloc(cf->pool, value[2].len);
  if (ch->lowcase.data == NULL) return NGX_CONF_ERROR;
  ch->hash = ngx_hash_strlow(ch->lowcase.data, value[2].data, value[2].len);
  return NGX_CONF_OK;
}

/* ngx_http_jwtbatch_read_file reads `path` whole (at most JWTBATCH_NGX_MAX_JWKS bytes) into memory
 * from `pool` and records what it read in `keys`. Returns NGX_OK, or NGX_ERROR with `err` set. */
static ngx_int_t ngx_http_jwtbatch_read_file(ngx_pool_t *pool, ngx_log_t *log, ngx_http_jwtbatch_keys_t *keys,
                                             ngx_str_t *out, const char **err) {
  ngx_fd_t fd;
  struct stat st;
  ssize_t n;
  fd = ngx_open_file(keys->path.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
  if (fd == NGX_INVALID_FILE) {
    *err = "cannot open the JWKS file";
    return NGX_ERROR;
  }
  if (fstat(fd, &st) != 0) {
    ngx_close_file(fd);
    *err = "cannot stat the JWKS file";
    return NGX_ERROR;
  }
  keys->dev = st.st_dev;
  keys->ino = st.st_ino;
  keys->size = st.st_size;
  keys->mtime_sec = st.st_mtim.tv_sec;
  keys->mtime_nsec = st.st_mtim.tv_nsec;
  if (st.st_size > JWTBATCH_NGX_MAX_JWKS) {
    ngx_close_file(fd);
    *err = "the JWKS file is larger than 4 MiB";
    return NGX_ERROR;
  }
  out->data = ngx_pnalloc(pool, (size_t)st.st_size + 1);
  if (out->data == NULL) {
    ngx_close_file(fd);
    *err = "out of memory";
    return NGX_ERROR;
  }
  out->len = 0;
  while (out->len < (size_t)st.st_size) {
    n = read(fd, out->data + out->len, (size_t)st.st_size - out->len);
    if (n < 0 && ngx_errno == NGX_EINTR) continue;
    if (n <= 0) break;
    out->len += (size_t)n;
  }
  ngx_close_file(fd);
  if (out->len != (size_t)st.st_size) {
    *err = "short read of the JWKS file";
    return NGX_ERROR;
  }
  return NGX_OK;
}

static void ngx_http_jwtbatch_cleanup(void *data) {
  ngx_http_jwtbatch_keys_t *keys = data;
  jwtbatch_verifier_free(keys->verifier);
  keys->verifier = NULL;
}

/* ngx_http_jwtbatch_set: jwtbatch_options_set, the failure reported as a configuration error. */
static ngx_int_t ngx_http_jwtbatch_set(ngx_conf_t *cf, jwtbatch_options *options, const char *name,
                                       const char *value) {
  char error[JWTBATCH_NGX_MESSAGE_LEN];
  if (jwtbatch_options_set(options, name, value, error, sizeof(error)) == 0) return NGX_OK;
  ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "jwtbatch: %s \"%s\": %s", name, value, error);
  return NGX_ERROR;
}

/* ngx_http_jwtbatch_join returns the items of `list` joined with commas, NUL-terminated. */
static char *ngx_http_jwtbatch_join(ngx_pool_t *pool, ngx_array_t *list) {
  ngx_str_t *s = list->elts;
  size_t len = 1;
  ngx_uint_t i;
  u_char *out, *p;
  for (i = 0; i < list->nelts; i++) len += s[i].len + 1;
  out = p = ngx_pnalloc(pool, len);
  if (out == NULL) return NULL;
  for (i = 0; i < list->nelts; i++) {
    if (i > 0) *p++ = ',';
    p = ngx_cpymem(p, s[i].data, s[i].len);
  }
  *p = '\0';
  return (char *)out;
}

/* ngx_http_jwtbatch_options builds jwtbatch's options from a merged location configuration. */
static jwtbatch_options *ngx_http_jwtbatch_options(ngx_conf_t *cf, ngx_http_jwtbatch_loc_conf_t *conf) {
  jwtbatch_options *options = jwtbatch_options_new();
  ngx_str_t *s;
  ngx_uint_t i;
  char *joined, number[NGX_INT64_LEN + 1];
  if (options == NULL) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "jwtbatch: cannot make options (library not loaded?)");
    return NULL;
  }
  if (conf->algs != NULL) {
    joined = ngx_http_jwtbatch_join(cf->temp_pool, conf->algs);
    if (joined == NULL || ngx_http_jwtbatch_set(cf, options, "alg", joined) != NGX_OK) goto failed;
  }
  if (conf->issuers != NULL) {
    s = conf->issuers->elts;
    for (i = 0; i < conf->issuers->nelts; i++) {
      if (ngx_http_jwtbatch_set(cf, options, "iss", (const char *)s[i].data) != NGX_OK) goto failed;
    }
  }
  if (conf->audiences != NULL) {
    s = conf->audiences->elts;
    for (i = 0; i < conf->audiences->nelts; i++) {
      if (ngx_http_jwtbatch_set(cf, options, "aud", (const char *)s[i].data) != NGX_OK) goto failed;
    }
  }
  if (conf->require != NULL) {
    joined = ngx_http_jwtbatch_join(cf->temp_pool, conf->require);
    if (joined == NULL || ngx_http_jwtbatch_set(cf, options, "require", joined) != NGX_OK) goto failed;
  }
  ngx_sprintf((u_char *)number, "%T%Z", conf->leeway);
  if (ngx_http_jwtbatch_set(cf, options, "leeway", number) != NGX_OK) goto failed;
  if (conf->claim_headers != NULL) {
    ngx_http_jwtbatch_claim_header_t *ch = conf->claim_headers->elts;
    for (i = 0; i < conf->claim_headers->nelts; i++) {
      if (ngx_http_jwtbatch_set(cf, options, "claims", (const char *)ch[i].claim.data) != NGX_OK) goto failed;
    }
  }
  ngx_sprintf((u_char *)number, "%ui%Z", conf->cache ? conf->cache_size : (ngx_uint_t)0);
  if (ngx_http_jwtbatch_set(cf, options, "cache_size", number) != NGX_OK) goto failed;
  if (conf->cache) {
    ngx_sprintf((u_char *)number, "%T%Z", conf->cache_ttl);
    if (ngx_http_jwtbatch_set(cf, options, "cache_ttl", number) != NGX_OK) goto failed;
  }
  return options;
failed:
  jwtbatch_options_free(options);
  return NULL;
}

/* ngx_http_jwtbatch_load_library loads libjwtbatch once per process, through the loader. */
static ngx_int_t ngx_http_jwtbatch_load_library(ngx_conf_t *cf) {
  ngx_http_jwtbatch_main_conf_t *mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_jwtbatch_module);
  char error[JWTBATCH_NGX_MESSAGE_LEN];
  const char *path = NULL;
  if (mcf->loaded) return NGX_OK;
  /* NULL: $JWTBATCH_LIBRARY, else the install location compiled into the loader */
  if (mcf->library.len > 0) path = (const char *)mcf->library.data;
  if (jwtbatch_load(path, error, sizeof(error)) != 0) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "jwtbatch: cannot load libjwtbatch%s%s: %s", path ? " from " : "",
                       path ? path : "", error);
    return NGX_ERROR;
  }
  if (jwtbatch_api_version() != JWTBATCH_C_API_VERSION) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "jwtbatch: libjwtbatch has C API version %d, this module needs %d",
                       jwtbatch_api_version(), JWTBATCH_C_API_VERSION);
    return NGX_ERROR;
  }
  mcf->loaded = 1;
  return NGX_OK;
}

/* ngx_http_jwtbatch_make_keys makes the verifier of a merged location configuration. */
static ngx_http_jwtbatch_keys_t *ngx_http_jwtbatch_make_keys(ngx_conf_t *cf, ngx_http_jwtbatch_loc_conf_t *conf) {
  ngx_http_jwtbatch_keys_t *keys;
  ngx_pool_cleanup_t *cln;
  jwtbatch_options *options;
  ngx_str_t text;
  const char *err = NULL;
  char message[JWTBATCH_NGX_MESSAGE_LEN];

  if (ngx_http_jwtbatch_load_library(cf) != NGX_OK) return NULL;
  keys = ngx_pcalloc(cf->pool, sizeof(*keys));
  if (keys == NULL) return NULL;
  keys->path = conf->jwks;
  if (ngx_conf_full_name(cf->cycle, &keys->path, 1) != NGX_OK) return NULL;
  /* ngx_conf_full_name may return the configured string (NUL-terminated) or a new one */
  if (keys->path.data[keys->path.len] != '\0') {
    u_char *p = ngx_pnalloc(cf->pool, keys->path.len + 1);
    if (p == NULL) return NULL;
    ngx_memcpy(p, keys->path.data, keys->path.len);
    p[keys->path.len] = '\0';
    keys->path.data = p;
  }
  keys->check_interval = conf->jwks_check;
  if (ngx_http_jwtbatch_read_file(cf->temp_pool, cf->log, keys, &text, &err) != NGX_OK) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno, "jwtbatch: %s \"%V\"", err, &keys->path);
    return NULL;
  }
  options = ngx_http_jwtbatch_options(cf, conf);
  if (options == NULL) return NULL;
  message[0] = '\0';
  keys->verifier = jwtbatch_verifier_new((const char *)text.data, text.len, options, message, sizeof(message));
  jwtbatch_options_free(options);
  if (keys->verifier == NULL) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "jwtbatch: cannot load keys from \"%V\": %s", &keys->path, message);
    return NULL;
  }
  if (message[0] != '\0') {
    ngx_conf_log_error(NGX_LOG_WARN, cf, 0, "jwtbatch: \"%V\": %s", &keys->path, message);
  }
  cln = ngx_pool_cleanup_add(cf->pool, 0);
  if (cln == NULL) {
    jwtbatch_verifier_free(keys->verifier);
    return NULL;
  }
  cln->handler = ngx_http_jwtbatch_cleanup;
  cln->data = keys;
  {
    ngx_http_jwtbatch_main_conf_t *mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_jwtbatch_module);
    ngx_http_jwtbatch_keys_t **slot = ngx_array_push(&mcf->verifiers);
    if (slot == NULL) return NULL;
    *slot = keys;
  }
  return keys;
}

static char *ngx_http_jwtbatch_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child) {
  ngx_http_jwtbatch_loc_conf_t *prev = parent;
  ngx_http_jwtbatch_loc_conf_t *conf = child;
  /* A level that sets nothing that shapes the verifier shares its parent's. */
  const ngx_uint_t own = conf->jwks.data != NULL || conf->algs != NULL || conf->issuers != NULL ||
                         conf->audiences != NULL || conf->require != NULL || conf->leeway != NGX_CONF_UNSET ||
                         conf->claim_headers != NULL || conf->cache != NGX_CONF_UNSET ||
                         conf->cache_size != NGX_CONF_UNSET_UINT || conf->cache_ttl != NGX_CONF_UNSET ||
                         conf->jwks_check != NGX_CONF_UNSET_MSEC;

  ngx_conf_merge_value(conf->enable, prev->enable, 0);
  ngx_conf_merge_str_value(conf->jwks, prev->jwks, "");
  if (conf->algs == NULL) conf->algs = prev->algs;
  if (conf->issuers == NULL) conf->issuers = prev->issuers;
  if (conf->audiences == NULL) conf->audiences = prev->audiences;
  if (conf->require == NULL) conf->require = prev->require;
  ngx_conf_merge_sec_value(conf->leeway, prev->leeway, 0);
  if (conf->claim_headers == NULL) conf->claim_headers = prev->claim_headers;
  ngx_conf_merge_value(conf->cache, prev->cache, 1);
  ngx_conf_merge_uint_value(conf->cache_size, prev->cache_size, 16384);
  ngx_conf_merge_sec_value(conf->cache_ttl, prev->cache_ttl, 300);
  ngx_conf_merge_msec_value(conf->jwks_check, prev->jwks_check, 5000);
  ngx_conf_merge_str_value(conf->realm, prev->realm, "api");

  if (conf->cache && conf->cache_size == 0) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "jwtbatch_cache_size must be at least 1 (or: jwtbatch_cache off)");
    return NGX_CONF_ERROR;
  }
  for (size_t i = 0; i < conf->realm.len; i++) {
    if (conf->realm.data[i] < 0x20 || conf->realm.data[i] >= 0x7f || conf->realm.data[i] == '"' ||
        conf->realm.data[i] == '\\') {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "jwtbatch_realm: printable ASCII without quote or backslash");
      return NGX_CONF_ERROR;
    }
  }
  if (!conf->enable) {
    conf->keys = own ? NULL : prev->keys;
    return NGX_CONF_OK;
  }
  if (conf->jwks.len == 0) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "jwtbatch is on but no jwtbatch_jwks file is set");
    return NGX_CONF_ERROR;
  }
  if (!own && prev->keys != NULL) {
    conf->keys = prev->keys;
    return NGX_CONF_OK;
  }
  conf->keys = ngx_http_jwtbatch_make_keys(cf, conf);
  return conf->keys == NULL ? NGX_CONF_ERROR : NGX_CONF_OK;
}

/* ---- per request ---------------------------------------------------------------------------- */

/* ngx_http_jwtbatch_refresh re-reads the JWKS file when it changed since it was last read (at most
 * once per check interval, in this worker) and swaps the verifier's key set. */
static void ngx_http_jwtbatch_refresh(ngx_http_request_t *r, ngx_http_jwtbatch_keys_t *keys) {
  struct stat st;
  ngx_str_t text;
  const char *err = NULL;
  char message[JWTBATCH_NGX_MESSAGE_LEN];
  ngx_pool_t *pool;

  if (keys->check_interval == 0) return;
  if ((ngx_msec_int_t)(ngx_current_msec - keys->next_check) < 0) return;
  keys->next_check = ngx_current_msec + keys->check_interval;
  if (stat((const char *)keys->path.data, &st) != 0) {
    /* removed or unreadable: keep the keys; a rotation job's rename brings it back */
    return;
  }
  if (st.st_dev == keys->dev && st.st_ino == keys->ino && st.st_size == keys->size &&
      st.st_mtim.tv_sec == keys->mtime_sec && st.st_mtim.tv_nsec == keys->mtime_nsec) {
    return;
  }
  pool = ngx_create_pool(NGX_DEFAULT_POOL_SIZE, r->connection->log);
  if (pool == NULL) return;
  if (ngx_http_jwtbatch_read_file(pool, r->connection->log, keys, &text, &err) != NGX_OK) {
    ngx_log_error(NGX_LOG_ERR, r->connection->log, ngx_errno, "jwtbatch: %s \"%V\", keeping the keys in use", err,
                  &keys->path);
  } else {
    message[0] = '\0';
    if (jwtbatch_verifier_set_jwks(keys->verifier, (const char *)text.data, text.len, message, sizeof(message)) != 0) {
      ngx_log_error(NGX_LOG_ERR, r->connection->log, 0, "jwtbatch: cannot load keys from \"%V\": %s; keeping the keys in use",
                    &keys->path, message);
    } else {
      ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0, "jwtbatch: keys reloaded from \"%V\"%s%s", &keys->path,
                    message[0] ? ": " : "", message);
    }
  }
  ngx_destroy_pool(pool);
}

/* ngx_http_jwtbatch_challenge answers 401 with an RFC 6750 section 3 challenge; `description`
 * NULL means no error code (a request without a bearer token, section 3.1). */
static ngx_int_t ngx_http_jwtbatch_challenge(ngx_http_request_t *r, ngx_http_jwtbatch_loc_conf_t *lcf,
                                             const char *description) {
  ngx_table_elt_t *h;
  size_t len, dlen = description ? ngx_strlen(description) : 0, i;
  u_char *p;

  len = sizeof("Bearer realm=\"\"") - 1 + lcf->realm.len;
  if (description != NULL) len += sizeof(", error=\"invalid_token\", error_description=\"\"") - 1 + dlen;
  p = ngx_pnalloc(r->pool, len);
  if (p == NULL) return NGX_HTTP_INTERNAL_SERVER_ERROR;
  h = ngx_list_push(&r->headers_out.headers);
  if (h == NULL) return NGX_HTTP_INTERNAL_SERVER_ERROR;
  h->hash = 1;
  ngx_str_set(&h->key, "WWW-Authenticate");
  h->value.data = p;
  p = ngx_cpymem(p, "Bearer realm=\"", sizeof("Bearer realm=\"") - 1);
  p = ngx_cpymem(p, lcf->realm.data, lcf->realm.len);
  *p++ = '"';
  if (description != NULL) {
    p = ngx_cpymem(p, ", error=\"invalid_token\", error_description=\"",
                   sizeof(", error=\"invalid_token\", error_description=\"") - 1);
    /* RFC 6750 section 3: error_description is %x20-21 / %x23-5B / %x5D-7E. jwtbatch_describe
     * promises printable ASCII from nothing in the token; replace anything else anyway. */
    for (i = 0; i < dlen; i++) {
      u_char c = (u_char)description[i];
      *p++ = (c < 0x20 || c > 0x7e || c == '"' || c == '\\') ? '\'' : c;
    }
    *p++ = '"';
  }
  h->value.len = p - h->value.data;
  r->headers_out.www_authenticate = h;
  return NGX_HTTP_UNAUTHORIZED;
}

/* ngx_http_jwtbatch_bearer finds the token of "Authorization: Bearer <token>" (scheme
 * case-insensitive, RFC 6750 section 2.1). Returns NGX_OK with `token` set, or NGX_DECLINED when the
 * request has no bearer credentials. */
static ngx_int_t ngx_http_jwtbatch_bearer(ngx_http_request_t *r, ngx_str_t *token) {
  ngx_table_elt_t *h = r->headers_in.authorization;
  u_char *p, *end;
  if (h == NULL || h->value.len < sizeof("Bearer ") - 1) return NGX_DECLINED;
  if (ngx_strncasecmp(h->value.data, (u_char *)"Bearer ", sizeof("Bearer ") - 1) != 0) return NGX_DECLINED;
  p = h->value.data + sizeof("Bearer ") - 1;
  end = h->value.data + h->value.len;
  while (p < end && *p == ' ') p++;
  while (end > p && (end[-1] == ' ' || end[-1] == '\t')) end--;
  token->data = p;
  token->len = end - p;
  return NGX_OK;
}

/* ngx_http_jwtbatch_is_claim_header tells whether request header `h` has the name of one of the
 * configured claim headers. */
static ngx_uint_t ngx_http_jwtbatch_is_claim_header(ngx_array_t *claim_headers, ngx_table_elt_t *h) {
  ngx_http_jwtbatch_claim_header_t *ch = claim_headers->elts;
  ngx_uint_t i;
  for (i = 0; i < claim_headers->nelts; i++) {
    if (h->key.len == ch[i].lowcase.len && ngx_strncasecmp(h->key.data, ch[i].lowcase.data, ch[i].lowcase.len) == 0) {
      return 1;
    }
  }
  return 0;
}

/* ngx_http_jwtbatch_drop_client_headers deletes every request header the client sent under the
 * name of a claim header, so that a client can never pose as the module. nginx's consumers of the
 * header list (proxy, fastcgi, grpc, $http_*) do not all skip entries marked with hash 0, so the
 * list is rebuilt without them, only when there is one. The r->headers_in shortcuts (host,
 * authorization, ...) keep pointing at the old list's entries, which stay valid and unchanged. */
static ngx_int_t ngx_http_jwtbatch_drop_client_headers(ngx_http_request_t *r, ngx_array_t *claim_headers) {
  ngx_list_t old = r->headers_in.headers;
  ngx_list_part_t *part;
  ngx_table_elt_t *h, *copy;
  ngx_uint_t i, found = 0, total = 0;
  for (part = &old.part; part != NULL; part = part->next) {
    h = part->elts;
    for (i = 0; i < part->nelts; i++) {
      total++;
      found += ngx_http_jwtbatch_is_claim_header(claim_headers, &h[i]);
    }
  }
  if (found == 0) return NGX_OK;
  ngx_log_error(NGX_LOG_INFO, r->connection->log, 0, "jwtbatch: dropped %ui client header(s) named like a claim header",
                found);
  if (ngx_list_init(&r->headers_in.headers, r->pool, total - found + claim_headers->nelts, sizeof(ngx_table_elt_t)) !=
      NGX_OK) {
    return NGX_ERROR;
  }
  for (part = &old.part; part != NULL; part = part->next) {
    h = part->elts;
    for (i = 0; i < part->nelts; i++) {
      if (ngx_http_jwtbatch_is_claim_header(claim_headers, &h[i])) continue;
      copy = ngx_list_push(&r->headers_in.headers);
      if (copy == NULL) return NGX_ERROR;
      *copy = h[i];
    }
  }
  return NGX_OK;
}

/* ngx_http_jwtbatch_forward sets the configured claim headers from the verified claims. */
static ngx_int_t ngx_http_jwtbatch_forward(ngx_http_request_t *r, ngx_http_jwtbatch_loc_conf_t *lcf,
                                           const char *claims, size_t claims_len) {
  ngx_http_jwtbatch_claim_header_t *ch;
  ngx_table_elt_t *h;
  ngx_uint_t i;
  size_t value_len = 0;
  u_char *value;
  int rc;
  if (lcf->claim_headers == NULL) return NGX_OK;
  ch = lcf->claim_headers->elts;
  if (ngx_http_jwtbatch_drop_client_headers(r, lcf->claim_headers) != NGX_OK) return NGX_ERROR;
  if (claims_len == 0) return NGX_OK;
  for (i = 0; i < lcf->claim_headers->nelts; i++) {
    /* a value is never longer than the claims' JSON text */
    value = ngx_pnalloc(r->pool, claims_len + 1);
    if (value == NULL) return NGX_ERROR;
    rc = jwtbatch_claim_value(claims, claims_len, (const char *)ch[i].claim.data, (char *)value, claims_len + 1,
                              &value_len);
    if (rc == 0) continue;
    if (rc != 1) {
      ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                    "jwtbatch: claim \"%V\" not forwarded as \"%V\": %s", &ch[i].claim, &ch[i].header,
                    rc == -2 ? "it holds a control character" : "unreadable");
      continue;
    }
    h = ngx_list_push(&r->headers_in.headers);
    if (h == NULL) return NGX_ERROR;
    h->key = ch[i].header;
    h->lowcase_key = ch[i].lowcase.data;
    h->hash = ch[i].hash;
    h->value.data = value;
    h->value.len = value_len;
#if defined(nginx_version) && nginx_version >= 1023000
    h->next = NULL;
#endif
  }
  return NGX_OK;
}

static ngx_int_t ngx_http_jwtbatch_handler(ngx_http_request_t *r) {
  ngx_http_jwtbatch_loc_conf_t *lcf = ngx_http_get_module_loc_conf(r, ngx_http_jwtbatch_module);
  ngx_http_jwtbatch_ctx_t *ctx;
  ngx_str_t token;
  jwtbatch_result result;
  char stack_claims[JWTBATCH_NGX_CLAIMS_BUF], *claims = stack_claims;
  char description[512];
  int status;

  if (!lcf->enable || lcf->keys == NULL) return NGX_DECLINED;

  ctx = ngx_pcalloc(r->pool, sizeof(*ctx));
  if (ctx == NULL) return NGX_HTTP_INTERNAL_SERVER_ERROR;
  ngx_http_set_ctx(r, ctx, ngx_http_jwtbatch_module);
  ctx->status = -1;
  ctx->cache_on = lcf->cache;

  ngx_http_jwtbatch_refresh(r, lcf->keys);

  if (ngx_http_jwtbatch_bearer(r, &token) != NGX_OK) {
    return ngx_http_jwtbatch_challenge(r, lcf, NULL);
  }
  ngx_memzero(&result, sizeof(result));
  status = jwtbatch_verify(lcf->keys->verifier, (const char *)token.data, token.len, (int64_t)ngx_time(), &result,
                           claims, sizeof(stack_claims));
  if (status == JWTBATCH_OK && result.claims_len >= sizeof(stack_claims)) {
    claims = ngx_pnalloc(r->pool, result.claims_len + 1);
    if (claims == NULL) return NGX_HTTP_INTERNAL_SERVER_ERROR;
    status = jwtbatch_verify(lcf->keys->verifier, (const char *)token.data, token.len, (int64_t)ngx_time(), &result,
                             claims, result.claims_len + 1);
    if (status == JWTBATCH_OK && result.claims_len > 0 && claims[0] == '\0') {
      return NGX_HTTP_INTERNAL_SERVER_ERROR; /* grew between the calls: cannot happen */
    }
  }
  ctx->status = status;
  ctx->from_cache = result.from_cache;
  if (status != JWTBATCH_OK) {
    jwtbatch_describe(lcf->keys->verifier, &result, description, sizeof(description));
    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0, "jwtbatch: token rejected: %s (%s)",
                  jwtbatch_status_name(status), description);
    return ngx_http_jwtbatch_challenge(r, lcf, description);
  }
  if (ngx_http_jwtbatch_forward(r, lcf, claims, result.claims_len) != NGX_OK) {
    return NGX_HTTP_INTERNAL_SERVER_ERROR;
  }
  return NGX_OK;
}

/* ---- jwtbatch_stats ------------------------------------------------------------------------ */

/* ngx_http_jwtbatch_stats_handler answers with this worker's counters, one JSON object per
 * verifier (each worker process has its own verifiers and caches):
 * {"pid":N,"verifiers":[{"jwks":"...","tokens":N,"statuses":{"ok":N,...},"cache_hits":N,...}]} */
static ngx_int_t ngx_http_jwtbatch_stats_handler(ngx_http_request_t *r) {
  ngx_http_jwtbatch_main_conf_t *mcf = ngx_http_get_module_main_conf(r, ngx_http_jwtbatch_module);
  ngx_http_jwtbatch_keys_t **keys = mcf->verifiers.elts;
  jwtbatch_stats st;
  ngx_uint_t i, k;
  size_t len;
  ngx_buf_t *b;
  ngx_chain_t out;
  ngx_int_t rc;

  if (!(r->method & (NGX_HTTP_GET | NGX_HTTP_HEAD))) return NGX_HTTP_NOT_ALLOWED;
  rc = ngx_http_discard_request_body(r);
  if (rc != NGX_OK) return rc;
  len = sizeof("{\"pid\":,\"verifiers\":[]}\n") + NGX_INT64_LEN;
  for (i = 0; i < mcf->verifiers.nelts; i++) {
    len += 64 + keys[i]->path.len * 6 + (JWTBATCH_NUM_STATUSES + 12) * (32 + NGX_INT64_LEN);
  }
  b = ngx_create_temp_buf(r->pool, len);
  if (b == NULL) return NGX_HTTP_INTERNAL_SERVER_ERROR;
  b->last = ngx_sprintf(b->last, "{\"pid\":%P,\"verifiers\":[", ngx_pid);
  for (i = 0; i < mcf->verifiers.nelts; i++) {
    ngx_memzero(&st, sizeof(st));
    jwtbatch_verifier_stats(keys[i]->verifier, &st, sizeof(st));
    b->last = ngx_sprintf(b->last, "%s{\"jwks\":\"", i ? "," : "");
    b->last = (u_char *)ngx_escape_json(b->last, keys[i]->path.data, keys[i]->path.len);
    b->last = ngx_sprintf(b->last, "\",\"tokens\":%uL,\"statuses\":{", st.tokens);
    for (k = 0; k < JWTBATCH_NUM_STATUSES; k++) {
      b->last = ngx_sprintf(b->last, "%s\"%s\":%uL", k ? "," : "", jwtbatch_status_name((int)k), st.status_counts[k]);
    }
    b->last = ngx_sprintf(b->last,
                          "},\"cache_hits\":%uL,\"cache_misses\":%uL,\"cache_inserts\":%uL,\"cache_evictions\":%uL,"
                          "\"cache_expired\":%uL,\"cache_entries\":%uL,\"cache_capacity\":%uL,\"key_sets\":%uL,"
                          "\"keys\":%uL}",
                          st.cache_hits, st.cache_misses, st.cache_inserts, st.cache_evictions, st.cache_expired,
                          st.cache_entries, st.cache_capacity, st.key_sets, st.keys);
  }
  b->last = ngx_sprintf(b->last, "]}\n");
  b->last_buf = (r == r->main) ? 1 : 0;
  b->last_in_chain = 1;
  r->headers_out.status = NGX_HTTP_OK;
  r->headers_out.content_length_n = b->last - b->pos;
  ngx_str_set(&r->headers_out.content_type, "application/json");
  r->headers_out.content_type_len = r->headers_out.content_type.len;
  rc = ngx_http_send_header(r);
  if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) return rc;
  out.buf = b;
  out.next = NULL;
  return ngx_http_output_filter(r, &out);
}

static char *ngx_http_jwtbatch_stats(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
  ngx_http_core_loc_conf_t *clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
  clcf->handler = ngx_http_jwtbatch_stats_handler;
  return NGX_CONF_OK;
}

/* ---- variables ------------------------------------------------------------------------------ */

/* $jwtbatch_status: the verdict's name ("ok", "expired", ...), "missing" without a bearer token,
 * empty where the module did not run. $jwtbatch_cache: "hit", "miss" or "off". */
static ngx_int_t ngx_http_jwtbatch_variable(ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data) {
  ngx_http_jwtbatch_ctx_t *ctx = ngx_http_get_module_ctx(r, ngx_http_jwtbatch_module);
  const char *s;
  if (ctx == NULL) {
    v->not_found = 1;
    return NGX_OK;
  }
  if (data == 0) {
    s = ctx->status < 0 ? "missing" : jwtbatch_status_name((int)ctx->status);
  } else {
    s = !ctx->cache_on ? "off" : ctx->from_cache ? "hit" : "miss";
  }
  v->data = (u_char *)s;
  v->len = ngx_strlen(s);
  v->valid = 1;
  v->no_cacheable = 0;
  v->not_found = 0;
  return NGX_OK;
}

static ngx_int_t ngx_http_jwtbatch_preconfiguration(ngx_conf_t *cf) {
  static ngx_str_t names[] = {ngx_string("jwtbatch_status"), ngx_string("jwtbatch_cache")};
  ngx_uint_t i;
  for (i = 0; i < 2; i++) {
    ngx_http_variable_t *var = ngx_http_add_variable(cf, &names[i], NGX_HTTP_VAR_NOCACHEABLE);
    if (var == NULL) return NGX_ERROR;
    var->get_handler = ngx_http_jwtbatch_variable;
    var->data = i;
  }
  return NGX_OK;
}

static ngx_int_t ngx_http_jwtbatch_init(ngx_conf_t *cf) {
  ngx_http_core_main_conf_t *cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);
  ngx_http_handler_pt *h = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
  if (h == NULL) return NGX_ERROR;
  *h = ngx_http_jwtbatch_handler;
  return NGX_OK;
}

/* ngx_http_jwtbatch_init_process logs, in each worker, the shared object jwtbatch's crypto calls
 * are bound to (BoringSSL's libcrypto.so.0, never nginx's OpenSSL: see the top of this file). */
static ngx_int_t ngx_http_jwtbatch_init_process(ngx_cycle_t *cycle) {
  ngx_http_jwtbatch_main_conf_t *mcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_jwtbatch_module);
  char provider[JWTBATCH_NGX_MESSAGE_LEN];
  if (mcf == NULL || !mcf->loaded) return NGX_OK;
  if (jwtbatch_crypto_provider(provider, sizeof(provider)) == 0) ngx_cpystrn((u_char *)provider, (u_char *)"unknown", 8);
  ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0, "jwtbatch: crypto provider %s", provider);
  return NGX_OK;
}
