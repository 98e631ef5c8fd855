#!/usr/bin/env python3
"""Checks that the files kerascpp writes are, structurally, the files Keras writes.

    compare_structure.py FIXTURES_DIR KERASCPP_DIR

KERASCPP_DIR holds what keras_files_write_models wrote: the architectures of three real fixture
files (../shared/fixtures/keras-models) saved by kerascpp. For each pair the HDF5 trees (groups,
datasets with dtype and shape, attributes with type and value) are compared, the .keras archive
is checked against the layout keras-behavior.md section 9.1 says Keras 3 loads, and an
independent NumPy forward pass over the kerascpp files (h5py + json only) must reproduce the
outputs kerascpp computed. Exit 0: pass, 1: differences found, 77: skipped (no fixtures).
"""
import io
import json
import os
import re
import sys
import zipfile

import h5py
import numpy as np

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("  DIFF:", what)


def attr_sig(value):
    """Type and value of an attribute, as h5py reads it."""
    if isinstance(value, (str, bytes)):
        return ("str", value.decode() if isinstance(value, bytes) else value)
    arr = np.asarray(value)
    return (arr.dtype.kind, arr.shape)


def h5_tree(f, skip_values=()):
    """{path: (kind, dtype, shape, {attr: signature})} for every object in the file."""
    tree = {}

    def visit(name, obj):
        attrs = {k: attr_sig(obj.attrs[k]) for k in obj.attrs if k not in skip_values}
        if isinstance(obj, h5py.Dataset):
            tree[name] = ("dataset", str(obj.dtype), obj.shape, obj.chunks, obj.compression, attrs)
        else:
            tree[name] = ("group", attrs)

    tree["/"] = ("group", {k: attr_sig(f.attrs[k]) for k in f.attrs})
    f.visititems(visit)
    return tree


def compare_trees(ours, theirs, label):
    print(f"- {label}")
    missing = sorted(set(theirs) - set(ours))
    extra = sorted(set(ours) - set(theirs))
    check(not missing, f"{label}: objects Keras writes but kerascpp does not: {missing}")
    check(not extra, f"{label}: objects kerascpp writes but Keras does not: {extra}")
    for path in sorted(set(ours) & set(theirs)):
        check(ours[path] == theirs[path], f"{label}: {path}: kerascpp {ours[path]} vs Keras {theirs[path]}")


# ---- NumPy forward pass (Dense / Flatten / Dropout / InputLayer), independent of kerascpp --------
def forward(layers, weights, x):
    for layer, w in zip(layers, weights):
        cls, cfg = layer["class_name"], layer["config"]
        if cls == "Flatten":
            x = x.reshape(x.shape[0], -1)
        elif cls == "Dense":
            x = x @ w[0] + (w[1] if len(w) > 1 else 0)
            act = cfg.get("activation", "linear")
            if act == "relu":
                x = np.maximum(x, 0)
            elif act == "softmax":
                e = np.exp(x - x.max(axis=-1, keepdims=True))
                x = e / e.sum(axis=-1, keepdims=True)
            else:
                check(act == "linear", f"activation {act} not handled by the NumPy check")
        else:
            check(cls == "Dropout", f"layer {cls} not handled by the NumPy check")
    return x


def ramp(shape):
    return (np.arange(784, dtype=np.float32) * 7 % 256 / np.float32(255)).reshape((1,) + tuple(shape))


def compare_outputs(got, want, label):
    diff = float(np.max(np.abs(np.asarray(got, np.float64) - np.asarray(want, np.float64))))
    check(diff < 1e-5, f"{label}: NumPy forward pass differs from kerascpp by {diff}")
    print(f"- {label}: NumPy forward pass of the kerascpp file matches kerascpp (max diff {diff:.2e})")


# ---- checks --------------------------------------------------------------------------------------
def keras_archive(ours_path, fixture_path, predictions):
    print("== .keras:", os.path.basename(ours_path), "vs", os.path.basename(fixture_path))
    with zipfile.ZipFile(ours_path) as z, zipfile.ZipFile(fixture_path) as k:
        names = [i.filename for i in z.infolist()]
        check(names == ["metadata.json", "config.json", "model.weights.h5"], f"zip entries/order {names}")
        check(names == [i.filename for i in k.infolist()], "zip entries differ from Keras's")
        check(all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist()), "entries must be stored")
        check(z.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0), "metadata.json timestamp is not 1980-01-01")
        meta = json.loads(z.read("metadata.json"))
        check(set(meta) >= {"keras_version", "date_saved"}, f"metadata.json keys {sorted(meta)}")
        ours_cfg, their_cfg = json.loads(z.read("config.json")), json.loads(k.read("config.json"))
        config_json(ours_cfg, their_cfg)
        with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as ours, \
                h5py.File(io.BytesIO(k.read("model.weights.h5")), "r") as theirs:
            compare_trees(h5_tree(ours), h5_tree(theirs), "model.weights.h5 tree")
            section_9_1(ours, ours_cfg)
            layers = ours_cfg["config"]["layers"][1:]
            counters, weights = {}, []
            for layer in layers:
                base = snake(layer["class_name"])
                n = counters.get(base)
                counters[base] = 0 if n is None else n + 1
                path = base if n is None else f"{base}_{n + 1}"
                vars_ = ours["layers"][path]["vars"]
                weights.append([np.asarray(vars_[str(i)]) for i in range(len(vars_))])
            shape = ours_cfg["config"]["layers"][0]["config"]["batch_shape"][1:]
            compare_outputs(forward(layers, weights, ramp(shape))[0], predictions, os.path.basename(ours_path))


