"""Regenerates test/fixtures/train/*.json from PyTorch (reference for src/train).

Run: /usr/bin/python3 tools/make_optim_fixtures.py   (torch 1.13, CPU)

Every input is drawn in float32 and then widened, so the same numbers are exact in both dtypes;
expected values are computed in float64 unless a case says dtype float32.
"""
import json
import math
import os
import warnings

import torch
import torch.nn.functional as F

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "train"))
# SequentialLR calls scheduler.step(0) internally, which triggers PyTorch's own deprecation warning
warnings.filterwarnings("ignore", message="The epoch parameter")
torch.manual_seed(20261128)


def randn(*shape, scale=1.0):
    return (torch.randn(*shape, dtype=torch.float32) * scale).double()


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
    print(path, os.path.getsize(path), "bytes")


# ---------------------------------------------------------------- optimisers
SHAPES = [[3, 4], [4], [2, 3]]
STEPS = 3


def optim_case(name, kind, options, dtype="float64", lrs=None):
    dt = torch.float64 if dtype == "float64" else torch.float32
    init = [randn(*s).to(dt) for s in SHAPES]
    # gradients of very different sizes per step so amsgrad's running maximum matters
    grads = [[randn(*s, scale=[1.0, 3.0, 0.2][k]).to(dt) for s in SHAPES] for k in range(STEPS)]
    params = [p.clone().requires_grad_(True) for p in init]
    ctor = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
            "rmsprop": torch.optim.RMSprop}[kind]
    opt = ctor(params, **options)
    lrs = lrs or [options["lr"]] * STEPS
    after = []
    for k in range(STEPS):
        for g in opt.param_groups:
            g["lr"] = lrs[k]
        for p, g in zip(params, grads[k]):
            p.grad = g.clone()
        opt.step()
        after.append([flat(p) for p in params])
    return {"name": name, "type": kind, "options": options, "dtype": dtype, "shapes": SHAPES,
            "lrs": lrs, "init": [flat(p) for p in init],
            "grads": [[flat(g) for g in gs] for gs in grads], "after": after}


