// Internal: where weights and optimizer state sit in Keras's two HDF5 layouts, both directions.
//
//   Keras 3 (model.weights.h5 inside .keras, and .weights.h5):
//     /vars (model's own, empty)   /layers/<auto_name>/vars/0..n   /optimizer/vars/0..m
//   legacy (.h5; weights-only files have the model_weights content at the root):
//     model_weights/@layer_names, <layer>/@weight_names, <layer>/<weight_name>,
//     optimizer_weights/@weight_names, optimizer_weights/<weight_name>
//
// Loading is two-phase: plan_*() opens and checks every dataset against the model's layers
// (count, shape, type, storage) before the model allocates anything; read_plan() then copies.
#pragma once

#include <string>
#include <vector>

#include "io/hdf5.hpp"
#include "keras/io/model_config.hpp"

namespace keras::io::detail {

/// Per model layer, its datasets in Keras order (see keras_variable_order).
using WeightPlan = std::vector<std::vector<h5::Dataset>>;

WeightPlan plan_keras3(const h5::Group& root, const std::vector<layers::LayerPtr>& layers);
WeightPlan plan_legacy(const h5::Group& weights, const std::vector<layers::LayerPtr>& layers);
void read_plan(const WeightPlan& plan, const std::vector<layers::LayerPtr>& layers);

void write_keras3(h5::Group& root, const Sequential& model);
void write_legacy_weights(h5::Group& group, const Sequential& model);
void write_legacy_optimizer(h5::Group& root, const Sequential& model);

/// Restores the optimizer state when the model is compiled and the saved variables match it;
/// otherwise warns, as Keras does, and leaves the optimizer fresh.
void load_keras3_optimizer(const h5::Group& root, Sequential& model, const LoadOptions& options);
void load_legacy_optimizer(const h5::Group& root, Sequential& model, const LoadOptions& options);

}  // namespace keras::io::detail
