#!/usr/bin/env python3
"""Reference numbers for distill4j's model zoo, taken from the PyTorch code it mirrors.

For every model distill4j offers, this builds the reference PyTorch definition and records:
  params10/params100  sum(p.numel() for p in model.parameters()) with 10 / 100 classes
  stem/stages/pooled  feature shapes for a [2, 3, 32, 32] input: feats[0], feats[1:-1], feats[-1]
                      of RepDistiller's model(x, is_feat=True); for kuangliu ResNets (no is_feat)
                      relu(bn1(conv1(x))), layer1..layer4, and avg-pooled layer4, flattened
  preact              feats[1:-1] with preact=True; null for kuangliu and for RepDistiller's
                      MobileNetV2 (its forward ignores preact)
  blocks              residual units (modules named BasicBlock, Bottleneck, InvertedResidual,
                      DownBlock); for VGG the number of Conv2d layers
  flops10             2 x multiply-accumulates of Conv2d and Linear, one 32x32 image, 10 classes
                      (BN, ReLU, pooling and additions not counted)
None depend on the weights, so no seed or checkpoint is needed. The reference code is imported
at run time from two checkouts (none of it is copied here):

    git clone https://github.com/HobbitLong/RepDistiller.git /tmp/RepDistiller
    git -C /tmp/RepDistiller checkout b84f547c5db6a35318d4671d7d5c4de74c822403
    git clone https://github.com/kuangliu/pytorch-cifar.git /tmp/pytorch-cifar
    git -C /tmp/pytorch-cifar checkout 49b7aa97b0c12fe0d4054e670403a16b6b834ddd
    /usr/bin/python3 scripts/reference_models.py --repdistiller /tmp/RepDistiller \\
        --pytorch-cifar /tmp/pytorch-cifar \\
        --out distill4j-core/src/test/resources/reference-models.json

Needs PyTorch (generated with Debian's python3-torch 1.13, CPU). The checkouts must be git work
trees (their `git rev-parse HEAD` goes into the JSON). The script then prints its parameter counts
next to commonly published ones and exits 1 if any differs.
"""
import argparse, contextlib, importlib.util, io, json, os, re, subprocess

import torch
import torch.nn as nn
import torch.nn.functional as F

# Module types that are one residual unit in the reference code (names are unique per model).
BLOCK_TYPES = {"BasicBlock", "Bottleneck", "InvertedResidual", "DownBlock"}

# Commonly published parameter counts in millions: (name, classes) -> M. Printed as a check only.
PUBLISHED = {
    ("resnet20", 100): 0.28, ("resnet32", 100): 0.47, ("resnet56", 100): 0.86,
    ("resnet110", 100): 1.74, ("resnet8x4", 100): 1.23, ("resnet32x4", 100): 7.43,
    ("wrn-16-2", 100): 0.70, ("wrn-40-1", 100): 0.57, ("wrn-40-2", 100): 2.26,
    ("vgg8", 100): 3.97, ("vgg13", 100): 9.46, ("mobile_half", 100): 0.81,
    ("shufflenetv1", 100): 0.95, ("shufflenetv2", 100): 1.36,
    ("resnet18", 10): 11.17, ("resnet34", 10): 21.28, ("resnet50", 10): 23.52,
    ("resnet101", 10): 42.51, ("wrn-28-10", 10): 36.48, ("wrn-16-2", 10): 0.69,
    ("shufflenetv2", 10): 1.26,
}


