#!/usr/bin/env python3
"""PyTorch reference fixtures for one recurrent layer (one direction) at the sequence level.

Builds single-layer unidirectional nn.RNN (tanh, relu), nn.LSTM and nn.GRU (reset-after), plus a
reset-before GRU written with torch operations (autograd gives its gradients), in float64 with small
seeded weights, runs an unmasked batch and a masked batch (packed with pack_padded_sequence,
unsorted lengths), with random h0 (and c0), and the loss

    L = sum(out * R1) + sum(h_n * R2) (+ sum(c_n * R3) for LSTM)

so that dOut = R1, dhLast = R2, dcLast = R3. It writes, per case, the raw PyTorch tensors under
their PyTorch names ("torch": weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, input, h0, c0,
output, h_n, c_n and their .grad) and the same numbers in rnnlens layout ("ours": W = weight_ih.T,
U = weight_hh.T, bx = bias_ih, bh = bias_hh, time-major x [T, B, D], mask [T, B]). The test checks
the conversion itself from the raw tensors.

Run: /usr/bin/python3 tools/make_sequence_fixtures.py   (writes test/fixtures/sequence/*.json)
"""
import json
import os

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "sequence")

VARIANTS = [
    ("rnn_tanh", lambda D, H: torch.nn.RNN(D, H, nonlinearity="tanh"), {"kind": "rnn", "activation": "tanh"}),
    ("rnn_relu", lambda D, H: torch.nn.RNN(D, H, nonlinearity="relu"), {"kind": "rnn", "activation": "relu"}),
    ("lstm", lambda D, H: torch.nn.LSTM(D, H), {"kind": "lstm"}),
    ("gru", lambda D, H: torch.nn.GRU(D, H), {"kind": "gru", "resetAfter": True}),
    ("gru_reset_before", lambda D, H: ResetBeforeGRU(D, H), {"kind": "gru", "resetAfter": False}),
]

# (name, T, D, H, lengths or None for an unmasked batch)
SHAPES = [
    ("full", 5, 3, 4, None, 3),
    ("masked", 5, 3, 4, [3, 5, 1], 3),
]


class ResetBeforeGRU(torch.nn.Module):
    """GRU with the reset gate applied before the recurrent product (Keras reset_after=False,
    ONNX linear_before_reset=0), which torch.nn.GRU does not offer. Same parameter names and gate
    order (r, z, n) as torch.nn.GRU; gradients come from autograd. Accepts a PackedSequence like
    nn.GRU by unpacking it and carrying the state over padded steps.

        r = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr)
        z = sigmoid(x W_iz^T + b_iz + h W_hz^T + b_hz)
        n = tanh(x W_in^T + b_in + (r * h) W_hn^T + b_hn)
        h' = (1 - z) * n + z * h
    """

    def __init__(self, D, H, reset_after=False):
        super().__init__()
        self.reset_after = reset_after  # True only for self_check() against torch.nn.GRU
        ref = torch.nn.GRU(D, H)  # for PyTorch's default initialisation
        self.weight_ih_l0 = torch.nn.Parameter(ref.weight_ih_l0.detach().clone())
        self.weight_hh_l0 = torch.nn.Parameter(ref.weight_hh_l0.detach().clone())
        self.bias_ih_l0 = torch.nn.Parameter(ref.bias_ih_l0.detach().clone())
        self.bias_hh_l0 = torch.nn.Parameter(ref.bias_hh_l0.detach().clone())
        self.H = H

    def forward(self, inp, h0):
        H = self.H
        if isinstance(inp, torch.nn.utils.rnn.PackedSequence):
            x, lengths = pad_packed_sequence(inp)
        else:
            x, lengths = inp, torch.full((inp.shape[1],), inp.shape[0])
        T = x.shape[0]
        w_ir, w_iz, w_in = self.weight_ih_l0.split(H)
        w_hr, w_hz, w_hn = self.weight_hh_l0.split(H)
        b_ir, b_iz, b_in = self.bias_ih_l0.split(H)
        b_hr, b_hz, b_hn = self.bias_hh_l0.split(H)
        h = h0[0]
        outs = []
        for t in range(T):
            xt = x[t]
            r = torch.sigmoid(xt @ w_ir.T + b_ir + h @ w_hr.T + b_hr)
            z = torch.sigmoid(xt @ w_iz.T + b_iz + h @ w_hz.T + b_hz)
            if self.reset_after:
                n = torch.tanh(xt @ w_in.T + b_in + r * (h @ w_hn.T + b_hn))
            else:
                n = torch.tanh(xt @ w_in.T + b_in + (r * h) @ w_hn.T + b_hn)
            h_new = (1 - z) * n + z * h
            real = (t < lengths).to(x.dtype).unsqueeze(1)
            h = real * h_new + (1 - real) * h
            outs.append(real * h_new)
        out = torch.stack(outs)
        if isinstance(inp, torch.nn.utils.rnn.PackedSequence):
            out = pack_padded_sequence(out, lengths, enforce_sorted=False)
        return out, h.unsqueeze(0)


