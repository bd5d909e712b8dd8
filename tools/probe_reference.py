"""Reference for rnnlens' linear probe: scikit-learn's multinomial LogisticRegression (L2 on the
weights, intercept unpenalised; the newton-cg solver, since lbfgs at its default settings stops
about 1e-4 short of the optimum in probability here) fitted on small synthetic "hidden state" data; writes the
data, C and the fitted model's probabilities on held-out rows to test/fixtures/probe/logreg.json.

    /usr/bin/python3 tools/probe_reference.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(7)
cases = []
for name, n, d, k, C in [("three-classes", 240, 6, 3, 1.0), ("five-classes-weak-l2", 300, 8, 5, 10.0), ("binary-strong-l2", 200, 4, 2, 0.05)]:
    centres = rng.normal(0, 1.5, size=(k, d))
    y = rng.integers(0, k, size=n)
    X = centres[y] + rng.normal(0, 1.0, size=(n, d))
    Xt = X[: n // 4]
    Xf, yf = X[n // 4 :], y[n // 4 :]
    cases.append({
        "name": name,
        "C": C,
        "classes": k,
        "X": np.round(Xf, 6).tolist(),
        "y": yf.tolist(),
        "Xtest": np.round(Xt, 6).tolist(),
    })
# fitted on the rounded data that is written, so both sides see the same numbers
for c in cases:
    # sklearn >= 1.5 deprecates multi_class; multinomial is the default for k > 2 there
    kwargs = dict(C=c["C"], solver="newton-cg", max_iter=10000, tol=1e-8)
    if c["classes"] > 2 and tuple(int(v) for v in sklearn.__version__.split(".")[:2]) < (1, 5):
        kwargs["multi_class"] = "multinomial"
    m = LogisticRegression(**kwargs).fit(np.array(c["X"]), np.array(c["y"]))
    c["proba"] = m.predict_proba(np.array(c["Xtest"])).tolist()
out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "probe", "logreg.json")
with open(out, "w") as f:
    json.dump({"generator": "tools/probe_reference.py", "sklearn": sklearn.__version__, "cases": cases}, f)
print("wrote", out, [(c["name"], len(c["y"])) for c in cases])
