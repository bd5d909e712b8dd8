#!/usr/bin/python3
"""Model-level PyTorch fixtures for rnnlens (src/nn): run with /usr/bin/python3 (torch 1.13).

Each fixture is a small float64 PyTorch model: [Embedding] -> nn.RNN/LSTM/GRU (1 or 2 layers,
uni- or bidirectional, masked batch through pack_padded_sequence) -> a head -> nn.Linear.
It stores the rnnlens model config, the PyTorch state_dict under PyTorch's own names (the test
maps them through src/nn/names.ts, so the mapping is tested too), the input, the output, a random
upstream gradient G and the gradients of loss = sum(output * G) for every parameter and the input
(or the embedding vectors), and initial-state gradients where an initial state is given.

Heads (padded steps never contribute):
  last   output at each sequence's last valid step
  every  per-step output (Linear on every step, zeroed at padded steps)
  mean   mean over valid steps;  max  max over valid steps
  final  the top layer's final hidden state(s) h_n (rnnlens: returnSequences false)

Writes test/fixtures/model/*.json.
"""
import json
import os

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'model')

B, T, D, H, O = 3, 6, 3, 4, 2
LENGTHS = [6, 4, 1]
CLASSES = {'rnn': nn.RNN, 'lstm': nn.LSTM, 'gru': nn.GRU}
KINDS = {'rnn': 'simple_rnn', 'lstm': 'lstm', 'gru': 'gru'}


class Net(nn.Module):
    def __init__(self, cell, layers, bidir, head, nonlinearity, vocab):
        super().__init__()
        if vocab:
            self.embedding = nn.Embedding(vocab, D)
        kw = {'nonlinearity': nonlinearity} if cell == 'rnn' else {}
        self.rnn = CLASSES[cell](D, H, num_layers=layers, bidirectional=bidir, batch_first=True, **kw)
        self.fc = nn.Linear(H * (2 if bidir else 1), O)
        self.cell, self.layers, self.bidir, self.head = cell, layers, bidir, head

    def forward(self, x, lengths, state):
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
        out, hn = self.rnn(packed, state)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=T)  # zeros at padding
        mask = (torch.arange(T)[None, :] < torch.tensor(lengths)[:, None])  # [B, T]
        if self.head == 'last':
            feat = out[torch.arange(B), torch.tensor(lengths) - 1]
        elif self.head == 'every':
            return self.fc(out) * mask[:, :, None]
        elif self.head == 'mean':
            feat = out.sum(dim=1) / torch.tensor(lengths, dtype=out.dtype)[:, None]
        elif self.head == 'max':
            feat = out.masked_fill(~mask[:, :, None], float('-inf')).max(dim=1).values
        else:  # final: the top layer's h_n, forward then backward direction
            h = hn[0] if self.cell == 'lstm' else hn
            feat = torch.cat([h[-2], h[-1]], dim=1) if self.bidir else h[-1]
        return self.fc(feat)


def rnnlens_config(cell, layers, bidir, head, nonlinearity, vocab):
    cfg_layers = []
    if vocab:
        cfg_layers.append({'kind': 'embedding', 'vocabSize': vocab, 'dim': D})
    for l in range(layers):
        inner = {'kind': KINDS[cell], 'units': H, 'returnSequences': l < layers - 1 or head != 'final'}
        if cell == 'rnn':
            inner['activation'] = nonlinearity
        cfg_layers.append({'kind': 'bidirectional', 'merge': 'concat', 'layer': inner} if bidir else inner)
    if head != 'final':
        cfg_layers.append({'kind': 'head', 'pool': head})
    cfg_layers.append({'kind': 'dense', 'units': O})
    inp = {'kind': 'tokens', 'vocabSize': vocab} if vocab else {'kind': 'numeric', 'features': D}
    return {'input': inp, 'layers': cfg_layers}


def arr(t):
    t = t.detach()
    return {'shape': list(t.shape), 'data': [float(v) for v in t.reshape(-1).tolist()]}


def make(name, cell, layers, bidir, head, seed, nonlinearity='tanh', vocab=0, init_state=False):
    torch.manual_seed(seed)
    net = Net(cell, layers, bidir, head, nonlinearity, vocab)
    mask = (torch.arange(T)[None, :] < torch.tensor(LENGTHS)[:, None])
    fixture = {'name': name, 'config': rnnlens_config(cell, layers, bidir, head, nonlinearity, vocab), 'lengths': LENGTHS}
    if vocab:
        ids = torch.randint(0, vocab, (B, T)) * mask  # padding id 0
        x = net.embedding(ids)
        x.retain_grad()
        fixture['ids'] = {'shape': [B, T], 'data': ids.reshape(-1).tolist()}
    else:
        x = (torch.randn(B, T, D) * mask[:, :, None]).requires_grad_(True)
        fixture['input'] = arr(x)
    state = None
    if init_state:
        n = layers * (2 if bidir else 1)
        h0 = torch.randn(n, B, H, requires_grad=True)
        state = (h0, torch.randn(n, B, H, requires_grad=True)) if cell == 'lstm' else h0
    y = net(x, LENGTHS, state)
    g = torch.randn(y.shape)
    if head == 'every':
        g = g * mask[:, :, None]
    (y * g).sum().backward()
    fixture['state'] = {k: arr(v) for k, v in net.state_dict().items()}
    fixture['output'] = arr(y)
    fixture['gradOutput'] = arr(g)
    fixture['grads'] = {k: arr(p.grad) for k, p in net.named_parameters()}
    fixture['inputGrad'] = arr(x.grad)
    if init_state:
        hs = state if cell != 'lstm' else state[0]
        fixture['h0'] = arr(hs)
        fixture['h0Grad'] = arr(hs.grad)
        if cell == 'lstm':
            fixture['c0'] = arr(state[1])
            fixture['c0Grad'] = arr(state[1].grad)
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        json.dump(fixture, f, separators=(',', ':'))
    return name


def main():
    os.makedirs(OUT, exist_ok=True)
    names = []
    seed = 100
    for cell in ('rnn', 'lstm', 'gru'):
        for layers in (1, 2):
            for bidir in (False, True):
                for head in ('last', 'every'):
                    seed += 1
                    name = f"{cell}_l{layers}_{'bi' if bidir else 'uni'}_{head}"
                    names.append(make(name, cell, layers, bidir, head, seed))
    names.append(make('rnn_relu_l1_uni_mean', 'rnn', 1, False, 'mean', 201, nonlinearity='relu'))
    names.append(make('lstm_l1_bi_max', 'lstm', 1, True, 'max', 202))
    names.append(make('lstm_l1_uni_final_h0', 'lstm', 1, False, 'final', 203, init_state=True))
    names.append(make('gru_l2_bi_final_h0', 'gru', 2, True, 'final', 204, init_state=True))
    names.append(make('rnn_relu_l2_bi_max', 'rnn', 2, True, 'max', 205, nonlinearity='relu'))
    names.append(make('embedding_gru_last', 'gru', 1, False, 'last', 206, vocab=7))
    names.append(make('embedding_lstm_l2_bi_mean', 'lstm', 2, True, 'mean', 207, vocab=7))
    with open(os.path.join(OUT, 'index.json'), 'w') as f:
        json.dump({'generator': 'tools/make_model_fixtures.py', 'torch': torch.__version__, 'fixtures': names}, f, indent=1)


if __name__ == '__main__':
    main()
