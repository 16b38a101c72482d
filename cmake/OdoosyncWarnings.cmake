# Warning flags for our own targets only; consumers never inherit them (-Werror in the dev presets).
function(odoosync_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Woverloaded-virtual)
  # GCC 12 at -O2 and above warns -Wrestrict inside libstdc++'s own std::string operator+ and insert
  # (GCC bugs 105329, 105651: false positives, fixed in GCC 13); every new user would see them from
  # ./scripts/demo's release build. Off for GCC 12 only: other compilers keep the check.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
     AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(ODOOSYNC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