optim_cases = [
    optim_case("sgd plain", "sgd", {"lr": 0.1}),
    optim_case("sgd momentum", "sgd", {"lr": 0.1, "momentum": 0.9}),
    optim_case("sgd momentum dampening weight decay", "sgd",
               {"lr": 0.05, "momentum": 0.8, "dampening": 0.1, "weight_decay": 0.01}),
    optim_case("sgd nesterov", "sgd", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.001},
               lrs=[0.1, 0.1, 0.03]),
    optim_case("adam", "adam", {"lr": 0.01}),
    optim_case("adam betas eps weight decay", "adam",
               {"lr": 0.02, "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.01}),
    optim_case("adam amsgrad", "adam", {"lr": 0.01, "amsgrad": True}, lrs=[0.01, 0.005, 0.005]),
    optim_case("adamw", "adamw", {"lr": 0.01, "weight_decay": 0.1}),
    optim_case("adamw amsgrad", "adamw", {"lr": 0.01, "weight_decay": 0.01, "amsgrad": True}),
    optim_case("rmsprop", "rmsprop", {"lr": 0.01}),
    optim_case("rmsprop centered momentum weight decay", "rmsprop",
               {"lr": 0.01, "alpha": 0.9, "eps": 1e-7, "momentum": 0.5, "centered": True, "weight_decay": 0.01}),
    optim_case("rmsprop momentum", "rmsprop", {"lr": 0.005, "momentum": 0.9}, lrs=[0.005, 0.01, 0.01]),
    optim_case("sgd nesterov float32", "sgd", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, dtype="float32"),
    optim_case("adam float32", "adam", {"lr": 0.01, "amsgrad": True}, dtype="float32"),
    optim_case("adamw float32", "adamw", {"lr": 0.01, "weight_decay": 0.05}, dtype="float32"),
    optim_case("rmsprop centered float32", "rmsprop",
               {"lr": 0.01, "momentum": 0.5, "centered": True}, dtype="float32"),
]
write("optimizers.json", optim_cases)

# ---------------------------------------------------------------- losses
loss_cases = []


def ce_case(name, n, c, weight=False, smoothing=0.0, ignore=False, reduction="mean"):
    logits = randn(n, c, scale=3.0).requires_grad_(True)
    targets = torch.randint(0, c, (n,))
    ignore_index = -100
    if ignore:
        targets[1] = ignore_index
        targets[n - 2] = ignore_index
    w = (torch.rand(c, dtype=torch.float32) + 0.2).double() if weight else None
    loss = F.cross_entropy(logits, targets, weight=w, ignore_index=ignore_index,
                           label_smoothing=smoothing, reduction=reduction)
    loss.backward()
    loss_cases.append({"name": name, "kind": "cross-entropy", "shape": [n, c], "logits": flat(logits),
                       "targets": targets.tolist(), "weights": flat(w) if w is not None else None,
                       "labelSmoothing": smoothing, "ignoreIndex": ignore_index if ignore else None,
                       "reduction": reduction, "loss": loss.item(), "grad": flat(logits.grad)})


ce_case("ce plain", 6, 5)
ce_case("ce weights", 6, 5, weight=True)
ce_case("ce smoothing", 6, 5, smoothing=0.1)
ce_case("ce weights smoothing", 7, 4, weight=True, smoothing=0.2)
ce_case("ce ignore", 6, 5, ignore=True)
ce_case("ce weights smoothing ignore", 8, 3, weight=True, smoothing=0.15, ignore=True)
ce_case("ce sum", 5, 4, weight=True, smoothing=0.1, reduction="sum")


def seq_case(name, b, t, c, lengths, weight=False, smoothing=0.0):
    logits = randn(b, t, c, scale=2.0).requires_grad_(True)
    targets = torch.randint(0, c, (b, t))
    padded = targets.clone()
    for i, n in enumerate(lengths):
        padded[i, n:] = -100
    w = (torch.rand(c, dtype=torch.float32) + 0.2).double() if weight else None
    # mean over real steps only == cross-entropy with the padded steps ignored
    loss = F.cross_entropy(logits.reshape(b * t, c), padded.reshape(-1), weight=w,
                           ignore_index=-100, label_smoothing=smoothing)
    loss.backward()
    loss_cases.append({"name": name, "kind": "sequence-cross-entropy", "shape": [b, t, c],
                       "logits": flat(logits), "targets": targets.reshape(-1).tolist(), "lengths": lengths,
                       "weights": flat(w) if w is not None else None, "labelSmoothing": smoothing,
                       "loss": loss.item(), "grad": flat(logits.grad)})


seq_case("seq ce", 3, 5, 4, [5, 3, 1])
seq_case("seq ce weights smoothing", 4, 6, 5, [2, 6, 4, 1], weight=True, smoothing=0.1)


def bce_case(name, n, k, pos_weight=False, soft=False):
    logits = randn(n, k, scale=4.0).requires_grad_(True)
    targets = torch.rand(n, k, dtype=torch.float32).double() if soft else torch.randint(0, 2, (n, k)).double()
    pw = (torch.rand(k, dtype=torch.float32) * 3 + 0.1).double() if pos_weight else None
    loss = F.binary_cross_entropy_with_logits(logits, targets, pos_weight=pw)
    loss.backward()
    loss_cases.append({"name": name, "kind": "binary-cross-entropy", "shape": [n, k], "logits": flat(logits),
                       "targets": flat(targets), "posWeight": flat(pw) if pw is not None else None,
                       "loss": loss.item(), "grad": flat(logits.grad)})


bce_case("bce", 5, 3)
bce_case("bce pos weight", 5, 3, pos_weight=True)
bce_case("bce soft pos weight", 4, 2, pos_weight=True, soft=True)


def reg_case(name, kind, fn, **kw):
    pred = randn(5, 3).requires_grad_(True)
    target = randn(5, 3)
    loss = fn(pred, target, **kw)
    loss.backward()
    loss_cases.append({"name": name, "kind": kind, "shape": [5, 3], "predictions": flat(pred),
                       "targets": flat(target), "delta": kw.get("delta"), "loss": loss.item(),
                       "grad": flat(pred.grad)})


reg_case("mse", "mse", F.mse_loss)
reg_case("mae", "mae", F.l1_loss)
reg_case("huber 1", "huber", F.huber_loss, delta=1.0)
reg_case("huber 0.5", "huber", F.huber_loss, delta=0.5)
write("losses.json", loss_cases)

# ---------------------------------------------------------------- schedules
EPOCHS = 30


def lr_sequence(make, metrics=None):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    sched = make(opt)
    lrs = [opt.param_groups[0]["lr"]]
    for e in range(EPOCHS):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[e])
        lrs.append(opt.param_groups[0]["lr"])
    return lrs


