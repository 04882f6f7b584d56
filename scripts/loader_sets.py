"""Writes the same images twice, as an image folder and as a CIFAR-10-format binary set, to compare loaders.

The images are synthetic colour pictures (smoothed noise with a class-dependent tint and stripe pattern),
SIDE x SIDE pixels, saved as JPEG (quality 90) under OUT/folder/{train,val}/classK/, and the same pictures
shrunk to 32x32 (PIL's BOX filter, as distill4j's folder loader does) written as OUT/cifar-root/cifar10/data_batch_1..5.bin
and test_batch.bin. Needs numpy and PIL (Debian: python3-numpy, python3-pil).

    /usr/bin/python3 scripts/loader_sets.py --out /tmp/loader-sets --train 4000 --val 1000 --side 128
"""
import argparse
import os

import numpy as np
from PIL import Image, ImageFilter

CLASSES = 10


def picture(rng, label, side):
    """One side x side RGB picture: blurred noise, tinted and striped by its class so a model can learn it."""
    noise = rng.integers(0, 256, size=(side // 4, side // 4, 3), dtype=np.uint8)
    img = Image.fromarray(noise).resize((side, side), Image.BILINEAR).filter(ImageFilter.GaussianBlur(2))
    a = np.asarray(img).astype(np.float32)
    tint = np.array([(label * 37) % 256, (label * 91) % 256, (label * 53) % 256], dtype=np.float32)
    y = np.arange(side)[:, None]
    stripes = 40 * np.sin(2 * np.pi * (label + 1) * y / side)
    a = 0.6 * a + 0.4 * tint + stripes[..., None]
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def cifar_record(img, label):
    small = np.asarray(img.resize((32, 32), Image.BOX))  # (32, 32, 3)
    return bytes([label]) + small.transpose(2, 0, 1).tobytes()  # label, then R, G, B planes


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--train", type=int, default=4000)
    p.add_argument("--val", type=int, default=1000)
    p.add_argument("--side", type=int, default=128)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    rng = np.random.default_rng(args.seed)
    records = {"train": [], "val": []}
    for split, n in (("train", args.train), ("val", args.val)):
        for i in range(n):
            label = i % CLASSES
            img = picture(rng, label, args.side)
            d = os.path.join(args.out, "folder", split, "class%d" % label)
            os.makedirs(d, exist_ok=True)
            img.save(os.path.join(d, "%05d.jpg" % i), quality=90)
            records[split].append(cifar_record(img, label))
    cifar = os.path.join(args.out, "cifar-root", "cifar10")  # --data-dir OUT/cifar-root --dataset cifar10
    os.makedirs(cifar, exist_ok=True)
    train = records["train"]
    per = (len(train) + 4) // 5
    for b in range(5):
        with open(os.path.join(cifar, "data_batch_%d.bin" % (b + 1)), "wb") as f:
            f.write(b"".join(train[b * per:(b + 1) * per]))
    with open(os.path.join(cifar, "test_batch.bin"), "wb") as f:
        f.write(b"".join(records["val"]))
    print("wrote", args.train + args.val, "pictures to", args.out)


if __name__ == "__main__":
    main()
