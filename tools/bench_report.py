#!/usr/bin/env python3
"""bench_report.py: writes the README's performance section as Markdown from a results folder.

    tools/bench_report.py RESULTS_DIR [-o OUT.md]      (default OUT: RESULTS_DIR/performance.md)

tools/bench.sh runs it at the end; RESULTS_DIR holds what bench.sh wrote:
  bench.json          Google Benchmark JSON of jwtbatch_bench (aggregates of repetitions)
  stats.json          {"corpus": ..., "command": ..., "runs": [jwtbatch verify --stats-json, ...]}
  env.json            date, commit, machine, load, command
  peers/*.json        with --peers: one file per peer (bench/peers/*), and jwtbatch.json (the
                      Google Benchmark run of jwtbatch on the same tokens)
Every table is skipped when its input is absent. Python 3 standard library only.
"""

import argparse
import json
import os
import sys

ALGS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
        "ES256", "ES384", "ES512", "EdDSA"]
STAGES = ["split", "decode", "parse", "resolve", "check", "verify"]
PEERS = [("libjwt", "libjwt.json"), ("cpp-jwt", "cppjwt.json"), ("jose", "jose.json")]


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


class Bench:
    """Medians (and stddev/median) of a Google Benchmark JSON file, by run name."""

    def __init__(self, doc):
        self.context = (doc or {}).get("context", {})
        self.median, self.stddev = {}, {}
        for b in (doc or {}).get("benchmarks", []):
            if b.get("error_occurred"):
                continue
            run = b.get("run_name") or b["name"]
            agg = b.get("aggregate_name")
            if agg == "median" or (b.get("run_type") != "aggregate" and run not in self.median):
                self.median[run] = b
            elif agg == "stddev":
                self.stddev[run] = b

    def find(self, prefix):
        """The run whose name is `prefix` or starts with `prefix` + "/" (arguments, /real_time)."""
        if prefix in self.median:
            return prefix
        for run in self.median:
            if run.startswith(prefix + "/"):
                return run
        return None

    def rate(self, name, field="items_per_second"):
        run = self.find(name)
        return self.median[run].get(field) if run else None

    def spread(self, name):
        run = self.find(name)
        if not run or run not in self.stddev:
            return None
        field = "real_time" if "/real_time" in run else "cpu_time"
        m = self.median[run][field]
        return self.stddev[run][field] / m if m else None

    def names(self, prefix):
        return [r for r in self.median if r.startswith(prefix)]


def fmt_rate(v):
    if v is None:
        return "—"
    if v >= 1e6:
        return f"{v / 1e6:.2f} M"
    if v >= 1e4:
        return f"{v / 1e3:.0f} k"
    if v >= 1e3:
        return f"{v / 1e3:.1f} k"
    return f"{v:.0f}"


def fmt_pct(s):
    return "—" if s is None else f"{100 * s:.1f}%"


def fmt_ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "—"


def median(values):
    s = sorted(values)
    n = len(s)
    if not n:
        return None
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def header(env, bench, out):
    ctx = bench.context
    date = env.get("date", ctx.get("date", "?"))
    cpu = env.get("cpu_model") or "?"
    threads = env.get("nproc") or ctx.get("num_cpus", "?")
    commit = env.get("git_commit", "?") + ("+dirty" if env.get("git_dirty") else "")
    kernel = env.get("kernels", "?")
    reps = env.get("repetitions", "?")
    out.append("## Performance\n")
    out.append(f"Measured {date} on {cpu} ({threads} hardware threads), Release build, base64url kernel "
               f"`{kernel}`, commit `{commit}`. Each number is the median of {reps} repetitions; ± is the "
               "spread of the repetitions (stddev/median). Single-thread rates are tokens per CPU-second "
               "(Google Benchmark's cpu_time); multi-thread rates are tokens per wall-clock second.")
    load = env.get("loadavg_start"), env.get("loadavg_end")
    if all(load):
        out.append(f"Load average {load[0]} at the start, {load[1]} at the end: on a shared machine compare "
                   "the ratios of one run, not absolute numbers across runs.")
    out.append("")
    out.append(f"Regenerate with `{env.get('command', 'tools/bench.sh')}` "
               "(the results and this file go to `build/bench-results/<date>/`; "
               "`tools/bench-compare` compares two runs).\n")