S = torch.optim.lr_scheduler
plateau_metrics = [1.0, 0.9, 0.85, 0.85, 0.8501, 0.86, 0.7, 0.69995, 0.7, 0.71, 0.72, 0.73, 0.6, 0.6, 0.6,
                   0.6, 0.6, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
acc_metrics = [0.5, 0.6, 0.61, 0.605, 0.62, 0.7, 0.7, 0.705, 0.709, 0.71, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.81,
               0.85, 0.85, 0.85, 0.85, 0.85, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]
schedule_cases = [
    {"name": "step", "config": {"type": "step", "stepSize": 7, "gamma": 0.5},
     "lrs": lr_sequence(lambda o: S.StepLR(o, step_size=7, gamma=0.5))},
    {"name": "exponential", "config": {"type": "exponential", "gamma": 0.9},
     "lrs": lr_sequence(lambda o: S.ExponentialLR(o, gamma=0.9))},
    {"name": "cosine", "config": {"type": "cosine", "tMax": 30, "etaMin": 0.001},
     "lrs": lr_sequence(lambda o: S.CosineAnnealingLR(o, T_max=30, eta_min=0.001))},
    {"name": "cosine periodic", "config": {"type": "cosine", "tMax": 10, "etaMin": 0.0},
     "lrs": lr_sequence(lambda o: S.CosineAnnealingLR(o, T_max=10))},
    {"name": "cosine warmup", "config": {"type": "cosine", "tMax": 25, "etaMin": 0.0, "warmupEpochs": 5,
                                         "warmupStartFactor": 0.1},
     "lrs": lr_sequence(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=5),
                                                     S.CosineAnnealingLR(o, T_max=25)], milestones=[5]))},
    {"name": "plateau min rel", "config": {"type": "plateau", "mode": "min", "factor": 0.5, "patience": 2,
                                           "threshold": 1e-4, "thresholdMode": "rel", "cooldown": 1,
                                           "minLr": 0.01},
     "metrics": plateau_metrics,
     "lrs": lr_sequence(lambda o: S.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=2, threshold=1e-4,
                                                      threshold_mode="rel", cooldown=1, min_lr=0.01),
                        plateau_metrics)},
    {"name": "plateau max abs", "config": {"type": "plateau", "mode": "max", "factor": 0.3, "patience": 1,
                                           "threshold": 0.01, "thresholdMode": "abs", "cooldown": 0,
                                           "minLr": 0.0},
     "metrics": acc_metrics,
     "lrs": lr_sequence(lambda o: S.ReduceLROnPlateau(o, mode="max", factor=0.3, patience=1, threshold=0.01,
                                                      threshold_mode="abs"), acc_metrics)},
]
write("schedules.json", schedule_cases)

# ---------------------------------------------------------------- clipping
clip_cases = []
for name, max_norm, norm_type in [("clip 2 active", 1.0, 2.0), ("clip 2 inactive", 100.0, 2.0),
                                  ("clip inf active", 0.5, math.inf)]:
    grads = [randn(*s) for s in SHAPES]
    params = [torch.zeros(*s, dtype=torch.float64, requires_grad=True) for s in SHAPES]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    clip_cases.append({"name": name, "maxNorm": max_norm, "normType": "inf" if math.isinf(norm_type) else norm_type,
                       "shapes": SHAPES, "grads": [flat(g) for g in grads], "norm": total.item(),
                       "after": [flat(p.grad) for p in params]})
write("clip.json", clip_cases)
