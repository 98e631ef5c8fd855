// Convolution through oneDNN. Primitives are created once per shape and kept; they pick their
// own (blocked) memory layouts, and reorders, also created once, move tensors between those and
// kerascpp's NHWC/HWIO buffers.
//
// Threads: oneDNN parallelises with OpenMP. kerascpp instead runs it inside its own pool, each
// pool thread single-threaded on its slice of the batch (weight gradients are summed over the
// slices afterwards). The thread count is then config::num_threads() and no OpenMP team spins
// beside the pool and BLAS threads; on a 2-core machine shared with other work this measured
// faster than letting OpenMP split each primitive (docs/benchmarks.md).
#include "conv_impl.hpp"

#if KERASCPP_HAVE_ONEDNN
#include <omp.h>

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <unordered_map>
#include <vector>

#include "keras/backend/thread_pool.hpp"

namespace keras::kernels::detail {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using Args = std::unordered_map<int, memory>;

// Each slice gets at least this many samples: smaller slices cost more in overhead than they
// gain in parallelism.
constexpr int64_t kMinSlice = 4;

dnnl::engine& cpu() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

void single_threaded_openmp() {
  thread_local bool done = false;
  if (!done) {
    omp_set_num_threads(1);
    done = true;
  }
}

memory::desc any(const memory::dims& dims) {
  return {dims, memory::data_type::f32, Tag::any};
}
// An NHWC tensor as oneDNN's (N, C, H, W) dims. With one channel NHWC is NCHW, the layout
// oneDNN's first-layer kernels read, so it is described as such and needs no reorder.
memory::desc activations(int64_t n, int64_t c, int64_t h, int64_t w) {
  return {{n, c, h, w}, memory::data_type::f32, c == 1 ? Tag::nchw : Tag::nhwc};
}

// One tensor crossing between kerascpp's layout and the layout a primitive chose.
class Port {
 public:
  enum Direction { input, output };
  Port() = default;
  Port(const memory::desc& ours, const memory::desc& theirs, Direction dir)
      : ours_(ours, cpu(), DNNL_MEMORY_NONE) {
    if (ours == theirs) return;
    theirs_ = memory(theirs, cpu());
    reorder_ = dir == input ? dnnl::reorder(ours_, theirs_) : dnnl::reorder(theirs_, ours_);
  }
  /// The data at `p` in the primitive's layout (reordered into the port's buffer if needed).
  const memory& in(const float* p, dnnl::stream& s) {
    ours_.set_data_handle(const_cast<float*>(p));
    if (!reorder_) return ours_;
    reorder_->execute(s, ours_, theirs_);
    return theirs_;
  }
  /// Where the primitive writes an output bound for `p`; finish() then moves it there.
  const memory& out(float* p) {
    ours_.set_data_handle(p);
    return reorder_ ? theirs_ : ours_;
  }
  void finish(dnnl::stream& s) {
    if (reorder_) reorder_->execute(s, theirs_, ours_);
  }

 private:
  memory ours_, theirs_;
  std::optional<dnnl::reorder> reorder_;
};

// Everything oneDNN needs for one slice shape of one convolution.
struct ConvPlan {
  struct Dims {
    memory::dims src, weights, dst, strides, pad_l, pad_r;
  };
  struct Forward {
    dnnl::convolution_forward primitive;
    Port src, weights, dst;
  };
  struct Data {  // dL/dx
    dnnl::convolution_backward_data primitive;
    Port diff_dst, weights, diff_src;
  };
  struct Weights {  // dL/dw, dL/db
    dnnl::convolution_backward_weights primitive;
    Port src, diff_dst, diff_weights;
    bool shares_diff_dst = false;  // same diff_dst layout as Data: reorder once
  };

  ConvPlan(const Window2D& g, bool relu, bool bias)
      : has_bias(bias),
        d{{g.batch, g.in_c, g.in_h, g.in_w},
          {g.out_c, g.in_c, g.kernel_h, g.kernel_w},
          {g.batch, g.out_c, g.out_h, g.out_w},
          {g.stride_h, g.stride_w},
          {g.pad_top, g.pad_left},
          {g.pad_bottom(), g.pad_right()}},
        src_md(activations(g.batch, g.in_c, g.in_h, g.in_w)),
        dst_md(activations(g.batch, g.out_c, g.out_h, g.out_w)),
        weights_md(d.weights, memory::data_type::f32, Tag::hwio),
        bias_md({g.out_c}, memory::data_type::f32, Tag::x),
        bias_mem(bias_md, cpu(), DNNL_MEMORY_NONE) {
    using namespace dnnl;
    const auto prop = prop_kind::forward_training;
    const auto algo = algorithm::convolution_direct;
    auto desc = bias ? convolution_forward::desc(prop, algo, any(d.src), any(d.weights), bias_md,
                                                 any(d.dst), d.strides, d.pad_l, d.pad_r)
                     : convolution_forward::desc(prop, algo, any(d.src), any(d.weights), any(d.dst),
                                                 d.strides, d.pad_l, d.pad_r);
    primitive_attr attr;
    if (relu) {
      post_ops ops;
      ops.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f);
      attr.set_post_ops(ops);
    }
    // Also the hint for the backward primitives, so it is made even for a backward-only plan.
    fwd_pd = convolution_forward::primitive_desc(desc, attr, cpu());
  }

