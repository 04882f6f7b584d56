#!/usr/bin/python3
"""Reference values for distill4j's report statistics (WelchTest, Holm), from SciPy, written to
distill4j-core/src/test/resources/reference-statistics.json; WelchTestTest reads them, so the tests never need
Python. Welch: scipy.stats.ttest_ind(a, b, equal_var=False) for t and p, the Welch-Satterthwaite degrees of freedom
and the 95% / 90% intervals from scipy.stats.t.ppf. Holm: the step-down adjustment written out from its definition
(statsmodels is not in Debian's python3-scipy), checked here against Bonferroni's bound and monotonicity.
Usage: /usr/bin/python3 scripts/reference_statistics.py
"""
import json, os
import numpy as np
from scipy import stats

CASES = {
    # accuracies over seeds, the shapes a report meets: 3 v 3, 5 v 5, unequal sizes and spreads
    "demo-kd-vs-student": ([77.35, 76.55, 77.90], [75.20, 76.75, 75.50]),
    "five-seeds": ([78.3, 77.2, 76.3, 76.6, 77.9], [76.25, 76.35, 74.85, 77.0, 77.35]),
    "unequal-sizes-and-spreads": ([84.1, 85.0, 83.2, 86.4, 84.8, 85.5, 83.9], [81.0, 86.9, 79.5]),
    "two-and-two": ([1.0, 2.0], [3.0, 5.0]),
    "one-side-constant": ([70.0, 70.0, 70.0], [71.0, 72.5, 69.9, 73.2]),
    "large-gap": ([91.2, 91.5, 91.1, 91.4], [67.8, 65.1, 70.3, 68.0]),
}

def welch(a, b, level):
    a, b = np.asarray(a), np.asarray(b)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = np.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    r = stats.ttest_ind(a, b, equal_var=False)
    d = a.mean() - b.mean()
    half = stats.t.ppf(0.5 + level / 2, df) * se
    return {"difference": d, "standardError": se, "degreesOfFreedom": df, "t": float(r.statistic),
            "p": float(r.pvalue), "low": d - half, "high": d + half}

def holm(p):
    p = np.asarray(p, dtype=float); m = len(p); order = np.argsort(p, kind="stable")
    out = np.empty(m); running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i])); out[i] = running
    assert np.all(out >= p) and np.all(out <= np.minimum(1, m * p) + 1e-15)
    return out.tolist()

HOLM = [[0.01, 0.04, 0.03, 0.005], [0.2, 0.0001, 0.04, 0.04, 0.9, 0.012], [0.5], [0.03, 0.02, 0.01]]

def main():
    out = {"welch": [], "holm": []}
    for name, (a, b) in CASES.items():
        for level in (0.95, 0.90):
            out["welch"].append({"name": name, "a": a, "b": b, "level": level, **welch(a, b, level)})
    for p in HOLM:
        out["holm"].append({"p": p, "adjusted": holm(p)})
    path = os.path.join(os.path.dirname(__file__), "..", "distill4j-core", "src", "test", "resources",
                        "reference-statistics.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", os.path.normpath(path))

if __name__ == "__main__":
    main()
