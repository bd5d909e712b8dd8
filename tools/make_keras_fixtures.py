#!/usr/bin/python3
"""Keras file fixtures for rnnlens (src/io/keras): run with /usr/bin/python3 (h5py, numpy, torch).

No Keras or TensorFlow runs on the development machines (Debian bookworm has no python3-keras
candidate and PyPI is not reachable), so this script writes the files itself, following the
layouts Keras documents in its own saving code:

- `.keras` (Keras 3 zip, keras/src/saving/saving_lib.py): `metadata.json` ({keras_version,
  date_saved}), `config.json` (serialize_keras_object of the model: module / class_name / config /
  registered_name), `model.weights.h5` where each object's own variables are datasets `0..n-1`
  in creation order under `<path>/vars`; the model's layers are the path `layers/<snake_case of
  the class name>` with `_1`, `_2` for repeats (not the layer names), and nested objects follow
  attribute names: `cell` of an RNN layer, `forward_layer` / `backward_layer` of Bidirectional,
  `layer` of TimeDistributed. Newer Keras writes an (empty) `vars` group with a `name` attribute
  for every object; older Keras only writes groups that hold variables: both forms appear here.
- `.h5` (Keras 2 HDF5, keras/src/legacy/saving/legacy_h5_format.py): root attributes
  `keras_version`, `backend`, `model_config` (JSON); group `model_weights` with attribute
  `layer_names`; one group per layer with attribute `weight_names` (e.g.
  `bidirectional/forward_gru/gru_cell/kernel:0`), each weight a dataset at that path inside the
  layer's group; an optimizer_weights group that loaders ignore.

Every model also gets a TF.js Layers twin (model.json + one weight shard, as the TF.js converter
writes it from the same config), and the expected outputs of the float64 reference of
tools/keras_reference.py, written with Keras semantics: kernels [in, G·u], LSTM gates i f c o, GRU z r h with reset_after (bias [2, 3u],
rows input / recurrent) and reset-before (bias [3u]), hard_sigmoid by Keras version (2.x:
clip(0.2x + 0.5), 3.x: clip(x/6 + 0.5)), Masking / mask_zero as right padding (masked steps keep
the state; Bidirectional zeroes masked outputs; pooling skips them). Where torch.nn has the same
cell (LSTM and reset-after GRU with the logistic gates, tanh/relu RNN), the reference recurrent
layers are checked against torch.nn.LSTM / GRU / RNN before anything is written.

Output: test/fixtures/keras/<case>.keras, <case>.h5, <case>_k3_tfjs/, <case>_k2_tfjs/, index.json.
"""
import io
import json
import os
import shutil
import zipfile

import h5py
import numpy as np

from keras_reference import CHECKED, forward

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'keras')
K2_VERSION = '2.15.0'
K3_VERSION = '3.3.3'
B, T = 3, 5


# ---------------------------------------------------------------- the models

RNG = np.random.default_rng(20261207)


def rnd(*shape, scale=0.5):
    return (RNG.uniform(-1, 1, size=shape) * scale).astype(np.float32)


def rnn_weights(kind, cfg, D):
    H, G = cfg['units'], {'SimpleRNN': 1, 'LSTM': 4, 'GRU': 3}[kind]
    bias = rnd(2, G * H) if kind == 'GRU' and cfg.get('reset_after', True) else rnd(G * H)
    return [rnd(D, G * H), rnd(H, G * H), bias]


def build(case):
    """Fills in weights for the layer list of a case; returns (layers, input batch, lengths)."""
    D = case['features']
    for layer in case['layers']:
        cls, cfg = layer['class'], layer['cfg']
        if cls == 'Embedding':
            layer['weights'] = [rnd(cfg['input_dim'], cfg['output_dim'], scale=1.0)]
            D = cfg['output_dim']
        elif cls in ('SimpleRNN', 'LSTM', 'GRU'):
            layer['weights'] = rnn_weights(cls, cfg, D)
            D = cfg['units']
        elif cls == 'Bidirectional':
            inner = cfg['layer']
            layer['weights'] = [rnn_weights(inner['class'], inner['cfg'], D), rnn_weights(inner['class'], inner['cfg'], D)]
            D = inner['cfg']['units'] * (2 if cfg.get('merge_mode', 'concat') == 'concat' else 1)
        elif cls in ('Dense', 'TimeDistributed'):
            layer['weights'] = [rnd(D, cfg['units'], scale=0.8), rnd(cfg['units'], scale=0.3)]
            D = cfg['units']
    lengths = np.array(case.get('lengths', [T] * B))
    if case.get('vocab'):
        x = RNG.integers(1, case['vocab'], size=(B, T))
        for b, L in enumerate(lengths):
            x[b, L:] = 0
    else:
        x = RNG.uniform(-1, 1, size=(B, T, case['features'])).astype(np.float32)
        for b, L in enumerate(lengths):
            x[b, L:] = 0
    return x, lengths


