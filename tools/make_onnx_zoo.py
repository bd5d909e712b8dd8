#!/usr/bin/python3
"""The ONNX model zoo of rnnlens (test/io/onnx-zoo.test.ts): run with /usr/bin/python3 (torch 1.13).

Small recurrent models written the usual PyTorch way, exported with torch.onnx.export (dynamic
batch axis) to test/fixtures/onnx-zoo/<name>.onnx, with <name>.json holding the input, PyTorch's
output, the upstream gradient `g` (ones on the explained output: unit `target` of every row or
step) and PyTorch's autograd gradient of sum(output * g) with respect to the input (for token
models: with respect to the embedding vectors), i.e. the saliency of that output.
Models with a final softmax give the gradient of the logits (rnnlens imports them as logits).
"""
import json
import os

import torch
from torch import nn
import torch.nn.functional as Fn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'onnx-zoo')
B, T, F, H, C, V, E = 2, 7, 3, 4, 3, 11, 4


class CRNN(nn.Module):
    """speech CRNN: Conv1d front-end (BatchNorm, ReLU) over [B, F, T] -> GRU -> last step -> Linear."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(F, 6, kernel_size=3, padding=1)
        self.bn = nn.BatchNorm1d(6)
        self.gru = nn.GRU(6, H, batch_first=True)
        self.fc = nn.Linear(H, C)

    def forward(self, x):
        z = torch.relu(self.bn(self.conv(x.transpose(1, 2))))
        y, _ = self.gru(z.transpose(1, 2))
        return self.fc(y[:, -1])


class StridedCRNN(nn.Module):
    """Conv1d with stride 2 and dilation, MaxPool1d, AvgPool1d, grouped Conv1d -> LSTM -> mean -> Linear."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv1d(F, 6, kernel_size=3, stride=1, padding=2, dilation=2)
        self.pool = nn.MaxPool1d(2, stride=1)
        self.c2 = nn.Conv1d(6, 6, kernel_size=3, padding=1, groups=3)
        self.avg = nn.AvgPool1d(2, stride=1)
        self.lstm = nn.LSTM(6, H, batch_first=True)
        self.fc = nn.Linear(H, C)

    def forward(self, x):
        z = self.avg(Fn.leaky_relu(self.c2(self.pool(torch.tanh(self.c1(x.transpose(1, 2))))), 0.1))
        y, _ = self.lstm(z.permute(0, 2, 1))
        return self.fc(y.mean(dim=1))


class MeanLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(F, H, batch_first=True)
        self.fc = nn.Linear(H, C)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.fc(y.mean(dim=1))


