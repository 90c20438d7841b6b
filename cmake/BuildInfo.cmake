# Build facts reported by `nser version`. The git commit is read at configure
# time and again whenever the checked-out HEAD changes.
find_package(Git QUIET)
set(NSER_GIT_COMMIT "unknown")
if(GIT_FOUND AND EXISTS ${CMAKE_SOURCE_DIR}/.git)
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
    OUTPUT_VARIABLE NSER_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT NSER_GIT_COMMIT)
    set(NSER_GIT_COMMIT "unknown")
  endif()
  execute_process(COMMAND ${GIT_EXECUTABLE} status --porcelain --untracked-files=no
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
    OUTPUT_VARIABLE _nser_dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(_nser_dirty)
    string(APPEND NSER_GIT_COMMIT "-dirty")
  endif()
  # Re-read on checkout (HEAD) and on every commit (logs/HEAD).
  foreach(_git_file HEAD logs/HEAD)
    if(EXISTS ${CMAKE_SOURCE_DIR}/.git/${_git_file})
      set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/.git/${_git_file})
    endif()
  endforeach()
endif()
set(NSER_SANITIZERS "none")
if(NSER_SANITIZE)
  set(NSER_SANITIZERS "address,undefined")
endif()
configure_file(${CMAKE_SOURCE_DIR}/cli/build_info.h.in ${CMAKE_BINARY_DIR}/generated/build_info.h @ONLY)