  // Each pass's primitive and buffers are made on first use.
  Forward& forward() {
    if (!forward_)
      forward_.emplace(Forward{dnnl::convolution_forward(fwd_pd),
                               Port(src_md, fwd_pd.src_desc(), Port::input),
                               Port(weights_md, fwd_pd.weights_desc(), Port::input),
                               Port(dst_md, fwd_pd.dst_desc(), Port::output)});
    return *forward_;
  }

  Data& data() {
    if (!data_) {
      using namespace dnnl;
      convolution_backward_data::desc desc(algorithm::convolution_direct, any(d.src),
                                           any(d.weights), any(d.dst), d.strides, d.pad_l, d.pad_r);
      convolution_backward_data::primitive_desc pd(desc, cpu(), fwd_pd);
      data_.emplace(Data{convolution_backward_data(pd),
                         Port(dst_md, pd.diff_dst_desc(), Port::input),
                         Port(weights_md, pd.weights_desc(), Port::input),
                         Port(src_md, pd.diff_src_desc(), Port::output)});
      diff_dst_for_data = pd.diff_dst_desc();
    }
    return *data_;
  }

  Weights& weights_grad() {
    if (!weights_) {
      using namespace dnnl;
      const auto algo = algorithm::convolution_direct;
      auto desc =
          has_bias ? convolution_backward_weights::desc(algo, any(d.src), any(d.weights), bias_md,
                                                        any(d.dst), d.strides, d.pad_l, d.pad_r)
                   : convolution_backward_weights::desc(algo, any(d.src), any(d.weights),
                                                        any(d.dst), d.strides, d.pad_l, d.pad_r);
      convolution_backward_weights::primitive_desc pd(desc, cpu(), fwd_pd);
      weights_.emplace(Weights{convolution_backward_weights(pd),
                               Port(src_md, pd.src_desc(), Port::input),
                               Port(dst_md, pd.diff_dst_desc(), Port::input),
                               Port(weights_md, pd.diff_weights_desc(), Port::output)});
      weights_->shares_diff_dst = data_ && pd.diff_dst_desc() == diff_dst_for_data;
    }
    return *weights_;
  }

  dnnl::stream stream{cpu()};
  bool has_bias;
  Dims d;
  memory::desc src_md, dst_md, weights_md, bias_md, diff_dst_for_data;
  memory bias_mem;
  dnnl::convolution_forward::primitive_desc fwd_pd;

 private:
  std::optional<Forward> forward_;
  std::optional<Data> data_;
  std::optional<Weights> weights_;
};

// Plans by (slice geometry, slice index, fused relu, bias). A slice index has its own plan
// even when shapes repeat, because a plan's buffers belong to the thread using it.
class Plans {
 public:
  using Key = std::array<int64_t, 16>;
  ConvPlan& get(const Window2D& g, int slice, bool relu, bool bias) {
    const Key key{g.batch,    g.in_h,     g.in_w,     g.in_c,     g.out_h,    g.out_w,
                  g.out_c,    g.kernel_h, g.kernel_w, g.stride_h, g.stride_w, g.pad_top,
                  g.pad_left, slice,      relu,       bias};
    std::lock_guard lock(mutex_);
    auto& plan = plans_[key];
    if (!plan) plan = std::make_unique<ConvPlan>(g, relu, bias);
    return *plan;
  }
  /// Forgets every plan once there are many (e.g. predict over many odd batch sizes). Only
  /// between calls, under the call lock.
  void trim() {
    std::lock_guard lock(mutex_);
    if (plans_.size() > 64) plans_.clear();
  }
  /// Serialises convolution calls: plans are not shared between concurrent calls.
  std::mutex call;
  /// Partial weight gradients of slices 1.. (under `call`).
  std::vector<float> partials;

 private:
  std::mutex mutex_;
  std::map<Key, std::unique_ptr<ConvPlan>> plans_;
};

Plans& plans() {
  cpu();  // the engine is made first, so it outlives the plans at exit
  static Plans p;
  return p;
}

