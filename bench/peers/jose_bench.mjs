// jose_bench.mjs (bench/peers): verification throughput of Node's `jose` (npm), per algorithm, on
// the tokens of bench/peers/prepare.py, one verification at a time (each awaited before the next).
// tools/bench.sh --peers installs jose into build/peers-node/ and runs this file from there:
//
//   node jose_bench.mjs --input DIR --out FILE.json [--repetitions N] [--min-time SECONDS] [--algs LIST]
//
// Full validation as a jose user writes it: the key imported once per algorithm from the JWKS
// (importJWK), then jwtVerify(token, key, {algorithms: [ALG], issuer, audience, requiredClaims:
// ['exp'], currentDate}): signature, alg, exp, nbf, iss, aud (string or array). Before timing, every
// token must verify, and a forged signature, a wrong issuer, a wrong audience and a time two days
// later must be rejected, as bench/peers/peer_harness.hpp does for the C++ peers. One warm-up
// repetition (V8 compiles the hot path meanwhile) is discarded. Throughput is
// counted per CPU-second of the whole process (process.cpuUsage: WebCrypto's work on libuv's
// threads included), like the C++ peers; the wall-clock rate is recorded beside it.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as jose from 'jose';

const ALGS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512', 'EdDSA'];

function parseArgs(argv) {
  const o = { input: '', out: '', repetitions: 5, minTime: 0.5, algs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--input' && v !== undefined) { o.input = v; i++; }
    else if (a === '--out' && v !== undefined) { o.out = v; i++; }
    else if (a === '--repetitions' && v !== undefined) { o.repetitions = Math.max(1, parseInt(v, 10)); i++; }
    else if (a === '--min-time' && v !== undefined) { o.minTime = Math.max(0.01, parseFloat(v)); i++; }
    else if (a === '--algs' && v !== undefined) { o.algs = v.split(','); i++; }
    else throw new Error(`usage: node jose_bench.mjs --input DIR --out FILE.json [--repetitions N] [--min-time S] [--algs LIST]`);
  }
  if (!o.input || !o.out) throw new Error('--input DIR and --out FILE.json are required');
  return o;
}

function readParams(dir) {
  const p = {};
  for (const line of readFileSync(join(dir, 'params.txt'), 'utf8').split('\n')) {
    const sp = line.indexOf(' ');
    if (sp > 0) p[line.slice(0, sp)] = line.slice(sp + 1);
  }
  return { now: Number(p.now), iss: p.iss, aud: p.aud };
}

function forged(token) {
  const dot = token.lastIndexOf('.');
  const i = dot + 1 + Math.floor((token.length - dot - 1) / 2);
  return token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
}

async function verify(token, key, alg, p) {
  try {
    await jose.jwtVerify(token, key, {
      algorithms: [alg], issuer: p.iss, audience: p.aud, requiredClaims: ['exp'],
      currentDate: new Date(p.now * 1000),
    });
    return true;
  } catch {
    return false;
  }
}

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

async function runAlg(alg, tokens, key, params, o) {
  const r = { tokens: tokens.length };
  for (let i = 0; i < tokens.length; i++) {
    if (!(await verify(tokens[i], key, alg, params))) return { error: `rejected valid token ${i}` };
  }
  if (await verify(forged(tokens[0]), key, alg, params)) return { error: 'accepted a forged signature' };
  if (await verify(tokens[0], key, alg, { ...params, iss: 'https://wrong-issuer.example' })) return { error: 'accepted a wrong issuer' };
  if (await verify(tokens[0], key, alg, { ...params, aud: 'wrong-audience' })) return { error: 'accepted a wrong audience' };
  if (await verify(tokens[0], key, alg, { ...params, now: params.now + 2 * 86400 })) return { error: 'accepted an expired token' };
  r.reps = [];
  r.wall_reps = [];
  const cpuSeconds = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
  for (let rep = -1; rep < o.repetitions; rep++) { // rep -1 warms up (V8's JIT), discarded
    let done = 0, bad = 0;
    const start = process.hrtime.bigint();
    const cpuStart = cpuSeconds();
    let cpu = 0;
    do {
      for (const t of tokens) if (!(await verify(t, key, alg, params))) bad++;
      done += tokens.length;
      cpu = cpuSeconds() - cpuStart;
    } while (cpu < o.minTime);
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    if (bad) return { error: 'a token failed while timed' };
    if (rep < 0) continue;
    r.reps.push(Math.round((done / cpu) * 10) / 10);
    r.wall_reps.push(Math.round((done / wall) * 10) / 10);
  }
  r.tokens_per_s = median(r.reps);
  r.wall_tokens_per_s = median(r.wall_reps);
  return r;
}

const o = parseArgs(process.argv.slice(2));
const params = readParams(o.input);
const jwks = JSON.parse(readFileSync(join(o.input, 'jwks.json'), 'utf8'));
const version = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('jose/package.json'), 'utf8')).version;
const results = {};
for (const alg of ALGS) {
  if (o.algs.length && !o.algs.includes(alg)) continue;
  let tokens;
  try {
    tokens = readFileSync(join(o.input, `${alg}.tokens`), 'utf8').split('\n').filter((l) => l);
  } catch {
    continue;
  }
  const kid = JSON.parse(Buffer.from(tokens[0].split('.')[0], 'base64url')).kid;
  const jwk = jwks.keys.find((k) => k.kid === kid);
  let r;
  try {
    r = await runAlg(alg, tokens, await jose.importJWK(jwk, alg), params, o);
  } catch (e) {
    r = { error: `cannot import the key: ${e.message}` };
  }
  results[alg] = r;
  const line = r.error ? `ERROR: ${r.error}` : `${Math.round(r.tokens_per_s)} tokens/CPU-s, ${Math.round(r.wall_tokens_per_s)} tokens/s wall (${r.tokens} tokens, median of ${r.reps.length})`;
  process.stderr.write(`jose ${alg.padEnd(6)} ${line}\n`);
}
writeFileSync(o.out, JSON.stringify({
  peer: 'jose', version, crypto: `Node.js ${process.version} (OpenSSL ${process.versions.openssl}), WebCrypto`,
  validation: 'signature (key imported once), alg, exp (required), nbf, iss, aud (string or array)',
  repetitions: o.repetitions, min_time_s: o.minTime, time: 'process CPU time (every thread)', algs: results,
}, null, 2) + '\n');
