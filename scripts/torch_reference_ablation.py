#!/usr/bin/python3
"""Why distill4j's students trail the PyTorch reference (issue 14, item 3): the reference's training loop
(../shared/bench/torch_fmnist_ref.py) with one of its choices at a time switched to distill4j's, so each
factor's share of the gap is measured in PyTorch, where nothing else changes.

  /usr/bin/python3 scripts/torch_reference_ablation.py --teacher runs/torch-reference/teacher.pt \
      --variants ref cosine size28 glorot distill4j --kd distill4j --out runs/torch-ablation.json

Factors (the reference's choice first, distill4j's second):
  schedule  one-cycle (15% warm-up from lr/25, momentum cycled 0.95-0.85, Nesterov)  |  cosine from lr, momentum 0.9
  size      28x28 zero-padded to 32x32 (crops of 32 from 40)                          |  28x28 (crops of 28 from 36)
  init      PyTorch's default (Kaiming-uniform, a = sqrt(5): bound 1/sqrt(fan_in))    |  DJL's Xavier-uniform (avg, 6)
Students are width-16 ResNet18s on the first --train training images; KD uses the exported teacher (TorchScript,
first output = logits) on the student's own crops. Writes one JSON with every run's test top-1.
"""
import argparse, json, math, os, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))

VARIANTS = {  # name: (schedule, size, init)
    "ref": ("onecycle", 32, "torch"),
    "cosine": ("cosine", 32, "torch"),
    "size28": ("onecycle", 28, "torch"),
    "glorot": ("onecycle", 32, "glorot"),
    "cosine-glorot": ("cosine", 32, "glorot"),
    "distill4j": ("cosine", 28, "glorot"),
}


def glorot_(model):
    """DJL's default for every weight: Xavier-uniform, factor avg, magnitude 6 (biases and BatchNorm as DJL: 0 / 1)."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def crop(x, g, pad=4):
    b, _, h, w = x.shape
    xp = F.pad(x, (pad, pad, pad, pad))
    offs = torch.randint(0, 2 * pad + 1, (b, 2), generator=g)
    out = torch.empty_like(x)
    for i in range(b):
        oy, ox = offs[i].tolist()
        out[i] = xp[i, :, oy:oy + h, ox:ox + w]
    return out


def train(ref, x, y, epochs, seed, schedule, init, width, teacher=None, T=4.0, lam=0.9, bs=64, lr=0.05):
    torch.manual_seed(seed)
    m = ref.make("student", width)
    if init == "glorot":
        glorot_(m)
    g = torch.Generator().manual_seed(seed)
    steps_per_epoch = (len(x) + bs - 1) // bs
    steps = epochs * steps_per_epoch
    if schedule == "onecycle":
        opt = torch.optim.SGD(m.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4, nesterov=True)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15)
    else:  # distill4j: lr(t) = lr (1 + cos(pi t / epochs)) / 2, t = epoch + batch / batches, set before each step
        opt = torch.optim.SGD(m.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)
        sched = None
    step = 0
    for e in range(epochs):
        m.train()
        perm = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), bs):
            if sched is None:
                for group in opt.param_groups:
                    group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * step / steps))
            idxs = perm[i:i + bs]
            xb, yb = crop(x[idxs], g), y[idxs]
            s = m(xb)
            loss = F.cross_entropy(s, yb)
            if teacher is not None:
                with torch.no_grad():
                    t = teacher(xb)[0]
                kl = F.kl_div(F.log_softmax(s / T, 1), F.softmax(t / T, 1), reduction="batchmean") * T * T
                loss = (1 - lam) * loss + lam * kl
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step()
            step += 1
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default=os.path.join(HERE, "..", "..", "shared", "bench"))
    ap.add_argument("--teacher", default="runs/torch-reference/teacher.pt")
    ap.add_argument("--train", type=int, default=10000)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--variants", nargs="+", default=["ref", "cosine", "size28", "glorot", "distill4j"],
                    choices=sorted(VARIANTS))
    ap.add_argument("--kd", nargs="*", default=["distill4j"], choices=sorted(VARIANTS),
                    help="variants also trained with KD from --teacher")
    ap.add_argument("--out", default="runs/torch-ablation.json")
    a = ap.parse_args()
    sys.path.insert(0, os.path.abspath(a.bench))
    import torch_fmnist_ref as ref  # the reference's data and models, unchanged
    torch.set_num_threads(2)
    x32, y, xte32, yte = ref.load(a.train)
    data = {32: (x32, xte32), 28: (x32[:, :, 2:30, 2:30].contiguous(), xte32[:, :, 2:30, 2:30].contiguous())}
    teacher = None
    if a.kd:
        teacher = torch.jit.load(a.teacher).eval()  # traced at 28x28; fully convolutional
    res = {"args": vars(a), "torch": torch.__version__, "runs": {}}
    jobs = [(v, None) for v in a.variants] + [(v, "kd") for v in a.kd]
    for v, kind in jobs:
        schedule, size, init = VARIANTS[v]
        xtr, xte = data[size]
        key = v + ("+kd" if kind else "")
        accs = []
        for sd in a.seeds:
            t0 = time.time()
            m = train(ref, xtr, y, a.epochs, sd, schedule, init, a.width, teacher if kind else None)
            accs.append(ref.evaluate(m, xte, yte))
            print(key, sd, accs[-1], "%.0fs" % (time.time() - t0), flush=True)
        res["runs"][key] = {"schedule": schedule, "size": size, "init": init, "kd": bool(kind), "top1": accs,
                            "mean": float(np.mean(accs)), "std": float(np.std(accs, ddof=1)) if len(accs) > 1 else 0.0}
        with open(a.out + ".tmp", "w") as f:
            json.dump(res, f, indent=1)
        os.replace(a.out + ".tmp", a.out)
    for k, r in res["runs"].items():
        print("%-16s %.2f +- %.2f" % (k, 100 * r["mean"], 100 * r["std"]))


if __name__ == "__main__":
    main()
