// Builds the tutorial's model from an installed kerascpp.
#include <iostream>
#include <keras/keras.hpp>

int main() {
  using namespace keras::layers;
  keras::Sequential model{Flatten({28, 28}), Dense(128, "relu"), Dropout(0.2),
                          Dense(10, "softmax")};
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  std::cout << "consumer: " << model.count_params() << " parameters\n";
}
