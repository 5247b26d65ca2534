#!/usr/bin/env python3
"""Compares the tensors of two safetensors files (F32), for tests.

    compare_checkpoints.py A B TOLERANCE [--match REGEX] [--floor F]

Exit 0 when both hold the same tensor names and shapes and every tensor's
largest difference is at most TOLERANCE times its largest magnitude in A;
else exit 1, naming the worst tensor. --match: only the tensors whose
names REGEX finds. --floor: the magnitude is at least F, so that a tensor
that is zero but for rounding (the gradient of a bias just before
BatchNorm) is held to TOLERANCE * F, not to its own noise. Plain Python
(no numpy): the files are small.
"""
import argparse
import json
import re
import struct
import sys


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    body = data[8 + n:]
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] != "F32":
            sys.exit(f"{path}: tensor {name} is {entry['dtype']}, not F32")
        begin, end = entry["data_offsets"]
        tensors[name] = (entry["shape"],
                         struct.unpack(f"<{(end - begin) // 4}f", body[begin:end]))
    return tensors


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("tolerance", type=float)
    parser.add_argument("--match", default="")
    parser.add_argument("--floor", type=float, default=0.0)
    args = parser.parse_args()
    a, b, tolerance = load(args.a), load(args.b), args.tolerance
    if sorted(a) != sorted(b):
        sys.exit(f"different tensors: {sorted(set(a) ^ set(b))}")
    compared = [name for name in a if re.search(args.match, name)]
    if not compared:
        sys.exit(f"no tensor matches --match {args.match!r}")
    worst, worst_name = 0.0, ""
    for name in compared:
        shape, values = a[name]
        other_shape, other = b[name]
        if shape != other_shape:
            sys.exit(f"{name}: shape {shape} vs {other_shape}")
        scale = max(max((abs(v) for v in values), default=0.0),
                    args.floor) or 1.0
        diff = max((abs(x - y) for x, y in zip(values, other)), default=0.0)
        if diff != diff or diff / scale > worst:  # NaN counts as worst
            worst, worst_name = diff / scale if diff == diff else float("inf"), name
    print(f"largest relative difference {worst:.3g} ({worst_name or 'none'}) "
          f"of {len(compared)} tensors, tolerance {tolerance:g}")
    sys.exit(0 if worst <= tolerance else 1)


if __name__ == "__main__":
    main()
