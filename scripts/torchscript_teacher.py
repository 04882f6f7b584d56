#!/usr/bin/env python3
"""Train a small PyTorch classifier and export it as a distill4j TorchScript teacher.

A distill4j TorchScript teacher is two files side by side:

  NAME.pt    a traced TorchScript module whose forward(x) returns (logits, stage1, ..., stageN),
             with methods tail1(stage1) .. tailN(stageN) -> logits (the network from each stage output on;
             the causal, Integrated-Gradients terms differentiate through them);
  NAME.json  the manifest: input size, normalisation, class names, and the name and shape of every output.

To export your own model, give it the same three things (see ExportWrapper below): a forward that returns the
logits and the stage outputs you want to distil from, one tail method per stage, and call export(). Trace it in
eval mode: tracing freezes BatchNorm at its running statistics, which is what a teacher needs.

This script, run with Debian's python3-torch (PyTorch 1.13), trains a width-8 CIFAR-style ResNet18 on
Fashion-MNIST and writes teachers/fashion-mnist-torch-resnet18-w8.{pt,json}, plus PyTorch's outputs on four
fixed test images (the fixture distill4j's tests compare against):

  /usr/bin/python3 scripts/torchscript_teacher.py --epochs 2
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
           "Ankle boot"]
DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class Block(nn.Module):
    """The basic residual block: two 3x3 conv + BN, a 1x1 projection when the shape changes."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class ResNet18(nn.Module):
    """CIFAR-style ResNet18 (3x3 stem, no max-pool), base width w, four stages of two blocks."""

    def __init__(self, width=8, in_channels=1, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(in_channels, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width),
                                  nn.ReLU())
        chans = [width, 2 * width, 4 * width, 8 * width]
        stages, cin = [], width
        for i, c in enumerate(chans):
            stride = 1 if i == 0 else 2
            stages.append(nn.Sequential(Block(cin, c, stride), Block(c, c, 1)))
            cin = c
        self.stages = nn.ModuleList(stages)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        h = self.stem(x)
        outs = []
        for s in self.stages:
            h = s(h)
            outs.append(h)
        return self.head(h), outs

    def head(self, h):
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(h, 1), 1))

    def from_stage(self, h, k):
        """The network after stage k (1-based): later stages, pooling, classifier."""
        for s in self.stages[k:]:
            h = s(h)
        return self.head(h)


