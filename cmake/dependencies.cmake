# Every third-party dependency is found here, once, from Debian's packages (tools/install-deps.sh
# installs them). Directories link the imported targets; none of them calls find_package itself.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(ZLIB REQUIRED)
find_package(zstd CONFIG REQUIRED)
find_package(Boost 1.74 REQUIRED CONFIG)
find_package(simdjson CONFIG REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
find_package(gRPC CONFIG REQUIRED)   # also provides protobuf::libprotobuf and protobuf::protoc

if(ARIADNE_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
  include(GoogleTest)
  # Apache Thrift's C++ library: the independent Jaeger decoder that differential tests compare with.
  pkg_check_modules(THRIFT IMPORTED_TARGET thrift)
  find_program(THRIFT_COMPILER thrift)
endif()
if(ARIADNE_BUILD_BENCHMARKS)
  find_package(benchmark CONFIG REQUIRED)
endif()

# zstd's config names its target differently across versions.
if(TARGET zstd::libzstd_shared)
  set(ARIADNE_ZSTD zstd::libzstd_shared)
else()
  set(ARIADNE_ZSTD zstd::libzstd_static)
endif()
