// Activation functions by their Keras names ("relu", "softmax", ...).
#pragma once

#include <string>
#include <string_view>

#include "keras/backend/kernels.hpp"

namespace keras::activations {

using kernels::Activation;

/// Resolves a Keras identifier; "" and "linear" (and Keras's None) mean no activation.
/// An unknown name throws keras::ValueError listing the valid ones.
Activation get(std::string_view name);

/// The Keras identifier of an activation ("linear" for none).
std::string name(Activation act);

}  // namespace keras::activations
