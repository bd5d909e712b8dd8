#!/usr/bin/python3
"""Keras files with attention and merge layers after recurrent layers
(src/io/tfjs/functional.ts, src/io/tfjs/layers-attention.ts): run with /usr/bin/python3
(h5py, numpy, torch).

No Keras runs here, so the files are written in the layouts of Keras's saving code (see
tools/make_keras_fixtures.py), for functional models whose layers may read several tensors:

- Keras 3 `.keras`: `config.json` layers with `inbound_nodes` [{args, kwargs}] whose tensors are
  `__keras_tensor__` entries naming `keras_history` [layer, node, tensor]; Attention and the merge
  layers get a list in `args`, MultiHeadAttention its tensors as keywords (query / value / key) or
  positionally. `model.weights.h5`: `layers/<snake_case class>/vars/…` in the config's layer
  order; Attention `vars/{0 scale, 1 concat_score_weight}` (those use_scale / score_mode 'concat'
  create, scalars), AdditiveAttention `vars/0` scale [dim], MultiHeadAttention
  `{_query_dense,_key_dense,_value_dense,_output_dense}/vars/{0 kernel, 1 bias}` with kernels
  [d, heads, key_dim] (query, key), [d, heads, value_dim] (value), [heads, value_dim, out]
  (output) and biases [heads, dim] / [out].
- Keras 2 `.h5`: `inbound_nodes` [[[layer, 0, 0, kwargs], …]] (MultiHeadAttention's value in the
  kwargs as [layer, 0, 0]); weights `attention/scale:0`, `additive_attention/scale:0`,
  `multi_head_attention/{query,key,value,attention_output}/{kernel,bias}:0`.

The expected outputs and input gradients come from PyTorch autograd in float64 on the same
weights, with the formulas written out: Luong scores q·kᵀ·scale, or concat_score_weight ·
Σ tanh(scale·(q + k)); Bahdanau Σ scale ⊙ tanh(q + k); softmax over the keys, times the values;
multi-head attention with torch.einsum on the Keras kernel layouts, queries scaled by 1/√key_dim;
torch.nn.LSTM / GRU for the recurrent layers. Padded batches (Masking, mask_zero) are computed
one sequence at a time on the sequence cut to its length, which is what Keras's masks amount to
for these models (masked keys, masked pooling). Gradients: of Σ logits ⊙ gradOutput (logits: the
output before a final softmax) with respect to the input, or to the embedding vectors.

Output: test/fixtures/keras-attention/<case>.keras, <case>.h5, index.json.
"""
import io
import json
import math
import os
import shutil
import zipfile

import h5py
import numpy as np
import torch
import torch.nn.functional as F

from make_keras_fixtures import K2_VERSION, K3_VERSION, rnn_cfg, snake
from make_keras_graph_fixtures import recurrent_ref

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'keras-attention')
B, T = 3, 6
RNG = np.random.default_rng(20261209)


def rnd(*shape, scale=0.5, lo=None):
    if lo is not None:
        return RNG.uniform(lo, lo + scale, size=shape).astype(np.float32)
    return (RNG.uniform(-1, 1, size=shape) * scale).astype(np.float32)


def L(cls, name, cfg, ins, kw=None, style='list'):
    """A layer: `ins` its positional inputs, `kw` tensors by keyword, `style` how Keras 3 calls it."""
    return {'class': cls, 'name': name, 'cfg': cfg, 'in': ins, 'kw': kw or {}, 'style': style}


def rnn(cls, name, units, ins):
    cfg = {'units': units, 'activation': 'tanh', 'recurrent_activation': 'sigmoid', 'return_sequences': True}
    if cls == 'GRU':
        cfg['reset_after'] = True
    return L(cls, name, cfg, ins, style='one')


def mha(name, ins, kw, style, heads, key_dim, value_dim=None, use_bias=True, output_shape=None):
    cfg = {'num_heads': heads, 'key_dim': key_dim, 'value_dim': value_dim, 'dropout': 0.0, 'use_bias': use_bias,
           'output_shape': output_shape, 'attention_axes': None, 'kernel_initializer': {'class_name': 'GlorotUniform', 'config': {'seed': None}}}
    return L('MultiHeadAttention', name, cfg, ins, kw, style)


