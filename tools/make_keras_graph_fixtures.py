#!/usr/bin/python3
"""Keras files with Conv1D, LayerNormalization, BatchNormalization and pooling around recurrent
layers (src/io/tfjs/layers-graph.ts): run with /usr/bin/python3 (h5py, numpy, torch).

The files are written by the writers of tools/make_keras_fixtures.py (the documented Keras 3
`.keras` and Keras 2 `.h5` layouts, and the TF.js converter's model.json), with these layers'
variables in Keras's creation order: Conv1D kernel [k, in/groups, filters] then bias;
LayerNormalization gamma, beta; BatchNormalization gamma, beta, moving_mean, moving_variance
(those that scale / center keep).

The expected outputs and input gradients come from PyTorch autograd in float64 on the same
weights with Keras conventions: channels last; Conv1D as torch conv1d on the kernel transposed
to [filters, in/groups, k], padding 'same' as TensorFlow (the extra step at the end), 'causal' as
(k - 1)·dilation steps at the start; BatchNormalization at inference
gamma·(x − mean)/√(var + ε) + beta; LayerNormalization over the last axis; MaxPooling1D /
AveragePooling1D with 'same' padding that is excluded from maxima and averages; LSTM and GRU
(reset_after, z r h gates) through torch.nn.LSTM / torch.nn.GRU. The gradient is that of
Σ logits ⊙ gradOutput (logits: the output before a final softmax) with respect to the input.

Output: test/fixtures/keras-graph/<case>.keras, <case>.h5, <case>_k3_tfjs/, <case>_k2_tfjs/, index.json.
"""
import json
import math
import os
import shutil

import numpy as np
import torch
import torch.nn.functional as F

from make_keras_fixtures import K2_VERSION, K3_VERSION, write_keras2, write_keras3, write_tfjs

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'keras-graph')
B, T = 3, 8
RNG = np.random.default_rng(20261208)


def rnd(*shape, scale=0.5, lo=None):
    if lo is not None:
        return RNG.uniform(lo, lo + scale, size=shape).astype(np.float32)
    return (RNG.uniform(-1, 1, size=shape) * scale).astype(np.float32)


def conv(name, filters, k, padding='valid', strides=1, dilation=1, groups=1, activation='linear', use_bias=True):
    return {'class': 'Conv1D', 'name': name, 'cfg': {'filters': filters, 'kernel_size': [k], 'strides': [strides], 'padding': padding,
                                                      'data_format': 'channels_last', 'dilation_rate': [dilation], 'groups': groups,
                                                      'activation': activation, 'use_bias': use_bias}}


def norm(cls, name, axis=-1, epsilon=1e-3, center=True, scale=True):
    return {'class': cls, 'name': name, 'cfg': {'axis': axis, 'epsilon': epsilon, 'center': center, 'scale': scale}}


def pool(cls, name, size, strides=None, padding='valid'):
    return {'class': cls, 'name': name, 'cfg': {'pool_size': [size], 'strides': None if strides is None else [strides], 'padding': padding, 'data_format': 'channels_last'}}


def rnn(cls, name, units, seq=False):
    cfg = {'units': units, 'activation': 'tanh', 'recurrent_activation': 'sigmoid', 'return_sequences': seq}
    if cls == 'GRU':
        cfg['reset_after'] = True
    return {'class': cls, 'name': name, 'cfg': cfg}