CASES = [
    {
        'name': 'lstm_softmax', 'kind': 'Sequential', 'features': 3,
        'about': 'Sequential: LSTM(4) -> Dense(3, softmax)',
        'layers': [
            {'class': 'LSTM', 'name': 'lstm', 'cfg': {'units': 4, 'activation': 'tanh', 'recurrent_activation': 'sigmoid'}},
            {'class': 'Dense', 'name': 'dense', 'cfg': {'units': 3, 'activation': 'softmax'}},
        ],
    },
    {
        'name': 'masked_bigru_mean', 'kind': 'Functional', 'features': 3, 'lengths': [5, 3, 4],
        'about': 'functional: Masking -> Bidirectional(GRU(4, reset_after=True, return_sequences)) -> GlobalAveragePooling1D -> Dense(2, softmax)',
        'layers': [
            {'class': 'Masking', 'name': 'masking', 'cfg': {'mask_value': 0.0}},
            {'class': 'Bidirectional', 'name': 'bidirectional', 'cfg': {'merge_mode': 'concat', 'layer': {'class': 'GRU', 'name': 'gru', 'cfg': {'units': 4, 'activation': 'tanh', 'recurrent_activation': 'sigmoid', 'reset_after': True, 'return_sequences': True}}}},
            {'class': 'GlobalAveragePooling1D', 'name': 'global_average_pooling1d', 'cfg': {}},
            {'class': 'Dense', 'name': 'dense', 'cfg': {'units': 2, 'activation': 'softmax'}},
        ],
    },
    {
        'name': 'embedding_gru_hard', 'kind': 'Sequential', 'features': None, 'vocab': 12, 'lengths': [5, 2, 4],
        'about': 'Sequential: Embedding(12, 5, mask_zero) -> GRU(4, reset_after=False, hard_sigmoid) -> Dropout -> Dense(1, sigmoid)',
        'layers': [
            {'class': 'Embedding', 'name': 'embedding', 'cfg': {'input_dim': 12, 'output_dim': 5, 'mask_zero': True}},
            {'class': 'GRU', 'name': 'gru', 'cfg': {'units': 4, 'activation': 'tanh', 'recurrent_activation': 'hard_sigmoid', 'reset_after': False}},
            {'class': 'Dropout', 'name': 'dropout', 'cfg': {'rate': 0.25}},
            {'class': 'Dense', 'name': 'dense', 'cfg': {'units': 1, 'activation': 'sigmoid'}},
        ],
    },
    {
        'name': 'relu_rnn_tagger', 'kind': 'Sequential', 'features': 2,
        'about': 'Sequential: SimpleRNN(5, relu, return_sequences) -> TimeDistributed(Dense(3))',
        'layers': [
            {'class': 'SimpleRNN', 'name': 'simple_rnn', 'cfg': {'units': 5, 'activation': 'relu', 'return_sequences': True}},
            {'class': 'TimeDistributed', 'name': 'time_distributed', 'cfg': {'units': 3, 'activation': 'linear'}},
        ],
    },
    {
        'name': 'bilstm_ave_max', 'kind': 'Functional', 'features': 3,
        'about': 'functional: Bidirectional(LSTM(3, return_sequences), merge ave) -> LSTM(4, return_sequences, go_backwards) -> GlobalMaxPooling1D -> Dense(2, tanh) -> Dense(2)',
        'layers': [
            {'class': 'Bidirectional', 'name': 'bidirectional', 'cfg': {'merge_mode': 'ave', 'layer': {'class': 'LSTM', 'name': 'lstm', 'cfg': {'units': 3, 'activation': 'tanh', 'recurrent_activation': 'sigmoid', 'return_sequences': True}}}},
            {'class': 'LSTM', 'name': 'lstm_1', 'cfg': {'units': 4, 'activation': 'tanh', 'recurrent_activation': 'sigmoid', 'return_sequences': True, 'go_backwards': True}},
            {'class': 'GlobalMaxPooling1D', 'name': 'global_max_pooling1d', 'cfg': {}},
            {'class': 'Dense', 'name': 'dense', 'cfg': {'units': 2, 'activation': 'tanh'}},
            {'class': 'Dense', 'name': 'dense_1', 'cfg': {'units': 2, 'activation': 'linear'}},
        ],
    },
]


