#!/usr/bin/env python3
"""Benchmark SuperCollider's scsynth in non-real-time mode (scsynth -N) on Phonon's workloads.

See README.md beside this file for the method. Needs: python3 (stdlib only), scsynth
(Debian: supercollider-server) and sclang (Debian: supercollider-language) to write the
SynthDefs and scores. Writes only into a scratch directory (default: under /dev/shm), never into
the repository. Prints one JSON object on stdout; progress goes to stderr.

    python3 scripts/scsynth/bench.py [LOOP.wav] [--reps 5] [--short 5] [--long 25]
"""

import argparse
import array
import json
import math
import os
import platform
import random
import resource
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_LOOP = os.path.normpath(os.path.join(HERE, "..", "..", "assets", "bench", "samples", "loop", "loop.wav"))
STANDIN_LOOP = "/tmp/loop.wav"
SR = 44100
BLOCK = 512  # Phonon's block: results are µs per 512 samples, whatever scsynth's own block size

# variant -> (workload, output channels, extra scsynth flags, is a candidate for the peer)
VARIANTS = {
    "w1a": ("w1", 1, [], True),  # one SynthDef, 1000 SinOsc summed
    "w1b": ("w1", 1, [], True),  # 1000 synths, one SinOsc each
    "w2_bufrd": ("w2", 1, [], True),  # 256 synths, Phasor → BufRd linear, loop
    "w2_playbuf": ("w2", 1, [], False),  # reference: PlayBuf loop (cubic when rate != 1)
    "w3_stereo": ("w3", 2, [], True),  # 16 synths, one chain each, FreeVerb2
    "w3_stereo_onedef": ("w3", 2, [], True),  # one SynthDef holding the 16 chains
    "w3_mono": ("w3", 1, [], False),  # reference: 16 synths, mono FreeVerb
    "voices4k_bufrd": ("voices4k", 1, ["-n", "8192", "-m", "65536"], True),  # 4096 synths of the w2 kind
}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def write_standin_loop(path):
    """Mono float32 WAV, 44.1 kHz, 2 s: decaying 220 Hz sine plus a little noise (seeded)."""
    n = 2 * SR
    rnd = random.Random(1)
    x = [
        0.5 * math.exp(-1.5 * i / SR) * math.sin(2 * math.pi * 220 * i / SR)
        + 0.05 * (2 * rnd.random() - 1)
        for i in range(n)
    ]
    data = struct.pack("<%df" % n, *x)
    fmt = struct.pack("<HHIIHH", 3, 1, SR, SR * 4, 4, 32)  # WAVE_FORMAT_IEEE_FLOAT
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 4 + 24 + 8 + len(data)) + b"WAVE")
        f.write(b"fmt " + struct.pack("<I", 16) + fmt)
        f.write(b"data" + struct.pack("<I", len(data)) + data)


def read_float_wav(path):
    """(channels, interleaved float samples) of a 32-bit float WAV as scsynth writes it."""
    with open(path, "rb") as f:
        b = f.read()
    if b[:4] != b"RIFF" or b[8:12] != b"WAVE":
        raise ValueError(f"{path}: not a WAV file")
    i, channels = 12, None
    while i + 8 <= len(b):
        cid, size = b[i : i + 4], struct.unpack("<I", b[i + 4 : i + 8])[0]
        if cid == b"fmt ":
            tag, channels, _, _, _, bits = struct.unpack("<HHIIHH", b[i + 8 : i + 24])
            if bits != 32 or tag not in (3, 0xFFFE):
                raise ValueError(f"{path}: not 32-bit float (tag {tag}, {bits} bits)")
        elif cid == b"data":
            a = array.array("f")
            a.frombytes(b[i + 8 : i + 8 + size])
            return channels, a
        i += 8 + size + (size & 1)
    raise ValueError(f"{path}: no data chunk")


