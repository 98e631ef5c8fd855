# Command-line tests of the kerascpp tool (label cli): --help of every command, exit code 2 and
# a message for wrong arguments, and, with a model trained here for 2 epochs (test app_model,
# needs MNIST), evaluate / summary / predict on drawn and MNIST digits as PNG files.
set(app_dir ${CMAKE_CURRENT_BINARY_DIR}/app)
set(app_model ${app_dir}/model.keras)
set(app_scripts ${CMAKE_CURRENT_SOURCE_DIR}/app)
file(MAKE_DIRECTORY ${app_dir})

add_executable(app_digit_images app/digit_images.cpp)
target_include_directories(app_digit_images PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(app_digit_images PRIVATE kerascpp_app PNG::PNG)
kerascpp_target_options(app_digit_images)

foreach(command train evaluate summary predict serve)
  add_test(NAME app_cli_help_${command} COMMAND kerascpp_cli ${command} --help)
  set_tests_properties(app_cli_help_${command} PROPERTIES LABELS cli
                       PASS_REGULAR_EXPRESSION "Usage: kerascpp ${command}")
endforeach()
add_test(NAME app_cli_version COMMAND kerascpp_cli --version)
set_tests_properties(app_cli_version PROPERTIES LABELS cli PASS_REGULAR_EXPRESSION "^0\\.[0-9]+\\.[0-9]+")

# app_cli_expect(name exit_code output_regex [REQUIRES file] -- kerascpp arguments...)
function(app_cli_expect name code match)
  cmake_parse_arguments(PARSE_ARGV 3 arg "" "REQUIRES" "")
  set(requires "")
  if(arg_REQUIRES)
    set(requires -DREQUIRES=${arg_REQUIRES})
  endif()
  add_test(NAME app_cli_${name}
           COMMAND ${CMAKE_COMMAND} -DCODE=${code} "-DMATCH=${match}" ${requires} -P ${app_scripts}/expect_exit.cmake
                   -- $<TARGET_FILE:kerascpp_cli> ${arg_UNPARSED_ARGUMENTS}
           WORKING_DIRECTORY ${app_dir})
  set_tests_properties(app_cli_${name} PROPERTIES LABELS cli SKIP_REGULAR_EXPRESSION "SKIPPED")
  if(arg_REQUIRES)
    set_tests_properties(app_cli_${name} PROPERTIES FIXTURES_REQUIRED app_model)
  endif()
endfunction()

# Wrong arguments: exit code 2 and a message naming the problem.
app_cli_expect(no_command 2 "A subcommand is required")
app_cli_expect(unknown_command 2 "fly" fly)
app_cli_expect(epochs_zero 2 "--epochs" train --epochs 0)
app_cli_expect(epochs_word 2 "--epochs" train --epochs many)
app_cli_expect(unknown_architecture 2 "resnet" train --model resnet)
app_cli_expect(unknown_option 2 "--bogus" train --bogus)
app_cli_expect(predict_without_arguments 2 "MODEL" predict)
app_cli_expect(missing_model_file 2 "no-such.keras" predict no-such.keras digit.png)
app_cli_expect(port_out_of_range 2 "--port" serve ${app_scripts}/expect_exit.cmake --port 70000)
app_cli_expect(extra_argument 2 "b.keras" summary ${app_scripts}/expect_exit.cmake b.keras)
# Failures: exit code 1.
app_cli_expect(output_not_a_model_file 1 "must end in .keras" train --output model.txt)

# The model of the tests below and of the browser and load tests.
add_test(NAME app_model
         COMMAND ${CMAKE_COMMAND} -DKERASCPP=$<TARGET_FILE:kerascpp_cli> -DOUTPUT=${app_model}
                 -P ${app_scripts}/train_model.cmake)
set_tests_properties(app_model PROPERTIES LABELS "cli;mnist" FIXTURES_SETUP app_model SKIP_REGULAR_EXPRESSION "SKIPPED"
                     TIMEOUT 900 RUN_SERIAL TRUE)

app_cli_expect(evaluate 0 "test accuracy 0\\.9[5-9]" REQUIRES ${app_model} evaluate ${app_model})
app_cli_expect(summary 0 "Trainable params: 101,770" REQUIRES ${app_model} summary ${app_model})
app_cli_expect(summary_json 0 "\"total\": 101770" REQUIRES ${app_model} summary --json ${app_model})
app_cli_expect(predict_not_a_png 1 "not a readable PNG" REQUIRES ${app_model}
               predict ${app_model} ${app_scripts}/expect_exit.cmake)
add_test(NAME app_cli_predict_digits
         COMMAND ${CMAKE_COMMAND} -DKERASCPP=$<TARGET_FILE:kerascpp_cli> -DIMAGES=$<TARGET_FILE:app_digit_images>
                 -DMODEL=${app_model} -DOUT=${app_dir}/digits -P ${app_scripts}/check_predict.cmake)
set_tests_properties(app_cli_predict_digits PROPERTIES LABELS "cli;mnist" FIXTURES_REQUIRED app_model
                     SKIP_REGULAR_EXPRESSION "SKIPPED")
