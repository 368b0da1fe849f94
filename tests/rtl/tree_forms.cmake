# ctest rtl.tree_forms: proves with Yosys that vine_adder_tree's simulation
# form (the field sums that only the Verilated models read, `ifdef VERILATOR)
# and its synthesised form (the adder tree whose cells rtl/synth/units.csv
# counts) have equal tree nodes, registers and outputs in every cycle, for
# the units whose trees add one-bit terms: mvau_lanes_binary with bipolar
# lanes at several SIMD (odd, powers of two, the co-simulated designs' 32,
# 49 and 64 lanes) and multithreshold at several threshold counts.
# Each form is elaborated and flattened apart; equiv_make pairs their
# same-named signals (every tree node, the pipeline registers, the outputs),
# equiv_simple and equiv_induct prove the pairs (an induction over the
# registers: equal now, with any inputs, equal in the next cycle), and
# equiv_status -assert fails on any pair left unproven.
# Usage: cmake -DYOSYS=... -DSOURCES=... -DWORK=dir -P tree_forms.cmake
# unit | PARAM=VALUE ...
set(points
  "mvau_lanes_binary SIMD=2 A=1 A_SIGNED=0 BIPOLAR=1 MW=8"
  "mvau_lanes_binary SIMD=3 A=1 A_SIGNED=0 BIPOLAR=1 MW=9"
  "mvau_lanes_binary SIMD=4 A=1 A_SIGNED=0 BIPOLAR=1 MW=256"
  "mvau_lanes_binary SIMD=5 A=1 A_SIGNED=0 BIPOLAR=1 MW=40"
  "mvau_lanes_binary SIMD=16 A=1 A_SIGNED=0 BIPOLAR=1 MW=256"
  "mvau_lanes_binary SIMD=32 A=1 A_SIGNED=0 BIPOLAR=1 MW=1152"
  "mvau_lanes_binary SIMD=49 A=1 A_SIGNED=0 BIPOLAR=1 MW=784"
  "mvau_lanes_binary SIMD=64 A=1 A_SIGNED=0 BIPOLAR=1 MW=1024"
  "multithreshold N=3 ACC_BITS=8 ACC_SIGNED=1 T_BITS=9 OUT_BITS=2 OUT_BIAS=0"
  "multithreshold N=7 ACC_BITS=10 ACC_SIGNED=1 T_BITS=11 OUT_BITS=3 OUT_BIAS=0"
  "multithreshold N=15 ACC_BITS=12 ACC_SIGNED=1 T_BITS=13 OUT_BITS=4 OUT_BIAS=0"
  "multithreshold N=33 ACC_BITS=12 ACC_SIGNED=0 T_BITS=13 OUT_BITS=6 OUT_BIAS=0")
list(JOIN SOURCES " " files)
file(MAKE_DIRECTORY ${WORK})
set(failed "")
foreach(point IN LISTS points)
  separate_arguments(params UNIX_COMMAND "${point}")
  list(POP_FRONT params unit)
  # One chparam for all parameters (as scripts/synth-units: one at a time,
  # an intermediate combination could fail a unit's elaboration checks).
  set(chparam "")
  foreach(kv IN LISTS params)
    string(REPLACE "=" " " kv "${kv}")
    string(APPEND chparam " -set ${kv}")
  endforeach()
  set(elaborate "chparam${chparam} ${unit}\nhierarchy -top ${unit}\nproc\nflatten\n")
  string(REPLACE " " "_" name "${point}")
  set(script ${WORK}/tree_forms_${name}.ys)
  file(WRITE ${script}
"read_verilog -sv -DVERILATOR ${files}
${elaborate}rename ${unit} simulated
design -stash simulated
read_verilog -sv ${files}
${elaborate}rename ${unit} synthesised
design -copy-from simulated -as simulated simulated
equiv_make synthesised simulated equiv
hierarchy -top equiv
equiv_simple -seq 2
equiv_induct
equiv_status -assert
")
  execute_process(COMMAND ${YOSYS} -s ${script} RESULT_VARIABLE rc OUTPUT_VARIABLE log ERROR_VARIABLE log)
  # equiv_status's summary: the pairs must be there to prove, not only none
  # unproven.
  string(REGEX MATCH "Found ([0-9]+) \\$equiv cells in equiv:[^O]*Of those cells ([0-9]+) are proven and ([0-9]+) are unproven" summary "${log}")
  if(rc OR NOT summary OR CMAKE_MATCH_2 EQUAL 0 OR NOT CMAKE_MATCH_3 EQUAL 0)
    string(REGEX MATCH "ERROR:[^\n]*" error "${log}")
    message("${point}: NOT proven equivalent (yosys exit ${rc}; ${summary}; ${error})")
    list(APPEND failed "${point}")
  else()
    message("${point}: equivalent, ${CMAKE_MATCH_2} signal pairs proven")
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "vine_adder_tree's forms differ at: ${failed}")
endif()
