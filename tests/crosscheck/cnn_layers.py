#!/usr/bin/env python3
"""Compares jiggle's convolutional layers and residual blocks with PyTorch's on the networks of
cnn_layers.cpp.

Builds cnn_layers.cpp with g++, runs it, feeds the same input and parameters through the same
networks in PyTorch (float64), and prints the largest absolute difference of every tensor: the
outputs in training and evaluation mode, the input gradient, every parameter gradient and the
running statistics. Exits 1 if any differs by more than 1e-10. The torch names "0.weight" are jiggle's "layers.0.weight". Needs torch; not part of CI.

    tests/crosscheck/cnn_layers.py
"""
import os
import struct
import subprocess
import sys
import tempfile

import torch

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))


def read_records(path):
    records = {}
    with open(path, "rb") as f:
        data = f.read()
    at = 0
    while at < len(data):
        (length,) = struct.unpack_from("<I", data, at)
        at += 4
        name = data[at:at + length].decode()
        at += length
        (count,) = struct.unpack_from("<Q", data, at)
        at += 8
        records[name] = torch.tensor(struct.unpack_from(f"<{count}d", data, at), dtype=torch.float64)
        at += 8 * count
    return records


class Body(torch.nn.Module):
    """A branch of layers, named as jiggle names a Chain inside a layer: layers.0, layers.1, ..."""

    def __init__(self, *layers):
        super().__init__()
        self.layers = torch.nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)


class Residual(torch.nn.Module):
    """body(x) + shortcut(x), or body(x) + x without a shortcut: jiggle's Residual."""

    def __init__(self, body, shortcut=None):
        super().__init__()
        self.body = body
        self.shortcut = shortcut

    def forward(self, x):
        return self.body(x) + (x if self.shortcut is None else self.shortcut(x))


def compare(jiggle, prefix, model, input_shape, output_shape):
    """The tensors of one network in PyTorch, named as the records after `prefix` that jiggle wrote."""
    model = model.double()
    state = model.state_dict()
    with torch.no_grad():
        for name, tensor in state.items():
            source = jiggle.get(prefix + "before.layers." + name, jiggle.get(prefix + "layers." + name))
            if source is None:
                assert name.endswith("num_batches_tracked"), name  # jiggle keeps no such buffer
                continue
            tensor.copy_(source.reshape(tensor.shape))
    model.train()
    x = jiggle[prefix + "input"].reshape(input_shape).clone().requires_grad_(True)
    y = model(x)
    y.backward(jiggle[prefix + "output_gradient"].reshape(output_shape))
    compared = {prefix + "output": y.detach(), prefix + "input_gradient": x.grad}
    for name, parameter in model.named_parameters():
        compared[prefix + "grad.layers." + name] = parameter.grad
    for name, buffer in model.named_buffers():
        if not name.endswith("num_batches_tracked"):
            compared[prefix + "layers." + name] = buffer
    model.eval()
    with torch.no_grad():
        compared[prefix + "evaluation_output"] = model(x)
    return compared


def main():
    with tempfile.TemporaryDirectory() as folder:
        program = os.path.join(folder, "cnn_layers")
        subprocess.run(["g++", "-std=c++20", "-O2", "-fopenmp", "-isystem", "/usr/include/eigen3",
                        "-I", os.path.join(root, "include"), os.path.join(here, "cnn_layers.cpp"),
                        "-o", program, "-lz"], check=True)
        dump = os.path.join(folder, "dump")
        subprocess.run([program, dump], check=True)
        jiggle = read_records(dump)

    compared = compare(jiggle, "", torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(4, 5, 3, stride=2, padding=1), torch.nn.Conv2d(5, 6, 2), torch.nn.Flatten(),
        torch.nn.Linear(6, 8), torch.nn.BatchNorm1d(8), torch.nn.Linear(8, 3)), (6, 3, 9, 9), (6, 3))
    compared.update(compare(jiggle, "pooled.", torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
        torch.nn.Linear(4, 3)), (4, 3, 6, 5), (4, 3)))
    compared.update(compare(jiggle, "residual.", torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(),
        Residual(Body(torch.nn.Conv2d(4, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                      torch.nn.Conv2d(4, 4, 3, padding=1))),
        Residual(Body(torch.nn.Conv2d(4, 8, 3, stride=2, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(8, 8, 3, padding=1)),
                 torch.nn.Conv2d(4, 8, 1, stride=2)),
        torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(8, 3)), (5, 3, 6, 6), (5, 3)))

    worst = 0.0
    for name, torch_value in compared.items():
        difference = (jiggle[name] - torch_value.reshape(-1)).abs().max().item()
        scale = torch_value.abs().max().item()
        worst = max(worst, difference)
        print(f"{name:35s} max |jiggle - torch| = {difference:.3e}   (max |torch| = {scale:.3f})")
    print(f"worst: {worst:.3e}")
    return 0 if worst <= 1e-10 else 1


if __name__ == "__main__":
    sys.exit(main())
