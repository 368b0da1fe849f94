# Translates rtl/synth/units.csv (the Yosys resource figures that
# scripts/synth-units writes for the RTL units) into the C++17 header
# vine_rtl_synth.h: one constexpr row per configuration, which the estimate's
# per-lane cost model (sim/estimate/lane_cost.cpp) fits itself to. Every field
# is checked here, so a hand-edited or truncated table fails the configure step
# with the offending line instead of skewing the estimate.
#
# Use from CMake:   include(VineRtlSynth) + vine_rtl_generate_synth_header(<units.csv> <out.h>)
#                   (adds the CSV and this module to CMAKE_CONFIGURE_DEPENDS of the calling directory)
# or as a script:   cmake -DCSV=<units.csv> -DOUT=<out.h> -P VineRtlSynth.cmake

if(CMAKE_SCRIPT_MODE_FILE)
  cmake_policy(VERSION 3.20)  # as the project: IN_LIST, empty list elements kept
endif()

set(VINE_RTL_SYNTH_CMAKE_DIR ${CMAKE_CURRENT_LIST_DIR})
include(${CMAKE_CURRENT_LIST_DIR}/VineWriteIfChanged.cmake)
set(VINE_RTL_SYNTH_HEADER "unit,params,mode,LUT,FF,CARRY4,DSP48,finn_r_LUT")
set(VINE_RTL_SYNTH_MAX_PARAMS 8)

