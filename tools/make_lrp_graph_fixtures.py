#!/usr/bin/python3
"""Reference LRP and DeepLIFT through graph layers (test/explain/lrp-graph.test.ts), in PyTorch.

Three small models written the usual PyTorch way are exported with torch.onnx.export to
test/fixtures/explain/<name>.onnx (rnnlens imports their non-recurrent parts as graph layers):

  conv_gru_mean   Conv1d -> ReLU -> GRU -> mean over time -> Linear
  gru_attention   GRU -> attention pooling (Linear score, softmax over time, weights @ outputs) -> Linear
  lstm_layernorm  LSTM -> last step -> LayerNorm -> Linear

The references re-run each model explicitly (the same weights, every recurrent step written
out) with the relevance and multiplier rules of rnnlens expressed as modified gradients: at every
value v the propagated quantity is a multiplier m_v, with relevance R_v = m_v * v (LRP) and
attribution m_x * (x - x0) (DeepLIFT). Autograd then carries the multipliers; each rule is a
custom backward:

LRP (epsilon rule, bias relevance kept), seeded with R = the target's score:
  - a linear map z = W x + b feeding a monotone activation y = f(z): dL/dz = dL/dy * f(z) / (z + eps*sign z)
    (the activation passes relevance unchanged, then the epsilon rule);
  - a linear map or a sum of signals not followed by an activation (the head, mean pooling,
    the attention context, the LayerNorm output, the cell updates c = f*c + i*g, h = (1-z)*n + z*h):
    dL/dz = dL/dz * z / (z + eps*sign z);
  - gate * value products: the gate (sigmoid gates, the attention softmax, LayerNorm's 1/std) is
    detached, so the value takes the relevance; tanh(c) in h = o*tanh(c) passes it unchanged.
DeepLIFT (rescale), baseline zeros: a baseline pass records every op's inputs, then
  - elementwise functions: dL/dz = dL/dy * (f(z) - f(z0)) / (z - z0) (f' at the midpoint when z ~ z0);
  - products (gates * signals, attention weights @ values, LayerNorm's u*s and u*u): the gradient
    at the midpoint of input and baseline (the Shapley split of a bilinear map);
  - softmax = exp(s) * (1/sum exp(s)), LayerNorm = (x - mean) * rsqrt(mean((x - mean)^2) + eps)
    * gamma + beta, written with those pieces; linear maps take their gradient.

Usage: /usr/bin/python3 tools/make_lrp_graph_fixtures.py  (torch 1.13)
Writes test/fixtures/explain/<name>.onnx and test/fixtures/explain/lrp-graph.json.
"""
import json
import os

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'explain')
B, T, F, H, C = 2, 6, 3, 4, 3
TINY = 1e-10
torch.set_default_dtype(torch.float64)


def stab(z, eps):
    return torch.where(z >= 0, z + eps, z - eps)


class LrpAct(torch.autograd.Function):
    @staticmethod
    def forward(ctx, z, fn, eps):
        y = fn(z)
        ctx.save_for_backward(z, y)
        ctx.eps = eps
        return y

    @staticmethod
    def backward(ctx, g):
        z, y = ctx.saved_tensors
        return g * y / stab(z, ctx.eps), None, None


class EpsNode(torch.autograd.Function):
    @staticmethod
    def forward(ctx, z, eps):
        ctx.save_for_backward(z)
        ctx.eps = eps
        return z.clone()

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * z / stab(z, ctx.eps), None


class TanhPass(torch.autograd.Function):
    @staticmethod
    def forward(ctx, c):
        ctx.save_for_backward(c)
        return torch.tanh(c)

    @staticmethod
    def backward(ctx, g):
        (c,) = ctx.saved_tensors
        return g * torch.where(c == 0, torch.ones_like(c), torch.tanh(c) / c)


class Rescale(torch.autograd.Function):
    @staticmethod
    def forward(ctx, z, z0, fn):
        ctx.save_for_backward(z, z0)
        ctx.fn = fn
        return fn(z)

    @staticmethod
    def backward(ctx, g):
        z, z0 = ctx.saved_tensors
        with torch.enable_grad():
            m = (0.5 * (z + z0)).detach().requires_grad_(True)
            (d,) = torch.autograd.grad(ctx.fn(m).sum(), m)
        dz = z - z0
        s = torch.where(dz.abs() > TINY, (ctx.fn(z) - ctx.fn(z0)) / torch.where(dz.abs() > TINY, dz, torch.ones_like(dz)), d)
        return g * s, None, None


