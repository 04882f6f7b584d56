#!/usr/bin/python3
"""distill4j against the PyTorch reference, side by side (issue 14): runs ../shared/bench/torch_fmnist_ref.py's own
training code (teacher, then students alone and with KD over seeds) and also exports its teacher as a distill4j
TorchScript teacher, so that distill4j's students can learn from the very same network.

  /usr/bin/python3 scripts/torch_reference.py --bench ../shared/bench --train 10000 --epochs 3 \
      --teacher-train 60000 --teacher-epochs 2 --seeds 0 1 2 --out runs/torch-reference

writes OUT/teacher.pt + OUT/teacher.json (the teacher, traced at 28x28: the network is fully convolutional),
OUT/teacher-32.pt + OUT/teacher-32.json (the same traced module, declared at the reference's own 32x32: Fashion-MNIST
with a 2-pixel black border, distill4j's `border: 2`) and OUT/reference.json (the reference's accuracies).
Then experiments/fashion-mnist-torch-reference.yaml runs distill4j's side with that teacher.
`--only-32 OUT` writes the 32x32 pair from an existing OUT/teacher.pt (checking it scores the reference's top-1).
"""
import argparse, json, os, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


class Wrapper(nn.Module):
    """forward -> (logits, stage1..4); tailK(stageK) -> logits: what distill4j loads from a TorchScript teacher."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        h = self.net.stem(x)
        outs = []
        for s in self.net.stages:
            h = s(h)
            outs.append(h)
        return (self.head(h),) + tuple(outs)

    def head(self, h):
        return self.net.fc(torch.flatten(F.adaptive_avg_pool2d(h, 1), 1))

    def after(self, h, k: int):
        for i, s in enumerate(self.net.stages):
            if i >= k:
                h = s(h)
        return self.head(h)

    def tail1(self, h):
        return self.after(h, 1)

    def tail2(self, h):
        return self.after(h, 2)

    def tail3(self, h):
        return self.after(h, 3)

    def tail4(self, h):
        return self.after(h, 4)


def declare_32(out, xte32, yte):
    """OUT/teacher-32.{pt,json}: the traced teacher (shape-generic) declared at 32x32; returns its top-1 there."""
    traced = torch.jit.load(os.path.join(out, "teacher.pt")).eval()
    with open(os.path.join(out, "teacher.json")) as f:
        manifest = json.load(f)
    with torch.inference_mode():
        outputs = traced(xte32[:2])
        top1 = sum((traced(xte32[i:i + 500])[0].argmax(1) == yte[i:i + 500]).sum().item()
                   for i in range(0, len(xte32), 500)) / len(xte32)
    manifest["input"] = {"channels": 1, "height": 32, "width": 32}
    manifest["model"] = manifest["model"] + ", 32x32 input"
    manifest["testTop1"] = top1
    # the border's black pixels lower the pixel mean; distill4j normalises a bordered set with its own statistics,
    # the teacher with these (the reference's 28x28 values, which it applies after padding)
    manifest["outputs"] = [{"name": "logits", "shape": list(outputs[0].shape[1:])}] + [
        {"name": "stage%d" % i, "shape": list(o.shape[1:]), "tail": "tail%d" % i}
        for i, o in enumerate(outputs[1:], start=1)]
    traced.save(os.path.join(out, "teacher-32.pt"))
    with open(os.path.join(out, "teacher-32.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return top1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only-32", action="store_true",
                    help="only write OUT/teacher-32.{pt,json} from an existing OUT/teacher.pt")
    ap.add_argument("--bench", default=os.path.join(HERE, "..", "..", "shared", "bench"))
    ap.add_argument("--train", type=int, default=10000)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--teacher-train", type=int, default=60000)
    ap.add_argument("--teacher-epochs", type=int, default=2)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--out", default="runs/torch-reference")
    a = ap.parse_args()
    sys.path.insert(0, os.path.abspath(a.bench))
    sys.path.insert(0, HERE)
    import torch_fmnist_ref as ref  # the reference's data, models and training loop, unchanged
    import torch_kd_bench as bench
    from torchscript_teacher import export
    torch.set_num_threads(2)
    os.makedirs(a.out, exist_ok=True)

    if a.only_32:
        _, _, xte, yte = ref.load(1)
        print("teacher on 32x32 test images", declare_32(a.out, xte, yte), flush=True)
        return
    xall, yall, xte, yte = ref.load(a.teacher_train)
    xtr, ytr = xall[:a.train], yall[:a.train]
    res = {"args": vars(a), "torch": torch.__version__}
    t0 = time.time()
    teacher = ref.train(ref.make("teacher", a.width), xall, yall, a.teacher_epochs, 100)
    teacher.eval()
    [p.requires_grad_(False) for p in teacher.parameters()]
    res["teacher"] = {"top1": ref.evaluate(teacher, xte, yte), "seconds": time.time() - t0,
                      "params": bench.count_params(teacher)}
    print("teacher", res["teacher"], flush=True)

    # distill4j's copy: unpadded 28x28 test images, normalised as the reference normalises
    manifest = {"format": "distill4j-torchscript/1",
                "model": "resnet50-cbam-w%d (PyTorch reference, ../shared/bench/torch_fmnist_ref.py)" % a.width,
                "dataset": "fashion-mnist", "input": {"channels": 1, "height": 28, "width": 28},
                "mean": [0.2860], "std": [0.3530], "classNames": CLASSES, "parameters": res["teacher"]["params"],
                "testTop1": res["teacher"]["top1"], "torch": torch.__version__}
    export(Wrapper(teacher), xte[:2, :, 2:30, 2:30].contiguous(), os.path.join(a.out, "teacher.pt"), manifest)
    with torch.inference_mode():
        unpadded = sum((teacher(xte[i:i + 500, :, 2:30, 2:30]).argmax(1) == yte[i:i + 500]).sum().item()
                       for i in range(0, len(xte), 500)) / len(xte)
    res["teacher"]["top1_28x28"] = unpadded
    print("teacher on unpadded 28x28 test images", unpadded, flush=True)
    res["teacher"]["top1_32x32_traced"] = declare_32(a.out, xte, yte)

    for kind in ("student", "kd"):
        accs, secs = [], []
        for sd in a.seeds:
            t1 = time.time()
            m = ref.train(ref.make("student", a.width), xtr, ytr, a.epochs, sd, teacher if kind == "kd" else None)
            accs.append(ref.evaluate(m, xte, yte))
            secs.append(time.time() - t1)
            print(kind, sd, accs[-1], "%.0fs" % secs[-1], flush=True)
        res[kind] = {"top1": accs, "seconds": secs, "mean": float(np.mean(accs)),
                     "std": float(np.std(accs, ddof=1)) if len(accs) > 1 else 0.0}
    with open(os.path.join(a.out, "reference.json"), "w") as f:
        json.dump(res, f, indent=1)
    print(json.dumps({k: v for k, v in res.items() if k != "args"}))


if __name__ == "__main__":
    main()