CASES = [
    {'name': 'lstm_luong_softmax', 'features': 3, 'lengths': [T, T, T],
     'about': 'LSTM(4, return_sequences) -> Attention(use_scale)([h, h]) -> GlobalAveragePooling1D -> Dense(3) -> Softmax',
     'layers': [rnn('LSTM', 'lstm', 4, ['INPUT']),
                L('Attention', 'attention', {'use_scale': True, 'score_mode': 'dot', 'dropout': 0.0}, ['lstm', 'lstm']),
                L('GlobalAveragePooling1D', 'gap', {'data_format': 'channels_last', 'keepdims': False}, ['attention'], style='one'),
                L('Dense', 'dense', {'units': 3, 'activation': 'linear', 'use_bias': True}, ['gap'], style='one'),
                L('Softmax', 'softmax', {'axis': -1}, ['dense'], style='one')]},
    {'name': 'gru_mha_residual', 'features': 3, 'lengths': [T, T, T],
     'about': 'GRU(6, return_sequences) -> MultiHeadAttention(2 heads, key_dim 3, value_dim 2)(query=value=key) + Add residual -> LayerNormalization -> GlobalMaxPooling1D -> Dense(2)',
     'layers': [rnn('GRU', 'gru', 6, ['INPUT']),
                mha('mha', ['gru'], {'value': 'gru', 'key': 'gru'}, 'kwargs', 2, 3, value_dim=2),
                L('Add', 'add', {}, ['gru', 'mha']),
                L('LayerNormalization', 'layer_norm', {'axis': -1, 'epsilon': 1e-3, 'center': True, 'scale': True}, ['add'], style='one'),
                L('GlobalMaxPooling1D', 'gmp', {'data_format': 'channels_last', 'keepdims': False}, ['layer_norm'], style='one'),
                L('Dense', 'dense', {'units': 2, 'activation': 'linear', 'use_bias': True}, ['gmp'], style='one')]},
    {'name': 'embedding_bilstm_additive', 'vocab': 12, 'features': 5, 'lengths': [6, 4, 5],
     'about': 'Embedding(12, 5, mask_zero) -> Bidirectional(LSTM(3, return_sequences)) -> AdditiveAttention([h, h]) -> Concatenate([h, att]) -> GlobalAveragePooling1D -> Dense(3, softmax); padded',
     'layers': [L('Embedding', 'embedding', {'input_dim': 12, 'output_dim': 5, 'mask_zero': True}, ['INPUT'], style='one'),
                L('Bidirectional', 'bilstm', {'merge_mode': 'concat', 'layer': rnn('LSTM', 'lstm', 3, [])}, ['embedding'], style='one'),
                L('AdditiveAttention', 'additive', {'use_scale': True, 'dropout': 0.0}, ['bilstm', 'bilstm']),
                L('Concatenate', 'concat', {'axis': -1}, ['bilstm', 'additive']),
                L('GlobalAveragePooling1D', 'gap', {'data_format': 'channels_last', 'keepdims': False}, ['concat'], style='one'),
                L('Dense', 'dense', {'units': 3, 'activation': 'softmax', 'use_bias': True}, ['gap'], style='one')]},
    {'name': 'masked_gru_concat_multiply', 'features': 3, 'lengths': [6, 3, 5],
     'about': 'Masking -> GRU(4, return_sequences) -> Attention(score_mode concat, use_scale)([g, g, g]) -> Multiply([g, att]) -> GlobalAveragePooling1D -> Dense(2); padded',
     'layers': [L('Masking', 'masking', {'mask_value': 0.0}, ['INPUT'], style='one'), rnn('GRU', 'gru', 4, ['masking']),
                L('Attention', 'attention', {'use_scale': True, 'score_mode': 'concat', 'dropout': 0.0}, ['gru', 'gru', 'gru']),
                L('Multiply', 'multiply', {}, ['gru', 'attention']),
                L('GlobalAveragePooling1D', 'gap', {'data_format': 'channels_last', 'keepdims': False}, ['multiply'], style='one'),
                L('Dense', 'dense', {'units': 2, 'activation': 'linear', 'use_bias': True}, ['gap'], style='one')]},
    {'name': 'masked_lstm_mha_nobias', 'features': 3, 'lengths': [4, 6, 2],
     'about': 'Masking -> LSTM(4, return_sequences) -> MultiHeadAttention(3 heads, key_dim 2, value_dim 3, use_bias=False, output_shape 5)(h, h) -> GlobalAveragePooling1D -> Dense(2, softmax); padded',
     'layers': [L('Masking', 'masking', {'mask_value': 0.0}, ['INPUT'], style='one'), rnn('LSTM', 'lstm', 4, ['masking']),
                mha('mha', ['lstm', 'lstm'], {}, 'args', 3, 2, value_dim=3, use_bias=False, output_shape=5),
                L('GlobalAveragePooling1D', 'gap', {'data_format': 'channels_last', 'keepdims': False}, ['mha'], style='one'),
                L('Dense', 'dense', {'units': 2, 'activation': 'softmax', 'use_bias': True}, ['gap'], style='one')]},
]


