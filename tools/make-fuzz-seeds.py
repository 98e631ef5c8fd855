#!/usr/bin/env python3
"""Writes the seed corpus of the IDX and NPZ fuzz targets (tests/fuzz_datasets/corpus/{idx,npz}/).

Small, valid files of every form the readers accept, written by independent producers:
Python's gzip module for IDX, and numpy itself (np.save, np.savez, np.savez_compressed) for
.npy/.npz, plus a few well-known bad cases. Run with Debian's python3 (python3-numpy):

    /usr/bin/python3 tools/make-fuzz-seeds.py
"""
import gzip
import io
import os
import struct
import zipfile

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fuzz_datasets", "corpus")


def idx(dims, data):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)


def write(kind, name, data):
    os.makedirs(os.path.join(ROOT, kind), exist_ok=True)
    with open(os.path.join(ROOT, kind, name), "wb") as f:
        f.write(data)


def gz(data):
    # mtime=0: the same bytes on every run.
    return gzip.compress(data, mtime=0)


def npy(array, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, array, allow_pickle=False)
    else:
        np.lib.format.write_array(buf, array, version=version, allow_pickle=False)
    return buf.getvalue()


def npz(arrays, compressed):
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    return buf.getvalue()


def main():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(2, 28, 28), dtype=np.uint8)
    labels = np.array([7, 2], dtype=np.uint8)

    # IDX: raw and gzip, 1 to 4 dimensions, an empty file of count 0.
    write("idx", "labels.idx1", idx([2], labels))
    write("idx", "images.idx3", idx([2, 28, 28], images.tobytes()))
    write("idx", "labels.idx1.gz", gz(idx([2], labels)))
    write("idx", "images.idx3.gz", gz(idx([2, 28, 28], images.tobytes())))
    write("idx", "dims4.idx", idx([1, 2, 3, 4], range(24)))
    write("idx", "empty.idx1", idx([0], b""))
    write("idx", "two-members.gz", gz(idx([1], b"\x05")[:4]) + gz(idx([1], b"\x05")[4:]))

    # NPY: each supported dtype, format 1.0 and 2.0, scalar and empty arrays, and the refused
    # kinds (Fortran order, big-endian, structured).
    write("npz", "u1.npy", npy(labels))
    write("npz", "f4-2d.npy", npy(np.arange(6, dtype="<f4").reshape(2, 3)))
    write("npz", "f8-v2.npy", npy(np.arange(3, dtype="<f8"), version=(2, 0)))
    write("npz", "i4-scalar.npy", npy(np.array(7, dtype="<i4")))
    write("npz", "i8-empty.npy", npy(np.zeros((0, 3), dtype="<i8")))
    write("npz", "fortran.npy", npy(np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3))))
    write("npz", "big-endian.npy", npy(np.arange(3, dtype=">f4")))
    write("npz", "structured.npy", npy(np.zeros(2, dtype=[("a", "<i4"), ("b", "<f4")])))

    # NPZ: stored and deflated, a Keras-like mnist.npz in miniature.
    small = {"x": np.arange(10, dtype=np.uint8), "w": np.ones((2, 2), dtype=np.float32)}
    write("npz", "savez.npz", npz(small, compressed=False))
    write("npz", "savez_compressed.npz", npz(small, compressed=True))
    mnist = {"x_train": images, "y_train": labels, "x_test": images[:1], "y_test": labels[:1]}
    write("npz", "mnist-like.npz", npz(mnist, compressed=True))

    # A member with a path component (refused) and a non-.npy member.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("../evil.npy", npy(labels))
        z.writestr("notes.txt", b"hello")
    write("npz", "path-component.npz", buf.getvalue())


if __name__ == "__main__":
    main()
