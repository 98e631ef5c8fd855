# The request path of `kerascpp serve` without the network: JSON parsing, PNG decoding and
# MNIST preprocessing, the model, the JSON answer (bench/app_request.cpp).
if(TARGET kerascpp_app)
  add_executable(app_request_bench app_request.cpp)
  target_link_libraries(app_request_bench PRIVATE kerascpp_app)
  kerascpp_target_options(app_request_bench)
endif()