# ---------------------------------------------------------------- configs (Keras 3 and Keras 2 styles)

def snake(cls):
    import re
    s = re.sub('(.)([A-Z][a-z]+)', r'\1_\2', cls)
    return re.sub('([a-z])([A-Z])', r'\1_\2', s).lower()


def rnn_cfg(cfg, name, k3):
    out = {'name': name, 'trainable': True, 'return_sequences': False, 'return_state': False, 'go_backwards': False,
           'stateful': False, 'unroll': False, 'use_bias': True, 'dropout': 0.0, 'recurrent_dropout': 0.0}
    out.update(cfg)
    out['dtype'] = {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'float32'}, 'registered_name': None} if k3 else 'float32'
    return out


def layer_cfg(layer, k3):
    """(class_name, config) of one layer."""
    cls, cfg, name = layer['class'], layer['cfg'], layer['name']
    wrap = (lambda c, cf: {'module': 'keras.layers', 'class_name': c, 'config': cf, 'registered_name': None}) if k3 else (lambda c, cf: {'class_name': c, 'config': cf})
    if cls in ('SimpleRNN', 'LSTM', 'GRU'):
        return rnn_cfg(cfg, name, k3)
    if cls == 'Bidirectional':
        inner = cfg['layer']
        if k3:
            f = rnn_cfg(inner['cfg'], 'forward_' + inner['name'], True)
            bw = rnn_cfg(dict(inner['cfg'], go_backwards=True), 'backward_' + inner['name'], True)
            return {'name': name, 'trainable': True, 'merge_mode': cfg['merge_mode'], 'layer': wrap(inner['class'], f), 'backward_layer': wrap(inner['class'], bw)}
        return {'name': name, 'trainable': True, 'dtype': 'float32', 'merge_mode': cfg['merge_mode'], 'layer': wrap(inner['class'], rnn_cfg(inner['cfg'], inner['name'], False))}
    if cls == 'TimeDistributed':
        return {'name': name, 'trainable': True, 'layer': wrap('Dense', {'name': 'dense_td', 'units': cfg['units'], 'activation': cfg['activation'], 'use_bias': True})}
    out = {'name': name, 'trainable': True}
    out.update(cfg)
    return out


def input_layer(case, k3, name):
    shape = [None, None] if case.get('vocab') else [None, None, case['features']]
    dtype = 'int32' if case.get('vocab') else 'float32'
    key = 'batch_shape' if k3 else 'batch_input_shape'
    return {'class_name': 'InputLayer', 'config': {key: shape, 'dtype': dtype, 'sparse': False, 'name': name}}


def model_config(case, k3):
    """The Keras model config as model.save writes it (Keras 3 .keras or Keras 2 .h5 style)."""
    inp_name = 'input_layer' if k3 else 'input_1'
    inp = input_layer(case, k3, inp_name)
    if k3:
        inp.update({'module': 'keras.layers', 'registered_name': None})
    layers = [inp]
    prev = inp_name
    for layer in case['layers']:
        entry = {'class_name': layer['class'], 'config': layer_cfg(layer, k3)}
        if k3:
            entry = {'module': 'keras.layers', **entry, 'registered_name': None}
        if case['kind'] == 'Functional':
            entry['name'] = layer['name']
            if k3:
                tensor = {'class_name': '__keras_tensor__', 'config': {'shape': [None, None, 3], 'dtype': 'float32', 'keras_history': [prev, 0, 0]}}
                entry['inbound_nodes'] = [{'args': [tensor], 'kwargs': {}}]
            else:
                entry['inbound_nodes'] = [[[prev, 0, 0, {}]]]
        layers.append(entry)
        prev = layer['name']
    if case['kind'] == 'Functional':
        layers[0]['name'] = inp_name
        layers[0]['inbound_nodes'] = []
        cfg = {'name': 'functional' if k3 else 'model', 'trainable': True, 'layers': layers,
               'input_layers': [[inp_name, 0, 0]], 'output_layers': [[prev, 0, 0]]}
    else:
        cfg = {'name': 'sequential', 'layers': layers}
    out = {'class_name': case['kind'], 'config': cfg}
    if k3:
        out = {'module': 'keras', **out, 'registered_name': None, 'compile_config': None}
    return out


# ---------------------------------------------------------------- writers

