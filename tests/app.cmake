# The kerascpp tool (apps/kerascpp): its unit tests (tests/test_app_*.cpp) are in
# kerascpp_tests, which therefore links the tool's code; the command-line, browser and load
# tests are in tests/app_cli.cmake, tests/app_browser.cmake and tests/app_load.cmake.
if(NOT TARGET kerascpp_app)
  message(FATAL_ERROR "The unit tests cover the kerascpp tool: configure with KERASCPP_BUILD_APPS=ON")
endif()
find_package(PNG REQUIRED)
target_link_libraries(kerascpp_tests PRIVATE kerascpp_app PkgConfig::HTTPLIB PNG::PNG)