def tensor_json(t):
    t = t.detach().to(torch.float64).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def make_case(variant, make, cell_extra, shape, seed):
    shape_name, T, D, H, lengths, B = shape
    torch.manual_seed(seed)
    layer = make(D, H).to(torch.float64)
    lstm = isinstance(layer, torch.nn.LSTM)
    x = torch.randn(T, B, D, dtype=torch.float64, requires_grad=True)
    h0 = (0.5 * torch.randn(1, B, H, dtype=torch.float64)).requires_grad_()
    c0 = (0.5 * torch.randn(1, B, H, dtype=torch.float64)).requires_grad_() if lstm else None
    R1 = torch.randn(T, B, H, dtype=torch.float64)
    R2 = torch.randn(1, B, H, dtype=torch.float64)
    R3 = torch.randn(1, B, H, dtype=torch.float64) if lstm else None

    state = (h0, c0) if lstm else h0
    if lengths is None:
        out, final = layer(x, state)
    else:
        packed = pack_padded_sequence(x, torch.tensor(lengths), enforce_sorted=False)
        out_packed, final = layer(packed, state)
        out, _ = pad_packed_sequence(out_packed, total_length=T)
    h_n, c_n = final if lstm else (final, None)
    loss = (out * R1).sum() + (h_n * R2).sum()
    if lstm:
        loss = loss + (c_n * R3).sum()
    loss.backward()

    names = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    params = dict(layer.named_parameters())
    raw = {n: tensor_json(params[n]) for n in names}
    raw.update({"input": tensor_json(x), "h0": tensor_json(h0), "output": tensor_json(out), "h_n": tensor_json(h_n)})
    raw["grad"] = {n: tensor_json(params[n].grad) for n in names}
    raw["grad"].update({"input": tensor_json(x.grad), "h0": tensor_json(h0.grad)})
    if lstm:
        raw.update({"c0": tensor_json(c0), "c_n": tensor_json(c_n)})
        raw["grad"]["c0"] = tensor_json(c0.grad)

    lens = lengths if lengths is not None else [T] * B
    mask = [[1 if t < lens[b] else 0 for b in range(B)] for t in range(T)]
    ours = {
        "W": tensor_json(params["weight_ih_l0"].t()),
        "U": tensor_json(params["weight_hh_l0"].t()),
        "bx": tensor_json(params["bias_ih_l0"]),
        "bh": tensor_json(params["bias_hh_l0"]),
        "x": tensor_json(x),
        "h0": tensor_json(h0[0]),
        "out": tensor_json(out),
        "hLast": tensor_json(h_n[0]),
        "dOut": tensor_json(R1),
        "dhLast": tensor_json(R2[0]),
        "dW": tensor_json(params["weight_ih_l0"].grad.t()),
        "dU": tensor_json(params["weight_hh_l0"].grad.t()),
        "dbx": tensor_json(params["bias_ih_l0"].grad),
        "dbh": tensor_json(params["bias_hh_l0"].grad),
        "dx": tensor_json(x.grad),
        "dh0": tensor_json(h0.grad[0]),
    }
    if lengths is not None:
        ours["mask"] = {"shape": [T, B], "data": [v for row in mask for v in row]}
    if lstm:
        ours.update({
            "c0": tensor_json(c0[0]), "cLast": tensor_json(c_n[0]), "dcLast": tensor_json(R3[0]),
            "dc0": tensor_json(c0.grad[0]),
        })
    cell = {"inputSize": D, "hiddenSize": H, **cell_extra}
    return {
        "name": f"{variant}_{shape_name}",
        "cell": cell,
        "steps": T,
        "batch": B,
        "lengths": lens,
        "loss": "sum(output*R1) + sum(h_n*R2) (+ sum(c_n*R3) for LSTM); R1=dOut, R2=dhLast, R3=dcLast",
        "torch": raw,
        "ours": ours,
    }


def self_check():
    """The hand-written GRU's plumbing (packing, masking, state carry) must reproduce torch.nn.GRU
    when switched to reset-after; only the reset placement differs in the fixture."""
    torch.manual_seed(7)
    ref = torch.nn.GRU(3, 4).to(torch.float64)
    mine = ResetBeforeGRU(3, 4, reset_after=True).to(torch.float64)
    mine.load_state_dict(ref.state_dict())
    x = torch.randn(5, 3, 3, dtype=torch.float64)
    h0 = torch.randn(1, 3, 4, dtype=torch.float64)
    lengths = torch.tensor([3, 5, 1])
    for inp in (x, pack_padded_sequence(x, lengths, enforce_sorted=False)):
        out_ref, h_ref = ref(inp, h0)
        out_mine, h_mine = mine(inp, h0)
        if isinstance(inp, torch.nn.utils.rnn.PackedSequence):
            out_ref, out_mine = pad_packed_sequence(out_ref)[0], pad_packed_sequence(out_mine)[0]
        assert torch.allclose(out_ref, out_mine, rtol=0, atol=1e-12), "hand-written GRU differs from nn.GRU"
        assert torch.allclose(h_ref, h_mine, rtol=0, atol=1e-12), "hand-written GRU final state differs"


def main():
    self_check()
    os.makedirs(OUT_DIR, exist_ok=True)
    for k, (variant, make, extra) in enumerate(VARIANTS):
        cases = [make_case(variant, make, extra, shape, 1000 + 10 * k + j) for j, shape in enumerate(SHAPES)]
        doc = {
            "generator": "tools/make_sequence_fixtures.py",
            "torch_version": torch.__version__,
            "module": {"rnn_tanh": "torch.nn.RNN(nonlinearity='tanh')", "rnn_relu": "torch.nn.RNN(nonlinearity='relu')",
                       "lstm": "torch.nn.LSTM", "gru": "torch.nn.GRU",
                       "gru_reset_before": "ResetBeforeGRU (torch autograd; Keras reset_after=False)"}[variant],
            "dtype": "float64",
            "cases": cases,
        }
        path = os.path.join(OUT_DIR, f"{variant}.json")
        with open(path, "w") as f:
            json.dump(doc, f, separators=(",", ":"))
        print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes, {len(cases)} cases)")


if __name__ == "__main__":
    main()
