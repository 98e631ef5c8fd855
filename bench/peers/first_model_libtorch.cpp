// libtorch (C++) peer of the first-model benchmark (bench/run_first_model.sh), the same program
// as first_model_torch.py: tensors in memory, at::set_num_threads, logits + cross_entropy,
// Keras's initialisers and Adam epsilon, the last 10% for validation, inference under NoGradGuard
// in eval mode, batch 32 everywhere. Prints one `RESULT key=value ...` line.
//
//   first_model_libtorch --data DIR [--epochs 5] [--threads 1] [--seed 1]
#include <sys/resource.h>
#include <torch/torch.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// A uint8 IDX file (gzip or raw: zlib reads both) as a uint8 tensor.
torch::Tensor load_idx(const std::string& dir, const std::string& stem) {
  gzFile f = gzopen((dir + "/" + stem + ".gz").c_str(), "rb");
  if (!f) f = gzopen((dir + "/" + stem).c_str(), "rb");
  if (!f) throw std::runtime_error(stem + "(.gz) not found in " + dir);
  std::vector<unsigned char> data;
  unsigned char buf[1 << 16];
  for (int n; (n = gzread(f, buf, sizeof buf)) > 0;) data.insert(data.end(), buf, buf + n);
  gzclose(f);
  const int ndim = data.at(3);
  std::vector<int64_t> shape;
  size_t offset = 4;
  for (int d = 0; d < ndim; ++d, offset += 4)
    shape.push_back(int64_t(data[offset]) << 24 | int64_t(data[offset + 1]) << 16 |
                    int64_t(data[offset + 2]) << 8 | int64_t(data[offset + 3]));
  return torch::from_blob(data.data() + offset, shape, torch::kUInt8).clone();
}

}  // namespace

int main(int argc, char** argv) try {
  std::string dir;
  int epochs = 5, threads = 1;
  uint64_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--data")
      dir = v;
    else if (k == "--epochs")
      epochs = std::stoi(v);
    else if (k == "--threads")
      threads = std::stoi(v);
    else if (k == "--seed")
      seed = std::stoull(v);
    else
      throw std::runtime_error("unknown argument " + k);
  }
  at::set_num_threads(threads);
  torch::manual_seed(seed);

  auto x_train = load_idx(dir, "train-images-idx3-ubyte").to(torch::kFloat32).div_(255.0);
  auto y_train = load_idx(dir, "train-labels-idx1-ubyte").to(torch::kInt64);
  auto x_test = load_idx(dir, "t10k-images-idx3-ubyte").to(torch::kFloat32).div_(255.0);
  auto y_test = load_idx(dir, "t10k-labels-idx1-ubyte").to(torch::kInt64);

  torch::nn::Sequential model(torch::nn::Flatten(), torch::nn::Linear(784, 128), torch::nn::ReLU(),
                              torch::nn::Dropout(0.2), torch::nn::Linear(128, 10));
  for (auto& p : model->named_parameters()) {
    torch::NoGradGuard guard;
    if (p.key().find("weight") != std::string::npos)
      torch::nn::init::xavier_uniform_(p.value());
    else
      torch::nn::init::zeros_(p.value());
  }
  torch::optim::Adam opt(model->parameters(),
                         torch::optim::AdamOptions(1e-3).betas({0.9, 0.999}).eps(1e-7));

  const int64_t split = x_train.size(0) * 9 / 10, bs = 32;  // the last 10% validates
  auto x_fit = x_train.slice(0, 0, split), y_fit = y_train.slice(0, 0, split);
  auto x_val = x_train.slice(0, split), y_val = y_train.slice(0, split);

  auto evaluate = [&](const torch::Tensor& x, const torch::Tensor& y) {
    model->eval();
    torch::NoGradGuard guard;
    double loss = 0;
    int64_t correct = 0;
    for (int64_t i = 0; i < x.size(0); i += bs) {
      auto out = model->forward(x.slice(0, i, i + bs));
      auto yb = y.slice(0, i, i + bs);
      loss += torch::nn::functional::cross_entropy(out, yb).item<double>() * double(out.size(0));
      correct += (out.argmax(1) == yb).sum().item<int64_t>();
    }
    return double(correct) / double(x.size(0));
  };

  std::vector<double> epoch_s;
  const double cpu0 = cpu_seconds(), t0 = now();
  for (int e = 0; e < epochs; ++e) {
    const double e0 = now();
    model->train();
    auto perm = torch::randperm(split, torch::kInt64);
    auto loss_sum = torch::zeros({});
    auto correct = torch::zeros({}, torch::kInt64);
    for (int64_t i = 0; i < split; i += bs) {
      auto idx = perm.slice(0, i, i + bs);
      auto xb = x_fit.index_select(0, idx), yb = y_fit.index_select(0, idx);
      opt.zero_grad();
      auto out = model->forward(xb);
      auto loss = torch::nn::functional::cross_entropy(out, yb);
      loss.backward();
      opt.step();
      loss_sum += loss.detach() * idx.size(0);  // Keras's running loss and accuracy
      correct += (out.detach().argmax(1) == yb).sum();
    }
    evaluate(x_val, y_val);
    epoch_s.push_back(now() - e0);
  }
  const double fit_s = now() - t0, fit_cpu = cpu_seconds() - cpu0;

  double t1 = now();
  const double test_acc = evaluate(x_test, y_test);
  const double evaluate_s = now() - t1;
  t1 = now();
  std::vector<torch::Tensor> parts;
  {
    model->eval();
    torch::NoGradGuard guard;
    for (int64_t i = 0; i < x_test.size(0); i += bs)
      parts.push_back(torch::softmax(model->forward(x_test.slice(0, i, i + bs)), 1));
  }
  auto predictions = torch::cat(parts);
  const double predict_s = now() - t1;

  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  std::string epochs_csv;
  for (double s : epoch_s) {
    char b[32];
    std::snprintf(b, sizeof b, "%s%.3f", epochs_csv.empty() ? "" : ",", s);
    epochs_csv += b;
  }
  const double n_test = double(x_test.size(0));
  std::printf(
      "RESULT impl=libtorch threads=%d fit_s=%.3f fit_cpu_s=%.3f epoch_s=%s test_acc=%.4f "
      "evaluate_s=%.4f evaluate_ips=%.0f predict_s=%.4f predict_ips=%.0f peak_rss_mb=%.1f\n",
      at::get_num_threads(), fit_s, fit_cpu, epochs_csv.c_str(), test_acc, evaluate_s,
      n_test / evaluate_s, predict_s, n_test / predict_s, double(u.ru_maxrss) * 1024 / 1e6);
  (void)predictions;
  return 0;
} catch (const std::exception& e) {
  std::cerr << "first_model_libtorch: " << e.what() << "\n";
  return 1;
}