CASES = [
    {'name': 'conv_lstm', 'kind': 'Sequential', 'features': 3,
     'about': 'Sequential: Conv1D(4, 3, same, relu) -> LSTM(5) -> Dense(3, softmax)',
     'layers': [conv('conv1d', 4, 3, 'same', activation='relu'), rnn('LSTM', 'lstm', 5), {'class': 'Dense', 'name': 'dense', 'cfg': {'units': 3, 'activation': 'softmax'}}]},
    {'name': 'causal_gru_layernorm', 'kind': 'Functional', 'features': 4,
     'about': 'functional: Conv1D(4, 2, causal, dilation 2, groups 2, tanh) -> GRU(4, return_sequences) -> LayerNormalization -> TimeDistributed(Dense(2))',
     'layers': [conv('conv1d', 4, 2, 'causal', dilation=2, groups=2, activation='tanh'), rnn('GRU', 'gru', 4, seq=True),
                norm('LayerNormalization', 'layer_normalization'), {'class': 'TimeDistributed', 'name': 'time_distributed', 'cfg': {'units': 2, 'activation': 'linear'}}]},
    {'name': 'strided_bn_maxpool', 'kind': 'Sequential', 'features': 3,
     'about': 'Sequential: Conv1D(6, 3, valid, strides 2, no bias, gelu) -> BatchNormalization -> Activation(relu) -> MaxPooling1D(2, same) -> LSTM(4) -> BatchNormalization(center=False) -> Dense(2)',
     'layers': [conv('conv1d', 6, 3, 'valid', strides=2, activation='gelu', use_bias=False), norm('BatchNormalization', 'batch_normalization'),
                {'class': 'Activation', 'name': 'activation', 'cfg': {'activation': 'relu'}}, pool('MaxPooling1D', 'max_pooling1d', 2, padding='same'), rnn('LSTM', 'lstm', 4),
                norm('BatchNormalization', 'batch_normalization_1', epsilon=1e-2, center=False), {'class': 'Dense', 'name': 'dense', 'cfg': {'units': 2, 'activation': 'linear'}}]},
    {'name': 'ln_avgpool_bigru_conv', 'kind': 'Functional', 'features': 3,
     'about': 'functional: LayerNormalization(scale=False, axis [2]) -> AveragePooling1D(3, strides 2, same) -> Bidirectional(GRU(3, return_sequences)) -> Conv1D(3, 2, swish) -> AveragePooling1D(2) -> LSTM(3) -> Dense(2, softmax)',
     'layers': [norm('LayerNormalization', 'layer_normalization', axis=[2], scale=False),
                pool('AveragePooling1D', 'average_pooling1d', 3, strides=2, padding='same'),
                {'class': 'Bidirectional', 'name': 'bidirectional', 'cfg': {'merge_mode': 'concat', 'layer': {'class': 'GRU', 'name': 'gru', 'cfg': rnn('GRU', 'gru', 3, seq=True)['cfg']}}},
                conv('conv1d', 3, 2, activation='swish'), pool('AveragePooling1D', 'average_pooling1d_1', 2), rnn('LSTM', 'lstm', 3),
                {'class': 'Dense', 'name': 'dense', 'cfg': {'units': 2, 'activation': 'softmax'}}]},
]


def rnn_weights(kind, H, D):
    G = {'LSTM': 4, 'GRU': 3}[kind]
    return [rnd(D, G * H), rnd(H, G * H), rnd(2, G * H) if kind == 'GRU' else rnd(G * H)]