def stage_table(bench, out):
    rows = []
    for name in ["BM_stage/split"] + sorted(bench.names("BM_stage/decode/")) + \
            ["BM_stage/parse", "BM_stage/resolve", "BM_stage/check", "BM_stage/verify", "BM_pipeline/all_stages"]:
        run = bench.find(name)
        if not run:
            continue
        m = bench.median[run]
        items, byts = m.get("items_per_second"), m.get("bytes_per_second")
        label = name.replace("BM_stage/", "").replace("BM_pipeline/all_stages", "all six stages")
        if name.startswith("BM_stage/decode/"):
            label = f"decode ({name.rsplit('/', 1)[1]})"
        rows.append(f"| {label} | `{run}` | {fmt_rate(items)} | "
                    f"{byts / 1e6:.0f} | {1e9 / items:.0f} | {fmt_pct(bench.spread(name))} |"
                    if items and byts else f"| {label} | `{run}` | — | — | — | — |")
    if not rows:
        return
    out.append("### Per-stage throughput\n")
    out.append("One thread, each stage alone on one chunk of the demo corpus's valid tokens (all 13 "
               "algorithms, every size profile; `bench/stages_bench.cpp`). verify is the signatures of "
               "that mix, so it dominates.\n")
    out.append("| stage | benchmark | tokens/s | MB/s | ns/token | ± |")
    out.append("|---|---|---:|---:|---:|---:|")
    out.extend(rows)
    out.append("")


def stats_table(stats, out):
    runs = (stats or {}).get("runs") or []
    if not runs:
        return
    corpus = stats.get("corpus", {})
    total_ns = {s: median([r["stages"][s]["thread_ns"] for r in runs]) for s in STAGES}
    all_ns = sum(v for v in total_ns.values() if v) or 1
    out.append("### Per-stage counters of `jwtbatch verify`\n")
    out.append(f"`{stats.get('command', 'jwtbatch verify --stats-json')}` on {corpus.get('count', '?')} tokens "
               f"of `jwtbatch gen --profile {corpus.get('profile', '?')}` (seed {corpus.get('seed', '?')}, all "
               f"13 algorithms, {corpus.get('fail_rate', '?')} failures), {runs[0].get('threads', '?')} threads, "
               f"median of {len(runs)} runs. Per core: the stage's tokens over the CPU time its threads spent in it.\n")
    out.append("| stage | tokens/s per core | MB/s per core | share of thread time |")
    out.append("|---|---:|---:|---:|")
    for s in STAGES:
        tps = median([r["stages"][s]["tokens_per_s_per_core"] for r in runs])
        mbs = median([r["stages"][s]["mb_per_s_per_core"] for r in runs])
        out.append(f"| {s} | {fmt_rate(tps)} | {mbs:.1f} | {100 * (total_ns[s] or 0) / all_ns:.1f}% |")
    wall = median([r["tokens_per_s"] for r in runs])
    out.append(f"| **wall clock, whole command** (read, verify, write) | **{fmt_rate(wall)} tokens/s** | | |")
    out.append("")