class MaxGRU(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(F, H, batch_first=True)
        self.fc = nn.Linear(H, C)

    def forward(self, x):
        y, _ = self.gru(x)
        return self.fc(torch.max(y, dim=1).values)


class AttentionMatMul(nn.Module):
    """attention pooling: Linear score -> softmax over time -> weights @ outputs."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(F, H, batch_first=True)
        self.score = nn.Linear(H, 1)
        self.fc = nn.Linear(H, C)

    def forward(self, x):
        y, _ = self.lstm(x)
        w = torch.softmax(self.score(y), dim=1)  # [B, T, 1]
        ctx = torch.matmul(w.transpose(1, 2), y).squeeze(1)
        return self.fc(ctx)


class AttentionSum(nn.Module):
    """additive attention: tanh(W y) · v -> softmax over time -> sum(w * y) (ReduceSum)."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(F, H, batch_first=True, bidirectional=True)
        self.proj = nn.Linear(2 * H, H)
        self.v = nn.Linear(H, 1, bias=False)
        self.fc = nn.Linear(2 * H, C)

    def forward(self, x):
        y, _ = self.gru(x)
        e = self.v(torch.tanh(self.proj(y))).squeeze(-1)  # [B, T]
        w = torch.softmax(e, dim=-1).unsqueeze(-1)
        return self.fc((w * y).sum(dim=1))


class NormGeluHead(nn.Module):
    """GRU -> h_n[-1] -> LayerNorm -> GELU (Erf) -> Linear."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(F, H, batch_first=True)
        self.ln = nn.LayerNorm(H)
        self.fc1 = nn.Linear(H, 5)
        self.fc = nn.Linear(5, C)

    def forward(self, x):
        _, h = self.gru(x)
        return self.fc(Fn.gelu(self.fc1(self.ln(h[-1]))))


class BatchNormHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(F, H, batch_first=True)
        self.bn = nn.BatchNorm1d(H)
        self.fc = nn.Linear(H, C)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.fc(torch.relu(self.bn(y[:, -1, :])))


class Tagger(nn.Module):
    """token tagger: Embedding -> bidirectional LSTM -> Linear -> log_softmax per step."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, E)
        self.lstm = nn.LSTM(E, H, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * H, C)

    def forward(self, ids):
        y, _ = self.lstm(self.emb(ids))
        return torch.log_softmax(self.fc(y), dim=-1)


class Encoder(nn.Module):
    """seq2seq encoder (time-major input): returns its final hidden state h_n [1, B, H] as it is."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(F, H)

    def forward(self, x):
        _, h = self.gru(x)
        return h


class Forecaster(nn.Module):
    """univariate forecaster: x [B, T] -> unsqueeze -> LSTM -> Linear to a 3-step horizon."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, H, batch_first=True)
        self.fc = nn.Linear(H, 3)

    def forward(self, x):
        y, (h, c) = self.lstm(x.unsqueeze(-1))
        return self.fc(h.squeeze(0))


class BiPool(nn.Module):
    """bidirectional GRU -> concat(mean over time, max over time) -> Linear."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(F, H, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(4 * H, C)

    def forward(self, x):
        y, _ = self.gru(x)
        return self.fc(torch.cat([y.mean(dim=1), y.amax(dim=1)], dim=-1))


class TextClassifier(nn.Module):
    """Embedding -> Dropout -> LSTM -> Dropout -> Linear -> softmax (the usual text classifier)."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, E)
        self.drop = nn.Dropout(0.3)
        self.lstm = nn.LSTM(E, H, batch_first=True)
        self.fc = nn.Linear(H, C)

    def logits(self, ids):
        y, _ = self.lstm(self.drop(self.emb(ids)))
        return self.fc(self.drop(y[:, -1]))

    def forward(self, ids):
        return torch.softmax(self.logits(ids), dim=-1)


class StackedNorm(nn.Module):
    """LSTM -> LayerNorm + residual-free projection between recurrent layers -> GRU -> last -> Linear."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(F, H, batch_first=True)
        self.ln = nn.LayerNorm(H)
        self.gru = nn.GRU(H, H, batch_first=True)
        self.fc = nn.Linear(H, C)

    def forward(self, x):
        y, _ = self.lstm(x)
        y, _ = self.gru(Fn.elu(self.ln(y)))
        return self.fc(y[:, -1])


class ActivationHead(nn.Module):
    """RNN (tanh) -> last step -> Linear -> SELU, Softplus, Hardsigmoid, clamp -> Linear."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(F, H, batch_first=True)
        self.fc1 = nn.Linear(H, 6)
        self.fc = nn.Linear(6, C)

    def forward(self, x):
        _, h = self.rnn(x)
        z = self.fc1(h[0])
        z = torch.cat([Fn.selu(z[:, :2]), Fn.softplus(z[:, 2:4]), Fn.hardsigmoid(z[:, 4:])], dim=1)
        return self.fc(torch.clamp(z, -1.5, 1.5))


class Upsampler(nn.Module):
    """LSTM per step -> transpose -> ConvTranspose1d (stride 2) -> [B, 2, T'] output."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(F, H, batch_first=True)
        self.up = nn.ConvTranspose1d(H, 2, kernel_size=3, stride=2, padding=1)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.up(y.transpose(1, 2))


class PerStepRegressor(nn.Module):
    """GRU -> per-step Linear -> exp (positive rates), output [B, T]."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(F, H, batch_first=True)
        self.fc = nn.Linear(H, 1)

    def forward(self, x):
        y, _ = self.gru(x)
        return torch.exp(self.fc(y).squeeze(-1) * 0.5)


class CellStateHead(nn.Module):
    """seq2seq-style LSTM encoder whose (h_n, c_n) both feed a Linear head."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(F, H, batch_first=True)
        self.fc = nn.Linear(2 * H, C)

    def forward(self, x):
        _, (h, c) = self.lstm(x)
        return self.fc(torch.cat([h[-1], torch.tanh(c[-1])], dim=-1))


# name, module, opset, tokens, input kind
ZOO = [
    ('crnn', CRNN, 14, False, None),
    ('strided_crnn', StridedCRNN, 13, False, None),
    ('mean_lstm', MeanLSTM, 14, False, None),
    ('max_gru', MaxGRU, 11, False, None),
    ('attention_matmul', AttentionMatMul, 14, False, None),
    ('attention_sum', AttentionSum, 16, False, None),
    ('layernorm_gelu_op17', NormGeluHead, 17, False, None),
    ('layernorm_gelu_op14', NormGeluHead, 14, False, None),
    ('batchnorm_head', BatchNormHead, 14, False, None),
    ('tagger', Tagger, 14, True, None),
    ('encoder_states', Encoder, 14, False, 'time-major'),
    ('forecaster', Forecaster, 14, False, 'univariate'),
    ('bidir_pool', BiPool, 15, False, None),
    ('text_classifier', TextClassifier, 14, True, None),
    ('stacked_norm', StackedNorm, 17, False, None),
    ('activation_head', ActivationHead, 14, False, None),
    ('upsampler', Upsampler, 14, False, None),
    ('per_step_regressor', PerStepRegressor, 12, False, None),
    ('lstm_cell_state', CellStateHead, 14, False, None),
]


# the axis of output units (default: the last); None = the output has no unit axis
FEATURE_AXIS = {'upsampler': 1, 'per_step_regressor': None}


def rounded(t):
    return [float(v) for v in t.detach().double().reshape(-1).tolist()]


def main():
    os.makedirs(OUT, exist_ok=True)
    for i, (name, cls, opset, tokens, kind) in enumerate(ZOO):
        torch.manual_seed(100 + i)
        m = cls().eval()
        for mod in m.modules():  # non-trivial running statistics for BatchNorm
            if isinstance(mod, nn.BatchNorm1d):
                mod.running_mean.uniform_(-0.5, 0.5)
                mod.running_var.uniform_(0.5, 1.5)
        g = torch.Generator().manual_seed(7 + i)
        if tokens:
            x = torch.randint(0, V, (B, T), generator=g)
            axes = {'x': {0: 'batch', 1: 'steps'}}
        elif kind == 'time-major':
            x = torch.randn(T, B, F, generator=g)
            axes = {'x': {1: 'batch', 0: 'steps'}}
        elif kind == 'univariate':
            x = torch.randn(B, T, generator=g)
            axes = {'x': {0: 'batch', 1: 'steps'}}
        else:
            x = torch.randn(B, T, F, generator=g)
            axes = {'x': {0: 'batch', 1: 'steps'}}
        path = os.path.join(OUT, f'{name}.onnx')
        out_axes = {'y': {1: 'batch'}} if kind == 'time-major' else {'y': {0: 'batch'}}
        torch.onnx.export(m, (x,), path, input_names=['x'], output_names=['y'], opset_version=opset, dynamic_axes={**axes, **out_axes})
        with torch.no_grad():
            y = m(x)
        # saliency of unit `target` (every row / step) of the output (the units axis is the last unless FEATURE_AXIS says otherwise; logits for a softmax model)
        if tokens:
            emb = m.emb(x).detach().requires_grad_(True)
            orig = m.emb.forward
            m.emb.forward = lambda ids: emb
            z = m.logits(x) if hasattr(m, 'logits') else m(x)
            m.emb.forward = orig
            wrt = emb
        else:
            xg = x.clone().requires_grad_(True)
            z = m.logits(xg) if hasattr(m, 'logits') else m(xg)
            wrt = xg
        gout = torch.zeros_like(z)
        axis = FEATURE_AXIS.get(name, -1)
        if axis is None:  # no feature axis: every output value
            target = 0
            gout[...] = 1.0
        else:
            target = 1
            gout.select(axis, target).fill_(1.0)
        (grad,) = torch.autograd.grad((z * gout).sum(), wrt)
        rec = {
            'name': name,
            'doc': cls.__doc__ or cls.__name__,
            'opset': opset,
            'input': {'shape': list(x.shape), 'data': [float(v) for v in x.reshape(-1).tolist()], 'dtype': 'int64' if tokens else 'float32'},
            'output': {'shape': list(y.shape), 'data': rounded(y)},
            'softmax': hasattr(m, 'logits'),
            'target': target,
            'gradOutput': {'shape': list(gout.shape), 'data': rounded(gout)},
            'grad': {'shape': list(grad.shape), 'data': rounded(grad), 'wrt': 'embedding' if tokens else 'input'},
        }
        with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
            json.dump(rec, f)
        print(name, os.path.getsize(path), 'bytes')


if __name__ == '__main__':
    main()