# ---------------------------------------------------------------- weights

def rnn_weights(cls, H, D):
    G = {'LSTM': 4, 'GRU': 3}[cls]
    return [rnd(D, G * H), rnd(H, G * H), rnd(2, G * H) if cls == 'GRU' else rnd(G * H)]


def build(case):
    """Weights as [(sub-object (Keras 3), Keras 2 name relative to the layer, array)] per layer."""
    dims = {'INPUT': case['features']}
    for l in case['layers']:
        cls, cfg, D = l['class'], l['cfg'], dims[l['in'][0]]
        w = []
        if cls in ('LSTM', 'GRU'):
            cell = snake(cls) + '_cell'
            w = [('cell', f'{cell}/{r}', a) for r, a in zip(['kernel', 'recurrent_kernel', 'bias'], rnn_weights(cls, cfg['units'], D))]
            dims[l['name']] = cfg['units']
        elif cls == 'Bidirectional':
            inner = cfg['layer']
            cell = snake(inner['class']) + '_cell'
            for d in ('forward', 'backward'):
                w += [(f'{d}_layer/cell', f'{d}_{inner["name"]}/{cell}/{r}', a) for r, a in zip(['kernel', 'recurrent_kernel', 'bias'], rnn_weights(inner['class'], inner['cfg']['units'], D))]
            dims[l['name']] = 2 * inner['cfg']['units']
        elif cls == 'Embedding':
            w = [('', 'embeddings', rnd(cfg['input_dim'], cfg['output_dim'], scale=0.8))]
            dims[l['name']] = cfg['output_dim']
        elif cls == 'Attention':
            if cfg['use_scale']:
                w.append(('', 'scale', np.array(RNG.uniform(0.6, 1.4), dtype=np.float32)))
            if cfg['score_mode'] == 'concat':
                w.append(('', 'concat_score_weight', np.array(RNG.uniform(0.6, 1.4), dtype=np.float32)))
            dims[l['name']] = dims[l['in'][1]]
        elif cls == 'AdditiveAttention':
            w = [('', 'scale', rnd(D, scale=1.0))]
            dims[l['name']] = dims[l['in'][1]]
        elif cls == 'MultiHeadAttention':
            H, K = cfg['num_heads'], cfg['key_dim']
            V = cfg['value_dim'] or K
            O = cfg['output_shape'] or D
            for sub, k2, shape, bshape in (('_query_dense', 'query', (D, H, K), (H, K)), ('_key_dense', 'key', (D, H, K), (H, K)),
                                           ('_value_dense', 'value', (D, H, V), (H, V)), ('_output_dense', 'attention_output', (H, V, O), (O,))):
                w.append((sub, f'{k2}/kernel', rnd(*shape, scale=0.7)))
                if cfg['use_bias']:
                    w.append((sub, f'{k2}/bias', rnd(*bshape, scale=0.3)))
            dims[l['name']] = O
        elif cls == 'LayerNormalization':
            w = [('', 'gamma', rnd(D, scale=0.5, lo=0.75)), ('', 'beta', rnd(D, scale=0.3))]
            dims[l['name']] = D
        elif cls == 'Dense':
            w = [('', 'kernel', rnd(D, cfg['units'], scale=0.8)), ('', 'bias', rnd(cfg['units'], scale=0.3))]
            dims[l['name']] = cfg['units']
        elif cls == 'Concatenate':
            dims[l['name']] = sum(dims[i] for i in l['in'])
        else:
            dims[l['name']] = D
        l['weights'] = w
    lengths = np.array(case['lengths'])
    if case.get('vocab'):
        x = RNG.integers(1, case['vocab'], size=(B, T))
    else:
        x = RNG.uniform(-1, 1, size=(B, T, case['features']))
    for b, n in enumerate(lengths):
        x[b, n:] = 0
    return x, lengths


# ---------------------------------------------------------------- configs and files

def tensor3(name, D):
    return {'class_name': '__keras_tensor__', 'config': {'shape': [None, None, D], 'dtype': 'float32', 'keras_history': [name, 0, 0]}}


