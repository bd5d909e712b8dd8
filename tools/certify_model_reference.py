"""Clopper-Pearson intervals from SciPy's beta quantiles, for test/verify/certify-model.

Run: /usr/bin/python3 tools/certify_model_reference.py
Writes test/fixtures/certify-model/clopper-pearson.json.
"""
import json
import os

from scipy.stats import beta

cases = []
for n, k, alpha in [(10, 0, 0.05), (10, 3, 0.05), (10, 10, 0.05), (50, 17, 0.05), (200, 150, 0.05),
                    (1000, 999, 0.05), (7, 1, 0.1), (30, 29, 0.01), (1, 0, 0.05), (1, 1, 0.05), (500, 250, 0.05)]:
    lo = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    cases.append({"n": n, "k": k, "alpha": alpha, "lower": lo, "upper": hi})

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "certify-model", "clopper-pearson.json")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    json.dump({"source": "scipy.stats.beta.ppf", "cases": cases}, f, indent=1)
print("wrote", out)
