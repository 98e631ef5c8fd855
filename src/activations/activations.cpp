#include "keras/activations/activations.hpp"

#include "keras/core/error.hpp"

namespace keras::activations {

Activation get(std::string_view name) {
  if (name.empty() || name == "linear" || name == "None") return Activation::linear;
  if (name == "relu") return Activation::relu;
  if (name == "sigmoid") return Activation::sigmoid;
  if (name == "tanh") return Activation::tanh;
  if (name == "softmax") return Activation::softmax;
  throw ValueError("Unknown activation '" + std::string(name) +
                   "'. Valid activations: linear, relu, sigmoid, softmax, tanh");
}

std::string name(Activation act) {
  switch (act) {
    case Activation::linear:
      return "linear";
    case Activation::relu:
      return "relu";
    case Activation::sigmoid:
      return "sigmoid";
    case Activation::tanh:
      return "tanh";
    case Activation::softmax:
      return "softmax";
  }
  return "linear";
}

}  // namespace keras::activations