def flat_weights(case):
    """[(layer, sub-object path, role, k2 weight name relative to the layer, array)] in creation order."""
    out = []
    for layer in case['layers']:
        cls, name, w = layer['class'], layer['name'], layer.get('weights')
        if not w:
            continue
        if cls in ('SimpleRNN', 'LSTM', 'GRU'):
            cell = snake(cls) + '_cell'
            for role, a in zip(['kernel', 'recurrent_kernel', 'bias'], w):
                out.append((layer, 'cell', role, f'{cell}/{role}', a))
        elif cls == 'Bidirectional':
            inner = layer['cfg']['layer']
            cell = snake(inner['class']) + '_cell'
            for d, ws in zip(['forward', 'backward'], w):
                for role, a in zip(['kernel', 'recurrent_kernel', 'bias'], ws):
                    out.append((layer, f'{d}_layer/cell', role, f'{d}_{inner["name"]}/{cell}/{role}', a))
        elif cls == 'TimeDistributed':
            for role, a in zip(['kernel', 'bias'], w):
                out.append((layer, 'layer', role, role, a))
        elif cls == 'Embedding':
            out.append((layer, '', 'embeddings', 'embeddings', w[0]))
        else:  # Dense, and layers that name their variables in `roles` (Conv1D, normalisation)
            for role, a in zip(layer.get('roles', ['kernel', 'bias']), w):
                out.append((layer, '', role, role, a))
    return out


def write_keras3(case, path, newer, skip=(), weights_only=False):
    """A .keras zip (`newer`: every object gets a vars group with a name attribute, as Keras >= 3.5
    writes); `skip`: layer names whose variables are left out; `weights_only`: just the .weights.h5."""
    buf = io.BytesIO()
    with h5py.File(buf, 'w') as f:
        root = f.create_group('vars')
        if newer:
            root.attrs['name'] = case['kind'].lower()
        used = {}
        paths = {}
        all_layers = ([{'class': 'InputLayer', 'name': 'input_layer'}] if case['kind'] == 'Functional' else []) + case['layers']
        for layer in all_layers:
            base = snake(layer['class'])
            k = used.get(base)
            used[base] = 0 if k is None else k + 1
            paths[layer['name']] = 'layers/' + (base if k is None else f'{base}_{k + 1}')
            if newer:
                f.create_group(paths[layer['name']] + '/vars').attrs['name'] = layer['name']
            if layer['class'] == 'Dropout':  # Keras 3 Dropout owns a seed generator with its state
                f.create_dataset(paths[layer['name']] + '/seed_generator/vars/0', data=np.array([1337, 0], dtype=np.uint32))
        counters = {}
        for layer, sub, role, _k2, a in flat_weights(case):
            if layer['name'] in skip:
                continue
            g = paths[layer['name']] + (f'/{sub}' if sub else '') + '/vars'
            i = counters.get(g, 0)
            counters[g] = i + 1
            f.create_dataset(f'{g}/{i}', data=a)
        # optimizer state: loaders of model weights ignore it
        f.create_dataset('optimizer/vars/0', data=np.array(3, dtype=np.int64))
    if weights_only:
        with open(path, 'wb') as fh:
            fh.write(buf.getvalue())
        return
    entries = [('metadata.json', json.dumps({'keras_version': K3_VERSION, 'date_saved': '2026-12-07@00:00:00'})),
               ('config.json', json.dumps(model_config(case, True))), ('model.weights.h5', buf.getvalue())]
    with zipfile.ZipFile(path, 'w') as z:
        for name, data in entries:  # fixed timestamps: the same bytes on every run
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 12, 7, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)


def write_keras2(case, path):
    with h5py.File(path, 'w') as f:
        f.attrs['keras_version'] = K2_VERSION
        f.attrs['backend'] = 'tensorflow'
        f.attrs['model_config'] = json.dumps(model_config(case, False)).encode('utf8')
        f.attrs['training_config'] = json.dumps({'loss': 'categorical_crossentropy'}).encode('utf8')
        mw = f.create_group('model_weights')
        names = (['input_1'] if case['kind'] == 'Functional' else []) + [l['name'] for l in case['layers']]
        mw.attrs['layer_names'] = np.array([n.encode('utf8') for n in names])
        mw.attrs['backend'] = b'tensorflow'
        mw.attrs['keras_version'] = K2_VERSION.encode('utf8')
        by_layer = {}
        for layer, _sub, _role, rel, a in flat_weights(case):
            by_layer.setdefault(layer['name'], []).append((f"{layer['name']}/{rel}:0", a))
        for n in sorted(names):
            g = mw.create_group(n)
            ws = by_layer.get(n, [])
            g.attrs['weight_names'] = np.array([w.encode('utf8') for w, _ in ws]) if ws else np.asarray([])
            for wn, a in ws:
                g.create_dataset(wn, data=a)
        opt = f.create_group('optimizer_weights')
        opt.attrs['weight_names'] = np.array([b'Adam/iter:0'])
        opt.create_dataset('Adam/iter:0', data=np.array(3, dtype=np.int64))