def layer_config(l, k3):
    cls, cfg, name = l['class'], dict(l['cfg']), l['name']
    if cls in ('LSTM', 'GRU'):
        return rnn_cfg(cfg, name, k3)
    if cls == 'Bidirectional':
        inner = cfg['layer']
        wrap = (lambda c, cf: {'module': 'keras.layers', 'class_name': c, 'config': cf, 'registered_name': None}) if k3 else (lambda c, cf: {'class_name': c, 'config': cf})
        out = {'name': name, 'trainable': True, 'merge_mode': cfg['merge_mode'], 'layer': wrap(inner['class'], rnn_cfg(inner['cfg'], ('forward_' if k3 else '') + inner['name'], k3))}
        if k3:
            out['backward_layer'] = wrap(inner['class'], rnn_cfg(dict(inner['cfg'], go_backwards=True), 'backward_' + inner['name'], True))
        return out
    cfg.update({'name': name, 'trainable': True, 'dtype': 'float32'})
    if cls == 'Embedding' and not k3:
        cfg['input_length'] = None
    return cfg


def model_config(case, k3):
    inp = 'input_layer' if k3 else 'input_1'
    shape = [None, None] if case.get('vocab') else [None, None, case['features']]
    first = {'class_name': 'InputLayer', 'name': inp, 'inbound_nodes': [],
             'config': {('batch_shape' if k3 else 'batch_input_shape'): shape, 'dtype': 'int32' if case.get('vocab') else 'float32', 'sparse': False, 'name': inp}}
    if k3:
        first.update({'module': 'keras.layers', 'registered_name': None})
    layers = [first]
    ref = lambda n: inp if n == 'INPUT' else n
    for l in case['layers']:
        entry = {'class_name': l['class'], 'config': layer_config(l, k3), 'name': l['name']}
        ins = [ref(n) for n in l['in']]
        kw = {k: ref(n) for k, n in l['kw'].items()}
        if k3:
            entry = {'module': 'keras.layers', **entry, 'registered_name': None}
            t = lambda n: tensor3(n, 3)
            if l['style'] == 'kwargs':
                node = {'args': [], 'kwargs': {'query': t(ins[0]), **{k: t(n) for k, n in kw.items()}}}
            elif l['style'] in ('args', 'one'):
                node = {'args': [t(n) for n in ins], 'kwargs': {'mask': None} if l['class'] in ('LSTM', 'GRU') else {}}
            else:
                node = {'args': [[t(n) for n in ins]], 'kwargs': {}}
            entry['inbound_nodes'] = [node]
        else:
            first_kw = {k: [n, 0, 0] for k, n in kw.items()}
            if l['class'] == 'MultiHeadAttention' and len(ins) > 1:
                first_kw['value'] = [ins[1], 0, 0]
                ins = ins[:1]
            entry['inbound_nodes'] = [[[n, 0, 0, first_kw if i == 0 else {}] for i, n in enumerate(ins)]]
        layers.append(entry)
    out = case['layers'][-1]['name']
    cfg = {'name': 'functional' if k3 else 'model', 'trainable': True, 'layers': layers, 'input_layers': [[inp, 0, 0]], 'output_layers': [[out, 0, 0]]}
    m = {'class_name': 'Functional', 'config': cfg}
    return {'module': 'keras', **m, 'registered_name': None, 'compile_config': None} if k3 else m


def write_keras3(case, path, public_subs=False):
    """`public_subs`: MultiHeadAttention's sub-layers under `query_dense`, … (no underscore)."""
    buf = io.BytesIO()
    with h5py.File(buf, 'w') as f:
        f.create_group('vars')
        used = {}
        for l in [{'class': 'InputLayer', 'name': 'input_layer', 'weights': []}] + case['layers']:
            base = snake(l['class'])
            k = used.get(base)
            used[base] = 0 if k is None else k + 1
            path_l = 'layers/' + (base if k is None else f'{base}_{k + 1}')
            counters = {}
            for sub, _k2, a in l['weights']:
                sub = sub.lstrip('_') if public_subs and sub.endswith('_dense') else sub
                g = path_l + (f'/{sub}' if sub else '') + '/vars'
                i = counters.get(g, 0)
                counters[g] = i + 1
                f.create_dataset(f'{g}/{i}', data=a)
        f.create_dataset('optimizer/vars/0', data=np.array(3, dtype=np.int64))
    entries = [('metadata.json', json.dumps({'keras_version': K3_VERSION, 'date_saved': '2026-12-07@00:00:00'})),
               ('config.json', json.dumps(model_config(case, True))), ('model.weights.h5', buf.getvalue())]
    with zipfile.ZipFile(path, 'w') as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 12, 7, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)