function(vine_rtl_generate_synth_header csv out)
  if(NOT EXISTS "${csv}")
    message(FATAL_ERROR "${csv}: not found (scripts/synth-units writes it)")
  endif()
  if(NOT CMAKE_SCRIPT_MODE_FILE)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
                 "${csv}" "${VINE_RTL_SYNTH_CMAKE_DIR}/VineRtlSynth.cmake")
  endif()
  file(READ "${csv}" text)
  # CMake lists split on ';' and treat '[' ']' specially: protect them, so
  # that a line holding one is reported with its number.
  string(REPLACE ";" "@SEMI@" text "${text}")
  string(REPLACE "[" "@LB@" text "${text}")
  string(REPLACE "]" "@RB@" text "${text}")
  string(REPLACE "\r" "" text "${text}")
  string(REGEX REPLACE "\n+$" "" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")

  set(rows "")
  set(lineno 0)
  set(count 0)
  foreach(line IN LISTS lines)
    math(EXPR lineno "${lineno} + 1")
    set(where "${csv}:${lineno}")
    if(lineno EQUAL 1)
      if(NOT line STREQUAL VINE_RTL_SYNTH_HEADER)
        message(FATAL_ERROR "${where}: header must be `${VINE_RTL_SYNTH_HEADER}`, got `${line}`")
      endif()
      continue()
    endif()
    if(line STREQUAL "")
      message(FATAL_ERROR "${where}: empty line inside the table")
    endif()
    if(line MATCHES "@SEMI@|@LB@|@RB@|[\\\"]")
      string(REPLACE "@SEMI@" ";" line "${line}")
      string(REPLACE "@LB@" "[" line "${line}")
      string(REPLACE "@RB@" "]" line "${line}")
      message(FATAL_ERROR "${where}: unexpected character (one of ; [ ] \\ \") in: ${line}")
    endif()
    # Eight fields; the last, finn_r_LUT, may be empty.
    if(NOT line MATCHES "^([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*)$")
      string(REGEX REPLACE "[^,]" "" commas "${line}")
      string(LENGTH "${commas}" n)
      math(EXPR n "${n} + 1")
      message(FATAL_ERROR "${where}: expected 8 comma-separated fields (${VINE_RTL_SYNTH_HEADER}), got ${n}: ${line}")
    endif()
    set(unit "${CMAKE_MATCH_1}")
    set(params "${CMAKE_MATCH_2}")
    set(mode "${CMAKE_MATCH_3}")
    set(lut "${CMAKE_MATCH_4}")
    set(ff "${CMAKE_MATCH_5}")
    set(carry "${CMAKE_MATCH_6}")
    set(dsp "${CMAKE_MATCH_7}")
    set(finn "${CMAKE_MATCH_8}")
    if(NOT unit MATCHES "^[a-z_][a-z0-9_]*$")
      message(FATAL_ERROR "${where}: unit: got `${unit}`, expected an RTL module name")
    endif()
    if(NOT mode MATCHES "^(dsp|nodsp)$")
      message(FATAL_ERROR "${where}: mode: got `${mode}`, expected dsp or nodsp")
    endif()
    foreach(col lut ff carry dsp)
      if(NOT "${${col}}" MATCHES "^[0-9]+$")
        string(TOUPPER "${col}" colname)
        message(FATAL_ERROR "${where}: ${colname}: got `${${col}}`, expected a count (digits)")
      endif()
    endforeach()
    if(finn STREQUAL "")
      set(finn -1)
    elseif(NOT finn MATCHES "^[0-9]+$")
      message(FATAL_ERROR "${where}: finn_r_LUT: got `${finn}`, expected a count or nothing")
    endif()
    # Parameters: NAME=INTEGER separated by single spaces, each name once.
    if(NOT params MATCHES "^[A-Z_][A-Z0-9_]*=-?[0-9]+( [A-Z_][A-Z0-9_]*=-?[0-9]+)*$")
      message(FATAL_ERROR "${where}: params: got `${params}`, expected NAME=INTEGER separated by single spaces")
    endif()
    string(REPLACE " " ";" kvs "${params}")
    list(LENGTH kvs np)
    if(np GREATER VINE_RTL_SYNTH_MAX_PARAMS)
      message(FATAL_ERROR "${where}: params: ${np} parameters, at most ${VINE_RTL_SYNTH_MAX_PARAMS}")
    endif()
    set(names "")
    set(cparams "")
    foreach(kv IN LISTS kvs)
      string(REGEX MATCH "^([A-Z0-9_]+)=(-?[0-9]+)$" _ "${kv}")
      set(name "${CMAKE_MATCH_1}")
      set(value "${CMAKE_MATCH_2}")
      if(name IN_LIST names)
        message(FATAL_ERROR "${where}: params: ${name} given twice")
      endif()
      string(LENGTH "${value}" vlen)
      if(vlen GREATER 9)
        message(FATAL_ERROR "${where}: params: ${name}=${value} out of range")
      endif()
      list(APPEND names "${name}")
      string(APPEND cparams "{\"${name}\", ${value}}, ")
    endforeach()
    if(dsp GREATER 0 AND mode STREQUAL "nodsp")
      message(FATAL_ERROR "${where}: DSP48: got ${dsp} in a nodsp run")
    endif()
    string(REGEX REPLACE ", $" "" cparams "${cparams}")
    if(mode STREQUAL "dsp")
      set(cdsp "true")
    else()
      set(cdsp "false")
    endif()
    string(APPEND rows "    {\"${unit}\", {${cparams}}, ${np}, ${cdsp}, "
                       "${lut}, ${ff}, ${carry}, ${dsp}, ${finn}, ${lineno}},\n")
    math(EXPR count "${count} + 1")
  endforeach()
  if(count EQUAL 0)
    message(FATAL_ERROR "${csv}: no rows below the header")
  endif()

  file(RELATIVE_PATH rel "${VINE_RTL_SYNTH_CMAKE_DIR}/../.." "${csv}")
  set(content "// Generated from ${rel} by rtl/cmake/VineRtlSynth.cmake: do not edit.
// Yosys synth_xilinx resource figures of the RTL units over the sweep of
// scripts/synth-units (see rtl/README.md), one row per configuration.
#pragma once

namespace vine::rtl::synth {

struct Param {
  const char* name;
  int value;
};

struct UnitRow {
  const char* unit;               // RTL module
  Param params[${VINE_RTL_SYNTH_MAX_PARAMS}];  // its parameters, first param_count used
  int param_count;
  bool dsp_mode;                  // DSP48 inference allowed (\"dsp\") or forbidden (\"nodsp\")
  int lut, ff, carry4, dsp48;
  int finn_r_lut;                 // FINN-R's LUT formula for one PE, -1 where it has none
  int line;                       // line in ${rel}
};

inline constexpr int kUnitRowCount = ${count};
inline constexpr UnitRow kUnitRows[kUnitRowCount] = {
${rows}};

}  // namespace vine::rtl::synth
")
  vine_write_if_changed("${out}" "${content}")
endfunction()

if(CMAKE_SCRIPT_MODE_FILE AND CSV AND OUT)
  vine_rtl_generate_synth_header("${CSV}" "${OUT}")
endif()
