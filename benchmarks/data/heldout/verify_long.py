"""Checks long-messages.jsonl: fields, unique ids, lengths, every evidence string verbatim in its article."""
import json,re,collections
from pathlib import Path
HERE=Path(__file__).resolve().parent
C=str(HERE.parents[2]/"corpus")+"/"
texts={a:open(C+a+".txt",encoding="utf-8").read() for a in ["back-pain-shaky-hands","lumbar-tremor","spinal-problems-tremors"]}
ok=True; kinds=collections.Counter(); per=collections.Counter(); ids=set()
for n,line in enumerate(open(HERE/"long-messages.jsonl",encoding="utf-8"),1):
    d=json.loads(line)
    assert set(d)=={"id","question","kind","relevant","evidence","article_of_evidence"}, d["id"]
    assert d["id"] not in ids; ids.add(d["id"])
    q=d["question"]; L=len(q)
    sents=len(re.findall(r'[.?!](\s|$)',q))
    if not 250<=L<=900: ok=False; print("LEN",d["id"],L)
    if not 3<=sents<=7: print("SENTS?",d["id"],sents)
    kinds[d["kind"]]+=1
    if d["kind"]=="in_scope":
        assert len(d["evidence"]) in (1,2) and len(d["evidence"])==len(d["article_of_evidence"])
        assert d["relevant"][0]["grade"]==2 and d["relevant"][0]["article"]==d["article_of_evidence"][0]
        per[d["article_of_evidence"][0]]+=1
        for e,a in zip(d["evidence"],d["article_of_evidence"]):
            if e not in texts[a]: ok=False; print("EVIDENCE MISSING",d["id"],e)
    else:
        assert d["relevant"]==[] and d["evidence"]==[] and d["article_of_evidence"]==[]
print("lines",len(ids),dict(kinds),dict(per),"lengths",)
print("ALL OK" if ok else "FAIL")
