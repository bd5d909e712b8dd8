"""Reference numbers for the internals analyses (test/fixtures/internals/reference.json).

Pearson r from scipy.stats.pearsonr, mutual information from sklearn.metrics.mutual_info_score
(on numpy.histogram bin indices), gate saturation fractions by numpy, PCA scores from
sklearn.decomposition.PCA. Run: /usr/bin/python3 tools/internals_reference.py
"""
import json
import numpy as np
from scipy.stats import pearsonr
from sklearn.metrics import mutual_info_score
from sklearn.decomposition import PCA

rng = np.random.default_rng(7)
rows, cols, bins = 90, 4, 10
depth = rng.integers(0, 4, rows).astype(np.float64)
x = rng.normal(size=(rows, cols))
x[:, 1] += 1.5 * depth            # a unit that tracks the annotation
x[:, 3] = -0.8 * depth + 0.3 * x[:, 3]
x = x.astype(np.float32)
gates = rng.uniform(0, 1, size=(rows, cols)).astype(np.float32)
gates[:, 0] = rng.choice([0.02, 0.5, 0.97], rows).astype(np.float32)


def hist_codes(v, nb):
    edges = np.histogram_bin_edges(v, bins=nb)
    return np.clip(np.searchsorted(edges, v, side='right') - 1, 0, nb - 1)


xs = x.astype(np.float64)
out = {
    'rows': rows, 'cols': cols, 'bins': bins,
    'x': xs.flatten().tolist(),
    'annotation': depth.tolist(),
    'gates': gates.astype(np.float64).flatten().tolist(),
    'pearson': [float(pearsonr(xs[:, c], depth)[0]) for c in range(cols)],
    'mi': [float(mutual_info_score(hist_codes(xs[:, c], bins), depth.astype(int))) for c in range(cols)],
    'left': [float(np.mean(gates[:, c] < 0.1)) for c in range(cols)],
    'right': [float(np.mean(gates[:, c] > 0.9)) for c in range(cols)],
}
pca = PCA(n_components=2).fit(xs)
out['pca'] = pca.transform(xs).flatten().tolist()
out['pcaExplained'] = pca.explained_variance_ratio_.tolist()
with open('test/fixtures/internals/reference.json', 'w') as f:
    json.dump(out, f)
print('wrote test/fixtures/internals/reference.json')
