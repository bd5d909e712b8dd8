#!/usr/bin/python3
"""Same-run references for the benchmark cases that ../shared/tools/torch_ref.py does not time:
GRU inference, integrated gradients over 8 sequences, SmoothGrad, KernelSHAP (Captum's
definitions written out in PyTorch, since Captum is not installable here) and CROWN certification
of one sequence (auto_LiRPA, when a checkout of it is given with --lirpa DIR or
RNNLENS_AUTO_LIRPA; it needs a release that supports the installed PyTorch, e.g. the April 2024
one for PyTorch 1.13).

Prints one JSON object: case -> median ms (cases that cannot run here are left out, and a line
on stderr says why).  Usage: reference.py CASE... [--reps R] [--threads N] [--lirpa DIR]"""
import json, math, os, statistics, sys, time
import numpy as np
import torch

args = sys.argv[1:]


def opt(name, default):
    return args[args.index(name) + 1] if name in args else default


threads = int(opt('--threads', '1'))
reps = int(opt('--reps', '20'))
lirpa = opt('--lirpa', os.environ.get('RNNLENS_AUTO_LIRPA', ''))
torch.set_num_threads(threads)
torch.manual_seed(0)


class Classifier(torch.nn.Module):
    """Input [B, T, D] -> LSTM/GRU(H) -> last step -> Linear(C), as the rnnlens bench model."""

    def __init__(self, cell, d, h, c):
        super().__init__()
        self.rnn = {'lstm': torch.nn.LSTM, 'gru': torch.nn.GRU}[cell](d, h, batch_first=True)
        self.out = torch.nn.Linear(h, c)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.out(y[:, -1])


def median_ms(fn, n, warmup=3, warmup_s=2.0):
    # warm-up: at least `warmup` runs and at least warmup_s seconds, as bench/cases.ts does
    w0 = time.perf_counter()
    i = 0
    while i < warmup or time.perf_counter() - w0 < warmup_s:
        fn()
        i += 1
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def infer_gru():
    m = Classifier('gru', 16, 128, 5).eval()
    x = torch.randn(256, 50, 16)

    def run():
        with torch.no_grad():
            m(x)
    return median_ms(run, reps)


def gauss_legendre(n):
    """Nodes and weights on [0, 1] (Captum's default rule for integrated gradients)."""
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return torch.tensor((nodes + 1) / 2, dtype=torch.float32), torch.tensor(weights / 2, dtype=torch.float32)


def ig_b8():
    """Integrated gradients of logit 0 for 8 sequences, 50 Gauss-Legendre points each, zero
    baseline, all 400 path rows in one pass, with the completeness delta (Captum's
    return_convergence_delta: one more forward of the inputs and the baselines)."""
    m = Classifier('lstm', 16, 128, 5).eval()
    x = torch.randn(8, 50, 16)
    base = torch.zeros_like(x)
    alphas, w = gauss_legendre(50)

    def run():
        path = (base.unsqueeze(0) + alphas.view(-1, 1, 1, 1) * (x - base).unsqueeze(0)).reshape(-1, 50, 16)
        path.requires_grad_(True)
        g, = torch.autograd.grad(m(path)[:, 0].sum(), path)
        g = g.reshape(50, 8, 50, 16)
        attr = (x - base) * (w.view(-1, 1, 1, 1) * g).sum(0)
        with torch.no_grad():
            f = m(torch.cat([x, base]))[:, 0]
        return attr.sum((1, 2)) - (f[:8] - f[8:])
    return median_ms(run, reps)


def smoothgrad():
    """SmoothGrad (Captum NoiseTunnel 'smoothgrad' around Saliency with abs=True): 50 copies of
    one sequence with N(0, 0.1^2) noise, gradients of logit 0 in one pass, mean of |grad|."""
    m = Classifier('lstm', 16, 128, 5).eval()
    x = torch.randn(1, 50, 16)

    def run():
        noisy = (x + 0.1 * torch.randn(50, 50, 16)).requires_grad_(True)
        g, = torch.autograd.grad(m(noisy)[:, 0].sum(), noisy)
        return g.abs().mean(0)
    return median_ms(run, reps)


def kernel_shap():
    """KernelSHAP as Captum defines it: 500 coalitions of the 50 step groups drawn from the Shapley
    kernel (size k with probability proportional to (M-1)/(k(M-k)), then a uniform subset), the
    model on every perturbed input (zero baseline) in one batch, then weighted least squares
    with an intercept on the binary design."""
    m = Classifier('lstm', 16, 128, 5).eval()
    x = torch.randn(1, 50, 16)
    M, N = 50, 500
    k = torch.arange(1, M)
    p = (M - 1) / (k * (M - k)).double()
    p = p / p.sum()

    def run():
        sizes = k[torch.multinomial(p, N, replacement=True)]
        # a uniform subset of each size, drawn for all samples at once
        z = (torch.rand(N, M).argsort(1).argsort(1) < sizes.unsqueeze(1)).float()
        with torch.no_grad():
            y = m(x * z.unsqueeze(2))[:, 0]
        design = torch.cat([z, torch.ones(N, 1)], 1)
        return torch.linalg.lstsq(design, y.unsqueeze(1)).solution
    return median_ms(run, reps)


def crown():
    """CROWN bounds of the 5 logits of LSTM(32) -> Linear(5) on one 10 x 16 sequence under an
    L-infinity ball of radius 0.01 (auto_LiRPA on an unrolled LSTMCell)."""
    if not lirpa or not os.path.isdir(os.path.join(lirpa, 'auto_LiRPA')):
        sys.stderr.write('crown: no auto_LiRPA checkout given (--lirpa DIR or RNNLENS_AUTO_LIRPA); case left out\n')
        return None
    sys.path.insert(0, lirpa)
    import warnings
    warnings.filterwarnings('ignore')
    from auto_LiRPA import BoundedModule, BoundedTensor, PerturbationLpNorm

    class Unrolled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = torch.nn.LSTMCell(16, 32)
            self.out = torch.nn.Linear(32, 5)

        def forward(self, x):
            h = torch.zeros(x.shape[0], 32)
            c = torch.zeros(x.shape[0], 32)
            for t in range(x.shape[1]):
                h, c = self.cell(x[:, t], (h, c))
            return self.out(h)

    m = Unrolled().eval()
    x = torch.randn(1, 10, 16)
    bounded = BoundedModule(m, torch.zeros_like(x), verbose=False)
    bx = BoundedTensor(x, PerturbationLpNorm(norm=float('inf'), eps=0.01))

    def run():
        bounded.compute_bounds(x=(bx,), method='CROWN')
    return median_ms(run, min(reps, 3), warmup=1)


CASES = {
    'infer-gru-b256-t50-d16-h128': infer_gru,
    'ig-lstm-b8-t50-d16-h128-s50': ig_b8,
    'smoothgrad-lstm-t50-d16-h128-n50': smoothgrad,
    'kernelshap-lstm-t50-d16-h128-n500-g50': kernel_shap,
    'crown-lstm-t10-d16-h32-eps0.01': crown,
}

if __name__ == '__main__':
    names = [a for a in args if a in CASES] or list(CASES)
    out = {}
    for name in names:
        ms = CASES[name]()
        if ms is not None:
            out[name] = round(ms, 3)
    print(json.dumps(out))