// Runs fn over the batch slices; returns false if oneDNN refused (dnnl::error, e.g. a shape no
// primitive implements), so the caller can fall back to im2col.
bool run_slices(int64_t batch, const std::function<void(int, int64_t, int64_t)>& fn) {
  std::atomic<bool> ok{true};
  for_each_batch_slice(batch, kMinSlice, [&](int slice, int64_t begin, int64_t end) {
    single_threaded_openmp();
    try {
      fn(slice, begin, end);
    } catch (const dnnl::error&) {
      ok = false;
    }
  });
  return ok;
}

}  // namespace

void conv2d_forward_onednn(const Window2D& g, const float* x, const float* w, const float* b,
                           float* y, Activation act) {
  std::lock_guard call(plans().call);
  plans().trim();
  const bool relu = act == Activation::relu;
  const bool ok = run_slices(g.batch, [&](int slice, int64_t begin, int64_t end) {
    Window2D part = g;
    part.batch = end - begin;
    ConvPlan& p = plans().get(part, slice, relu, b != nullptr);
    ConvPlan::Forward& f = p.forward();
    float* y_part = y + begin * g.out_sample();
    Args args{{DNNL_ARG_SRC, f.src.in(x + begin * g.in_sample(), p.stream)},
              {DNNL_ARG_WEIGHTS, f.weights.in(w, p.stream)},
              {DNNL_ARG_DST, f.dst.out(y_part)}};
    if (b) {
      p.bias_mem.set_data_handle(const_cast<float*>(b));
      args[DNNL_ARG_BIAS] = p.bias_mem;
    }
    f.primitive.execute(p.stream, args);
    f.dst.finish(p.stream);
    p.stream.wait();
    if (!relu) activation_forward(y_part, part.batch * g.out_h * g.out_w, g.out_c, act);
  });
  if (!ok) conv2d_forward_im2col(g, x, w, b, y, act);
}

void conv2d_backward_onednn(const Window2D& g, const float* x, const float* w, const float* dz,
                            float* dw, float* db, float* dx) {
  std::lock_guard call(plans().call);
  plans().trim();
  // Slice 0 writes dw/db in place; the others write partial sums, added at the end.
  const int64_t dw_size = g.kernel_h * g.kernel_w * g.in_c * g.out_c, part_size = dw_size + g.out_c;
  const int slices = backend::parallel_chunks(g.batch, kMinSlice);
  std::vector<float>& partials = plans().partials;
  if (partials.size() < size_t(slices * part_size)) partials.resize(size_t(slices * part_size));

  const bool ok = run_slices(g.batch, [&](int slice, int64_t begin, int64_t end) {
    Window2D part = g;
    part.batch = end - begin;
    ConvPlan& p = plans().get(part, slice, false, db != nullptr);
    const float* dz_part = dz + begin * g.out_sample();
    const memory* diff_dst = nullptr;
    if (dx) {
      ConvPlan::Data& bd = p.data();
      diff_dst = &bd.diff_dst.in(dz_part, p.stream);
      bd.primitive.execute(p.stream,
                           {{DNNL_ARG_DIFF_DST, *diff_dst},
                            {DNNL_ARG_WEIGHTS, bd.weights.in(w, p.stream)},
                            {DNNL_ARG_DIFF_SRC, bd.diff_src.out(dx + begin * g.in_sample())}});
      bd.diff_src.finish(p.stream);
    }
    if (!dw) {
      p.stream.wait();
      return;
    }
    ConvPlan::Weights& bw = p.weights_grad();
    if (!(diff_dst && bw.shares_diff_dst)) diff_dst = &bw.diff_dst.in(dz_part, p.stream);
    float* dw_part = slice == 0 ? dw : partials.data() + slice * part_size;
    float* db_part = slice == 0 ? db : dw_part + dw_size;
    Args args{{DNNL_ARG_SRC, bw.src.in(x + begin * g.in_sample(), p.stream)},
              {DNNL_ARG_DIFF_DST, *diff_dst},
              {DNNL_ARG_DIFF_WEIGHTS, bw.diff_weights.out(dw_part)}};
    if (db) {
      p.bias_mem.set_data_handle(db_part);
      args[DNNL_ARG_DIFF_BIAS] = p.bias_mem;
    }
    bw.primitive.execute(p.stream, args);
    bw.diff_weights.finish(p.stream);
    p.stream.wait();
  });

  if (!ok) return conv2d_backward_im2col(g, x, w, dz, dw, db, dx);
  for (int s = 1; s < slices && dw; ++s) {
    const float* part = partials.data() + s * part_size;
    for (int64_t i = 0; i < dw_size; ++i) dw[i] += part[i];
    if (db)
      for (int64_t i = 0; i < g.out_c; ++i) db[i] += part[dw_size + i];
  }
}

}  // namespace keras::kernels::detail

#endif  // KERASCPP_HAVE_ONEDNN