def load(repo, rel, name):
    """Import one file by path: both repos call their package `models` (a plain import would
    clash), and RepDistiller's models/__init__.py would import every architecture."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(repo, rel))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def commit(repo):
    return subprocess.check_output(["git", "-C", repo, "rev-parse", "HEAD"], text=True).strip()


def catalogue(rd, pc):
    """[(distill4j name, reference, kind, build(num_classes))] in distill4j's order.
    kind: "kuangliu" (no is_feat), "rd" (is_feat + preact), "rd-nopreact" (is_feat only)."""
    kl = load(pc, "models/resnet.py", "kl_resnet")
    rres, wrn, vgg, mnv2, sv1, sv2 = (load(rd, f"models/{f}.py", "rd_" + f) for f in (
        "resnet", "wrn", "vgg", "mobilenetv2", "ShuffleNetv1", "ShuffleNetv2"))

    def kuangliu(factory, k):
        # ResNet18() etc. take no num_classes; keep the repo's factory (so the stage depths are
        # its own) and swap the classifier, same as ResNet(block, nums, num_classes=k).
        model = factory()
        model.linear = nn.Linear(model.linear.in_features, k)
        return model

    out = [(n.lower(), f"pytorch-cifar models/resnet.py {n}", "kuangliu",
            lambda k, f=getattr(kl, n): kuangliu(f, k))
           for n in ["ResNet18", "ResNet34", "ResNet50", "ResNet101", "ResNet152"]]
    out += [(n, f"RepDistiller models/resnet.py {n}", "rd",
             lambda k, f=getattr(rres, n): f(num_classes=k))
            for n in ["resnet8", "resnet14", "resnet20", "resnet32", "resnet44", "resnet56",
                      "resnet110", "resnet8x4", "resnet32x4"]]
    out += [(f"wrn-{d}-{w}", f"RepDistiller models/wrn.py WideResNet({d}, k, {w})", "rd",
             lambda k, d=d, w=w: wrn.WideResNet(d, k, w))
            for d, w in [(16, 1), (16, 2), (16, 4), (28, 10), (40, 1), (40, 2), (40, 4), (22, 8)]]
    out += [(n, f"RepDistiller models/vgg.py {n}_bn", "rd",
             lambda k, f=getattr(vgg, n + "_bn"): f(num_classes=k))
            for n in ["vgg8", "vgg11", "vgg13", "vgg16", "vgg19"]]
    # MobileNetV2.forward accepts preact but ignores it, so preact is recorded as null.
    out += [(n, f"RepDistiller models/mobilenetv2.py mobilenetv2_T_w(6, {w}, k)", "rd-nopreact",
             lambda k, w=w: mnv2.mobilenetv2_T_w(6, w, k))
            for n, w in [("mobilenetv2", 1.0), ("mobile_half", 0.5),
                         ("mobilenetv2-0.75x", 0.75), ("mobilenetv2-1.4x", 1.4)]]
    out += [("shufflenetv1", "RepDistiller models/ShuffleNetv1.py ShuffleV1", "rd",
             lambda k: sv1.ShuffleV1(num_classes=k))]
    out += [(n, f"RepDistiller models/ShuffleNetv2.py ShuffleNetV2({s}, k)", "rd",
             lambda k, s=s: sv2.ShuffleNetV2(s, num_classes=k))
            for n, s in [("shufflenetv2-0.5x", 0.5), ("shufflenetv2", 1),
                         ("shufflenetv2-1.5x", 1.5), ("shufflenetv2-2x", 2)]]
    return out


def build(fn, k):
    # mobilenetv2.py prints "T width_mult" on construction; keep stdout for our own report.
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(k).eval()


def features(model, kind, x):
    """(stem, stages, preact stages or None, pooled) tensors."""
    if kind == "kuangliu":  # mirrors kuangliu's ResNet.forward up to the classifier
        out = F.relu(model.bn1(model.conv1(x)))
        stem, stages = out, []
        for layer in (model.layer1, model.layer2, model.layer3, model.layer4):
            out = layer(out)
            stages.append(out)
        return stem, stages, None, F.avg_pool2d(out, 4).flatten(1)
    feats, _ = model(x, is_feat=True)
    pre = model(x, is_feat=True, preact=True)[0][1:-1] if kind == "rd" else None
    return feats[0], feats[1:-1], pre, feats[-1]


def flops(model):
    total = 0

    def hook(m, _inp, out):
        # weight[0] holds one output unit's weights: (in_channels/groups)*kh*kw for a conv,
        # in_features for a linear layer; each costs a multiply and an add per output element.
        nonlocal total
        total += 2 * out.numel() * m.weight[0].numel()
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            m.register_forward_hook(hook)  # the model is thrown away afterwards
    model(torch.zeros(1, 3, 32, 32))
    return total


def blocks(model):
    if type(model).__name__ == "VGG":  # plain conv stack: count its conv layers instead
        return sum(isinstance(m, nn.Conv2d) for m in model.modules())
    return sum(type(m).__name__ in BLOCK_TYPES for m in model.modules())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repdistiller", required=True, help="HobbitLong/RepDistiller checkout")
    ap.add_argument("--pytorch-cifar", required=True, help="kuangliu/pytorch-cifar checkout")
    ap.add_argument("--out", required=True, help="JSON file to write")
    args = ap.parse_args()

    shape = lambda t: list(t.shape)
    x = torch.zeros(2, 3, 32, 32)
    models = []
    with torch.no_grad():
        for name, ref, kind, fn in catalogue(args.repdistiller, args.pytorch_cifar):
            m10, m100 = build(fn, 10), build(fn, 100)
            stem, stages, pre, pooled = features(m10, kind, x)
            models.append({
                "name": name, "reference": ref,
                "params10": sum(p.numel() for p in m10.parameters()),
                "params100": sum(p.numel() for p in m100.parameters()),
                "stem": shape(stem), "stages": [shape(s) for s in stages],
                "preact": None if pre is None else [shape(s) for s in pre],
                "pooled": shape(pooled), "blocks": blocks(m10), "flops10": flops(m10),
            })

    doc = {"generator": "scripts/reference_models.py", "torch": torch.__version__,
           "repdistiller": {"repo": "HobbitLong/RepDistiller", "commit": commit(args.repdistiller)},
           "pytorchCifar": {"repo": "kuangliu/pytorch-cifar", "commit": commit(args.pytorch_cifar)},
           "models": models}
    text = json.dumps(doc, indent=2)
    # Put each shape (a list of plain numbers) on one line so the file stays readable.
    text = re.sub(r"\[[\d,\s]*\]", lambda m: json.dumps(json.loads(m.group())), text)
    with open(args.out, "w") as f:
        f.write(text + "\n")

    by_name, bad = {m["name"]: m for m in models}, 0
    for (name, k), want in PUBLISHED.items():
        got = by_name[name][f"params{k}"] / 1e6
        bad += round(got, 2) != want
        flag = "ok" if round(got, 2) == want else "MISMATCH"
        print(f"{flag:8} {name:14} {k:3} classes: {got:.4f}M, published {want:.2f}M")
    raise SystemExit(1 if bad else 0)  # the JSON is written either way


if __name__ == "__main__":
    main()
