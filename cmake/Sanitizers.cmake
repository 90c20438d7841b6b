# NSER_SANITIZE=ON builds everything with AddressSanitizer and
# UndefinedBehaviorSanitizer (the `asan` preset). UBSan findings abort so that
# tests fail rather than print and carry on.
option(NSER_SANITIZE "Build with ASan + UBSan" OFF)
if(NSER_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