class Bilinear(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b, a0, b0, fn):
        ctx.save_for_backward(a, b, a0, b0)
        ctx.fn = fn
        return fn(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b, a0, b0 = ctx.saved_tensors
        with torch.enable_grad():
            am = (0.5 * (a + a0)).detach().requires_grad_(True)
            bm = (0.5 * (b + b0)).detach().requires_grad_(True)
            ga, gb = torch.autograd.grad(ctx.fn(am, bm), (am, bm), g)
        return ga, gb, None, None, None


class LrpOps:
    def __init__(self, eps):
        self.e = eps

    def act(self, fn, z):
        return LrpAct.apply(z, fn, self.e)

    def eps(self, z):
        return EpsNode.apply(z, self.e)

    def gate(self, fn, z):
        return fn(z).detach()

    def prod(self, gate, value, fn=torch.mul):
        return fn(gate.detach(), value)

    def tanh_c(self, c):
        return TanhPass.apply(c)

    def softmax(self, s, dim):
        return torch.softmax(s, dim).detach()

    def layernorm(self, x, ln):
        mu = x.mean(-1, keepdim=True)
        s = ((x - mu) ** 2).mean(-1, keepdim=True).add(ln.eps).rsqrt().detach()
        return self.eps((x - mu) * s * ln.weight + ln.bias)


class DeepliftOps:
    """Records op inputs on the baseline pass, replays them on the input pass."""

    def __init__(self):
        self.tape = []
        self.rec = True
        self.i = 0

    def _base(self, *xs):
        if self.rec:
            self.tape.append(tuple(x.detach() for x in xs))
            return None
        self.i += 1
        return self.tape[self.i - 1]

    def act(self, fn, z):
        b = self._base(z)
        return fn(z) if b is None else Rescale.apply(z, b[0], fn)

    def eps(self, z):
        return z

    gate = act

    def prod(self, u, v, fn=torch.mul):
        b = self._base(u, v)
        return fn(u, v) if b is None else Bilinear.apply(u, v, b[0], b[1], fn)

    def tanh_c(self, c):
        return self.act(torch.tanh, c)

    def softmax(self, s, dim):
        e = self.act(torch.exp, s)
        return self.prod(e, self.act(torch.reciprocal, e.sum(dim, keepdim=True)))

    def layernorm(self, x, ln):
        u = x - x.mean(-1, keepdim=True)
        v = self.prod(u, u).mean(-1, keepdim=True)
        s = self.act(lambda w: (w + ln.eps).rsqrt(), v)
        return self.prod(u, s) * ln.weight + ln.bias


def gru(o, m, x):
    """nn.GRU (one layer, batch_first) step by step; gate rows r, z, n."""
    Wi, Wh, bi, bh = m.weight_ih_l0, m.weight_hh_l0, m.bias_ih_l0, m.bias_hh_l0
    h = torch.zeros(x.shape[0], H)
    ys = []
    for t in range(x.shape[1]):
        gx = x[:, t] @ Wi.T + bi
        gh = h @ Wh.T + bh
        r = o.gate(torch.sigmoid, gx[:, :H] + gh[:, :H])
        z = o.gate(torch.sigmoid, gx[:, H:2 * H] + gh[:, H:2 * H])
        n = o.act(torch.tanh, gx[:, 2 * H:] + o.prod(r, gh[:, 2 * H:]))
        h = o.eps(o.prod(1 - z, n) + o.prod(z, h))
        ys.append(h)
    return torch.stack(ys, 1)


def lstm(o, m, x):
    """nn.LSTM (one layer, batch_first) step by step; gate rows i, f, g, o."""
    Wi, Wh, b = m.weight_ih_l0, m.weight_hh_l0, m.bias_ih_l0 + m.bias_hh_l0
    h = torch.zeros(x.shape[0], H)
    c = torch.zeros(x.shape[0], H)
    ys = []
    for t in range(x.shape[1]):
        a = x[:, t] @ Wi.T + h @ Wh.T + b
        i = o.gate(torch.sigmoid, a[:, :H])
        f = o.gate(torch.sigmoid, a[:, H:2 * H])
        g = o.act(torch.tanh, a[:, 2 * H:3 * H])
        og = o.gate(torch.sigmoid, a[:, 3 * H:])
        c = o.eps(o.prod(f, c) + o.prod(i, g))
        h = o.prod(og, o.tanh_c(c))
        ys.append(h)
    return torch.stack(ys, 1)


class ConvGruMean(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(F, 5, kernel_size=3, padding=1)
        self.gru = nn.GRU(5, H, batch_first=True)
        self.fc = nn.Linear(H, C)

    def forward(self, x):
        y, _ = self.gru(torch.relu(self.conv(x.transpose(1, 2))).transpose(1, 2))
        return self.fc(y.mean(dim=1))

    def explicit(self, o, x):
        z = o.act(torch.relu, self.conv(x.transpose(1, 2))).transpose(1, 2)
        y = gru(o, self.gru, z)
        return o.eps(self.fc(o.eps(y.mean(dim=1))))


class GruAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(F, H, batch_first=True)
        self.score = nn.Linear(H, 1)
        self.fc = nn.Linear(H, C)

    def forward(self, x):
        y, _ = self.gru(x)
        w = torch.softmax(self.score(y), dim=1)
        return self.fc(torch.matmul(w.transpose(1, 2), y).squeeze(1))

    def explicit(self, o, x):
        y = gru(o, self.gru, x)
        w = o.softmax(self.score(y), 1)
        ctx = o.eps(o.prod(w.transpose(1, 2), y, torch.matmul)).squeeze(1)
        return o.eps(self.fc(ctx))


class LstmLayerNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(F, H, batch_first=True)
        self.ln = nn.LayerNorm(H)
        self.fc = nn.Linear(H, C)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.fc(self.ln(y[:, -1]))

    def explicit(self, o, x):
        y = lstm(o, self.lstm, x)
        return o.eps(self.fc(o.layernorm(y[:, -1], self.ln)))


MODELS = [('conv_gru_mean', ConvGruMean, 14), ('gru_attention', GruAttention, 14), ('lstm_layernorm', LstmLayerNorm, 17)]
TARGET = 1
EPSILONS = [0.001, 0.1]


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def lrp(m, x, eps):
    xg = x.clone().requires_grad_(True)
    y = m.explicit(LrpOps(eps), xg)
    (g,) = torch.autograd.grad(y[:, TARGET].sum(), xg)
    return xg * g, y[:, TARGET]


def deeplift(m, x, x0):
    o = DeepliftOps()
    y0 = m.explicit(o, x0)
    o.rec = False
    xg = x.clone().requires_grad_(True)
    y = m.explicit(o, xg)
    assert o.i == len(o.tape)
    (g,) = torch.autograd.grad(y[:, TARGET].sum(), xg)
    return (x - x0) * g, y[:, TARGET], y0[:, TARGET]


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []
    for i, (name, cls, opset) in enumerate(MODELS):
        torch.manual_seed(300 + i)
        m = cls().eval()
        x = torch.randn(B, T, F, generator=torch.Generator().manual_seed(30 + i)).float().double()
        path = os.path.join(OUT, f'{name}.onnx')
        torch.onnx.export(m.float(), (x.float(),), path, input_names=['x'], output_names=['y'], opset_version=opset,
                          dynamic_axes={'x': {0: 'batch', 1: 'steps'}, 'y': {0: 'batch'}})
        m = m.double()
        with torch.no_grad():
            y = m(x)
            for o in (LrpOps(0.001), DeepliftOps()):
                assert torch.allclose(m.explicit(o, x), y, atol=1e-12), f'{name}: explicit forward'
        case = {'name': name, 'doc': cls.__doc__ or name, 'input': {'shape': list(x.shape), 'data': flat(x)}, 'target': TARGET,
                'output': flat(y), 'lrp': []}
        for eps in EPSILONS:
            r, score = lrp(m, x, eps)
            case['lrp'].append({'epsilon': eps, 'relevance': flat(r), 'score': flat(score)})
        a, f, f0 = deeplift(m, x, torch.zeros_like(x))
        case['deeplift'] = {'baseline': 'zeros', 'attributions': flat(a), 'output': flat(f), 'baselineOutput': flat(f0)}
        gap = (a.sum(dim=(1, 2)) - (f - f0)).abs().max().item()
        print(name, os.path.getsize(path), 'bytes; DeepLIFT summation-to-delta gap', gap)
        cases.append(case)
    with open(os.path.join(OUT, 'lrp-graph.json'), 'w') as fh:
        json.dump({'generator': 'tools/make_lrp_graph_fixtures.py', 'cases': cases}, fh)


if __name__ == '__main__':
    main()
