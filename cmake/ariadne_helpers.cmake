# Declarative helpers so each directory's CMakeLists.txt is a short list (after abseil's
# absl_cc_library). Warnings are errors in our code; sanitizer flags apply to our targets only.
#
#   ariadne_cc_library(NAME wire_otlp SRCS a.cc HDRS a.h DEPS model base PUBLIC_INCLUDES dir)
#   ariadne_cc_test(NAME wire_otlp_test SRCS a_test.cc DEPS wire_otlp [LABELS integration])
#   ariadne_fuzzer(NAME otlp_proto_fuzzer SRCS f.cc DEPS wire_otlp CORPUS corpus/otlp_proto)
#   ariadne_benchmark(NAME wire_bench SRCS b.cc DEPS wire_otlp)

set(ARIADNE_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wimplicit-fallthrough
    -Wno-missing-field-initializers -Werror)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  list(APPEND ARIADNE_WARNINGS -Wthread-safety)
endif()

set(ARIADNE_SANITIZER_FLAGS "")
if(ARIADNE_SANITIZE)
  set(ARIADNE_SANITIZER_FLAGS -fsanitize=${ARIADNE_SANITIZE} -fno-omit-frame-pointer)
  if(ARIADNE_SANITIZE MATCHES "undefined")
    list(APPEND ARIADNE_SANITIZER_FLAGS -fno-sanitize-recover=undefined)
  endif()
endif()
# g++ warns (-Wtsan, an error under -Werror) at every std::atomic_thread_fence inlined into a
# -fsanitize=thread object, and Boost.Asio's handler completion (std_fenced_block) uses one, so
# no Asio user would build. Our own code uses no fences (release/acquire atomics instead; see
# docs/architecture.md "Sanitizer builds"), so the warning is turned off for the tsan preset only.
set(ARIADNE_TSAN_COMPILE_FLAGS "")
if(ARIADNE_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  set(ARIADNE_TSAN_COMPILE_FLAGS -Wno-tsan)
endif()

function(_ariadne_common target)
  target_compile_options(${target} PRIVATE ${ARIADNE_WARNINGS} ${ARIADNE_SANITIZER_FLAGS}
                         ${ARIADNE_TSAN_COMPILE_FLAGS})
  target_link_options(${target} PRIVATE ${ARIADNE_SANITIZER_FLAGS})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
endfunction()

function(ariadne_cc_library)
  cmake_parse_arguments(A "HEADER_ONLY" "NAME" "SRCS;HDRS;DEPS;PUBLIC_INCLUDES" ${ARGN})
  if(NOT A_SRCS)
    add_library(${A_NAME} INTERFACE)
    target_include_directories(${A_NAME} INTERFACE ${PROJECT_SOURCE_DIR} ${A_PUBLIC_INCLUDES})
    target_link_libraries(${A_NAME} INTERFACE ${A_DEPS})
    return()
  endif()
  add_library(${A_NAME} STATIC ${A_SRCS} ${A_HDRS})
  _ariadne_common(${A_NAME})
  if(A_PUBLIC_INCLUDES)
    target_include_directories(${A_NAME} PUBLIC ${A_PUBLIC_INCLUDES})
  endif()
  target_link_libraries(${A_NAME} PUBLIC ${A_DEPS})
  if(ARIADNE_SANITIZE)
    target_link_options(${A_NAME} INTERFACE ${ARIADNE_SANITIZER_FLAGS})
  endif()
endfunction()

function(ariadne_cc_binary)
  cmake_parse_arguments(A "" "NAME;OUTPUT_NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  _ariadne_common(${A_NAME})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS})
  if(A_OUTPUT_NAME)
    set_target_properties(${A_NAME} PROPERTIES OUTPUT_NAME ${A_OUTPUT_NAME})
  endif()
endfunction()

# Tests are gtest binaries discovered by ctest. LABEL (default "unit"; also "integration",
# "interop", "e2e", "slow") lets presets leave some out.
function(ariadne_cc_test)
  if(NOT ARIADNE_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(A "" "NAME;TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  _ariadne_common(${A_NAME})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 300)
  endif()
  if(NOT A_LABELS)
    set(A_LABELS unit)
  endif()
  gtest_discover_tests(${A_NAME}
    DISCOVERY_TIMEOUT 60
    PROPERTIES TIMEOUT ${A_TIMEOUT} LABELS ${A_LABELS}
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
endfunction()

# libFuzzer targets build only in the fuzz preset (clang). In every other build the same source is
# linked with a small driver that replays the corpus, so each fuzzer's corpus runs as a ctest test.
function(ariadne_fuzzer)
  cmake_parse_arguments(A "" "NAME;CORPUS" "SRCS;DEPS" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  _ariadne_common(${A_NAME})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS})
  if(ARIADNE_BUILD_FUZZERS)
    target_compile_options(${A_NAME} PRIVATE -fsanitize=fuzzer)
    target_link_options(${A_NAME} PRIVATE -fsanitize=fuzzer)
    if(A_CORPUS AND ARIADNE_BUILD_TESTS)
      add_test(NAME ${A_NAME}.smoke
        COMMAND ${A_NAME} -runs=20000 -max_len=65536 ${CMAKE_CURRENT_SOURCE_DIR}/${A_CORPUS})
      set_tests_properties(${A_NAME}.smoke PROPERTIES LABELS "fuzz" TIMEOUT 300)
    endif()
  else()
    target_link_libraries(${A_NAME} PRIVATE fuzz_replay_main)
    if(A_CORPUS AND ARIADNE_BUILD_TESTS)
      add_test(NAME ${A_NAME}.corpus COMMAND ${A_NAME} ${CMAKE_CURRENT_SOURCE_DIR}/${A_CORPUS})
      set_tests_properties(${A_NAME}.corpus PROPERTIES LABELS "fuzz" TIMEOUT 300)
    endif()
  endif()
endfunction()

function(ariadne_benchmark)
  if(NOT ARIADNE_BUILD_BENCHMARKS)
    return()
  endif()
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  _ariadne_common(${A_NAME})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} benchmark::benchmark benchmark::benchmark_main)
endfunction()