def snake(name):
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def config_json(ours, theirs):
    print("- config.json")
    check(set(theirs) - {"compile_config"} <= set(ours), f"top-level keys {sorted(ours)} vs {sorted(theirs)}")
    check("compile_config" in ours, "no compile_config")
    check(ours["class_name"] == "Sequential" and ours["module"] == "keras", "model class/module")
    ol, tl = ours["config"]["layers"], theirs["config"]["layers"]
    check([l["class_name"] for l in ol] == [l["class_name"] for l in tl], "layer classes differ")
    arch_keys = {"units", "activation", "use_bias", "rate", "batch_shape", "data_format", "sparse"}
    for o, t in zip(ol, tl):
        for key in ("module", "class_name", "config", "registered_name"):
            check(key in o, f"layer {o['class_name']}: no '{key}'")
        check(("build_config" in o) == ("build_config" in t), f"layer {o['class_name']}: build_config presence")
        if "build_config" in t:
            check(o.get("build_config") == t["build_config"], f"layer {o['class_name']}: build_config differs")
        # kerascpp writes Keras 3's keys, minus version-specific extras (ragged, optional, ...).
        allowed_extra = {"ragged", "optional", "quantization_config", "lora_rank", "lora_alpha"}
        check(set(t["config"]) - allowed_extra <= set(o["config"]),
              f"layer {o['class_name']}: config keys {sorted(o['config'])} vs Keras {sorted(t['config'])}")
        check(set(o["config"]) <= set(t["config"]), f"layer {o['class_name']}: extra keys {set(o['config']) - set(t['config'])}")
        for key in arch_keys & set(t["config"]):
            check(o["config"].get(key) == t["config"][key], f"layer {o['class_name']}: {key} differs")
    oc, tc = ours["compile_config"], theirs["compile_config"]
    check(set(oc) == set(tc), f"compile_config keys {sorted(oc)} vs {sorted(tc)}")
    check(set(oc["optimizer"]["config"]) == set(tc["optimizer"]["config"]), "optimizer config keys differ")
    check(oc["optimizer"]["class_name"] == tc["optimizer"]["class_name"], "optimizer class differs")
    check(oc["loss"] == tc["loss"] and oc["metrics"] == tc["metrics"], "loss/metrics differ")


def section_9_1(h5, cfg):
    """keras-behavior.md 9.1: what a hand-written .keras needs for Keras 3.3-3.15 to load it."""
    print("- keras-behavior.md 9.1 checklist")
    check("vars" in h5 and len(h5["vars"]) == 0, "root vars group (empty) is required")
    layers = cfg["config"]["layers"]
    check(layers[0]["class_name"] == "InputLayer", "InputLayer first")
    check(set(layers[0]["config"]) >= {"batch_shape", "dtype", "sparse", "name"}, "InputLayer config keys")
    n_layer_groups = len(h5["layers"])
    check(n_layer_groups == len(layers) - 1, "one layers/<name>/vars group per layer, empty ones included")
    for name in h5["layers"]:
        check("vars" in h5["layers"][name], f"layers/{name}/vars missing")
    ov = h5["optimizer"]["vars"]
    check(ov["0"].shape == () and ov["0"].dtype == np.int64, "optimizer/vars/0 must be an int64 scalar")
    check(ov["1"].shape == () and ov["1"].dtype == np.float32, "optimizer/vars/1 must be a float32 scalar")
    weights = []
    counters = {}
    for layer in layers[1:]:
        base = snake(layer["class_name"])
        n = counters.get(base)
        counters[base] = 0 if n is None else n + 1
        g = h5["layers"][base if n is None else f"{base}_{n + 1}"]["vars"]
        weights += [g[str(i)].shape for i in range(len(g))]
    slots = [ov[str(i)].shape for i in range(2, len(ov))]
    check(slots == [s for s in weights for _ in (0, 1)], "optimizer m/v must be interleaved per weight")
    for key in ("optimizer", "loss", "metrics"):
        check(key in cfg["compile_config"], f"compile_config.{key}")


def weights_file(ours_path, fixture_path):
    print("== .weights.h5:", os.path.basename(ours_path), "vs", os.path.basename(fixture_path))
    with h5py.File(ours_path, "r") as ours, h5py.File(fixture_path, "r") as theirs:
        compare_trees(h5_tree(ours), h5_tree(theirs), "weights tree (names, @name attributes, dtypes, shapes)")


