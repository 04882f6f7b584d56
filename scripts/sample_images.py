#!/usr/bin/env python3
"""Writes a few Fashion-MNIST test images as PNG files, for the README's walkthrough and the test that runs it.

Usage: python3 scripts/sample_images.py [--data-dir /usr/share/datasets/fashion-mnist] [--out docs/images]

Standard library only (gzip, zlib, struct): the images are 28x28 8-bit grayscale PNGs named
fashion-mnist-<test index>-<class>.png, for the first test image of each class listed in CLASSES below.
"""
import argparse
import gzip
import os
import struct
import zlib

NAMES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]
CLASSES = [9, 1, 8]  # ankle boot, trouser, bag


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return shape, data[4 + 4 * dims:]


def png(width, height, pixels):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grayscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--out", default="docs/images")
    args = parser.parse_args()
    (n, h, w), images = read_idx(os.path.join(args.data_dir, "t10k-images-idx3-ubyte.gz"))
    _, labels = read_idx(os.path.join(args.data_dir, "t10k-labels-idx1-ubyte.gz"))
    os.makedirs(args.out, exist_ok=True)
    for c in CLASSES:
        i = labels.index(bytes([c]))
        name = os.path.join(args.out, "fashion-mnist-%d-%s.png" % (i, NAMES[c]))
        with open(name, "wb") as f:
            f.write(png(w, h, images[i * h * w:(i + 1) * h * w]))
        print(name)


if __name__ == "__main__":
    main()
