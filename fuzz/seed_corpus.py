#!/usr/bin/env python3
"""Write seed inputs for the fuzz targets into fuzz/seeds/<target>/ (run from the repo root).

Sources: assets/*.ph and assets/bench/*.ph, docs/LANGUAGE.md's ```ph blocks, string literals
of the tests that look like .ph scenes, RON scenes or mini-notation, assets/demo.ron, the
smallest WAVs of assets/samples, and hand-made WAV headers of every format hound reads.
The committed corpus (fuzz/corpus/) grew from these; re-run this to start afresh."""
import glob, hashlib, os, re, struct

ROOT = os.getcwd()
OUT = os.path.join(ROOT, "fuzz", "seeds")


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def rust_strings(text):
    """String literals of Rust source: r#"…"#, r"…" and "…" (escapes decoded)."""
    out = []
    i = 0
    pat = re.compile(r'r(#*)"|"')
    while True:
        m = pat.search(text, i)
        if not m:
            return out
        if m.group(0).startswith("r"):
            close = '"' + m.group(1)
            j = text.find(close, m.end())
            if j < 0:
                return out
            out.append(text[m.end():j])
            i = j + len(close)
        else:
            j = m.end()
            s = []
            while j < len(text) and text[j] != '"':
                if text[j] == "\\" and j + 1 < len(text):
                    c = text[j + 1]
                    if c == "\n":
                        j += 2
                        while j < len(text) and text[j] in " \t":
                            j += 1
                        continue
                    s.append({"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "0": "\0"}.get(c, "\\" + c))
                    j += 2
                else:
                    s.append(text[j])
                    j += 1
            out.append("".join(s))
            i = j + 1


for f in sorted(glob.glob("assets/*.ph") + glob.glob("assets/bench/*.ph")):
    put("ph", open(f).read())
blocks, cur = [], None
for line in open("docs/LANGUAGE.md"):
    t = line.lstrip()
    if cur is None and t.startswith("```ph"):
        cur = ""
    elif cur is not None and t.startswith("```"):
        blocks.append(cur)
        cur = None
    elif cur is not None:
        cur += line
for b in blocks:
    put("ph", b)

for f in sorted(glob.glob("tests/*.rs") + glob.glob("src/**/*.rs", recursive=True)):
    for s in rust_strings(open(f).read()):
        if len(s) > 4000:
            continue
        if re.search(r"(^|\n)(out|o\d+|d\d+|~\w+)\s*[:$]", s):
            put("ph", s)
        if "Scene(" in s or "outputs:" in s:
            put("ron", s)
        if f.endswith("tests/mini.rs") or f.endswith("src/pattern/mini.rs"):
            if 0 < len(s) < 200 and "\n" not in s:
                put("mini", s)
        elif f.endswith(("tests/transforms.rs", "tests/oracle.rs", "tests/scheduling.rs")) and 0 < len(s) < 200 and "\n" not in s:
            put("mini", s)

put("ron", open("assets/demo.ron").read())

# WAV: the smallest real files, and tiny hand-made ones of every format
wavs = sorted(glob.glob("assets/samples/**/*.wav", recursive=True), key=os.path.getsize)
for f in wavs[:3]:
    put("wav", open(f, "rb").read())


def wav(fmt, ch, rate, bits, frames, extensible=False, extra=b""):
    block = ch * ((bits + 7) // 8)
    data = bytes((i * 37 + 11) % 256 for i in range(frames * block))
    if extensible:
        sub = (b"\x01\x00\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71" if fmt == 1 else
               b"\x03\x00\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71")
        body = struct.pack("<HHIIHHHHI", 0xFFFE, ch, rate, rate * block, block, bits, 22, bits, 3) + sub
    else:
        body = struct.pack("<HHIIHH", fmt, ch, rate, rate * block, block, bits)
    chunks = b"fmt " + struct.pack("<I", len(body)) + body + extra + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


for fmt, bits in [(1, 8), (1, 16), (1, 24), (1, 32), (3, 32)]:
    for ch in (1, 2, 3):
        put("wav", wav(fmt, ch, 44100, bits, 40))
put("wav", wav(1, 2, 48000, 16, 32, extensible=True))
put("wav", wav(3, 1, 22050, 32, 32, extensible=True))
put("wav", wav(1, 1, 8000, 16, 16, extra=b"LIST\x04\x00\x00\x00abcd"))
put("wav", wav(1, 1, 96000, 16, 64))
put("wav", wav(1, 1, 11025, 8, 64))
