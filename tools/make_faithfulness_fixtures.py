"""Reference numbers for the explanation checks (test/explain-checks), from SciPy and scikit-learn.

Writes test/fixtures/explain-checks/reference.json:
  spearman: pairs of vectors (with ties, constant runs, negative values) and scipy.stats.spearmanr
  aupr:     importance vectors against binary truth and sklearn's average_precision_score
Run: /usr/bin/python3 tools/make_faithfulness_fixtures.py
"""
import json
import os

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import average_precision_score

rng = np.random.default_rng(20261128)
cases = []
for n, ties in [(5, False), (12, True), (40, True), (200, False), (200, True)]:
    a = rng.normal(size=n)
    b = 0.6 * a + rng.normal(size=n)
    if ties:
        a = np.round(a, 0)
        b = np.round(b * 2, 0) / 2
    rho = spearmanr(a, b).statistic
    cases.append({"a": a.tolist(), "b": b.tolist(), "rho": float(rho)})
# |maps| as the sanity check compares them, with zeros at common positions
a = np.abs(rng.normal(size=60)); a[:10] = 0
b = np.abs(a + rng.normal(scale=0.5, size=60)); b[:10] = 0
cases.append({"a": a.tolist(), "b": b.tolist(), "rho": float(spearmanr(a, b).statistic)})

aupr = []
for n, pos in [(20, 4), (200, 10), (200, 100)]:
    truth = np.zeros(n, dtype=int)
    truth[rng.choice(n, pos, replace=False)] = 1
    imp = np.abs(rng.normal(size=n) + 1.5 * truth)
    imp = np.round(imp, 1)  # ties
    aupr.append({"importance": imp.tolist(), "truth": truth.tolist(),
                 "ap": float(average_precision_score(truth, (imp - imp.min()) / (imp.max() - imp.min())))})

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "explain-checks", "reference.json")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    json.dump({"generator": "tools/make_faithfulness_fixtures.py", "spearman": cases, "aupr": aupr}, f)
print("wrote", out)
