# Translates rtl/vine_rtl_timing_pkg.sv (the single source of the RTL units'
# latency, II and widths) into the C++17 header vine_rtl_timing.h: every
# package function becomes a constexpr function of the same name and
# arguments in namespace vine::rtl, every package localparam an inline
# constexpr. The package is written in a subset that means the same in both
# languages; anything outside it is rejected here rather than mistranslated.
#
# Use from CMake:   include(VineRtlTiming) + vine_rtl_generate_timing_header(<pkg.sv> <out.h>)
# or as a script:   cmake -DPKG=<pkg.sv> -DOUT=<out.h> -P VineRtlTiming.cmake

set(VINE_RTL_TIMING_CMAKE_DIR ${CMAKE_CURRENT_LIST_DIR})
include(${CMAKE_CURRENT_LIST_DIR}/VineWriteIfChanged.cmake)

function(vine_rtl_generate_timing_header pkg out)
  file(READ "${pkg}" text)
  # CMake lists split on ';' and treat '[' ']' specially: protect them first.
  string(REPLACE ";" "@SEMI@" text "${text}")
  string(REPLACE "[" "@LB@" text "${text}")
  string(REPLACE "]" "@RB@" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")

  set(cpp "")
  set(fn "")        # function being translated
  set(header "")    # function header being collected (may span lines)
  set(lineno 0)
  foreach(line IN LISTS lines)
    math(EXPR lineno "${lineno} + 1")
    # Split off a trailing // comment; comments are copied unchecked.
    set(comment "")
    string(FIND "${line}" "//" cpos)
    if(cpos GREATER -1)
      string(SUBSTRING "${line}" ${cpos} -1 comment)
      string(SUBSTRING "${line}" 0 ${cpos} code)
    else()
      set(code "${line}")
    endif()
    string(STRIP "${code}" stripped)
    string(REGEX REPLACE "[^ ].*$" "" indent "${code}")

    if(stripped STREQUAL "")
      string(APPEND cpp "${line}\n")
      continue()
    endif()

    # Only the shared subset: identifiers, numbers, ( ) , ; and the operators
    # + - * / % < > = ! & | ? : -- no shifts, no bit selects, no SV literals.
    string(REPLACE "@SEMI@" ";" chk "${stripped}")
    if(chk MATCHES "[^A-Za-z0-9_ ()+*/%<>=!&|?:,;-]" OR chk MATCHES "<<|>>"
       OR chk MATCHES "(^|[^A-Za-z0-9_])(begin|end|return|logic|bit|reg|integer|signed|unsigned|case|repeat)([^A-Za-z0-9_]|$)")
      message(FATAL_ERROR "${pkg}:${lineno}: outside the SV/C++ subset of the timing package: ${chk}")
    endif()

    if(header OR stripped MATCHES "^function ")
      string(APPEND header " ${stripped}")
      if(NOT header MATCHES "@SEMI@$")
        continue()
      endif()
      string(REGEX REPLACE "[ ]+" " " header "${header}")
      if(NOT header MATCHES "^ function automatic (int|longint) ([A-Za-z_][A-Za-z0-9_]*) ?\\(([^)]*)\\)@SEMI@$")
        message(FATAL_ERROR "${pkg}:${lineno}: unsupported function header: ${header}")
      endif()
      set(rtype "${CMAKE_MATCH_1}")
      set(fn "${CMAKE_MATCH_2}")
      set(args "${CMAKE_MATCH_3}")
      string(REGEX REPLACE "input (int|longint) " "\\1 " args "${args}")
      string(REGEX REPLACE "(^|[^a-z])longint " "\\1std::int64_t " args "${args}")
      if(args MATCHES "input|output|inout")
        message(FATAL_ERROR "${pkg}:${lineno}: only `input int|longint` arguments: ${header}")
      endif()
      if(rtype STREQUAL "longint")
        set(rtype "std::int64_t")
      endif()
      string(STRIP "${args}" args)
      string(APPEND cpp "${indent}constexpr ${rtype} ${fn}(${args}) {\n${indent}  ${rtype} result_{};\n")
      set(header "")
      continue()
    endif()

    if(stripped STREQUAL "endfunction")
      if(NOT fn)
        message(FATAL_ERROR "${pkg}:${lineno}: endfunction outside a function")
      endif()
      string(APPEND cpp "${indent}  return result_;\n${indent}}\n")
      set(fn "")
      continue()
    endif()
    if(stripped MATCHES "^package ([A-Za-z_][A-Za-z0-9_]*)@SEMI@$")
      string(APPEND cpp "// SystemVerilog package ${CMAKE_MATCH_1}\nnamespace vine::rtl {\n")
      continue()
    endif()
    if(stripped STREQUAL "endpackage")
      string(APPEND cpp "}  // namespace vine::rtl\n")
      continue()
    endif()

    set(c "${stripped}")
    if(fn)
      # Local declarations: C++17 constexpr needs them initialised.
      if(c MATCHES "^(int|longint) ([A-Za-z_][A-Za-z0-9_]*)@SEMI@$")
        set(c "${CMAKE_MATCH_1} ${CMAKE_MATCH_2}{}@SEMI@")
      endif()
      # Assignments to the function name are its result.
      string(REGEX REPLACE "(^|[^A-Za-z0-9_])${fn} =([^=])" "\\1result_ =\\2" c "${c}")
    else()
      if(NOT c MATCHES "^localparam (int|longint) [A-Za-z_][A-Za-z0-9_]* = [^@]*@SEMI@$")
        message(FATAL_ERROR "${pkg}:${lineno}: only localparams and functions at package level: ${c}")
      endif()
      string(REGEX REPLACE "^localparam " "inline constexpr " c "${c}")
    endif()
    string(REGEX REPLACE "(^|[^A-Za-z0-9_])longint " "\\1std::int64_t " c "${c}")
    if(comment)
      set(c "${c}  ${comment}")
    endif()
    string(APPEND cpp "${indent}${c}\n")
  endforeach()
  if(fn OR header)
    message(FATAL_ERROR "${pkg}: unterminated function ${fn}")
  endif()

  string(REPLACE "@SEMI@" ";" cpp "${cpp}")
  string(REPLACE "@LB@" "[" cpp "${cpp}")
  string(REPLACE "@RB@" "]" cpp "${cpp}")
  file(RELATIVE_PATH rel "${VINE_RTL_TIMING_CMAKE_DIR}/../.." "${pkg}")
  set(content "// Generated from ${rel} by rtl/cmake/VineRtlTiming.cmake: do not edit.
// Pipeline latency, initiation interval and datapath widths of the RTL units,
// as constexpr functions of the units' parameters (see rtl/README.md).
#pragma once

#include <cstdint>

${cpp}")
  vine_write_if_changed("${out}" "${content}")
endfunction()

if(CMAKE_SCRIPT_MODE_FILE AND PKG AND OUT)
  vine_rtl_generate_timing_header("${PKG}" "${OUT}")
endif()