def check_output(path, channels, seconds):
    ch, a = read_float_wav(path)
    frames = len(a) // ch
    rms = math.sqrt(math.fsum(x * x for x in a) / max(1, len(a)))
    if ch != channels or abs(frames - seconds * SR) > 512 or not rms > 0 or not math.isfinite(rms):
        raise RuntimeError(f"{path}: bad output: {ch} ch, {frames} frames, rms {rms}")
    return {"rms": rms, "frames": frames}


def scsynth_cmd(scsynth, score, out, channels, zblock, extra):
    cmd = [scsynth, "-N", score, "_", out, str(SR), "WAV", "float", "-o", str(channels)]
    if zblock != 64:
        cmd += ["-z", str(zblock)]
    return cmd + extra


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_timed(cmd):
    """(wall seconds, CPU seconds user+sys) of one scsynth render."""
    c0 = child_cpu()
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    t = time.perf_counter() - t0
    c = child_cpu() - c0
    bad = [ln for ln in p.stdout.splitlines() if "FAIL" in ln or "ERROR" in ln or "exceeded" in ln]
    if p.returncode != 0 or bad:
        raise RuntimeError(f"{' '.join(cmd)}: rc {p.returncode}: {bad[:3]}")
    return t, c


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("loop", nargs="?", help=f"mono 44.1 kHz loop (default: {REPO_LOOP} if it exists, "
                    f"else a stand-in written to {STANDIN_LOOP})")
    ap.add_argument("--reps", type=int, default=5, help="renders per length (default 5)")
    ap.add_argument("--short", type=int, default=5, help="short render, seconds of audio (default 5)")
    ap.add_argument("--long", type=int, default=25, help="long render, seconds of audio (default 25)")
    ap.add_argument("--block-sizes", default="64,512", help="scsynth -z values (default 64,512)")
    ap.add_argument("--only", help="comma-separated variants (default all: %s)" % ",".join(VARIANTS))
    ap.add_argument("--workdir", help="scratch dir (default: a new dir under /dev/shm or /tmp)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch dir")
    ap.add_argument("--scsynth", default=shutil.which("scsynth") or "/usr/bin/scsynth")
    ap.add_argument("--sclang", default=shutil.which("sclang") or "/usr/bin/sclang")
    args = ap.parse_args()

    loop = args.loop
    if loop is None:
        loop = REPO_LOOP if os.path.exists(REPO_LOOP) else STANDIN_LOOP
        if loop == STANDIN_LOOP and not os.path.exists(loop):
            log(f"writing stand-in loop {loop}")
            write_standin_loop(loop)
    loop = os.path.abspath(loop)
    for tool in (args.scsynth, args.sclang):
        if not os.access(tool, os.X_OK):
            sys.exit(f"{tool} not found: apt-get install supercollider-server supercollider-language")
    variants = args.only.split(",") if args.only else list(VARIANTS)
    zs = [int(z) for z in args.block_sizes.split(",")]
    durs = (args.short, args.long)

    scratch_root = "/dev/shm" if os.path.isdir("/dev/shm") else None
    work = args.workdir or tempfile.mkdtemp(prefix="scsynth-bench-", dir=scratch_root)
    os.makedirs(work, exist_ok=True)
    try:
        # sclang headless: no display, and QtWebEngine (linked into sclang) refuses to run as
        # root with its sandbox on.
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QTWEBENGINE_DISABLE_SANDBOX="1")
        gen = [args.sclang, os.path.join(HERE, "gen.scd"), work, loop, ",".join(map(str, durs))]
        log("$", " ".join(gen))
        p = subprocess.run(gen, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=300)
        if p.returncode != 0 or "gen.scd: wrote" not in p.stdout:
            sys.exit("sclang failed:\n" + p.stdout[-3000:])

        blocks = (durs[1] - durs[0]) * SR / BLOCK
        results = {}
        for v in variants:
            wl, ch, extra, _ = VARIANTS[v]
            results[v] = {"workload": wl, "channels": ch}
            for z in zs:
                times = {d: [] for d in durs}
                cpu = {d: [] for d in durs}
                checks = {}
                cmds = {}
                for rep in range(args.reps):
                    for d in durs:  # short and long interleaved, so drift hits both alike
                        out = os.path.join(work, f"out_{v}_{d}.wav")
                        cmd = scsynth_cmd(args.scsynth, os.path.join(work, f"{v}_{d}.osc"), out, ch, z, extra)
                        cmds[d] = cmd
                        t, c = run_timed(cmd)
                        times[d].append(t)
                        cpu[d].append(c)
                        if rep == 0:
                            checks[d] = check_output(out, ch, d)
                        os.remove(out)
                med = {d: statistics.median(times[d]) for d in durs}
                mn = {d: min(times[d]) for d in durs}
                us_med = (med[durs[1]] - med[durs[0]]) / blocks * 1e6
                us_min = (mn[durs[1]] - mn[durs[0]]) / blocks * 1e6
                cmed = {d: statistics.median(cpu[d]) for d in durs}
                us_cpu = (cmed[durs[1]] - cmed[durs[0]]) / blocks * 1e6
                r = {
                    "us_per_block": round(us_med, 2),
                    "us_per_block_min": round(us_min, 2),
                    "us_per_block_cpu": round(us_cpu, 2),
                    "ns_per_sample": round(us_med * 1e3 / BLOCK, 3),
                    "x_realtime": round((durs[1] - durs[0]) / (med[durs[1]] - med[durs[0]]), 1),
                    "t_short_s": [round(t, 4) for t in times[durs[0]]],
                    "t_long_s": [round(t, 4) for t in times[durs[1]]],
                    "cpu_short_s": [round(t, 4) for t in cpu[durs[0]]],
                    "cpu_long_s": [round(t, 4) for t in cpu[durs[1]]],
                    "rms": round(checks[durs[1]]["rms"], 6),
                    "cmd_long": " ".join(cmds[durs[1]]).replace(work + "/", ""),
                }
                results[v][f"z{z}"] = r
                log(f"{v:18s} -z {z:<4d} {us_med:9.2f} µs/512 (median), {us_min:9.2f} (min), "
                    f"{us_cpu:9.2f} (cpu), rms {r['rms']}")

        out = {}
        for v, r in results.items():
            wl = r["workload"]
            w = out.setdefault(wl, {"variants": {}})
            w["variants"][v] = {k: val for k, val in r.items() if k != "workload"}
        z0 = f"z{zs[0]}"
        for wl, w in out.items():
            cands = [v for v in w["variants"] if VARIANTS[v][3]] or list(w["variants"])
            best = min(cands, key=lambda v: w["variants"][v][z0]["us_per_block"])
            w.update(us_per_block=w["variants"][best][z0]["us_per_block"],
                     us_per_block_min=w["variants"][best][z0]["us_per_block_min"],
                     us_per_block_cpu=w["variants"][best][z0]["us_per_block_cpu"],
                     variant=best, scsynth_block_size=zs[0])
            out[wl] = {k: w[k] for k in ("us_per_block", "us_per_block_min", "us_per_block_cpu", "variant",
                                         "scsynth_block_size", "variants")}
        ver = subprocess.run([args.scsynth, "-v"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True).stdout.strip()
        out["meta"] = {
            "scsynth": ver,
            "loop": loop,
            "loop_is_standin": loop != REPO_LOOP,
            "sr": SR,
            "block": BLOCK,
            "short_s": durs[0],
            "long_s": durs[1],
            "reps": args.reps,
            "blocks_in_difference": blocks,
            "cpu": platform.processor() or platform.machine(),
            "nproc": os.cpu_count(),
            "loadavg_at_end": os.getloadavg(),
        }
        print(json.dumps(out, indent=1))
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