def build(case):
    """Fills in weights (and `roles`) for each layer."""
    D = case['features']
    for layer in case['layers']:
        cls, cfg = layer['class'], layer['cfg']
        if cls == 'Conv1D':
            k, M, G = cfg['kernel_size'][0], cfg['filters'], cfg['groups']
            layer['weights'] = [rnd(k, D // G, M, scale=0.7)] + ([rnd(M, scale=0.3)] if cfg['use_bias'] else [])
            layer['roles'] = ['kernel', 'bias'][:len(layer['weights'])]
            D = M
        elif cls in ('LayerNormalization', 'BatchNormalization'):
            roles = (['gamma'] if cfg['scale'] else []) + (['beta'] if cfg['center'] else [])
            ws = [rnd(D, scale=0.5, lo=0.75) if r == 'gamma' else rnd(D, scale=0.3) for r in roles]
            if cls == 'BatchNormalization':
                roles += ['moving_mean', 'moving_variance']
                ws += [rnd(D, scale=0.4), rnd(D, scale=1.0, lo=0.5)]
            layer['weights'], layer['roles'] = ws, roles
        elif cls in ('LSTM', 'GRU'):
            layer['weights'] = rnn_weights(cls, cfg['units'], D)
            D = cfg['units']
        elif cls == 'Bidirectional':
            inner = cfg['layer']
            layer['weights'] = [rnn_weights(inner['class'], inner['cfg']['units'], D) for _ in range(2)]
            D = 2 * inner['cfg']['units']
        elif cls in ('Dense', 'TimeDistributed'):
            layer['weights'] = [rnd(D, cfg['units'], scale=0.8), rnd(cfg['units'], scale=0.3)]
            D = cfg['units']
    return RNG.uniform(-1, 1, size=(B, T, case['features']))


# ---------------------------------------------------------------- the PyTorch reference

def t64(a):
    return torch.tensor(np.asarray(a, dtype=np.float64))


def same_pads(L, k, s, d=1):
    total = max((math.ceil(L / s) - 1) * s + (k - 1) * d + 1 - L, 0)
    return total // 2, total - total // 2


def act(name, x):
    return {'linear': lambda v: v, 'relu': torch.relu, 'tanh': torch.tanh, 'sigmoid': torch.sigmoid,
            'gelu': lambda v: F.gelu(v), 'swish': lambda v: v * torch.sigmoid(v)}[name](x)


def conv_ref(cfg, w, x):
    k, s, d, G = cfg['kernel_size'][0], cfg['strides'][0], cfg['dilation_rate'][0], cfg['groups']
    xt = x.transpose(1, 2)
    if cfg['padding'] == 'causal':
        xt = F.pad(xt, ((k - 1) * d, 0))
    elif cfg['padding'] == 'same':
        xt = F.pad(xt, same_pads(xt.shape[2], k, s, d))
    y = F.conv1d(xt, t64(w[0]).permute(2, 1, 0), t64(w[1]) if len(w) > 1 else None, stride=s, dilation=d, groups=G)
    return act(cfg['activation'], y.transpose(1, 2))


def pool_ref(cls, cfg, x):
    k = cfg['pool_size'][0]
    s = k if cfg['strides'] is None else cfg['strides'][0]
    xt = x.transpose(1, 2)
    pads = same_pads(xt.shape[2], k, s) if cfg['padding'] == 'same' else (0, 0)
    if cls == 'MaxPooling1D':
        y = F.max_pool1d(F.pad(xt, pads, value=-math.inf), k, s)
    else:  # the padded steps count in neither the sums nor the divisors
        ones = F.pad(torch.ones_like(xt), pads)
        y = F.avg_pool1d(F.pad(xt, pads), k, s) / F.avg_pool1d(ones, k, s)
    return y.transpose(1, 2)


def recurrent_ref(cls, cfg, w, x, reverse=False):
    K, R, b = (np.asarray(a, dtype=np.float64) for a in w)
    D, H = K.shape[0], cfg['units']
    if cls == 'LSTM':
        m = torch.nn.LSTM(D, H, batch_first=True).double()
        wi, wh, bi, bh = K.T, R.T, b, np.zeros_like(b)
    else:
        m = torch.nn.GRU(D, H, batch_first=True).double()
        perm = np.concatenate([np.arange(H, 2 * H), np.arange(0, H), np.arange(2 * H, 3 * H)])  # z r h -> r z n
        wi, wh, bi, bh = K[:, perm].T, R[:, perm].T, b[0][perm], b[1][perm]
    with torch.no_grad():
        m.weight_ih_l0.copy_(t64(wi))
        m.weight_hh_l0.copy_(t64(wh))
        m.bias_ih_l0.copy_(t64(bi))
        m.bias_hh_l0.copy_(t64(bh))
    y, _ = m(torch.flip(x, [1]) if reverse else x)
    if reverse:
        y = torch.flip(y, [1])
    return y if cfg.get('return_sequences') else (y[:, 0] if reverse else y[:, -1])


def forward(case, x):
    """Logits (before a final softmax) and whether the model ends in softmax."""
    v = x
    softmax = False
    for layer in case['layers']:
        cls, cfg, w = layer['class'], layer['cfg'], layer.get('weights')
        if cls == 'Conv1D':
            v = conv_ref(cfg, w, v)
        elif cls == 'LayerNormalization':
            ws = dict(zip(layer['roles'], w))
            D = v.shape[-1]
            v = F.layer_norm(v, (D,), t64(ws['gamma']) if 'gamma' in ws else None, t64(ws['beta']) if 'beta' in ws else None, cfg['epsilon'])
        elif cls == 'BatchNormalization':
            ws = {r: t64(a) for r, a in zip(layer['roles'], w)}
            D = v.shape[-1]
            g = ws.get('gamma', torch.ones(D, dtype=torch.float64))
            b = ws.get('beta', torch.zeros(D, dtype=torch.float64))
            v = g * (v - ws['moving_mean']) / torch.sqrt(ws['moving_variance'] + cfg['epsilon']) + b
        elif cls in ('MaxPooling1D', 'AveragePooling1D'):
            v = pool_ref(cls, cfg, v)
        elif cls == 'Activation':
            v = act(cfg['activation'], v)
        elif cls in ('LSTM', 'GRU'):
            v = recurrent_ref(cls, cfg, w, v)
        elif cls == 'Bidirectional':
            inner = cfg['layer']
            v = torch.cat([recurrent_ref(inner['class'], inner['cfg'], w[0], v), recurrent_ref(inner['class'], inner['cfg'], w[1], v, reverse=True)], -1)
        elif cls in ('Dense', 'TimeDistributed'):
            v = v @ t64(w[0]) + t64(w[1])
            if cfg['activation'] == 'softmax':
                softmax = True
            else:
                v = act(cfg['activation'], v)
        else:
            raise ValueError(cls)
    return v, softmax


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    index = []
    for ci, case in enumerate(CASES):
        x = build(case)
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        logits, softmax = forward(case, xt)
        g = torch.tensor(RNG.uniform(-1, 1, size=tuple(logits.shape)), dtype=torch.float64)
        (logits * g).sum().backward()
        y = torch.softmax(logits, -1) if softmax else logits
        write_keras3(case, os.path.join(OUT, f"{case['name']}.keras"), newer=ci % 2 == 0)
        write_keras2(case, os.path.join(OUT, f"{case['name']}.h5"))
        write_tfjs(case, os.path.join(OUT, f"{case['name']}_k3_tfjs"), True)
        write_tfjs(case, os.path.join(OUT, f"{case['name']}_k2_tfjs"), False)
        index.append({'name': case['name'], 'about': case['about'],
                      'files': [f"{case['name']}.keras", f"{case['name']}.h5", f"{case['name']}_k3_tfjs/model.json", f"{case['name']}_k2_tfjs/model.json"],
                      'input': {'shape': list(x.shape), 'data': x.flatten().tolist()}, 'softmax': softmax,
                      'expected': {'shape': list(y.shape), 'data': y.detach().flatten().tolist()},
                      'gradOutput': {'shape': list(g.shape), 'data': g.flatten().tolist()},
                      'grad': {'shape': list(xt.grad.shape), 'data': xt.grad.flatten().tolist()}})
    with open(os.path.join(OUT, 'index.json'), 'w') as fh:
        json.dump({'generator': 'tools/make_keras_graph_fixtures.py', 'versions': {'keras': K3_VERSION, 'h5': K2_VERSION}, 'cases': index}, fh)
    print(f'wrote {len(index)} cases in {OUT}')


if __name__ == '__main__':
    main()
