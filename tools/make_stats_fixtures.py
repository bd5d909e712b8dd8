#!/usr/bin/env python3
"""Writes reference fixtures for rnnlens' statistical verification (test/verify/*.test.ts).

Every number comes from an independent implementation: scikit-learn (metrics, splitters,
calibration_curve), SciPy (distributions, scipy.stats.bootstrap) and statsmodels (McNemar).
Run with Debian's Python: /usr/bin/python3 tools/make_stats_fixtures.py
"""
import json
import os
import warnings

import mpmath
import numpy as np
import scipy
import sklearn
import statsmodels
from scipy import stats
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve
from sklearn.model_selection import GroupKFold, KFold, LeaveOneGroupOut, StratifiedKFold, TimeSeriesSplit
from sklearn.preprocessing import label_binarize
from statsmodels.stats.contingency_tables import mcnemar

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "stats")
VERSIONS = {"mpmath": mpmath.__version__, "sklearn": sklearn.__version__, "scipy": scipy.__version__, "statsmodels": statsmodels.__version__, "numpy": np.__version__}


def finite_or_none(obj):
    """JSON has no NaN: undefined reference values (e.g. statsmodels' 0/0 statistic) become null."""
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: finite_or_none(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [finite_or_none(v) for v in obj]
    return obj


def write(name, obj):
    os.makedirs(OUT, exist_ok=True)
    obj = finite_or_none(obj)
    obj = {"generator": "tools/make_stats_fixtures.py", "versions": VERSIONS, **obj}
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f, indent=None, separators=(",", ":"), allow_nan=False)
    print(name, os.path.getsize(os.path.join(OUT, name)), "bytes")


def fl(a):
    return [float(x) for x in np.asarray(a).ravel()]


def il(a):
    return [int(x) for x in np.asarray(a).ravel()]


