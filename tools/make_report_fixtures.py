"""Fixtures for test/report: reliability bins from scikit-learn's calibration_curve and
histogram counts from numpy.histogram, so rnnlens's own binning is checked against them.
Run: /usr/bin/python3 tools/make_report_fixtures.py"""
import json
import numpy as np
from sklearn.calibration import calibration_curve

rng = np.random.default_rng(7)
n = 400
conf = rng.beta(5, 2, size=n)
# correct with probability slightly below the confidence (an over-confident model)
correct = (rng.random(n) < conf * 0.9).astype(int)
prob_true, prob_pred = calibration_curve(correct, conf, n_bins=10, strategy="uniform")
edges = np.linspace(0, 1, 11)
ids = np.searchsorted(edges[1:-1], conf)
counts = np.bincount(ids, minlength=10)
nonempty = counts[counts > 0]
ece = float(np.sum(nonempty / n * np.abs(prob_true - prob_pred)))

epochs = [rng.normal(loc=0.1 * e, scale=1 + 0.2 * e, size=200) for e in range(4)]
lo = min(float(v.min()) for v in epochs)
hi = max(float(v.max()) for v in epochs)
hist = [np.histogram(v, bins=12, range=(lo, hi))[0].tolist() for v in epochs]

out = {
    "reliability": {
        "confidence": conf.tolist(),
        "correct": correct.tolist(),
        "bins": 10,
        "prob_true": prob_true.tolist(),
        "prob_pred": prob_pred.tolist(),
        "counts": nonempty.tolist(),
        "ece": ece,
    },
    "histogram": {
        "epochs": [v.tolist() for v in epochs],
        "bins": 12,
        "counts": hist,
        "medians": [float(np.median(v)) for v in epochs],
    },
}
with open("test/fixtures/report/binning.json", "w") as f:
    json.dump(out, f)
print("wrote test/fixtures/report/binning.json")
