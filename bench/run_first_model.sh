#!/usr/bin/env bash
# The first-model benchmark (issue 8): kerascpp against PyTorch (Python) and libtorch (C++) on
# the Keras tutorial's exact configuration, run alternately (kerascpp, PyTorch, libtorch,
# kerascpp, ...) for several rounds with 1 and 2 threads, plus a peak-SGEMM probe, all in one
# invocation; prints a markdown table. Round r uses seed r, so accuracy is a mean over seeds.
#
#   bench/run_first_model.sh [--rounds N] [--epochs N] [--threads "1 2"] [--data DIR]
#   bench/run_first_model.sh --quick      CI: kerascpp only, 1 epoch, 1 round, no peers
#   ... --bin DIR                          use first_model_bench from DIR instead of building
#   ... --build DIR                        build (and keep results) there; default build-bench
#   ... --priority                         run each program in its own scheduler autogroup at
#                                          nice -15 (root): on a machine shared with other
#                                          users it then gets the cores nearly to itself
#
# Installs the peers' Debian packages (python3-torch, libtorch-dev) when missing; they are not
# needed to build or test kerascpp. Raw results: build-bench/first_model_results.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3 epochs=5 threads="1 2" peers=1 build=build-bench bin= priority=0
data="${KERASCPP_DATA_DIR:-../shared/data/mnist}"
while (($#)); do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --bin) bin="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --quick) rounds=1 epochs=1 peers=0; shift ;;
    --no-peers) peers=0; shift ;;
    --priority) priority=1; shift ;;
    *) echo "run_first_model.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [[ ! -d "$data" ]]; then
  echo "run_first_model.sh: MNIST not found in '$data' (set KERASCPP_DATA_DIR)" >&2
  [[ "${KERASCPP_REQUIRE_DATA:-}" == 1 ]] && exit 1
  exit 77  # ctest: skipped
fi
python=/usr/bin/python3  # Debian's, which python3-torch installs into

if ((peers)); then
  missing=()
  "$python" -c "import torch" 2>/dev/null || missing+=(python3-torch)
  [[ -f /usr/include/torch/csrc/api/include/torch/torch.h ]] || missing+=(libtorch-dev)
  if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
      echo "run_first_model.sh: the peers need: sudo apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
    echo "== installing the peers: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

if [[ -z "$bin" ]]; then
  echo "== building (Release)"
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DKERASCPP_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" -j"$(nproc)" --target first_model_bench >/dev/null
  bin="$build/bench"
fi
mkdir -p "$build"
libtorch_peer="$build/peers/first_model_libtorch"
if ((peers)) && [[ ! -x "$libtorch_peer" || bench/peers/first_model_libtorch.cpp -nt "$libtorch_peer" ]]; then
  mkdir -p "$build/peers"
  g++ -O2 -std=c++17 bench/peers/first_model_libtorch.cpp -o "$libtorch_peer" \
      -I/usr/include/torch/csrc/api/include -ltorch -ltorch_cpu -lc10 -lz
fi

results="$build/first_model_results.txt"
: >"$results"
launch() {  # the command, in its own high-priority autogroup with --priority
  if ((priority)); then
    setsid -w bash -c 'echo -15 >/proc/self/autogroup && exec "$@"' launch "$@"
  else
    "$@"
  fi
}
run() {  # impl threads seed
  local out
  case "$1" in
    kerascpp) out=$(launch "$bin/first_model_bench" --data "$data" --epochs "$epochs" --threads "$2" --seed "$3") ;;
    # Debian's torch calls a pthreads OpenBLAS, which torch.set_num_threads does not limit: the
    # environment does, so "1 thread" means one thread for the peers too.
    pytorch) out=$(OPENBLAS_NUM_THREADS="$2" OMP_NUM_THREADS="$2" launch "$python" bench/peers/first_model_torch.py --data "$data" --epochs "$epochs" --threads "$2" --seed "$3") ;;
    libtorch) out=$(OPENBLAS_NUM_THREADS="$2" OMP_NUM_THREADS="$2" launch "$libtorch_peer" --data "$data" --epochs "$epochs" --threads "$2" --seed "$3") ;;
  esac
  grep '^RESULT' <<<"$out" | sed "s/^RESULT /RESULT round=$3 /" | tee -a "$results"
}
probe() { launch "$bin/first_model_bench" --probe | tee -a "$results"; }

impls=(kerascpp)
((peers)) && impls+=(pytorch libtorch)
echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores$( ((priority)) && echo ', programs at autogroup nice -15')"
probe
for ((r = 1; r <= rounds; ++r)); do
  for t in $threads; do
    for impl in "${impls[@]}"; do run "$impl" "$t" "$r"; done
  done
done
probe
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# The table: medians over rounds (accuracy: mean over seeds), ratios to kerascpp at the same
# thread count and to the arithmetic floor (model FLOPs / best probed SGEMM rate).
awk -v epochs="$epochs" '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; ++i) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; --j) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  /^RESULT/ {
    delete f
    for (i = 2; i <= NF; ++i) { split($i, kv, "="); f[kv[1]] = kv[2] }
    if (f["impl"] == "sgemm_probe") { if (f["gflops"] > peak) peak = f["gflops"]; next }
    key = f["impl"] " " f["threads"]
    if (!(key in seen)) { seen[key] = 1; order[++nkeys] = key }
    fit[key] = fit[key] " " f["fit_s"]; cpu[key] = cpu[key] " " f["fit_cpu_s"]; pred[key] = pred[key] " " f["predict_ips"]
    eval_[key] = eval_[key] " " f["evaluate_ips"]; acc[key] += f["test_acc"]; runs[key]++
    if (f["peak_rss_mb"] > rss[key]) rss[key] = f["peak_rss_mb"]
  }
  END {
    # FLOPs per epoch: training (forward, dW of both layers, dx of the second) on 54,000 images
    # plus the validation forward pass on 6,000.
    fwd = 2 * (784 * 128 + 128 * 10)
    flops = epochs * (54000 * (2 * fwd + 2 * 128 * 10) + 6000 * fwd)
    floor_s = flops / (peak * 1e9)
    printf "\nModel: %.1f GFLOP for %d epoch(s); peak single-thread SGEMM %.1f GFLOP/s -> floor %.2f s\n\n", flops / 1e9, epochs, peak, floor_s
    print "| implementation | threads | fit s (median) | s/epoch | fit CPU s | test acc (mean) | evaluate img/s | predict img/s | peak RSS MB | fit time / kerascpp | fit time / floor |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (k = 1; k <= nkeys; ++k) {
      key = order[k]; split(key, p, " ")
      m = median(fit[key]); base = median(fit["kerascpp " p[2]])
      printf "| %s | %s | %.2f | %.3f | %.2f | %.4f | %.0f | %.0f | %.0f | %.2f | %.2f |\n", p[1], p[2], m, m / epochs,
             median(cpu[key]), acc[key] / runs[key], median(eval_[key]), median(pred[key]), rss[key], (base > 0 ? m / base : 0), m / floor_s
    }
    if (("kerascpp 1" in seen) && ("kerascpp 2" in seen))
      printf "\nkerascpp 2 threads vs 1: %.2fx\n", median(fit["kerascpp 1"]) / median(fit["kerascpp 2"])
  }' "$results"