def legacy_tree(f):
    """The legacy layout with weight-name spellings resolved (they differ between Keras versions)."""
    out = {"root_attrs": sorted(f.attrs), "model_weights_attrs": sorted(f["model_weights"].attrs)}
    mw = f["model_weights"]
    names = [n.decode() if isinstance(n, bytes) else n for n in mw.attrs["layer_names"]]
    out["layer_names"] = names
    out["groups"] = sorted(k for k in mw)
    layers = {}
    for n in names:
        wn = mw[n].attrs["weight_names"]
        layers[n] = [(mw[n][w.decode() if isinstance(w, bytes) else w].shape,
                      str(mw[n][w.decode() if isinstance(w, bytes) else w].dtype)) for w in wn]
        if len(wn) == 0:
            check(np.asarray(wn).dtype == np.float64, f"empty weight_names of {n} must be float64 like Keras's")
    out["layers"] = layers
    top = mw["top_level_model_weights"].attrs["weight_names"]
    out["top_level"] = (np.asarray(top).dtype.kind, len(top))
    for key in ("backend", "keras_version"):
        out[key + "_type"] = type(f.attrs[key]).__name__
    return out


def optimizer_layout(f):
    g = f["optimizer_weights"]
    names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs["weight_names"]]
    return [(g[n].shape, str(g[n].dtype)) for n in names]


def legacy_h5(ours_path, fixture_path, fixture_k3, predictions):
    print("== legacy .h5:", os.path.basename(ours_path), "vs", os.path.basename(fixture_path))
    with h5py.File(ours_path, "r") as ours, h5py.File(fixture_path, "r") as theirs, h5py.File(fixture_k3, "r") as k3:
        o, t = legacy_tree(ours), legacy_tree(theirs)
        for key in o:
            check(o[key] == t[key], f"legacy {key}: kerascpp {o[key]} vs Keras {t[key]}")
        print("- layout, layer_names, weight shapes and attribute types match", os.path.basename(fixture_path))
        # Optimizer: Keras 3 writes iteration, learning_rate, then m/v per weight (tf.keras 2.12 has no lr).
        ol, tl, k3l = optimizer_layout(ours), optimizer_layout(theirs), optimizer_layout(k3)
        check(ol[:2] == k3l[:2], f"optimizer iteration/learning_rate {ol[:2]} vs Keras 3 {k3l[:2]}")
        check(ol[2:] == tl[1:], "optimizer slots differ from Keras's")
        cfg = json.loads(ours.attrs["model_config"])
        check(cfg["class_name"] == "Sequential" and "module" not in cfg["config"]["layers"][1], "legacy model_config")
        check("optimizer_config" in json.loads(ours.attrs["training_config"]), "training_config.optimizer_config")
        mw = ours["model_weights"]
        weights = []
        for layer in cfg["config"]["layers"][1:]:
            g = mw[layer["config"]["name"]]
            weights.append([np.asarray(g[w.decode() if isinstance(w, bytes) else w]) for w in g.attrs["weight_names"]])
        shape = cfg["config"]["layers"][0]["config"]["batch_shape"][1:]
        compare_outputs(forward(cfg["config"]["layers"][1:], weights, ramp(shape))[0], predictions,
                        os.path.basename(ours_path))


def legacy_weights_only(ours_path, fixture_path):
    print("== legacy weights-only:", os.path.basename(ours_path), "vs", os.path.basename(fixture_path))
    with h5py.File(ours_path, "r") as ours, h5py.File(fixture_path, "r") as theirs:
        check(sorted(ours.attrs) == sorted(theirs.attrs), f"root attributes {sorted(ours.attrs)} vs {sorted(theirs.attrs)}")
        check("top_level_model_weights" in ours and "model_config" not in ours.attrs, "weights-only layout")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    fixtures, ours = sys.argv[1], sys.argv[2]
    if not os.path.exists(os.path.join(fixtures, "MANIFEST.md")):
        if os.environ.get("KERASCPP_REQUIRE_DATA") == "1":
            print("fixtures not found:", fixtures)
            return 1
        print("SKIP: Keras fixture files not found at", fixtures)
        return 77
    predictions = json.load(open(os.path.join(ours, "predictions.json")))
    keras_archive(os.path.join(ours, "mlp-dropout.keras"), os.path.join(fixtures, "mnist-mlp-dropout-k3.10.keras"),
                  predictions["mlp-dropout.keras"])
    weights_file(os.path.join(ours, "mlp-logits.weights.h5"), os.path.join(fixtures, "mnist-mlp-logits-k3.11.weights.h5"))
    legacy_h5(os.path.join(ours, "mlp.h5"), os.path.join(fixtures, "mnist-mlp-k2.12.h5"),
              os.path.join(fixtures, "mnist-convnet-k3.1-legacy.h5"), predictions["mlp.h5"])
    legacy_weights_only(os.path.join(ours, "mlp-weights-legacy.h5"), os.path.join(fixtures, "mnist-cnn-weightsonly-k2.15.h5"))
    if FAILURES:
        print(f"FAILED: {len(FAILURES)} difference(s)")
        return 1
    print("PASSED: the files kerascpp writes have the structure of the files Keras writes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