def e2e_table(bench, env, out):
    nproc = env.get("nproc") or bench.context.get("num_cpus")
    rows = []
    for alg in ALGS:
        batch = bench.rate(f"BM_verify_e2e/{alg}/batch")
        single = bench.rate(f"BM_verify_e2e/{alg}/single")
        allt = bench.rate(f"BM_pipeline/{alg}/threads:{nproc}")
        floor = bench.rate(f"BM_verify_floor/{alg}/boringssl")
        if not any((batch, single, allt, floor)):
            continue
        rows.append(f"| {alg} | {fmt_rate(batch)} | {fmt_rate(single)} | {fmt_rate(allt)} | {fmt_rate(floor)} | "
                    f"{(f'{batch / floor:.2f}' if batch and floor else '—')} |")
    if not rows:
        return
    out.append("### End to end per algorithm\n")
    out.append("The demo corpus's valid tokens of each algorithm (about 55 each; `bench/e2e_bench.cpp`, "
               f"`bench/scheduler_bench.cpp`), tokens/s, all six stages through the public API. 1 thread: "
               f"per CPU-second. {nproc} threads: the tokens repeated to a batch of several thousand, per "
               "wall-clock second (a loaded machine lowers it; see the thread scaling below for a like-for-like "
               "speed-up). The floor is BoringSSL's bare signature check on the same tokens with keys and "
               "signatures prepared outside the loop, one thread; e2e / floor is the share of it that "
               "jwtbatch keeps.\n")
    out.append(f"| alg | 1 thread, batch | 1 thread, one token per call | {nproc} threads (wall) | "
               "BoringSSL floor | e2e / floor |")
    out.append("|---|---:|---:|---:|---:|---:|")
    out.extend(rows)
    out.append("")


def scaling_table(bench, out):
    algs = [a for a in ("HS256", "ES256") if bench.names(f"BM_pipeline/{a}/threads:")]
    if not algs:
        return
    counts = sorted({int(r.split("threads:")[1].split("/")[0]) for a in algs
                     for r in bench.names(f"BM_pipeline/{a}/threads:")})
    out.append("### Thread scaling\n")
    out.append("`BM_pipeline/<ALG>/threads:N`: one batch (the demo tokens repeated), "
               "`BatchOptions.threads = N` (a oneTBB task_arena), wall clock. × is the speed-up over 1 thread.\n")
    out.append("| threads | " + " | ".join(f"{a} tokens/s | ×" for a in algs) + " |")
    out.append("|---:|" + "---:|---:|" * len(algs))
    for n in counts:
        cells = []
        for a in algs:
            v, one = bench.rate(f"BM_pipeline/{a}/threads:{n}"), bench.rate(f"BM_pipeline/{a}/threads:1")
            cells += [f"{fmt_rate(v)} ± {fmt_pct(bench.spread(f'BM_pipeline/{a}/threads:{n}'))}", fmt_ratio(v, one)]
        out.append(f"| {n} | " + " | ".join(cells) + " |")
    out.append("")


def peer_cell(peer, alg, ours):
    if not peer:
        return ["not run", "—"]
    r = peer.get("algs", {}).get(alg)
    if r is None:
        return ["not run", "—"]
    if "unsupported" in r:
        return ["unsupported", "—"]
    if "error" in r:
        return [f"failed: {r['error']}", "—"]
    return [fmt_rate(r["tokens_per_s"]), fmt_ratio(ours, r["tokens_per_s"])]


