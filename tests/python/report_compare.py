"""report_compare: compare two jwtbatch audit reports (JSON text) count for count."""
import json


def normalized(report_text):
    """The report as a dict without the parts that may differ between equal audits: the order of
    `sources` (merge order), and replay examples (second sightings are noted by whichever worker
    thread sees a value twice, in a local run too; the replay counts and fingerprints stay)."""
    d = json.loads(report_text)
    d["sources"] = sorted(d["sources"])
    d["replay"].pop("examples", None)
    return d


def diff(a_text, b_text):
    """[] when equal, else a few lines naming the first differences."""
    a, b = normalized(a_text), normalized(b_text)
    out = []

    def walk(x, y, path):
        if len(out) >= 10:
            return
        if isinstance(x, dict) and isinstance(y, dict):
            for k in sorted(set(x) | set(y)):
                if k not in x or k not in y:
                    out.append(f"{path}/{k}: only in {'first' if k in x else 'second'}")
                else:
                    walk(x[k], y[k], f"{path}/{k}")
        elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            for i, (p, q) in enumerate(zip(x, y)):
                walk(p, q, f"{path}[{i}]")
        elif x != y:
            out.append(f"{path}: {str(x)[:200]} != {str(y)[:200]}")

    walk(a, b, "")
    return out
