// libFuzzer target: a model's config JSON (config.json / model_config), with its compile_config.
// Any input must give a model or a keras::Error, never a crash, a sanitizer report or another
// exception; and a model that loads must survive a save/load round trip unchanged.
#include <keras/keras.hpp>

namespace {
const keras::io::LoadOptions kOptions{
    .compile = true, .max_params = 1 << 16, .on_warning = [](const std::string&) {}};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    keras::Sequential model = keras::io::model_from_json(text, kOptions);
    nlohmann::json root = nlohmann::json::parse(text);
    if (root.contains("compile_config"))
      keras::io::compile_from_config(model, root["compile_config"], false, kOptions);
    if (root.contains("training_config"))
      keras::io::compile_from_config(model, root["training_config"], true, kOptions);
    if (!model.built()) return 0;
    // What loads must save and load back to the same model.
    keras::Sequential back =
        keras::io::load_keras_bytes(keras::io::keras_archive_bytes(model), kOptions);
    const auto a = model.get_weights(), b = back.get_weights();
    if (a.size() != b.size() || back.layers().size() != model.layers().size()) __builtin_trap();
    for (size_t i = 0; i < a.size(); ++i)
      if (!a[i].equals(b[i])) __builtin_trap();
  } catch (const keras::Error&) {
  }
  return 0;
}