class ExportWrapper(nn.Module):
    """What distill4j loads: forward -> (logits, stage1..stage4); tailK(stageK) -> logits."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        logits, stages = self.net(x)
        return (logits,) + tuple(stages)

    def tail1(self, h):
        return self.net.from_stage(h, 1)

    def tail2(self, h):
        return self.net.from_stage(h, 2)

    def tail3(self, h):
        return self.net.from_stage(h, 3)

    def tail4(self, h):
        return self.net.from_stage(h, 4)


def export(wrapper, example, out_pt, manifest):
    """Traces forward and every tail in eval mode and writes NAME.pt and its manifest NAME.json."""
    wrapper.eval()
    with torch.no_grad():
        outputs = wrapper(example)
    inputs = {"forward": example}
    for i, stage in enumerate(outputs[1:], start=1):
        inputs["tail%d" % i] = stage
    traced = torch.jit.trace_module(wrapper, inputs, check_trace=False)
    traced.save(out_pt)
    manifest = dict(manifest)
    manifest["outputs"] = [{"name": "logits", "shape": list(outputs[0].shape[1:])}] + [
        {"name": "stage%d" % i, "shape": list(s.shape[1:]), "tail": "tail%d" % i}
        for i, s in enumerate(outputs[1:], start=1)]
    with open(os.path.splitext(out_pt)[0] + ".json", "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return traced


def integrated_gradients(tail, features, labels, steps):
    """distill4j's definition: baseline 0, right Riemann sum, attr = f * mean_k dF_y/df at (k/m) f."""
    grads = torch.zeros_like(features)
    for k in range(1, steps + 1):
        x = (features * (k / steps)).detach().requires_grad_(True)
        logits = tail(x)
        picked = logits.gather(1, labels.view(-1, 1)).sum()
        (g,) = torch.autograd.grad(picked, x)
        grads += g
    return features * grads / steps


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=DEBIAN_DIR)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--width", type=int, default=8)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default="teachers/fashion-mnist-torch-resnet18-w8.pt")
    p.add_argument("--fixture", default="distill4j-core/src/test/resources/torchscript/teacher-outputs.npz")
    a = p.parse_args()
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    torch.set_num_threads(os.cpu_count() or 1)

    xtr = read_idx(os.path.join(a.data, "train-images-idx3-ubyte.gz")).astype(np.float32) / 255
    ytr = read_idx(os.path.join(a.data, "train-labels-idx1-ubyte.gz")).astype(np.int64)
    xte = read_idx(os.path.join(a.data, "t10k-images-idx3-ubyte.gz")).astype(np.float32) / 255
    yte = read_idx(os.path.join(a.data, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    mean, std = float(xtr.mean()), float(xtr.std())
    norm = lambda x: torch.from_numpy((x - mean) / std).unsqueeze(1)
    xtr_t, xte_t = norm(xtr), norm(xte)
    ytr_t, yte_t = torch.from_numpy(ytr), torch.from_numpy(yte)

    net = ResNet18(a.width)
    steps_per_epoch = (len(xtr_t) + a.batch - 1) // a.batch
    opt = torch.optim.SGD(net.parameters(), lr=a.lr, momentum=0.9, weight_decay=5e-4, nesterov=True)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=a.epochs * steps_per_epoch)
    t0 = time.time()
    for epoch in range(a.epochs):
        net.train()
        perm = torch.randperm(len(xtr_t))
        for i in range(steps_per_epoch):
            idx = perm[i * a.batch:(i + 1) * a.batch]
            x = xtr_t[idx]
            flip = torch.rand(len(idx)) < 0.5  # horizontal flips, as distill4j's Fashion-MNIST augmentation
            x[flip] = x[flip].flip(3)
            loss = F.cross_entropy(net(x)[0], ytr_t[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        net.eval()
        with torch.no_grad():
            correct = sum((net(xte_t[j:j + 1000])[0].argmax(1) == yte_t[j:j + 1000]).sum().item()
                          for j in range(0, len(xte_t), 1000))
        print("epoch %d: test top-1 %.2f%% (%.0f s)" % (epoch + 1, 100 * correct / len(xte_t), time.time() - t0),
              flush=True)

    params = sum(p.numel() for p in net.parameters())
    manifest = {
        "format": "distill4j-torchscript/1",
        "model": "resnet18-w%d (PyTorch, scripts/torchscript_teacher.py)" % a.width,
        "dataset": "fashion-mnist",
        "input": {"channels": 1, "height": 28, "width": 28},
        "mean": [mean],
        "std": [std],
        "classNames": CLASSES,
        "parameters": params,
        "testTop1": correct / len(xte_t),
        "torch": torch.__version__,
    }
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    wrapper = ExportWrapper(net)
    traced = export(wrapper, xte_t[:2], a.out, manifest)

    # The fixture: PyTorch's outputs on four fixed test images, and IG through each tail (m = 8, true labels).
    x, y = xte_t[:4], yte_t[:4]
    with torch.no_grad():
        outs = traced(x)
    arrays = {"images": x.numpy(), "labels": y.numpy(), "logits": outs[0].numpy()}
    for i, s in enumerate(outs[1:], start=1):
        arrays["stage%d" % i] = s.numpy()
        arrays["ig%d" % i] = integrated_gradients(lambda h, i=i: getattr(traced, "tail%d" % i)(h), s, y, 8).numpy()
    os.makedirs(os.path.dirname(a.fixture), exist_ok=True)
    np.savez(a.fixture, **arrays)
    print("wrote %s (%d parameters, %.2f MB), its manifest, and %s" % (
        a.out, params, os.path.getsize(a.out) / 1e6, a.fixture))


if __name__ == "__main__":
    main()
