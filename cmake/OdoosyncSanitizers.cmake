# ODOOSYNC_SANITIZE="address;undefined" or "thread": applied to everything we build, so tests,
# the library and the test servers are instrumented together.
if(ODOOSYNC_SANITIZE)
  string(REPLACE ";" "," _odoosync_san "${ODOOSYNC_SANITIZE}")
  add_compile_options(-fsanitize=${_odoosync_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_odoosync_san})
endif()
