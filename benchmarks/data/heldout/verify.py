"""Check seed-questions.jsonl: parsing, ids, counts, and exact evidence strings."""
import json, collections, pathlib, sys
HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE.parents[2] / "corpus"
TYPES = {"definition", "causal", "yes_no", "treatment", "diagnosis", "doctor", "causes",
         "symptoms", "types", "complications", "prevention", "other"}
texts = {p.stem: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")
         if p.stem in {"back-pain-shaky-hands", "lumbar-tremor", "spinal-problems-tremors"}}
errors, recs = [], []
for n, line in enumerate((HERE / "seed-questions.jsonl").read_text(encoding="utf-8").splitlines(), 1):
    try:
        recs.append(json.loads(line))
    except Exception as e:
        errors.append(f"line {n}: does not parse: {e}")
ids = [r["id"] for r in recs]
if len(set(ids)) != len(ids): errors.append("duplicate ids")
if ids != [f"h{i:03d}" for i in range(1, 61)]: errors.append("ids are not h001..h060 in order")
kinds = collections.Counter(r["kind"] for r in recs)
if kinds != {"in_scope": 48, "out_of_scope": 12}: errors.append(f"kind counts {dict(kinds)}")
n_ev = 0
for r in recs:
    i = r["id"]
    if r["type"] not in TYPES: errors.append(f"{i}: bad type {r['type']}")
    if r["kind"] == "out_of_scope":
        if r["relevant"] or r["evidence"] or r["article_of_evidence"]:
            errors.append(f"{i}: out_of_scope must have empty relevant/evidence")
        continue
    grades = {d["article"]: d["grade"] for d in r["relevant"]}
    if list(grades.values()).count(2) != 1: errors.append(f"{i}: needs exactly one grade-2 article")
    if not 1 <= len(r["evidence"]) <= 3: errors.append(f"{i}: 1-3 evidence strings needed")
    if len(r["evidence"]) != len(r["article_of_evidence"]): errors.append(f"{i}: evidence/article length mismatch")
    for ev, art in zip(r["evidence"], r["article_of_evidence"]):
        n_ev += 1
        if art not in grades: errors.append(f"{i}: evidence article {art} not in relevant")
        if art not in texts: errors.append(f"{i}: unknown article {art}"); continue
        c = texts[art].count(ev)
        if c != 1: errors.append(f"{i}: evidence occurs {c} times in {art}: {ev[:60]!r}")
print("records:", len(recs), "| unique ids:", len(set(ids)), "| kinds:", dict(kinds))
print("types:", dict(sorted(collections.Counter(r["type"] for r in recs).items())))
print("types x kind:", dict(sorted(collections.Counter((r["type"], r["kind"]) for r in recs).items())))
print("evidence strings checked:", n_ev)
print("ERRORS:" if errors else "OK: all checks passed", *errors, sep="\n  ")
sys.exit(1 if errors else 0)