def peer_table(results_dir, env, out):
    pdir = os.path.join(results_dir, "peers")
    ours = Bench(load_json(os.path.join(pdir, "jwtbatch.json")))
    peers = [(name, load_json(os.path.join(pdir, f))) for name, f in PEERS]
    if not ours.median or not any(p for _, p in peers):
        return
    info = env.get("peers", {})
    out.append("### Compared with other JWT libraries\n")
    out.append(f"Single thread, the same tokens for everyone: {info.get('corpus', 'a jwtbatch gen corpus')}. "
               "Each peer does full validation (signature, alg, exp, nbf, iss, aud as a string or an array) "
               "and, before it is timed, must accept every token and reject a forged signature, a wrong "
               "issuer, a wrong audience and an expired token. Each peer runs in its own process "
               "(libjwt and cpp-jwt link the system OpenSSL). × = jwtbatch (batch) / peer, measured in "
               f"the same run ({env.get('date', '?')}), in tokens per CPU-second (Google Benchmark's "
               "cpu_time for jwtbatch, the process's CPU time for the peers), medians of "
               f"{env.get('repetitions', '?')} repetitions.\n")
    names = [n for n, p in peers if p]
    head = "| alg | jwtbatch, batch | jwtbatch, one per call | " + " | ".join(f"{n} | ×" for n in names) + " |"
    out.append(head)
    out.append("|---|---:|---:|" + "---:|---:|" * len(names))
    for alg in ALGS:
        batch = ours.rate(f"BM_verify_e2e/{alg}/batch")
        single = ours.rate(f"BM_verify_e2e/{alg}/single")
        cells = []
        for n, p in peers:
            if p:
                cells += peer_cell(p, alg, batch)
        out.append(f"| {alg} | {fmt_rate(batch)} | {fmt_rate(single)} | " + " | ".join(cells) + " |")
    out.append("")
    for n, p in peers:
        if not p:
            continue
        unsupported = [a for a, r in p.get("algs", {}).items() if "unsupported" in r]
        line = f"- **{n} {p.get('version', '?')}** ({p.get('crypto', '?')}): {p.get('validation', '')}."
        if unsupported:
            line += f" No {', '.join(unsupported)}."
        out.append(line)
    ctx = ours.context
    out.append(f"- **jwtbatch** (this commit, BoringSSL from android-libboringssl-dev): "
               "`BM_verify_e2e/<ALG>/batch` and `/single` of `jwtbatch_bench` with "
               "`JWTBATCH_BENCH_CORPUS` set to the peers' corpus; keys prepared once at load.")
    if info.get("node"):
        out.append(f"- Node {info['node']}; jose verifies one token at a time (each awaited), through WebCrypto.")
    out.append("")


README_BEGIN = "<!-- performance: begin (generated by tools/bench.sh --readme; edits here are overwritten) -->"
README_END = "<!-- performance: end -->"


def splice_readme(readme_path, generated):
    """Replaces the text between README_BEGIN and README_END in readme_path with `generated` (the
    performance section without its "## Performance" heading, which stays in the README)."""
    with open(readme_path, encoding="utf-8") as f:
        text = f.read()
    begin, end = text.find(README_BEGIN), text.find(README_END)
    if begin < 0 or end < begin or text.count(README_BEGIN) != 1 or text.count(README_END) != 1:
        raise ValueError(f"{readme_path}: needs one '{README_BEGIN}' line and one '{README_END}' line after it")
    body = generated
    if body.startswith("## Performance\n"):
        body = body[len("## Performance\n"):]
    new = text[:begin + len(README_BEGIN)] + "\n" + body.strip("\n") + "\n" + text[end:]
    with open(readme_path, "w", encoding="utf-8") as f:
        f.write(new)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("results_dir")
    p.add_argument("-o", "--output")
    p.add_argument("--readme", help="also write the section into this README, between its performance markers")
    a = p.parse_args(argv)
    env = load_json(os.path.join(a.results_dir, "env.json")) or {}
    bench = Bench(load_json(os.path.join(a.results_dir, "bench.json")))
    stats = load_json(os.path.join(a.results_dir, "stats.json"))
    out = []
    header(env, bench, out)
    e2e_table(bench, env, out)
    peer_table(a.results_dir, env, out)
    stage_table(bench, out)
    stats_table(stats, out)
    scaling_table(bench, out)
    path = a.output or os.path.join(a.results_dir, "performance.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out).rstrip() + "\n")
    print(f"bench_report.py: wrote {path}")
    if a.readme:
        try:
            splice_readme(a.readme, "\n".join(out).rstrip() + "\n")
        except (OSError, ValueError) as e:
            print(f"bench_report.py: {e}", file=sys.stderr)
            return 2
        print(f"bench_report.py: updated the performance section of {a.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
