"""Reads a jiggle checkpoint with nothing but Python's standard library, as an independent
reader of the safetensors format would, and classifies a PGM image with it.

    python3 read_safetensors.py WEIGHTS.safetensors IMAGE.pgm EXPECTED_DIGIT
"""
import json
import os
import struct
import sys


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + length])
    data = blob[8 + length :]
    tensors = {}
    end_of_previous = 0
    for name, entry in sorted(((k, v) for k, v in header.items() if k != "__metadata__"),
                              key=lambda item: item[1]["data_offsets"][0]):
        begin, end = entry["data_offsets"]
        assert entry["dtype"] == "F32", name
        assert begin == end_of_previous, f"{name}: gap or overlap in data_offsets"
        count = 1
        for size in entry["shape"]:
            count *= size
        assert end - begin == 4 * count, name
        values = struct.unpack(f"<{count}f", data[begin:end])
        if len(entry["shape"]) == 2:  # row-major Out x In, as nn.Linear stores it
            rows, cols = entry["shape"]
            values = [values[r * cols : (r + 1) * cols] for r in range(rows)]
        tensors[name] = values
        end_of_previous = end
    assert end_of_previous == len(data), "data region has trailing bytes"
    return tensors


def read_plain_pgm(path):
    words = [w for line in open(path) for w in line.split("#")[0].split()]
    assert words[0] == "P2"
    cols, rows, maxval = int(words[1]), int(words[2]), int(words[3])
    return [int(w) * 255 // maxval for w in words[4 : 4 + rows * cols]]


def main():
    weights, image, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if not (os.path.exists(weights) and os.path.exists(image)):
        print(f"SKIPPED: {weights} or {image} is missing (the tests that make them need MNIST)")
        return 0
    t = read_safetensors(weights)
    expected_names = {f"layers.{i}.{kind}" for i in (0, 2, 4) for kind in ("weight", "bias")}
    assert set(t) == expected_names, sorted(t)
    x = [(p / 255.0 - 0.1307) / 0.3081 for p in read_plain_pgm(image)]
    for i in (0, 2, 4):
        W, b = t[f"layers.{i}.weight"], t[f"layers.{i}.bias"]
        x = [sum(w * v for w, v in zip(row, x)) + bias for row, bias in zip(W, b)]
        if i != 4:
            x = [max(v, 0.0) for v in x]
    digit = max(range(10), key=lambda d: x[d])
    print(f"python reads {len(t)} tensors and predicts {digit}")
    return 0 if digit == expected else 1


if __name__ == "__main__":
    sys.exit(main())