def write_keras2(case, path):
    with h5py.File(path, 'w') as f:
        f.attrs['keras_version'] = K2_VERSION
        f.attrs['backend'] = 'tensorflow'
        f.attrs['model_config'] = json.dumps(model_config(case, False)).encode('utf8')
        mw = f.create_group('model_weights')
        names = ['input_1'] + [l['name'] for l in case['layers']]
        mw.attrs['layer_names'] = np.array([n.encode('utf8') for n in names])
        for l in [{'name': 'input_1', 'weights': []}] + case['layers']:
            g = mw.create_group(l['name'])
            ws = [(f"{l['name']}/{k2}:0", a) for _sub, k2, a in l['weights']]
            g.attrs['weight_names'] = np.array([w.encode('utf8') for w, _ in ws]) if ws else np.asarray([])
            for wn, a in ws:
                g.create_dataset(wn, data=a)


# ---------------------------------------------------------------- the PyTorch reference

def t64(a):
    return torch.tensor(np.asarray(a, dtype=np.float64))


def weights_of(l):
    return {k2: t64(a) for _sub, k2, a in l['weights']}


def attention_ref(l, q, v, k):
    cfg, w = l['cfg'], weights_of(l)
    if l['class'] == 'AdditiveAttention':
        scores = (w['scale'] * torch.tanh(q[:, :, None, :] + k[:, None, :, :])).sum(-1)
    elif cfg['score_mode'] == 'concat':
        scores = w['concat_score_weight'] * torch.tanh(w['scale'] * (q[:, :, None, :] + k[:, None, :, :])).sum(-1)
    else:
        scores = (q @ k.transpose(1, 2)) * w['scale']
    return torch.softmax(scores, -1) @ v


def mha_ref(l, q, v, k):
    cfg, w = l['cfg'], weights_of(l)
    bias = cfg['use_bias']
    proj = lambda x, n: torch.einsum('btd,dhk->bthk', x, w[f'{n}/kernel']) + (w[f'{n}/bias'] if bias else 0)
    qh = proj(q, 'query') / math.sqrt(cfg['key_dim'])
    kh, vh = proj(k, 'key'), proj(v, 'value')
    attn = torch.softmax(torch.einsum('bshk,bthk->bhts', kh, qh), -1)
    o = torch.einsum('bhts,bshv->bthv', attn, vh)
    return torch.einsum('bthv,hvo->bto', o, w['attention_output/kernel']) + (w['attention_output/bias'] if bias else 0)


def rnn_ref(cls, cfg, l_weights, x, reverse=False):
    return recurrent_ref(cls, cfg, [a for a in l_weights], x, reverse)


def forward_one(case, x):
    """Logits of one (unpadded) sequence x [1, n, F] (or embedded [1, n, E]); softmax flag."""
    vals = {'INPUT': x}
    softmax = False
    for l in case['layers']:
        cls, cfg = l['class'], l['cfg']
        ins = [vals[n] for n in l['in']]
        kw = {k: vals[n] for k, n in l['kw'].items()}
        ws = [a for _s, _k, a in l['weights']]
        if cls in ('Embedding', 'Masking'):
            y = ins[0]  # the caller embeds; masks are the cut to the length
        elif cls in ('LSTM', 'GRU'):
            y = rnn_ref(cls, cfg, ws, ins[0])
        elif cls == 'Bidirectional':
            inner = cfg['layer']
            y = torch.cat([rnn_ref(inner['class'], inner['cfg'], ws[:3], ins[0]), rnn_ref(inner['class'], inner['cfg'], ws[3:], ins[0], reverse=True)], -1)
        elif cls in ('Attention', 'AdditiveAttention'):
            q, v = ins[0], ins[1]
            y = attention_ref(l, q, v, ins[2] if len(ins) > 2 else v)
        elif cls == 'MultiHeadAttention':
            q = ins[0]
            v = kw.get('value', ins[1] if len(ins) > 1 else None)
            y = mha_ref(l, q, v, kw.get('key', ins[2] if len(ins) > 2 else v))
        elif cls == 'Add':
            y = sum(ins[1:], ins[0])
        elif cls == 'Multiply':
            y = ins[0]
            for o in ins[1:]:
                y = y * o
        elif cls == 'Concatenate':
            y = torch.cat(ins, -1)
        elif cls == 'LayerNormalization':
            w = weights_of(l)
            y = F.layer_norm(ins[0], (ins[0].shape[-1],), w['gamma'], w['beta'], cfg['epsilon'])
        elif cls == 'GlobalAveragePooling1D':
            y = ins[0].mean(1)
        elif cls == 'GlobalMaxPooling1D':
            y = ins[0].max(1).values
        elif cls == 'Dense':
            w = weights_of(l)
            y = ins[0] @ w['kernel'] + w['bias']
            if cfg['activation'] == 'softmax':
                softmax = True
        elif cls == 'Softmax':
            y = ins[0]
            softmax = True
        else:
            raise ValueError(cls)
        vals[l['name']] = y
    return vals[case['layers'][-1]['name']], softmax


