# ctest rtl.tree_forms: proves with Yosys that the simulation forms of the
# units (what only the Verilated models read, `ifdef VERILATOR) and their
# synthesised forms (whose cells rtl/synth/units.csv counts) have equal
# registers and outputs in every cycle:
#  - vine_adder_tree's field sums against its adder tree, for the units whose
#    trees add one-bit terms: mvau_lanes_binary with bipolar lanes at several
#    SIMD (odd, powers of two, the co-simulated designs' 32, 49 and 64 lanes)
#    and multithreshold at several threshold counts;
#  - vine_delay's one vector of stages against its array of stages, at every
#    width the units give it (1: valid bits, 3 and 4: a valid bit and side
#    bands) and depths 0 to 8.
# Each form is elaborated and flattened apart; equiv_make pairs their
# same-named signals (every tree node, the pipeline registers, the outputs),
# equiv_simple and equiv_induct prove the pairs (an induction over the
# registers: equal now, with any inputs, equal in the next cycle), and
# equiv_status -assert fails on any pair left unproven. vine_delay's stage i
# is g_regs.r[i] in the array and a slice of g_regs.stages in the vector, so
# the vector's form gets a wire of that name on its slice for equiv_make to
# pair. The units' points use the synthesised vine_delay in both forms (the
# delay is proven apart), so their pairs are the tree's.
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
foreach(width 1 3 4)
  foreach(depth 0 1 2 3 4 5 6 8)
    list(APPEND points "vine_delay WIDTH=${width} DEPTH=${depth}")
  endforeach()
endforeach()
list(JOIN SOURCES " " files)
list(FILTER SOURCES INCLUDE REGEX "/vine_delay\\.sv$")
if(NOT SOURCES)
  message(FATAL_ERROR "tree_forms: no vine_delay.sv among the sources")
endif()
set(delay_source "${SOURCES}")
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
  set(simulated_delay "")
  set(aliases "")
  if(unit STREQUAL "vine_delay")
    # Stage i of the vector under the array's name for it.
    string(REGEX MATCH "WIDTH=([0-9]+)" _ "${point}")
    set(width ${CMAKE_MATCH_1})
    string(REGEX MATCH "DEPTH=([0-9]+)" _ "${point}")
    set(depth ${CMAKE_MATCH_1})
    if(depth GREATER 0)
      math(EXPR last "${depth} - 1")
      foreach(i RANGE ${last})
        math(EXPR lo "${i} * ${width}")
        math(EXPR hi "${lo} + ${width} - 1")
        string(APPEND aliases "add -wire g_regs.r[${i}] ${width}\nconnect -set g_regs.r[${i}] g_regs.stages[${hi}:${lo}]\n")
      endforeach()
    endif()
  else()
    set(simulated_delay "read_verilog -sv -overwrite ${delay_source}\n")
  endif()
  string(REPLACE " " "_" name "${point}")
  set(script ${WORK}/tree_forms_${name}.ys)
  file(WRITE ${script}
"read_verilog -sv -DVERILATOR ${files}
${simulated_delay}${elaborate}${aliases}rename ${unit} simulated
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
  message(FATAL_ERROR "the simulation and synthesised forms differ at: ${failed}")
endif()
