#!/usr/bin/python3
"""`rnnlens evaluate` fixtures: run with /usr/bin/python3 (numpy, scikit-learn, scipy) AFTER
tools/make_keras_fixtures.py.

Two labelled data files for two Keras fixture models, and the numbers scikit-learn / SciPy give on
the models' predictions for them (test/fixtures/evaluate/):
- lstm3.json: 60 numeric sequences for lstm_softmax.keras (3 classes, softmax);
- sigmoid.json: 50 token sequences for embedding_gru_hard.h5 (one sigmoid output: binary).
The predictions are those of the float64 Keras-semantics reference of make_keras_fixtures.py (the
same weights: the module's generator is replayed in the same order), so the test checks the whole
command: loading, predicting and scoring. Labels agree with the predicted class about 70% of the
time, so no metric is trivial.

Reference numbers: accuracy_score, balanced_accuracy_score, f1_score(average='macro'), log_loss,
roc_auc_score (binary; multi-class ovr macro), brier_score_loss (binary) / the multi-class Brier
sum; calibration_curve(n_bins=10, strategy='uniform') on P(class 1) (binary) or on the top-label
confidence against correctness (multi-class), ECE = sum_b n_b/N |observed_b - predicted_b|;
Wilson interval from scipy.stats.binomtest(...).proportion_ci(method='wilson'); the majority
baseline (most frequent evaluated label, ties to the lower) and McNemar's exact test as
scipy.stats.binomtest(min(b, c), b + c, 0.5).
"""
import importlib.util
import json
import os

import numpy as np
from scipy import stats
from sklearn.calibration import calibration_curve
from sklearn.metrics import accuracy_score, balanced_accuracy_score, brier_score_loss, f1_score, log_loss, roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'evaluate')

spec = importlib.util.spec_from_file_location('kf', os.path.join(HERE, 'make_keras_fixtures.py'))
kf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(kf)
for case in kf.CASES:  # the same draws as make_keras_fixtures.main: same weights
    case['_x'], case['_lengths'] = kf.build(case)


def layers_of(case):
    return [{'class': l['class'], 'cfg': dict(l['cfg'], layer={'class': l['cfg']['layer']['class'], 'cfg': l['cfg']['layer']['cfg']}) if l['class'] == 'Bidirectional' else l['cfg'], 'weights': l.get('weights')} for l in case['layers']]


def check_same_weights(case, file):
    """The replayed weights reproduce the committed fixture's expected outputs."""
    index = json.load(open(os.path.join(kf.OUT, 'index.json')))
    c = next(c for c in index['cases'] if c['file'] == file)
    x = np.array(c['input']['tokens'] if 'tokens' in c['input'] else c['input']['inputs'])
    y = kf.forward(layers_of(case), x, np.array(c['input']['lengths']), c['kerasVersion'])
    assert np.abs(y - np.array(c['expected'])).max() < 1e-9, f'{file}: replayed weights differ from the fixture'


def ece(outcome, prob, n_bins=10):
    prob_true, prob_pred = calibration_curve(outcome, prob, n_bins=n_bins, strategy='uniform')
    edges = np.linspace(0, 1, n_bins + 1)
    ids = np.searchsorted(edges[1:-1], prob)
    counts = np.bincount(ids, minlength=n_bins)
    nz = counts[counts > 0]
    gaps = np.abs(prob_true - prob_pred)
    return {'ece': float(np.sum(nz / len(prob) * gaps)), 'mce': float(gaps.max()), 'counts': counts.tolist(),
            'probTrue': prob_true.tolist(), 'probPred': prob_pred.tolist()}


def noisy_labels(rng, pred, C):
    keep = rng.uniform(size=len(pred)) < 0.7
    return np.where(keep, pred, rng.integers(0, C, size=len(pred)))


def reference(y, P, C):
    pred = P.argmax(1)
    out = {
        'accuracy': accuracy_score(y, pred),
        'balancedAccuracy': balanced_accuracy_score(y, pred),
        'f1': f1_score(y, pred, average='macro', labels=list(range(C)), zero_division=0),
        'logLoss': log_loss(y, P, labels=list(range(C))),
    }
    if C == 2:
        out['rocAuc'] = roc_auc_score(y, P[:, 1])
        out['brier'] = brier_score_loss(y, P[:, 1])
        out['calibration'] = ece(y, P[:, 1])
    else:
        out['rocAuc'] = roc_auc_score(y, P, multi_class='ovr', average='macro', labels=list(range(C)))
        out['brier'] = float(np.mean(np.sum((P - np.eye(C)[y]) ** 2, axis=1)))
        out['calibration'] = ece((pred == y).astype(int), P.max(1))
    k = int((pred == y).sum())
    w = stats.binomtest(k, len(y)).proportion_ci(confidence_level=0.95, method='wilson')
    out['accuracyWilson'] = [w.low, w.high]
    counts = np.bincount(y, minlength=C)
    major = int(np.argmax(counts))
    out['majority'] = {'class': major, 'accuracy': float(np.mean(y == major))}
    b = int(np.sum((pred == y) & (major != y)))
    c = int(np.sum((pred != y) & (major == y)))
    out['mcnemar'] = {'b': b, 'c': c, 'pvalue': float(stats.binomtest(min(b, c), b + c, 0.5).pvalue) if b + c else 1.0}
    return {k: (float(v) if isinstance(v, (np.floating, float)) else v) for k, v in out.items()}


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(7)
    result = {}
    # 3-class numeric model
    lstm = kf.CASES[0]
    check_same_weights(lstm, 'lstm_softmax.keras')
    N, T, F = 60, 6, 3
    lengths = rng.integers(2, T + 1, size=N)
    x = rng.uniform(-1.5, 1.5, size=(N, T, F)).astype(np.float32)
    for i, L in enumerate(lengths):
        x[i, L:] = 0
    P = kf.forward(layers_of(lstm), x.astype(np.float64), lengths, kf.K3_VERSION)
    y = noisy_labels(rng, P.argmax(1), 3)
    inputs = [x[i, :L].astype(np.float64).tolist() for i, L in enumerate(lengths)]
    json.dump({'inputs': inputs, 'labels': y.tolist(), 'classNames': ['a', 'b', 'c']}, open(os.path.join(OUT, 'lstm3.json'), 'w'))
    result['lstm3'] = {'model': 'lstm_softmax.keras', 'probabilities': P.tolist(), **reference(y, P, 3)}
    # binary token model with one sigmoid output
    gru = kf.CASES[2]
    check_same_weights(gru, 'embedding_gru_hard.h5')
    N, T = 50, 7
    lengths = rng.integers(2, T + 1, size=N)
    ids = rng.integers(1, 12, size=(N, T))
    for i, L in enumerate(lengths):
        ids[i, L:] = 0
    p = kf.forward(layers_of(gru), ids, lengths, kf.K2_VERSION)[:, 0]
    P = np.stack([1 - p, p], 1)
    y = noisy_labels(rng, P.argmax(1), 2)
    json.dump({'tokens': [ids[i, :L].tolist() for i, L in enumerate(lengths)], 'labels': y.tolist()}, open(os.path.join(OUT, 'sigmoid.json'), 'w'))
    result['sigmoid'] = {'model': 'embedding_gru_hard.h5', 'probabilities': P.tolist(), **reference(y, P, 2)}
    with open(os.path.join(OUT, 'sklearn.json'), 'w') as fh:
        json.dump({'generator': 'tools/make_evaluate_fixtures.py', **result}, fh, indent=1)
    print('wrote', OUT, {k: round(v['accuracy'], 4) for k, v in result.items()})


if __name__ == '__main__':
    main()
