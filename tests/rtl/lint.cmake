# ctest rtl.lint: verilator --lint-only -Wall --no-timing on every unit with
# its default parameters. Usage: cmake -DVERILATOR=... -DSOURCES=... -DUNITS=... -P lint.cmake
set(failed "")
foreach(unit IN LISTS UNITS)
  execute_process(COMMAND ${VERILATOR} --lint-only -Wall --no-timing --top-module ${unit} ${SOURCES}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(rc)
    message("${unit}:\n${out}")
    list(APPEND failed ${unit})
  else()
    message("${unit}: clean")
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "lint warnings in: ${failed}")
endif()
