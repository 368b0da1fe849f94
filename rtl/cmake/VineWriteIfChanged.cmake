# vine_write_if_changed(<file> <content>): writes the file only when its
# content differs, so the targets that include a generated header are not
# rebuilt for nothing. Shared by the configure-time header generators.
function(vine_write_if_changed out content)
  if(EXISTS "${out}")
    file(READ "${out}" old)
    if(old STREQUAL content)
      return()
    endif()
  endif()
  file(WRITE "${out}" "${content}")
endfunction()