def write_tfjs(case, folder, k3):
    """The TF.js converter's output for the same model: model.json + group1-shard1of1.bin."""
    os.makedirs(folder, exist_ok=True)
    specs, data = [], []
    for layer, sub, role, rel, a in flat_weights(case):
        if layer['class'] == 'Bidirectional':
            d = sub.split('_')[0]
            inner = layer['cfg']['layer']['name']
            name = f"{layer['name']}/{d}_{inner}/{role}"
        else:
            name = f"{layer['name']}/{role}"
        specs.append({'name': name, 'shape': list(a.shape), 'dtype': 'float32'})
        data.append(a.astype('<f4').tobytes())
    with open(os.path.join(folder, 'group1-shard1of1.bin'), 'wb') as fh:
        fh.write(b''.join(data))
    version = K3_VERSION if k3 else K2_VERSION
    mc = model_config(case, k3)
    topo = {'keras_version': version, 'backend': 'tensorflow', 'model_config': {'class_name': mc['class_name'], 'config': mc['config']}}
    doc = {'format': 'layers-model', 'generatedBy': f'keras v{version}', 'convertedBy': 'TensorFlow.js Converter v4.22.0',
           'modelTopology': topo, 'weightsManifest': [{'paths': ['group1-shard1of1.bin'], 'weights': specs}]}
    with open(os.path.join(folder, 'model.json'), 'w') as fh:
        json.dump(doc, fh)


def write_bad():
    """Damaged and unsupported files for the error tests (from the first case's weights)."""
    import copy
    base = CASES[0]
    write_keras3(base, os.path.join(OUT, 'bad_missing_weights.keras'), newer=False, skip=('lstm',))
    write_keras3(base, os.path.join(OUT, 'weights_only.weights.h5'), newer=True, weights_only=True)
    wrong = copy.deepcopy(base)
    wrong['layers'][0]['weights'][0] = wrong['layers'][0]['weights'][0][:, :12]
    write_keras2(wrong, os.path.join(OUT, 'bad_wrong_shape.h5'))
    act = copy.deepcopy(base)
    act['layers'][0]['cfg']['activation'] = 'relu'
    write_keras2(act, os.path.join(OUT, 'bad_activation.h5'))
    conv = copy.deepcopy(base)
    conv['layers'].insert(0, {'class': 'Conv1D', 'name': 'conv1d', 'cfg': {'filters': 3, 'kernel_size': 2, 'padding': 'same'}})
    write_keras3(conv, os.path.join(OUT, 'bad_conv1d.keras'), newer=True)


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    index = []
    for ci, case in enumerate(CASES):
        x, lengths = build(case)
        layers = [{'class': l['class'], 'cfg': dict(l['cfg'], layer={'class': l['cfg']['layer']['class'], 'cfg': l['cfg']['layer']['cfg']}) if l['class'] == 'Bidirectional' else l['cfg'], 'weights': l.get('weights')} for l in case['layers']]
        inp = {'tokens': x.tolist()} if case.get('vocab') else {'inputs': x.astype(np.float64).tolist()}
        inp['lengths'] = lengths.tolist()
        for fmt, version in (('keras', K3_VERSION), ('h5', K2_VERSION)):
            y = forward(layers, x.astype(np.float64) if not case.get('vocab') else x, lengths, version)
            file = f"{case['name']}.{fmt}"
            twin = f"{case['name']}_{'k3' if fmt == 'keras' else 'k2'}_tfjs"
            if fmt == 'keras':
                write_keras3(case, os.path.join(OUT, file), newer=ci % 2 == 0)
            else:
                write_keras2(case, os.path.join(OUT, file))
            write_tfjs(case, os.path.join(OUT, twin), fmt == 'keras')
            index.append({'name': case['name'], 'about': case['about'], 'file': file, 'twin': f'{twin}/model.json',
                          'kerasVersion': version, 'input': inp, 'expected': y.tolist()})
    write_bad()
    with open(os.path.join(OUT, 'index.json'), 'w') as fh:
        json.dump({'generator': 'tools/make_keras_fixtures.py', 'torchChecked': sorted(CHECKED), 'cases': index}, fh, indent=1)
    print(f'wrote {len(index)} files in {OUT}; recurrent cells checked against torch.nn: {sorted(CHECKED)}')


if __name__ == '__main__':
    main()
