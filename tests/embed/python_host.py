#!/usr/bin/env python3
"""python_host.py: jwtbatch's C API from Python through ctypes, in a process that has loaded
OpenSSL first (hashlib and ssl link libcrypto.so.3), the way docs/embedding.md ("Crypto isolation")
says: ctypes.CDLL(libjwtbatch.so, mode=RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND).

usage: python_host.py LIBJWTBATCH_SO CORPUS_DIR   (exit 0 when every check holds)
"""
import ctypes
import hashlib
import os
import ssl
import sys


class Result(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int32), ("alg", ctypes.c_int32), ("detail", ctypes.c_uint32),
                ("key_index", ctypes.c_uint32), ("exp", ctypes.c_int64), ("nbf", ctypes.c_int64),
                ("iat", ctypes.c_int64), ("has_exp", ctypes.c_uint8), ("has_nbf", ctypes.c_uint8),
                ("has_iat", ctypes.c_uint8), ("from_cache", ctypes.c_uint8),
                ("reserved0", ctypes.c_uint32), ("claims_len", ctypes.c_size_t),
                ("reserved", ctypes.c_uint64 * 4)]


def main():
    lib_path, corpus = sys.argv[1], sys.argv[2]
    # OpenSSL is in the process and works.
    assert hashlib.sha256(b"abc").hexdigest().startswith("ba7816bf"), "OpenSSL sha256"
    print("host:", ssl.OPENSSL_VERSION)
    lib = ctypes.CDLL(lib_path, mode=os.RTLD_NOW | os.RTLD_LOCAL | os.RTLD_DEEPBIND)
    lib.jwtbatch_status_name.restype = ctypes.c_char_p
    lib.jwtbatch_options_new.restype = ctypes.c_void_p
    lib.jwtbatch_options_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                                         ctypes.c_char_p, ctypes.c_size_t]
    lib.jwtbatch_options_free.argtypes = [ctypes.c_void_p]
    lib.jwtbatch_verifier_new.restype = ctypes.c_void_p
    lib.jwtbatch_verifier_new.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p,
                                          ctypes.c_char_p, ctypes.c_size_t]
    lib.jwtbatch_verifier_free.argtypes = [ctypes.c_void_p]
    lib.jwtbatch_verify.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int64,
                                    ctypes.POINTER(Result), ctypes.c_char_p, ctypes.c_size_t]

    provider = ctypes.create_string_buffer(4096)
    lib.jwtbatch_crypto_provider(provider, ctypes.c_size_t(4096))
    print("jwtbatch's SHA256 is in", provider.value.decode())
    assert b"android/libcrypto.so.0" in provider.value, "jwtbatch bound to the wrong libcrypto"

    err = ctypes.create_string_buffer(512)
    opts = lib.jwtbatch_options_new()
    for k, v in ((b"iss", b"https://issuer.example.com"), (b"aud", b"https://api.example.com"),
                 (b"claims", b"sub,iss")):
        assert lib.jwtbatch_options_set(opts, k, v, err, 512) == 0, err.value
    jwks = open(os.path.join(corpus, "jwks.json"), "rb").read()
    ver = lib.jwtbatch_verifier_new(jwks, len(jwks), opts, err, 512)
    lib.jwtbatch_options_free(opts)
    assert ver, err.value
    tokens = open(os.path.join(corpus, "tokens.txt"), "rb").read().split(b"\n")
    expected = open(os.path.join(corpus, "expected.txt")).read().split("\n")
    tokens, expected = tokens[:len(expected)], expected
    mismatches, ok_algs, claims_seen = 0, set(), 0
    claims = ctypes.create_string_buffer(4096)
    for tok, want in zip(tokens, expected):
        if not tok and not want:
            continue
        r = Result()
        lib.jwtbatch_verify(ver, tok, len(tok), 1767225600, ctypes.byref(r), claims, 4096)
        got = lib.jwtbatch_status_name(r.status).decode()
        if got != want:
            mismatches += 1
        elif got == "ok":
            ok_algs.add(r.alg)
            claims_seen += b'"iss":"https://issuer.example.com"' in claims.value
    lib.jwtbatch_verifier_free(ver)
    print(f"{len(tokens)} tokens, {mismatches} mismatches, {len(ok_algs)} algorithms ok, "
          f"claims returned for {claims_seen}")
    assert mismatches == 0 and len(ok_algs) == 13 and claims_seen > 0
    assert hashlib.sha256(b"abc").hexdigest().startswith("ba7816bf"), "OpenSSL after jwtbatch"
    print("PASS")


if __name__ == "__main__":
    main()
