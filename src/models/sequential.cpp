#include "keras/models/sequential.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <numeric>

#include "keras/callbacks/progbar_logger.hpp"
#include "keras/core/error.hpp"
#include "keras/layers/input_layer.hpp"
#include "keras/utils/progbar.hpp"
#include "keras/utils/random.hpp"
#include "keras/utils/summary.hpp"

namespace keras::models {

using layers::LayerPtr;

// ---- argument handles ----------------------------------------------------------------------
OptimizerHandle::OptimizerHandle(const char* name) : ptr_(optimizers::get(name)) {}
OptimizerHandle::OptimizerHandle(const std::string& name) : ptr_(optimizers::get(name)) {}
OptimizerHandle::OptimizerHandle(optimizers::OptimizerPtr ptr) : ptr_(std::move(ptr)) {
  if (!ptr_) throw ValueError("compile: optimizer is null");
}
LossHandle::LossHandle(const char* name) : ptr_(losses::get(name)) {}
LossHandle::LossHandle(const std::string& name) : ptr_(losses::get(name)) {}
LossHandle::LossHandle(losses::LossPtr ptr) : ptr_(std::move(ptr)) {
  if (!ptr_) throw ValueError("compile: loss is null");
}

// ---- workspace -------------------------------------------------------------------------------
// Per-layer outputs and two gradient buffers, sized for the largest batch seen so far.
struct Sequential::Workspace {
  int64_t capacity = 0;
  std::vector<Tensor> outputs;       // one per layer (unused for aliasing layers)
  std::vector<const float*> in_ptr;  // forward-pass input of each layer
  std::vector<float*> out_ptr;       // forward-pass output of each layer
  Tensor grad_a, grad_b, loss_grad;  // backward ping-pong buffers and dL/dy_pred
  Tensor x_batch, y_batch;           // gathered (shuffled) batch
};

Sequential::Sequential(std::initializer_list<layers::LayerHandle> layers, std::string name)
    : name_(name.empty() ? layers::unique_name("sequential") : std::move(name)) {
  for (const auto& l : layers) add(l);
}

Sequential::Sequential(const std::vector<LayerPtr>& layers, std::string name)
    : name_(name.empty() ? layers::unique_name("sequential") : std::move(name)) {
  for (const auto& l : layers) add(l);
}

Sequential::Sequential(Sequential&&) noexcept = default;
Sequential& Sequential::operator=(Sequential&&) noexcept = default;
Sequential::~Sequential() = default;

void Sequential::add(layers::LayerHandle handle) {
  LayerPtr layer = handle.get();
  if (!layer) throw ValueError("Sequential.add: layer is null");
  if (auto* input = dynamic_cast<layers::InputLayer*>(layer.get())) {
    if (!layers_.empty() || declared_input_shape_)
      throw ValueError("Sequential '" + name_ + "': an Input layer must be the first layer");
    declared_input_shape_ = input->shape();
    input_name_ = input->name();
    return;
  }
  for (const auto& l : layers_)
    if (l == layer || l->name() == layer->name())
      throw ValueError("Sequential '" + name_ + "': all layers must have unique names; '" +
                       layer->name() + "' is already in the model");
  if (layers_.empty() && !declared_input_shape_ && layer->declared_input_shape()) {
    declared_input_shape_ = layer->declared_input_shape();
    input_name_ = layers::unique_name("input_layer");
  }
  layers_.push_back(std::move(layer));
  if (declared_input_shape_) build(*declared_input_shape_);
}

LayerPtr Sequential::get_layer(std::string_view name) const {
  std::string names;
  for (const auto& l : layers_) {
    if (l->name() == name) return l;
    names += (names.empty() ? "" : ", ") + l->name();
  }
  throw ValueError("No such layer: '" + std::string(name) + "'. Existing layers are: " + names);
}

std::optional<Shape> Sequential::input_shape() const {
  if (declared_input_shape_) return declared_input_shape_;
  if (built_ && !layers_.empty()) return layers_.front()->input_shape();
  return std::nullopt;
}

Shape Sequential::output_shape() const {
  require_built("output_shape");
  return layers_.empty() ? *input_shape() : layers_.back()->output_shape();
}

void Sequential::build(const Shape& input_shape) {
  if (layers_.empty()) throw ValueError("Sequential '" + name_ + "' has no layers to build");
  // Keep the values of layers that were already built (when add() extends a built model).
  std::vector<std::vector<float>> old_values(layers_.size());
  std::vector<bool> had_values(layers_.size(), false);
  for (size_t i = 0; i < layers_.size(); ++i) {
    const auto& vars = layers_[i]->variables();
    if (layers_[i]->built() && !vars.empty() && vars.front().value) {
      for (const auto& v : vars)
        old_values[i].insert(old_values[i].end(), v.value, v.value + v.size());
      had_values[i] = true;
    }
  }
  Shape s = input_shape;
  for (auto& layer : layers_) {
    layer->build(s);
    s = layer->output_shape();
  }
  int64_t n_train = 0, n_frozen = 0;
  for (auto& layer : layers_)
    for (const auto& spec : layer->weight_specs())
      (spec.trainable ? n_train : n_frozen) += spec.shape.size();
  params_ = Tensor(Shape{n_train});
  grads_ = Tensor(Shape{n_train});
  frozen_ = Tensor(Shape{n_frozen});
  int64_t off_train = 0, off_frozen = 0;
  random::Generator gen = random::make_generator();
  for (size_t i = 0; i < layers_.size(); ++i) {
    std::vector<layers::Variable> vars;
    for (const auto& spec : layers_[i]->weight_specs()) {
      layers::Variable v{spec.name, spec.shape, nullptr, nullptr, spec.trainable};
      if (spec.trainable) {
        v.value = params_.data() + off_train;
        v.gradient = grads_.data() + off_train;
        off_train += spec.shape.size();
      } else {
        v.value = frozen_.data() + off_frozen;
        off_frozen += spec.shape.size();
      }
      vars.push_back(std::move(v));
    }
    layers_[i]->bind(vars);
    layers_[i]->initialize_weights(gen);
    if (had_values[i]) {
      size_t off = 0;
      for (const auto& v : layers_[i]->variables()) {
        if (off + static_cast<size_t>(v.size()) > old_values[i].size()) break;
        std::copy_n(old_values[i].data() + off, v.size(), v.value);
        off += static_cast<size_t>(v.size());
      }
    }
  }
  built_ = true;
  ws_.reset();
  if (optimizer_ && optimizer_->built()) optimizer_->build(n_train);
}

void Sequential::require_built(const char* what) const {
  if (!built_)
    throw ValueError(
        std::string(what) + ": model '" + name_ +
        "' is not built yet. Give the first layer an input shape (e.g. "
        "Flatten({28, 28}) or Input({28, 28})), call build(shape), or call fit/predict "
        "on data first");
}

void Sequential::require_compiled(const char* what) const {
  if (!compiled())
    throw ValueError(
        std::string(what) +
        ": you must call compile() before using the model, e.g. "
        "model.compile(\"adam\", \"sparse_categorical_crossentropy\", {\"accuracy\"})");
}

void Sequential::compile(OptimizerHandle optimizer, LossHandle loss,
                         std::vector<std::string> metrics) {
  optimizer_ = optimizer.get();
  loss_ = loss.get();
  loss_tracker_ = std::make_shared<metrics::Mean>("loss");
  metrics_.clear();
  for (const auto& m : metrics) metrics_.push_back(metrics::get(m));
  metric_names_.clear();
  for (const auto& m : metrics_) metric_names_.push_back(m->name());
}

optimizers::Optimizer& Sequential::optimizer() const {
  require_compiled("optimizer");
  return *optimizer_;
}

const losses::LossFunction& Sequential::loss() const {
  require_compiled("loss");
  return *loss_;
}

int64_t Sequential::count_params() const {
  int64_t n = 0;
  for (const auto& l : layers_) n += l->count_params();
  return n;
}

// ---- weights -------------------------------------------------------------------------------
std::vector<layers::Variable> Sequential::variables() const {
  std::vector<layers::Variable> out;
  for (const auto& l : layers_)
    for (const auto& v : l->variables()) out.push_back(v);
  return out;
}

std::vector<Tensor> Sequential::get_weights() const {
  std::vector<Tensor> out;
  for (const auto& v : variables()) {
    Tensor t = Tensor::uninitialized(v.shape);
    std::copy_n(v.value, v.size(), t.data());
    out.push_back(std::move(t));
  }
  return out;
}

void Sequential::set_weights(const std::vector<Tensor>& weights) {
  require_built("set_weights");
  auto vars = variables();
  if (weights.size() != vars.size())
    throw ValueError("set_weights: model '" + name_ + "' has " + std::to_string(vars.size()) +
                     " weights, got " + std::to_string(weights.size()));
  for (size_t i = 0; i < vars.size(); ++i)
    if (weights[i].shape() != vars[i].shape)
      throw ValueError("set_weights: weight " + std::to_string(i) + " (" + vars[i].name +
                       ") has shape " + vars[i].shape.str() + ", got " + weights[i].shape().str());
  for (size_t i = 0; i < vars.size(); ++i)
    std::copy_n(weights[i].data(), vars[i].size(), vars[i].value);
}

// ---- forward / backward ------------------------------------------------------------------------
void Sequential::ensure_workspace(int64_t batch) {
  if (ws_ && ws_->capacity >= batch) return;
  auto ws = std::make_unique<Workspace>();
  ws->capacity = batch;
  const size_t L = layers_.size();
  ws->outputs.resize(L);
  ws->in_ptr.assign(L, nullptr);
  ws->out_ptr.assign(L, nullptr);
  int64_t widest = input_shape()->size();
  for (size_t i = 0; i < L; ++i) {
    const int64_t out = layers_[i]->output_shape().size();
    widest = std::max(widest, out);
    if (!layers_[i]->aliases_input()) ws->outputs[i] = Tensor::uninitialized(Shape{batch * out});
  }
  ws->grad_a = Tensor::uninitialized(Shape{batch * widest});
  ws->grad_b = Tensor::uninitialized(Shape{batch * widest});
  ws->loss_grad = Tensor::uninitialized(Shape{batch * output_shape().size()});
  ws_ = std::move(ws);
}

const float* Sequential::forward(const float* x, int64_t batch, bool training) {
  require_built("forward");
  ensure_workspace(batch);
  const float* cur = x;
  for (size_t i = 0; i < layers_.size(); ++i) {
    // Aliasing layers (Flatten) read and "write" the same buffer; they never modify it.
    float* y = layers_[i]->aliases_input() ? const_cast<float*>(cur) : ws_->outputs[i].data();
    layers_[i]->forward(cur, y, batch, training);
    ws_->in_ptr[i] = cur;
    ws_->out_ptr[i] = y;
    cur = y;
  }
  return cur;
}

void Sequential::backward(const float* /*x*/, const float* y_true, int64_t batch,
                          const layers::UpdateFn* update) {
  const size_t L = layers_.size();
  const int64_t C = output_shape().size();
  // The model input needs no gradient: stop at the first layer that computes anything.
  size_t first_compute = 0;
  while (first_compute < L && layers_[first_compute]->aliases_input()) ++first_compute;

  float* spare[2] = {ws_->grad_a.data(), ws_->grad_b.data()};
  int next_spare = 0;
  auto dx_for = [&](size_t i, const float* dy) -> float* {
    if (i <= first_compute) return nullptr;
    if (layers_[i]->aliases_input()) return const_cast<float*>(dy);
    float* d = spare[next_spare];
    if (d == dy) d = spare[next_spare ^= 1];
    next_spare ^= 1;
    return d;
  };

  // With a fused optimizer step, each layer's weights are updated right after its backward
  // pass (by the layer itself, block by block, when it can): no layer below reads them.
  auto run = [&](size_t i, auto&& backward_fn) {
    layers::Layer& layer = *layers_[i];
    const bool fused = update && layer.fuses_update();
    if (fused) layer.set_update(update);
    backward_fn(layer);
    if (fused) layer.set_update(nullptr);
    if (update && !fused)
      for (const auto& v : layer.variables())
        if (v.trainable) (*update)(v, kernels::Slice{0, 1, v.size(), v.size()});
  };

  const size_t last = L - 1;
  const float* y_pred = ws_->out_ptr[last];
  float* dy = ws_->loss_grad.data();
  float* dx = dx_for(last, dy);
  const float* x_last = ws_->in_ptr[last];
  if (layers_[last]->final_activation() == kernels::Activation::softmax &&
      loss_->softmax_gradient(y_pred, y_true, dy, batch, C)) {
    run(last, [&](layers::Layer& l) { l.backward_preactivation(x_last, y_pred, dy, dx, batch); });
  } else {
    loss_->gradient(y_pred, y_true, dy, batch, C);
    run(last, [&](layers::Layer& l) { l.backward(x_last, y_pred, dy, dx, batch); });
  }
  const float* g = dx;
  for (size_t i = last; i-- > 0;) {
    if (!g) break;
    float* d = dx_for(i, g);
    run(i, [&](layers::Layer& l) { l.backward(ws_->in_ptr[i], ws_->out_ptr[i], g, d, batch); });
    g = d;
  }
}

double Sequential::train_on_batch(const float* x, const float* y, int64_t batch) {
  require_compiled("train_on_batch");
  require_built("train_on_batch");
  if (!optimizer_->built()) optimizer_->build(params_.size());
  const float* y_pred = forward(x, batch, true);
  const int64_t C = output_shape().size();
  const double loss = loss_->call(y_pred, y, batch, C);
  update_metrics(y_pred, y, batch, loss);
  if (!optimizer_->elementwise()) {
    backward(x, y, batch, nullptr);
    optimizer_->apply(params_.data(), grads_.data(), params_.size());
    return loss;
  }
  // Element-wise optimizers (Adam, SGD) run inside the backward pass, slice by slice.
  optimizer_->begin_step();
  float* params = params_.data();
  const float* grads = grads_.data();
  const layers::UpdateFn update = [&](const layers::Variable& v, const kernels::Slice& slice) {
    kernels::Slice in_buffer = slice;
    in_buffer.offset += v.value - params;
    optimizer_->apply_slice(params, grads, in_buffer);
  };
  backward(x, y, batch, &update);
  optimizer_->end_step();
  return loss;
}

// ---- metrics ---------------------------------------------------------------------------------
void Sequential::reset_metrics() {
  loss_tracker_->reset();
  for (auto& m : metrics_) m->reset();
}

void Sequential::update_metrics(const float* y_pred, const float* y_true, int64_t batch,
                                double loss) {
  const int64_t C = output_shape().size();
  loss_tracker_->update_value(loss, double(batch));
  for (auto& m : metrics_) m->update(y_pred, y_true, batch, C, loss_->sparse_labels());
}

callbacks::Logs Sequential::metric_logs(const std::string& prefix) const {
  callbacks::Logs logs;
  logs[prefix + "loss"] = loss_tracker_->result();
  for (const auto& m : metrics_) logs[prefix + m->name()] = m->result();
  return logs;
}

// ---- input checks ------------------------------------------------------------------------------
namespace {
// Index of the first NaN or infinity in p[0, n), else n. Blocks are screened branch-free (the
// largest exponent field: all ones only for NaN and infinity), which the compiler vectorises, so
// a data set is checked at memory speed.
int64_t first_non_finite(const float* p, int64_t n) {
  constexpr int64_t kBlock = 4096;
  constexpr uint32_t kExponent = 0x7f800000u;
  for (int64_t b = 0; b < n; b += kBlock) {
    const int64_t e = std::min(n, b + kBlock);
    uint32_t top = 0;
    for (int64_t i = b; i < e; ++i) top = std::max(top, std::bit_cast<uint32_t>(p[i]) & kExponent);
    if (top == kExponent)
      for (int64_t i = b; i < e; ++i)
        if (!std::isfinite(p[i])) return i;
  }
  return n;
}
}  // namespace

void Sequential::check_inputs(const Tensor& x, const Tensor& y, const char* what) const {
  const std::string where = std::string(what) + ": ";
  if (x.ndim() == 0 || x.shape()[0] == 0)
    throw ValueError(where + "x is empty (shape " + x.shape().str() +
                     "); pass at least one sample");
  const Shape sample = x.shape().without_batch();
  if (auto expected = input_shape(); expected && sample != *expected)
    throw ValueError(where + "model '" + name_ + "' expects input of shape " +
                     expected->with_batch(-1).str() + ", but x has shape " + x.shape().str());
  const int64_t n = x.shape()[0];
  if (y.ndim() == 0 || y.shape()[0] != n)
    throw ValueError(where + "x and y must have the same number of samples; x has " +
                     std::to_string(n) + " (shape " + x.shape().str() + "), y has shape " +
                     y.shape().str());
  if (const int64_t i = first_non_finite(x.data(), x.size()); i < x.size())
    throw ValueError(where + "x contains " + std::string(std::isnan(x[i]) ? "NaN" : "infinity") +
                     " (sample " + std::to_string(i / std::max<int64_t>(1, sample.size())) +
                     "); clean or impute the data first");
  const Shape out = output_shape();
  const int64_t C = out.size();
  if (loss_->sparse_labels()) {
    const bool ok_shape = y.ndim() == 1 || (y.ndim() == 2 && y.shape()[1] == 1);
    if (!ok_shape)
      throw ValueError(where + "loss '" + loss_->name() + "' expects integer labels of shape (" +
                       std::to_string(n) + ",), got y of shape " + y.shape().str() +
                       "; for one-hot targets use categorical_crossentropy");
    for (int64_t i = 0; i < n; ++i) {
      const float v = y[i];
      if (!std::isfinite(v) || v < 0 || v >= float(C) || v != std::floor(v))
        throw ValueError(where + "label " +
                         (std::isfinite(v) ? std::to_string(static_cast<long long>(v)) : "NaN") +
                         " at index " + std::to_string(i) + " is not a class index in [0, " +
                         std::to_string(C) + "): the last layer has " + std::to_string(C) +
                         " units. Use as many units as classes, or fix the labels");
    }
  } else {
    if (y.shape().without_batch() != out)
      throw ValueError(
          where + "loss '" + loss_->name() + "' expects y of shape " + out.with_batch(n).str() +
          " (like the model output), got " + y.shape().str() +
          (y.ndim() == 1 ? "; for integer labels use sparse_categorical_crossentropy" : ""));
    if (const int64_t i = first_non_finite(y.data(), y.size()); i < y.size())
      throw ValueError(where + "y contains NaN or infinity at flat index " + std::to_string(i));
  }
}

// ---- fit / evaluate / predict ------------------------------------------------------------------
namespace {
void check_batch_size(int batch_size, const char* what) {
  if (batch_size <= 0)
    throw ValueError(std::string(what) + ": batch_size must be a positive integer, got " +
                     std::to_string(batch_size));
}
int64_t steps_for(int64_t n, int batch_size) {
  return (n + batch_size - 1) / batch_size;
}
}  // namespace

callbacks::History Sequential::fit(const Tensor& x, const Tensor& y, FitOptions o) {
  require_compiled("fit");
  check_batch_size(o.batch_size, "fit");
  if (o.epochs < 0) throw ValueError("fit: epochs must be >= 0, got " + std::to_string(o.epochs));
  if (!(o.validation_split >= 0.0 && o.validation_split < 1.0))
    throw ValueError("fit: validation_split must be in [0, 1), got " +
                     std::to_string(o.validation_split));
  if (x.ndim() == 0 || x.size() == 0)
    throw ValueError("fit: x is empty (shape " + x.shape().str() + "); pass at least one sample");
  if (!built_) build(x.shape().without_batch());
  check_inputs(x, y, "fit");

  // Validation data: explicit, else the last fraction of the rows, taken before shuffling.
  const int64_t n_all = x.shape()[0];
  Tensor x_train = x, y_train = y, x_val, y_val;
  bool has_val = false;
  if (o.validation_data) {
    x_val = o.validation_data->first;
    y_val = o.validation_data->second;
    check_inputs(x_val, y_val, "fit (validation_data)");
    has_val = true;
  } else if (o.validation_split > 0) {
    const int64_t split_at =
        static_cast<int64_t>(std::floor(double(n_all) * (1.0 - o.validation_split)));
    if (split_at <= 0 || split_at >= n_all)
      throw ValueError("fit: validation_split=" + std::to_string(o.validation_split) + " of " +
                       std::to_string(n_all) + " samples leaves " +
                       (split_at <= 0 ? "no training" : "no validation") +
                       " samples; use a smaller split or more data");
    x_train = x.slice(0, split_at);
    y_train = y.slice(0, split_at);
    x_val = x.slice(split_at, n_all);
    y_val = y.slice(split_at, n_all);
    has_val = true;
  }

  const int64_t n = x_train.shape()[0];
  const int64_t steps = steps_for(n, o.batch_size);
  const int64_t x_inner = x_train.shape().inner_size();
  const int64_t y_inner = y_train.ndim() > 1 ? y_train.shape().inner_size() : 1;
  const int64_t batch_cap = std::min<int64_t>(o.batch_size, n);

  auto history = std::make_shared<callbacks::History>();
  std::vector<callbacks::CallbackPtr> cbs{history};
  if (o.verbose) cbs.push_back(std::make_shared<callbacks::ProgbarLogger>());
  cbs.insert(cbs.end(), o.callbacks.begin(), o.callbacks.end());
  for (auto& cb : cbs) {
    cb->set_model(this);
    cb->set_params({o.verbose, o.epochs, steps});
  }

  ensure_workspace(batch_cap);
  Tensor x_batch = Tensor::uninitialized(Shape{batch_cap * x_inner});
  Tensor y_batch = Tensor::uninitialized(Shape{batch_cap * y_inner});
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  random::Generator shuffle_gen = random::make_generator();

  stop_training = false;
  callbacks::Logs batch_logs = metric_logs();
  for (auto& cb : cbs) cb->on_train_begin({});
  for (int epoch = o.initial_epoch; epoch < o.epochs; ++epoch) {
    reset_metrics();
    for (auto& cb : cbs) cb->on_epoch_begin(epoch, {});
    if (o.shuffle)
      for (int64_t i = n - 1; i > 0; --i)
        std::swap(order[size_t(i)], order[shuffle_gen.below(uint64_t(i + 1))]);
    for (int64_t step = 0; step < steps; ++step) {
      const int64_t start = step * o.batch_size;
      const int64_t B = std::min<int64_t>(o.batch_size, n - start);
      const float* xb = x_train.data() + start * x_inner;
      const float* yb = y_train.data() + start * y_inner;
      if (o.shuffle) {
        const int64_t* rows = order.data() + start;
        kernels::gather_rows(x_train.data(), rows, B, x_inner, x_batch.data());
        kernels::gather_rows(y_train.data(), rows, B, y_inner, y_batch.data());
        xb = x_batch.data();
        yb = y_batch.data();
      }
      train_on_batch(xb, yb, B);
      batch_logs["loss"] = loss_tracker_->result();
      for (const auto& m : metrics_) batch_logs[m->name()] = m->result();
      for (auto& cb : cbs) cb->on_train_batch_end(step, batch_logs);
    }
    callbacks::Logs epoch_logs = metric_logs();
    if (has_val) {
      auto val = run_evaluate(x_val, y_val, o.batch_size, cbs);
      epoch_logs["val_loss"] = val[0];
      for (size_t i = 0; i < metrics_.size(); ++i)
        epoch_logs["val_" + metrics_[i]->name()] = val[i + 1];
    }
    for (auto& cb : cbs) cb->on_epoch_end(epoch, epoch_logs);
    if (stop_training) break;
  }
  for (auto& cb : cbs) cb->on_train_end({});
  return *history;
}

std::vector<double> Sequential::run_evaluate(const Tensor& x, const Tensor& y, int batch_size,
                                             const std::vector<callbacks::CallbackPtr>& cbs) {
  const int64_t n = x.shape()[0];
  const int64_t x_inner = x.shape().inner_size();
  const int64_t y_inner = y.ndim() > 1 ? y.shape().inner_size() : 1;
  const int64_t steps = steps_for(n, batch_size);
  reset_metrics();
  for (auto& cb : cbs) cb->on_test_begin({});
  callbacks::Logs logs = metric_logs();
  for (int64_t step = 0; step < steps; ++step) {
    const int64_t start = step * batch_size;
    const int64_t B = std::min<int64_t>(batch_size, n - start);
    const float* yb = y.data() + start * y_inner;
    const float* y_pred = forward(x.data() + start * x_inner, B, false);
    update_metrics(y_pred, yb, B, loss_->call(y_pred, yb, B, output_shape().size()));
    if (!cbs.empty()) {
      logs["loss"] = loss_tracker_->result();
      for (const auto& m : metrics_) logs[m->name()] = m->result();
      for (auto& cb : cbs) cb->on_test_batch_end(step, logs);
    }
  }
  logs = metric_logs();
  for (auto& cb : cbs) cb->on_test_end(logs);
  std::vector<double> out{loss_tracker_->result()};
  for (const auto& m : metrics_) out.push_back(m->result());
  return out;
}

std::vector<double> Sequential::evaluate(const Tensor& x, const Tensor& y, EvaluateOptions o) {
  require_compiled("evaluate");
  check_batch_size(o.batch_size, "evaluate");
  if (x.ndim() == 0 || x.size() == 0)
    throw ValueError("evaluate: x is empty (shape " + x.shape().str() +
                     "); pass at least one sample");
  if (!built_) build(x.shape().without_batch());
  check_inputs(x, y, "evaluate");
  std::vector<callbacks::CallbackPtr> cbs;
  if (o.verbose) cbs.push_back(std::make_shared<callbacks::ProgbarLogger>());
  cbs.insert(cbs.end(), o.callbacks.begin(), o.callbacks.end());
  const int64_t steps = steps_for(x.shape()[0], o.batch_size);
  for (auto& cb : cbs) {
    cb->set_model(this);
    cb->set_params({o.verbose, 1, steps});
  }
  ensure_workspace(std::min<int64_t>(o.batch_size, x.shape()[0]));
  return run_evaluate(x, y, o.batch_size, cbs);
}

Tensor Sequential::predict(const Tensor& x, PredictOptions o) {
  check_batch_size(o.batch_size, "predict");
  if (x.ndim() == 0 || x.size() == 0)
    throw ValueError("predict: x is empty (shape " + x.shape().str() +
                     "); pass at least one sample");
  if (!built_) build(x.shape().without_batch());
  if (x.shape().without_batch() != *input_shape())
    throw ValueError("predict: model '" + name_ + "' expects input of shape " +
                     input_shape()->with_batch(-1).str() + ", but x has shape " + x.shape().str());
  const int64_t n = x.shape()[0];
  const int64_t x_inner = x.shape().inner_size();
  const Shape out_shape = output_shape();
  const int64_t out_inner = out_shape.size();
  Tensor result = Tensor::uninitialized(out_shape.with_batch(n));
  const int64_t steps = steps_for(n, o.batch_size);
  std::unique_ptr<callbacks::ProgbarLogger> bar;
  if (o.verbose) {
    bar = std::make_unique<callbacks::ProgbarLogger>();
    bar->set_model(this);
    bar->set_params({o.verbose, 1, steps});
    bar->on_predict_begin({});
  }
  ensure_workspace(std::min<int64_t>(o.batch_size, n));
  for (int64_t step = 0; step < steps; ++step) {
    const int64_t start = step * o.batch_size;
    const int64_t B = std::min<int64_t>(o.batch_size, n - start);
    const float* y = forward(x.data() + start * x_inner, B, false);
    std::copy_n(y, B * out_inner, result.data() + start * out_inner);
    if (bar) bar->on_predict_batch_end(step, {});
  }
  if (bar) bar->on_predict_end({});
  return result;
}

// ---- summary ---------------------------------------------------------------------------------
std::string Sequential::summary_string(std::optional<int> line_length, bool styled) const {
  std::vector<utils::SummaryRow> rows;
  utils::SummaryFooter footer;
  for (const auto& l : layers_) {
    utils::SummaryRow r{l->name(), l->class_name(), "", 0, l->built()};
    if (l->built()) {
      r.output_shape = l->output_shape().with_batch(-1).keras_str();
      for (const auto& spec : l->weight_specs()) {
        r.params += spec.shape.size();
        (spec.trainable ? footer.trainable : footer.non_trainable) += spec.shape.size();
      }
    }
    rows.push_back(std::move(r));
  }
  footer.trainable_bytes = footer.trainable * 4;
  footer.non_trainable_bytes = footer.non_trainable * 4;
  if (optimizer_ && optimizer_->built()) {
    // Keras counts the iteration counter (int64) and the learning rate (float32) as well.
    const int64_t slots = static_cast<int64_t>(optimizer_->slot_names().size()) * footer.trainable;
    footer.has_optimizer = true;
    footer.optimizer_params = slots + 2;
    footer.optimizer_bytes = slots * 4 + 8 + 4;
  }
  return utils::format_summary(name_, rows, footer,
                               line_length.value_or(utils::summary_line_length()), styled);
}

void Sequential::summary(std::ostream& out) const {
  const bool styled = &out == &std::cout && utils::stdout_is_terminal();
  out << summary_string(std::nullopt, styled) << std::flush;
}

}  // namespace keras::models
