"""Check train.jsonl / test.jsonl: parsing, labels, counts, overlap."""
import json, collections, pathlib, re, sys

HERE = pathlib.Path(__file__).parent
LABELS = {"informative", "anecdote", "promotion", "question", "furniture"}
EXPECTED = {
    "train.jsonl": {"total": 300, "informative": 150, "other_each": (37, 38)},
    "test.jsonl": {"total": 200, "informative": 100, "other_each": (25, 25)},
}
ok = True
def fail(msg):
    global ok
    ok = False
    print("FAIL:", msg)

def norm(t):
    return re.sub(r"\W+", " ", t.lower()).strip()

texts = {}
for name, exp in EXPECTED.items():
    rows = []
    for i, line in enumerate((HERE / name).read_text(encoding="utf-8").splitlines(), 1):
        try:
            o = json.loads(line)
        except json.JSONDecodeError as e:
            fail(f"{name}:{i} does not parse: {e}"); continue
        if set(o) != {"text", "label", "note"}:
            fail(f"{name}:{i} keys {sorted(o)}")
        if o.get("label") not in LABELS:
            fail(f"{name}:{i} bad label {o.get('label')!r}")
        if not isinstance(o.get("text"), str) or not o["text"].strip():
            fail(f"{name}:{i} empty text")
        n = len(o["text"].split())
        if o["label"] != "furniture" and not 4 <= n <= 40:
            fail(f"{name}:{i} {n} words: {o['text']}")
        rows.append(o)
    c = collections.Counter(o["label"] for o in rows)
    print(name, "total", len(rows), dict(sorted(c.items())))
    wc = [len(o["text"].split()) for o in rows]
    print(f"  words per text: min {min(wc)}, max {max(wc)}, mean {sum(wc)/len(wc):.1f}")
    if len(rows) != exp["total"]: fail(f"{name} total {len(rows)} != {exp['total']}")
    if c["informative"] != exp["informative"]: fail(f"{name} informative {c['informative']}")
    lo, hi = exp["other_each"]
    for lab in LABELS - {"informative"}:
        if not lo <= c[lab] <= hi: fail(f"{name} {lab} {c[lab]} not in [{lo},{hi}]")
    dup = [t for t, k in collections.Counter(norm(o["text"]) for o in rows).items() if k > 1]
    if dup: fail(f"{name} duplicate texts within file: {dup}")
    texts[name] = {norm(o["text"]): o["text"] for o in rows}

both = set(texts["train.jsonl"]) & set(texts["test.jsonl"])
print("texts in both files (case/punctuation-insensitive):", len(both))
for t in both: fail(f"in both files: {texts['train.jsonl'][t]}")
print("ALL CHECKS PASSED" if ok else "CHECKS FAILED")
sys.exit(0 if ok else 1)
