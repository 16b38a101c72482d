# ODOOSYNC_SANITIZE="address;undefined" or "thread": applied to everything we build, so tests,
# the library and the test servers are instrumented together.
if(ODOOSYNC_SANITIZE)
  string(REPLACE ";" "," _odoosync_san "${ODOOSYNC_SANITIZE}")
  add_compile_options(-fsanitize=${_odoosync_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_odoosync_san})
  # ODOOSYNC_SANITIZE_EXCLUDE="pointer-overflow": checks turned off again (after the list above).
  if(ODOOSYNC_SANITIZE_EXCLUDE)
    string(REPLACE ";" "," _odoosync_nosan "${ODOOSYNC_SANITIZE_EXCLUDE}")
    add_compile_options(-fno-sanitize=${_odoosync_nosan})
  endif()
endif()
if("thread" IN_LIST ODOOSYNC_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # Boost.Asio's fences in the test servers: GCC warns that TSan does not model them. The servers use
  # mutexes for everything the tests read, so the warning says nothing about our code.
  add_compile_options(-Wno-tsan)
endif()