# ------------------------------------------------------------------ distributions
def distributions():
    z = [-38.0, -20.0, -8.5, -3.1, -1.0, -1e-3, 0.0, 0.4, 1.96, 5.0, 9.0]
    ps = [1e-300, 1e-100, 1e-20, 1e-9, 0.001, 0.025, 0.2, 0.5, 0.7, 0.975, 0.999, 1 - 1e-12]
    normal = {"z": z, "cdf": fl(stats.norm.cdf(z)), "sf": fl(stats.norm.sf(z)), "p": ps, "ppf": fl(stats.norm.ppf(ps))}
    t_cases = []
    for df in [1, 2, 3.5, 5, 9, 29, 100, 1e4]:
        for t in [-40.0, -6.0, -2.3, -0.5, 0.0, 0.01, 1.0, 2.1, 12.0]:
            t_cases.append({"t": t, "df": df, "cdf": float(stats.t.cdf(t, df)), "sf": float(stats.t.sf(t, df))})
    # scipy.stats.t.ppf (cephes stdtrit) is only good to ~1e-9 relative (df=1, p=0.9995 is off by
    # 1e-9); the exact quantile is refined with mpmath at 40 digits from scipy's starting value.
    mpmath.mp.dps = 40
    t_ppf = []
    for df in [1, 2, 4, 5, 9, 29, 100]:
        for p in [1e-8, 0.001, 0.025, 0.1, 0.5, 0.8, 0.975, 0.9995]:
            sp = float(stats.t.ppf(p, df))
            exact = sp
            if p != 0.5:
                d = mpmath.mpf(df)
                tail = mpmath.mpf(min(p, 1 - p))
                f = lambda t: mpmath.betainc(d / 2, mpmath.mpf(1) / 2, 0, d / (d + t * t), regularized=True) / 2 - tail
                exact = float(mpmath.findroot(f, mpmath.mpf(abs(sp)), tol=mpmath.mpf(10) ** -35)) * (1 if p > 0.5 else -1)
            t_ppf.append({"p": p, "df": df, "ppf": exact, "scipyPpf": sp})
    chi2 = []
    for k in [1, 2, 3, 7, 30]:
        for x in [1e-6, 0.1, 1.0, 3.84, 10.0, 60.0, 200.0]:
            chi2.append({"x": x, "k": k, "cdf": float(stats.chi2.cdf(x, k)), "sf": float(stats.chi2.sf(x, k))})
    binom = []
    for n, p in [(1, 0.5), (10, 0.5), (25, 0.3), (60, 0.5), (200, 0.02)]:
        for k in sorted(set([0, 1, n // 4, n // 2, n - 1, n])):
            binom.append({"k": k, "n": n, "p": p, "pmf": float(stats.binom.pmf(k, n, p)), "cdf": float(stats.binom.cdf(k, n, p))})
    write("distributions.json", {"normal": normal, "t": t_cases, "tPpf": t_ppf, "chi2": chi2, "binom": binom})


# ------------------------------------------------------------------ metrics
def softmax_rows(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def binary_case(name, y, s):
    y = np.asarray(y)
    s = np.asarray(s, dtype=float)
    pred = (s > 0.5).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case = {
            "name": name,
            "yTrue": il(y),
            "scores": fl(s),
            "rocAuc": float(skm.roc_auc_score(y, s)),
            "averagePrecision": float(skm.average_precision_score(y, s)),
            "logLoss": float(skm.log_loss(y, s, labels=[0, 1])),
            "brier": float(skm.brier_score_loss(y, s)),
        }
        fpr, tpr, thr = skm.roc_curve(y, s, drop_intermediate=False)
        case["rocCurve"] = {"fpr": fl(fpr), "tpr": fl(tpr)}
        case["calibration"] = []
        for strategy in ["uniform", "quantile"]:
            for n_bins in [5, 10]:
                pt, pp = calibration_curve(y, s, n_bins=n_bins, strategy=strategy)
                case["calibration"].append({"strategy": strategy, "nBins": n_bins, "probTrue": fl(pt), "probPred": fl(pp)})
        case["yPred"] = il(pred)
    return case


def label_case(name, y, p, labels=None):
    y = np.asarray(y)
    p = np.asarray(p)
    out = {"name": name, "yTrue": il(y), "yPred": il(p)}
    kw = {} if labels is None else {"labels": labels}
    if labels is not None:
        out["labels"] = labels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["accuracy"] = float(skm.accuracy_score(y, p))
        out["balancedAccuracy"] = float(skm.balanced_accuracy_score(y, p))
        out["confusion"] = skm.confusion_matrix(y, p, **kw).tolist()
        for zd in [0, 1]:
            pc = skm.precision_recall_fscore_support(y, p, average=None, zero_division=zd, **kw)
            res = {"perClass": {"precision": fl(pc[0]), "recall": fl(pc[1]), "f1": fl(pc[2]), "support": il(pc[3])}}
            for avg in ["macro", "micro", "weighted"]:
                a = skm.precision_recall_fscore_support(y, p, average=avg, zero_division=zd, **kw)
                res[avg] = {"precision": float(a[0]), "recall": float(a[1]), "f1": float(a[2])}
            out["zd%d" % zd] = res
    return out


def proba_case(name, y, P):
    y = np.asarray(y)
    C = P.shape[1]
    Y = label_binarize(y, classes=list(range(C)))
    conf = P.max(axis=1)
    correct = (P.argmax(axis=1) == y).astype(int)
    calib = []
    for strategy in ["uniform", "quantile"]:
        pt, pp = calibration_curve(correct, conf, n_bins=10, strategy=strategy)
        # ECE from calibration_curve's bins, weights = bin counts (recomputed with sklearn's own binning)
        if strategy == "uniform":
            bins = np.linspace(0.0, 1.0, 11)
        else:
            bins = np.percentile(conf, np.linspace(0, 1, 11) * 100)
        ids = np.searchsorted(bins[1:-1], conf)
        counts = np.bincount(ids, minlength=len(bins))
        counts = counts[counts != 0]
        ece = float(np.sum(counts / len(y) * np.abs(pt - pp)))
        calib.append({"strategy": strategy, "nBins": 10, "probTrue": fl(pt), "probPred": fl(pp), "ece": ece})
    return {
        "name": name,
        "yTrue": il(y),
        "proba": P.tolist(),
        "rocAucOvrMacro": float(skm.roc_auc_score(y, P, multi_class="ovr", average="macro")),
        "rocAucOvrWeighted": float(skm.roc_auc_score(y, P, multi_class="ovr", average="weighted")),
        "averagePrecisionOvrMacro": float(skm.average_precision_score(Y, P, average="macro")),
        "logLoss": float(skm.log_loss(y, P, labels=list(range(C)))),
        "brierMulti": float(np.mean(np.sum((P - Y) ** 2, axis=1))),
        "topLabelCalibration": calib,
        "yPred": il(P.argmax(axis=1)),
    }


def metrics():
    rng = np.random.RandomState(4)
    binary = []
    y = rng.randint(0, 2, 60)
    binary.append(binary_case("continuous", y, rng.rand(60)))
    # heavy ties: scores on a coarse grid, including 0 and 1 exactly and bin edges
    y = rng.randint(0, 2, 80)
    binary.append(binary_case("ties", y, rng.choice([0.0, 0.1, 0.2, 0.5, 0.6, 0.8, 1.0], 80)))
    y = (rng.rand(50) < 0.2).astype(int)
    binary.append(binary_case("imbalanced", y, np.clip(0.25 * y + rng.rand(50) * 0.75, 0, 1)))
    binary.append(binary_case("constant scores", np.array([0, 1, 1, 0, 1, 0, 0]), np.full(7, 0.3)))
    binary.append(binary_case("perfect", np.array([0, 0, 1, 1, 1]), np.array([0.1, 0.2, 0.7, 0.8, 0.9])))

    labels = []
    y = rng.randint(0, 4, 70)
    p = np.where(rng.rand(70) < 0.6, y, rng.randint(0, 4, 70))
    labels.append(label_case("multiclass", y, p))
    # class 3 never predicted, class 4 never true -> zero division both ways
    y = np.array([0, 1, 2, 3, 3, 0, 1, 2, 0, 1])
    p = np.array([0, 1, 2, 0, 1, 0, 4, 2, 1, 1])
    labels.append(label_case("zero division", y, p))
    labels.append(label_case("explicit labels with absent class", y, p, labels=[0, 1, 2, 3, 4, 5]))
    labels.append(label_case("binary", rng.randint(0, 2, 30), rng.randint(0, 2, 30)))

    proba = []
    y = rng.randint(0, 3, 90)
    logits = rng.randn(90, 3) * 1.5
    logits[np.arange(90), y] += 1.0
    proba.append(proba_case("three classes", y, softmax_rows(logits)))
    y = rng.randint(0, 5, 40)
    P = softmax_rows(np.round(rng.randn(40, 5), 0))  # rounded logits -> many tied scores
    P[0] = [1.0, 0.0, 0.0, 0.0, 0.0]  # a confident row (exercises clipping)
    proba.append(proba_case("five classes with ties", y, P))

    yt = rng.randn(40) * 3 + 1
    yp = yt + rng.randn(40)
    yt[3] = 0.0
    regression = {
        "yTrue": fl(yt),
        "yPred": fl(yp),
        "mae": float(skm.mean_absolute_error(yt, yp)),
        "rmse": float(skm.mean_squared_error(yt, yp, squared=False)),
        "mape": float(skm.mean_absolute_percentage_error(yt, yp)),
        "r2": float(skm.r2_score(yt, yp)),
        "r2ConstantPerfect": float(skm.r2_score([2.0, 2.0, 2.0], [2.0, 2.0, 2.0])),
        "r2ConstantWrong": float(skm.r2_score([2.0, 2.0, 2.0], [2.0, 2.5, 2.0])),
    }
    write("metrics.json", {"binary": binary, "labels": labels, "proba": proba, "regression": regression})


# ------------------------------------------------------------------ splitters
def folds(splitter, X, y=None, groups=None):
    return [{"train": il(tr), "test": il(te)} for tr, te in splitter.split(X, y, groups)]


def splitters():
    rng = np.random.RandomState(7)
    cases = []
    for n, k in [(10, 3), (23, 5), (7, 7)]:
        cases.append({"kind": "kFold", "n": n, "k": k, "folds": folds(KFold(k), np.zeros(n))})
    for n, k, ncls in [(30, 4, 3), (41, 5, 4), (17, 3, 2)]:
        y = rng.randint(0, ncls, n)
        cases.append({"kind": "stratifiedKFold", "y": il(y), "k": k, "folds": folds(StratifiedKFold(k), np.zeros(n), y)})
    ystr = ["b", "a", "b", "c", "a", "b", "b", "c", "a", "b", "c", "a"]
    cases.append({"kind": "stratifiedKFold", "y": ystr, "k": 3, "folds": folds(StratifiedKFold(3), np.zeros(12), ystr)})
    for n, k, ng in [(40, 4, 9), (25, 3, 5), (30, 5, 12)]:
        g = rng.randint(0, ng, n)
        cases.append({"kind": "groupKFold", "groups": il(g), "k": k, "folds": folds(GroupKFold(k), np.zeros(n), None, g)})
    g = rng.randint(0, 6, 20)
    cases.append({"kind": "leaveOneGroupOut", "groups": il(g), "folds": folds(LeaveOneGroupOut(), np.zeros(20), None, g)})
    for n, k, gap, mts, ts in [(20, 4, 0, None, None), (23, 5, 2, None, None), (30, 3, 1, 6, None), (50, 4, 3, 10, 5), (12, 5, 0, None, 2)]:
        spl = TimeSeriesSplit(n_splits=k, gap=gap, max_train_size=mts, test_size=ts)
        cases.append({"kind": "timeSeriesSplit", "n": n, "k": k, "gap": gap, "maxTrainSize": mts, "testSize": ts, "folds": folds(spl, np.zeros(n))})
    write("splitters.json", {"cases": cases})


# ------------------------------------------------------------------ tests and intervals
def bootstrap_cases():
    out = []
    rng = np.random.RandomState(11)
    data = rng.exponential(2.0, 25)
    for method in ["percentile", "BCa"]:
        for conf in [0.95, 0.9]:
            seed = 123
            # the same indices scipy draws: rng_integers(RandomState(seed), 0, n, (B, n))
            idx = np.random.RandomState(seed).randint(0, len(data), (300, len(data)))
            res = stats.bootstrap((data,), np.mean, n_resamples=300, confidence_level=conf, method=method,
                                  random_state=np.random.RandomState(seed), vectorized=True)
            assert np.allclose(res.bootstrap_distribution, data[idx].mean(axis=1), rtol=1e-13, atol=0)
            out.append({"statistic": "mean", "data": fl(data), "method": method, "confidenceLevel": conf,
                        "resamples": idx.tolist(), "low": float(res.confidence_interval.low), "high": float(res.confidence_interval.high)})
    # a paired metric: accuracy of predictions, bootstrapping sample indices (paired=True)
    y = rng.randint(0, 2, 30)
    p = np.where(rng.rand(30) < 0.7, y, 1 - y)

    def acc(yy, pp, axis=-1):
        return np.mean(yy == pp, axis=axis)

    for method in ["percentile", "BCa"]:
        seed = 5
        idx = np.random.RandomState(seed).randint(0, 30, (200, 30))
        res = stats.bootstrap((y, p), acc, paired=True, n_resamples=200, method=method, vectorized=True,
                              random_state=np.random.RandomState(seed))
        assert np.allclose(res.bootstrap_distribution, (y[idx] == p[idx]).mean(axis=1))
        out.append({"statistic": "accuracy", "yTrue": il(y), "yPred": il(p), "method": method, "confidenceLevel": 0.95,
                    "resamples": idx.tolist(), "low": float(res.confidence_interval.low), "high": float(res.confidence_interval.high)})
    return out


def stats_tests():
    rng = np.random.RandomState(21)
    tci = []
    for n, conf in [(5, 0.95), (12, 0.9), (40, 0.99)]:
        x = rng.randn(n) * 2 + 0.5
        lo, hi = stats.t.interval(conf, n - 1, loc=np.mean(x), scale=stats.sem(x))
        tci.append({"x": fl(x), "confidenceLevel": conf, "mean": float(np.mean(x)), "low": float(lo), "high": float(hi)})
    mcn = []
    for b, c in [(10, 3), (0, 0), (7, 7), (25, 12), (1, 0), (150, 118)]:
        table = [[40, b], [c, 33]]
        with np.errstate(divide="ignore", invalid="ignore"):
            cc = mcnemar(table, exact=False, correction=True)
            nc = mcnemar(table, exact=False, correction=False)
        ex = mcnemar(table, exact=True)
        mcn.append({"b": b, "c": c, "exact": {"statistic": float(ex.statistic), "pvalue": float(ex.pvalue)},
                    "corrected": {"statistic": float(cc.statistic), "pvalue": float(cc.pvalue)},
                    "uncorrected": {"statistic": float(nc.statistic), "pvalue": float(nc.pvalue)}})
    # Dietterich's 5x2cv: t = d_11 / sqrt(mean_i s_i^2), df = 5 (formula in NumPy, tail from SciPy)
    fxt = []
    for _ in range(3):
        d = rng.randn(5, 2) * 0.03 + 0.01
        dbar = d.mean(axis=1, keepdims=True)
        s2 = ((d - dbar) ** 2).sum(axis=1)
        t = d[0, 0] / np.sqrt(s2.mean())
        fxt.append({"differences": d.tolist(), "t": float(t), "df": 5, "pvalue": float(2 * stats.t.sf(abs(t), 5))})
    # Nadeau & Bengio corrected resampled t: t = mean / sqrt((1/J + n_test/n_train) var), df = J - 1
    nb = []
    for J, ntr, nte in [(10, 90, 10), (25, 400, 100), (6, 50, 25)]:
        d = rng.randn(J) * 0.02 + 0.005
        var = np.var(d, ddof=1)
        t = d.mean() / np.sqrt((1 / J + nte / ntr) * var)
        nb.append({"differences": fl(d), "nTrain": ntr, "nTest": nte, "t": float(t), "df": J - 1,
                   "pvalue": float(2 * stats.t.sf(abs(t), J - 1))})
    write("tests.json", {"bootstrap": bootstrap_cases(), "tInterval": tci, "mcnemar": mcn, "fiveByTwo": fxt, "nadeauBengio": nb})


# ------------------------------------------------------------------ baseline features
def baseline_features():
    rng = np.random.RandomState(3)
    cases = []
    for T, D in [(12, 3), (1, 2), (40, 1)]:
        seq = rng.randn(T, D) * 2 + np.arange(T)[:, None] * 0.1
        feats = []
        for d in range(D):
            x = seq[:, d]
            slope = float(stats.linregress(np.arange(T), x).slope) if T > 1 else 0.0
            feats += [float(np.mean(x)), float(np.std(x)), float(np.min(x)), float(np.max(x)), slope]
        cases.append({"seq": seq.tolist(), "features": feats})
    write("features.json", {"summary": cases})


# ------------------------------------------------------------------ learning curve
def curves():
    from sklearn.model_selection import learning_curve
    from sklearn.neighbors import NearestCentroid

    rng = np.random.RandomState(8)
    y = rng.randint(0, 3, 60)
    X = rng.randn(60, 2) + y[:, None] * 1.2
    sizes, train_scores, test_scores = learning_curve(NearestCentroid(), X, y, cv=KFold(5), scoring="accuracy")
    write("curves.json", {"X": X.tolist(), "y": il(y), "k": 5, "trainSizes": il(sizes),
                          "trainScores": train_scores.tolist(), "testScores": test_scores.tolist()})


if __name__ == "__main__":
    curves()
    baseline_features()
    distributions()
    metrics()
    splitters()
    stats_tests()
