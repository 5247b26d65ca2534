#!/usr/bin/env python3
"""Writes the binary seed corpora of tests/fuzz (safetensors, checkpoint,
idx, npy) from scratch, so that every seed is reproducible and reviewable here.
The text seeds (json, kilnc) are committed as they are.

    python3 tests/fuzz/make_seeds.py    # rewrites corpus/{safetensors,checkpoint,idx,npy}
"""
import gzip
import json
import pathlib
import struct

HERE = pathlib.Path(__file__).resolve().parent


def safetensors(tensors, metadata=None):
    """tensors: [(name, dtype, shape, raw bytes)] in data order."""
    header, offset = {}, 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(t[3] for t in tensors)


def f32(*values):
    return struct.pack(f"<{len(values)}f", *values)


def npy(descr, shape, raw, major=1):
    """numpy.save's layout, written by hand (numpy is not a dependency)."""
    shape_text = "(" + "".join(f"{d}, " for d in shape).rstrip(" ") + ")"
    if len(shape) == 1:
        shape_text = f"({shape[0]},)"
    header = (f"{{'descr': '{descr}', 'fortran_order': False, "
              f"'shape': {shape_text}, }}").encode()
    prefix = 10 if major == 1 else 12
    header += b" " * (-(prefix + len(header) + 1) % 64) + b"\n"
    size = struct.pack("<H" if major == 1 else "<I", len(header))
    return b"\x93NUMPY" + bytes([major, 0]) + size + header + raw


def write(directory, name, data):
    path = HERE / "corpus" / directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def main():
    # safetensors: every dtype kiln reads, metadata, an empty file, images
    # in [0, 1] and latents named by their metadata.
    write("safetensors", "f32.safetensors",
          safetensors([("w", "F32", [2, 3], f32(1, 2, 3, 4, 5, 6))]))
    write("safetensors", "dtypes.safetensors", safetensors([
        ("a", "F16", [2], struct.pack("<2H", 0x3C00, 0x7C00)),
        ("b", "BF16", [2], struct.pack("<2H", 0x3F80, 0xFF80)),
        ("c", "I32", [3], struct.pack("<3i", 1, -2, 3)),
        ("d", "I64", [2], struct.pack("<2q", 5, -(2 ** 31))),
        ("e", "F32", [], f32(0.5)),
        ("f", "F32", [0, 4], b"")]))
    write("safetensors", "empty.safetensors", safetensors([], {}))
    write("safetensors", "images.safetensors", safetensors(
        [("x", "F32", [2, 784], f32(*[i / 1567 for i in range(1568)]))],
        {"model": "vae"}))
    write("safetensors", "latents.safetensors", safetensors(
        [("mu", "F32", [2, 32], f32(*[i / 8 - 4 for i in range(64)])),
         ("logvar", "F32", [2, 32], f32(*[0.0] * 64))],
        {"latent": "mu", "model": "vae", "split": "train"}))

    # checkpoint: the fake model of tests/runtime/fake_model.h, full and
    # weights only.
    params = [("linear.bias", "F32", [3], f32(0.5, 0.5, 0.5)),
              ("embed.weight", "F32", [4, 3], f32(*[0.01 * i for i in range(12)]))]
    state = [("affine.step", "F32", [], f32(7))]
    meta = {"format": "kiln-checkpoint", "format_version": "1", "model": "fake"}
    write("checkpoint", "full.safetensors", safetensors(params + state, {
        **meta, "content": "checkpoint", "step": "7", "epoch": "1",
        "position": "2", "batch_size": "5", "seed": "1", "data_seed": "1",
        "random_counter": "42", "entry": "affine"}))
    write("checkpoint", "weights.safetensors",
          safetensors(params, {**meta, "content": "weights"}))
    write("checkpoint", "foreign.safetensors", safetensors(params))

    # idx: unsigned-byte IDX, plain and gzip'd, rank 1 and 3.
    labels = bytes([0, 0, 8, 1]) + struct.pack(">I", 4) + bytes([1, 2, 3, 9])
    images = (bytes([0, 0, 8, 3]) + struct.pack(">3I", 2, 3, 3) +
              bytes(range(18)))
    write("idx", "labels.idx", labels)
    write("idx", "images.idx", images)
    write("idx", "images.idx.gz", gzip.compress(images, mtime=0))

    # npy: image and label arrays of the dtypes users save.
    write("npy", "images_u1.npy", npy("|u1", [2, 3, 3], bytes(range(18))))
    write("npy", "images_f4.npy",
          npy("<f4", [2, 1, 2, 2], f32(*[i / 8 for i in range(8)])))
    write("npy", "labels_i8.npy", npy("<i8", [3], struct.pack("<3q", 0, 9, 3)))
    write("npy", "half_v2.npy",
          npy("<f2", [2], struct.pack("<2H", 0x3C00, 0x0001), major=2))
    write("npy", "scalar_f8.npy", npy("<f8", [], struct.pack("<d", 0.5)))


if __name__ == "__main__":
    main()
