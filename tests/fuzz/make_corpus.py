#!/usr/bin/env python3
"""Writes the fuzzing harnesses' seed corpora into corpus/<harness>/: a few small valid inputs and
edge cases each, from which libFuzzer mutates. Deterministic, so re-running it changes nothing.
Usage: python3 tests/fuzz/make_corpus.py"""
import gzip
import pathlib
import struct

here = pathlib.Path(__file__).resolve().parent


def idx(type_code, dimensions, data):
    return bytes([0, 0, type_code, len(dimensions)]) + b"".join(struct.pack(">I", d) for d in dimensions) + data


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def mnist_images(count):
    return idx(0x08, [count, 28, 28], bytes((i * 37) % 256 for i in range(count * 784)))


# Each harness's first byte says how the rest is used: see idx_fuzz.cpp and mnist_fuzz.cpp.
corpora = {
    "idx": {
        "uint8-vector": b"\x00" + idx(0x08, [5], bytes([1, 2, 3, 4, 255])),
        "uint8-cube-gzipped-by-harness": b"\x01" + idx(0x08, [2, 3, 4], bytes(range(24))),
        "int8-vector": b"\x00" + idx(0x09, [3], bytes([0x80, 0x00, 0x7F])),
        "int16-gzip-stream": b"\x00" + gz(idx(0x0B, [3], struct.pack(">3h", -1, 0, 300))),
        "int32-matrix": b"\x00" + idx(0x0C, [2, 2], struct.pack(">4i", -2, -1, 1, 2)),
        "float32-vector": b"\x00" + idx(0x0D, [2], struct.pack(">2f", 1.5, -0.25)),
        "float64-4d-gzipped-by-harness": b"\x01" + idx(0x0E, [1, 2, 1, 1], struct.pack(">2d", 3.0, -1e300)),
        "truncated-header": b"\x00" + bytes([0, 0, 0x08, 3, 0, 0]),
        "huge-claim-gzipped-by-harness": b"\x01" + idx(0x08, [1 << 15, 1 << 15], bytes(8)),
        "zero-dimension": b"\x00" + idx(0x08, [2, 0], b""),
    },
    "mnist": {
        "train-images": b"\x00" + mnist_images(3),
        "train-images-gzipped-by-harness": b"\x04" + mnist_images(3),
        "train-labels": b"\x01" + idx(0x08, [3], bytes([7, 2, 1])),
        "test-images": b"\x02" + mnist_images(2),
        "test-labels-gzip-stream": b"\x03" + gz(idx(0x08, [2], bytes([0, 9]))),
        "label-out-of-range": b"\x01" + idx(0x08, [3], bytes([7, 2, 10])),
        "too-many-images": b"\x00" + idx(0x08, [60001, 28, 28], b""),
        "wrong-side": b"\x06" + idx(0x08, [2, 27, 29], bytes(2 * 27 * 29)),
    },
    "json": {
        "safetensors-header": b'{"__metadata__":{"format":"pt"},"layers.0.weight":{"dtype":"F32",'
        b'"shape":[512,784],"data_offsets":[0,1605632]},"layers.0.bias":{"dtype":"F32","shape":[512],'
        b'"data_offsets":[1605632,1607680]}}',
        "numbers": b"[0, -0, 1, -12, 0.5, -0.25, 1e3, 1E+3, 25e-2, 9007199254740993, 18446744073709551615, "
        b"18446744073709551616, 1.7976931348623157e308]",
        "strings": '["", "a\\"b\\\\c\\/", "\\b\\f\\n\\r\\t", "\\u00e9\\u20AC\\ud83d\\ude00", "caf\u00e9 \U0001F600"]'.encode(),
        "literals": b' {"t": true, "f": false, "n": null, "e": {}, "a": [[], [[]], {"x": [null]}]} ',
        "malformed-number": b"[1.2.3]",
        "duplicate-key": b'{"a": 1, "a": 2}',
        "lone-surrogate": b'["\\ud800"]',
    },
    "cifar10": {
        "two-records": bytes([3]) + bytes((i * 7) % 256 for i in range(3072)) + bytes([9]) + bytes(3072),
        "label-out-of-range": bytes([10]) + bytes(3072),
        "cut-off-record": bytes([1]) + bytes(3000),
    },
    "csv": {
        "labels": b"\x01" + b"0.5,1,2\n-1e3,2.25,0\n",
        "labels-header-crlf": b"\x03" + b"x,y,label\r\n1,2,1\r\n3,4,0\r\n",
        "regression-two-targets": b"\x04" + b"1, 2, 3.5, -4\n5, 6, 7, 8\n\n",
        "ragged": b"\x00" + b"1,2\n3\n",
        "not-a-number": b"\x01" + b"1,abc,2\n",
        "blank-in-the-middle": b"\x00" + b"1,2\n\n3,4\n",
    },
    "pgm": {
        "plain": b"P2\n# a comment\n3 2\n15\n0 15 5\n10 0 15\n",
        "raw": b"P5 2 2 255\n\x00\x7f\x80\xff",
        "raw-16-bit": b"P5\n#16 bits\n2 1 65535\n\xff\xff\x80\x00",
        "plain-crlf": b"P2\r\n2 2\r\n255\r\n0 1\r\n2 3\r\n",
        "raw-trailing-newline": b"P5 1 1 255\n\x07\n",
        "truncated-raster": b"P5 4 4 255\nabc",
        "two-images": b"P5 1 1 255\n\x07P5 1 1 255\n\x08",
    },
}

for harness, seeds in corpora.items():
    folder = here / "corpus" / harness
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in seeds.items():
        (folder / name).write_bytes(data)
