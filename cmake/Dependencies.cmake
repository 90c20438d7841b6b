# Every dependency comes from a Debian 12 package (deploy/install-deps.sh).
find_package(Threads REQUIRED)
find_package(Poco REQUIRED COMPONENTS Foundation Util Net NetSSL Crypto JSON)
find_package(RocksDB REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(cereal REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)

# Debian ships RocksDB as a static archive whose imported target drags in
# gflags/snappy/...; the shared library carries its own dependencies.
if(TARGET RocksDB::rocksdb-shared)
  add_library(nser_rocksdb ALIAS RocksDB::rocksdb-shared)
else()
  add_library(nser_rocksdb ALIAS RocksDB::rocksdb)
endif()
