# nser_warnings: an interface target every project target links privately.
# Warnings are errors in project code only; third-party headers come in as
# SYSTEM includes (imported targets) and do not trip -Werror.
add_library(nser_warnings INTERFACE)
target_compile_options(nser_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