def reference(case, x, lengths):
    """Logits, outputs, gradOutput and the input (or embedding) gradient, one sequence at a time."""
    if case.get('vocab'):
        E = t64(case['layers'][0]['weights'][0][2])
        xin = E[torch.tensor(x)].clone().requires_grad_(True)
    else:
        xin = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    rows = []
    softmax = False
    for b, n in enumerate(lengths):
        y, softmax = forward_one(case, xin[b:b + 1, :n])
        rows.append(y)
    logits = torch.cat(rows, 0)
    g = torch.tensor(RNG.uniform(-1, 1, size=tuple(logits.shape)), dtype=torch.float64)
    (logits * g).sum().backward()
    y = torch.softmax(logits, -1) if softmax else logits
    return y.detach(), softmax, g, xin.grad


def target_attributions(case, x, lengths, logits):
    """Saliency |∂F_t/∂x| and integrated gradients from the zero baseline (Gauss–Legendre, 50
    points: α = (1 + node)/2, step weight/2), F_t the logit of each sequence's predicted class (of
    output 0 for models without a softmax), one sequence at a time."""
    nodes, wts = np.polynomial.legendre.leggauss(50)
    alphas, steps = (1 + nodes) / 2, wts / 2
    targets = [int(torch.argmax(logits[b])) if case['softmax'] else 0 for b in range(len(lengths))]
    sal = np.zeros(x.shape)
    ig = np.zeros(x.shape)

    def grad_at(b, n, a):
        xb = (torch.tensor(x[b:b + 1, :n], dtype=torch.float64) * a).requires_grad_(True)
        y, _ = forward_one(case, xb)
        y[0, targets[b]].backward()
        return xb.grad[0].numpy()

    for b, n in enumerate(lengths):
        sal[b, :n] = np.abs(grad_at(b, n, 1.0))
        ig[b, :n] = x[b, :n] * sum(w * grad_at(b, n, a) for a, w in zip(alphas, steps))
    return targets, sal, ig


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    index = []
    for case in CASES:
        x, lengths = build(case)
        y, softmax, g, grad = reference(case, x, lengths)
        write_keras3(case, os.path.join(OUT, f"{case['name']}.keras"))
        write_keras2(case, os.path.join(OUT, f"{case['name']}.h5"))
        files = [f"{case['name']}.keras", f"{case['name']}.h5"]
        if case['name'] == 'gru_mha_residual':
            write_keras3(case, os.path.join(OUT, f"{case['name']}_public.keras"), public_subs=True)
            files.append(f"{case['name']}_public.keras")
        inp = {'tokens': x.tolist()} if case.get('vocab') else {'inputs': x.tolist()}
        index.append({'name': case['name'], 'about': case['about'], 'files': files,
                      'input': {**inp, 'lengths': lengths.tolist()}, 'softmax': softmax,
                      'expected': {'shape': list(y.shape), 'data': y.flatten().tolist()},
                      'gradOutput': {'shape': list(g.shape), 'data': g.flatten().tolist()},
                      'grad': {'shape': list(grad.shape), 'data': grad.flatten().tolist()}})
        if not case.get('vocab'):
            case['softmax'] = softmax
            logits = torch.log(y) if softmax else y
            targets, sal, ig = target_attributions(case, x, lengths, logits)
            index[-1].update({'targets': targets, 'saliency': sal.tolist(), 'integratedGradients': ig.tolist()})
    with open(os.path.join(OUT, 'index.json'), 'w') as fh:
        json.dump({'generator': 'tools/make_keras_attention_fixtures.py', 'versions': {'keras': K3_VERSION, 'h5': K2_VERSION}, 'cases': index}, fh)
    print(f'wrote {len(index)} cases in {OUT}')


if __name__ == '__main__':
    main()
