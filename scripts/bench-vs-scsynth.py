#!/usr/bin/env python3
"""Phonon vs scsynth on the issue #8 workloads, measured in one run, printed as a Markdown table.

    cargo build --release
    python3 scripts/bench-vs-scsynth.py [--reps 3] [--seconds 10] > table.md

Runs `phonon bench --json` (one DSP thread; stress16 also on two) and then
`scripts/scsynth/bench.py` (scsynth -N, default block size 64), and divides. CPU time (all
threads of the process, per 512-sample block) is compared with CPU time, which a busy machine
disturbs far less than wall time; wall medians are shown too. Needs scsynth and sclang (see
scripts/scsynth/README.md).
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def phonon(args, threads):
    exe = os.path.join(ROOT, "target", "release", "phonon")
    cmd = [exe, "bench", "--json", "--threads", str(threads), "--seconds", str(args.seconds)] + args.workloads
    print("+", " ".join(cmd), file=sys.stderr)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return {m["workload"]: m for m in json.loads(out)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=3, help="scsynth renders per length")
    ap.add_argument("--seconds", type=float, default=10.0, help="seconds of audio Phonon times per workload")
    ap.add_argument("--skip-scsynth", action="store_true", help="Phonon only")
    ap.add_argument("--workloads", nargs="*", default=["w1", "w2", "w3", "mph", "stress16", "voices4k"])
    args = ap.parse_args()
    p1 = phonon(args, 1)
    p2 = phonon(argparse.Namespace(**{**vars(args), "workloads": ["stress16", "voices4k"]}), 2)
    sc = {}
    if not args.skip_scsynth:
        cmd = [sys.executable, os.path.join(HERE, "scsynth", "bench.py"), "--reps", str(args.reps), "--block-sizes", "64",
               "--only", "w1a,w1b,w2_bufrd,w3_stereo,w3_stereo_onedef,voices4k_bufrd"]
        print("+", " ".join(cmd), file=sys.stderr)
        sc = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout)
    print("| workload | Phonon wall median µs (p99) | Phonon CPU µs | scsynth wall µs | scsynth CPU µs | CPU ratio Phonon/scsynth | × real time | % budget |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    rows = [(w, p1[w]) for w in args.workloads if w in p1] + [(w + " (2 threads)", p2[w]) for w in ("stress16", "voices4k") if w in p2]
    for name, m in rows:
        s = sc.get(name.split()[0], {})
        ratio = f"{m['cpu_us'] / s['us_per_block_cpu']:.2f}" if s.get("us_per_block_cpu") else "—"
        sw = f"{s['us_per_block']:.0f}" if s.get("us_per_block") else "—"
        scpu = f"{s['us_per_block_cpu']:.0f}" if s.get("us_per_block_cpu") else "—"
        print(f"| {name} | {m['median_us']:.0f} ({m['p99_us']:.0f}) | {m['cpu_us']:.0f} | {sw} | {scpu} | {ratio} | {m['x_realtime']:.1f} | {m['budget_pct']:.1f} % |")
    json.dump({"phonon_1": p1, "phonon_2": p2, "scsynth": sc}, open(os.path.join("/tmp", "bench-vs-scsynth.json"), "w"), indent=1)
    print("\n(raw numbers: /tmp/bench-vs-scsynth.json)", file=sys.stderr)


if __name__ == "__main__":
    main()
