"""Reference numbers for the synthesiser's acoustic model (src/speech/acoustic-model.ts, tts-loss.ts).

A re-implementation in PyTorch 1.13 of the teacher-forced decoder (pre-net without dropout,
digit and speaker embeddings, stacked LSTM or GRU, mel and stop outputs) and of its loss
(L1 + L2 over real frames, weighted stop BCE over real steps); autograd gives the gradients.
Parameters are drawn here and stored in rnnlens layout (Dense kernel [in, out] = Linear.weight^T;
recurrent W [D, G*H] = weight_ih^T, U [H, G*H] = weight_hh^T, bx = bias_ih, bh = bias_hh, gate
blocks in PyTorch order). Writes test/fixtures/speech/tts_reference.json.

Run: /usr/bin/python3 tools/make_tts_fixtures.py
"""
import json
import os

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'speech', 'tts_reference.json')


def case(cell, seed):
    rng = np.random.default_rng(seed)
    cfg = dict(digits=['0', '1', '2'], speakers=['a', 'b'], melBands=3, reduction=2, cell=cell, hidden=4,
               layers=2, prenet=5, prenetDropout=0.0, digitDim=2, speakerDim=2)
    M, r, H, P, Ed, Es = 3, 2, 4, 5, 2, 2
    G = 4 if cell == 'lstm' else 3
    params = {}

    def dense(name, i, o):
        params[f'{name}/kernel'] = rng.uniform(-0.6, 0.6, (i, o))
        params[f'{name}/bias'] = rng.uniform(-0.3, 0.3, (o,))

    dense('digit_embedding', 3, Ed)
    dense('speaker_embedding', 2, Es)
    dense('prenet_1', M, P)
    dense('prenet_2', P, P)
    size = P + Ed + Es
    for l in range(2):
        n = f'decoder_{l + 1}'
        params[f'{n}/W'] = rng.uniform(-0.5, 0.5, (size, G * H))
        params[f'{n}/U'] = rng.uniform(-0.5, 0.5, (H, G * H))
        params[f'{n}/bx'] = rng.uniform(-0.2, 0.2, (G * H,))
        params[f'{n}/bh'] = rng.uniform(-0.2, 0.2, (G * H,))
        size = H
    dense('mel_out', H, r * M)
    dense('stop_out', H, 1)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}

    # batch: 2 words of 5 and 3 frames -> 3 and 2 decoder steps
    frames = [5, 3]
    digit, speaker = [2, 0], [1, 0]
    lengths = [(f + r - 1) // r for f in frames]
    T = max(lengths)
    mels = [rng.normal(size=(f, M)) for f in frames]
    prev = np.zeros((2, T, M))
    target = np.zeros((2, T * r, M))
    for b in range(2):
        target[b, :frames[b]] = mels[b]
        for s in range(1, lengths[b]):
            prev[b, s] = mels[b][s * r - 1]

    def lin(x, name):
        return x @ t[f'{name}/kernel'] + t[f'{name}/bias']

    ed = lin(torch.eye(3)[digit], 'digit_embedding')
    es = lin(torch.eye(2)[speaker], 'speaker_embedding')
    p = torch.relu(lin(torch.relu(lin(torch.tensor(prev), 'prenet_1')), 'prenet_2'))
    x = torch.cat([p, ed[:, None, :].expand(2, T, Ed), es[:, None, :].expand(2, T, Es)], dim=2)
    mask = torch.tensor([[1.0 if s < lengths[b] else 0.0 for s in range(T)] for b in range(2)])
    x = x * mask[:, :, None]
    h = x
    for l in range(2):
        n = f'decoder_{l + 1}'
        # torch's own LSTM/GRU cells (gate order i f g o / r z n, GRU reset-after) on our tensors
        w_ih, w_hh, b_ih, b_hh = t[f'{n}/W'].T, t[f'{n}/U'].T, t[f'{n}/bx'], t[f'{n}/bh']
        hs = []
        hp = torch.zeros(2, H)
        cp = torch.zeros(2, H)
        for s in range(T):
            if cell == 'lstm':
                hp, cp = torch._VF.lstm_cell(h[:, s], (hp, cp), w_ih, w_hh, b_ih, b_hh)
            else:
                hp = torch._VF.gru_cell(h[:, s], hp, w_ih, w_hh, b_ih, b_hh)
            hs.append(hp)
        h = torch.stack(hs, dim=1)
    mel = lin(h, 'mel_out').reshape(2, T * r, M)
    stop = lin(h, 'stop_out')[:, :, 0]
    fmask = torch.tensor([[1.0 if f < frames[b] else 0.0 for f in range(T * r)] for b in range(2)])[:, :, None]
    d = (mel - torch.tensor(target)) * fmask
    count = sum(frames) * M
    mel_loss = (d.abs().sum() + (d ** 2).sum()) / count
    y = torch.tensor([[1.0 if s == lengths[b] - 1 else 0.0 for s in range(T)] for b in range(2)])
    w = 1 + 4 * y  # stop weight 5 on the positive step
    bce = torch.nn.functional.binary_cross_entropy_with_logits(stop, y, weight=w * mask, reduction='sum') / sum(lengths)
    loss = mel_loss + bce
    loss.backward()
    return dict(cell=cell, config=cfg, params={k: v.reshape(-1).tolist() for k, v in params.items()},
                batch=dict(digit=digit, speaker=speaker, prev=prev.reshape(-1).tolist(), steps=T, lengths=lengths,
                           target=target.reshape(-1).tolist(), frames=frames),
                loss=loss.item(), mel=mel_loss.item(), stop=bce.item(),
                grads={k: t[k].grad.reshape(-1).tolist() for k in params})


if __name__ == '__main__':
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump({'torch': torch.__version__, 'cases': [case('lstm', 1), case('gru', 2)]}, f)
    print('wrote', OUT)
