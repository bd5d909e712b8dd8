#!/usr/bin/python3
"""Fixtures of the dashboard's classifier curves (web/src/results/curves.ts): run with
/usr/bin/python3 (numpy, scikit-learn); writes test/fixtures/web/curves.json.

Three score sets: continuous scores, scores with many ties (rounded to one decimal) and a
three-class probability table. For each binary set, the reference numbers of scikit-learn:
roc_curve(drop_intermediate=False) (fpr, tpr), roc_auc_score, precision_recall_curve (precision,
recall, listed from the highest threshold down with the final (recall 0, precision 1) point
first), average_precision_score; for the probability table, confusion_matrix of the argmax.
"""
import json
import os

import numpy as np
from sklearn.metrics import average_precision_score, confusion_matrix, precision_recall_curve, roc_auc_score, roc_curve

rng = np.random.default_rng(17)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'web', 'curves.json')


def binary(name, scores, labels):
    fpr, tpr, _ = roc_curve(labels, scores, drop_intermediate=False)
    precision, recall, _ = precision_recall_curve(labels, scores)
    return {
        'name': name,
        'scores': scores.tolist(),
        'labels': labels.tolist(),
        'fpr': fpr.tolist(),
        'tpr': tpr.tolist(),
        'auc': float(roc_auc_score(labels, scores)),
        # scikit-learn lists thresholds ascending and ends with (recall 0, precision 1)
        'recall': recall[::-1].tolist(),
        'precision': precision[::-1].tolist(),
        'ap': float(average_precision_score(labels, scores)),
    }


labels = (rng.random(80) < 0.4).astype(int)
scores = np.clip(0.35 * labels + rng.normal(0.4, 0.2, 80), 0, 1)
cases = [binary('continuous', scores, labels), binary('ties', np.round(scores, 1), labels)]

probabilities = rng.dirichlet([1, 1, 1], 60)
truth = np.where(rng.random(60) < 0.6, probabilities.argmax(1), rng.integers(0, 3, 60))
matrix = confusion_matrix(truth, probabilities.argmax(1), labels=[0, 1, 2])

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump({'binary': cases, 'multiclass': {'labels': truth.tolist(), 'probabilities': probabilities.tolist(), 'confusion': matrix.tolist()}}, f)
print('wrote', os.path.normpath(OUT))
