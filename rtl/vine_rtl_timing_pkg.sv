// The single source of the RTL units' pipeline latency, initiation interval
// (II) and datapath widths. The units' localparams call these functions, and
// rtl/cmake/VineRtlTiming.cmake translates this file into the C++ header
// vine_rtl_timing.h (namespace vine::rtl) that the SystemC models and the test
// benches read: the numbers are never typed twice.
//
// Every function is written in the subset that Verilator, Yosys 0.23 and the
// C++ translation all accept: `function automatic <int|longint> f(input ...);`,
// local declarations first, results assigned to the function name (Yosys 0.23
// has no `return`), plain for/while loops, and the operators + - * / % < <= >
// >= == != && || ?: that mean the same in SystemVerilog and C++. Values that
// can pass 2^31 are longint from the start, so no expression relies on SV's
// context-determined widening. The translator rejects anything else.
//
// Latency convention (see rtl/README.md): a beat accepted in the cycle in which
// en = 1 and in_valid = 1 leaves (out_valid = 1 and en = 1) exactly LATENCY
// enabled cycles later; cycles with en = 0 freeze the whole unit.
package vine_rtl_timing_pkg;

  // Adder-tree levels between two pipeline registers. Two levels of LUT/carry
  // adders per cycle keep a 64-lane tree at three stages, in the 3-6 cycle
  // range of finn-hlslib's MVAU pipelines.
  localparam int TREE_LEVELS_PER_STAGE = 2;

  // ---------------------------------------------------------------- helpers

  // 2^n for 0 <= n <= 62.
  function automatic longint pow2(input int n);
    longint r;
    r = 1;
    for (int i = 0; i < n; i = i + 1) r = r * 2;
    pow2 = r;
  endfunction

  // ceil(log2(n)) for n >= 1 (clog2(1) == 0), as $clog2.
  function automatic int clog2(input int n);
    int b;
    int r;
    b = 0;
    r = 1;
    for (int i = 0; r < n; i = i + 1) r = r * 2;
    for (int i = 1; i < r; i = i * 2) b = b + 1;
    clog2 = b;
  endfunction

  function automatic longint min2(input longint a, input longint b);
    min2 = a < b ? a : b;
  endfunction

  function automatic longint max2(input longint a, input longint b);
    max2 = a > b ? a : b;
  endfunction

  function automatic int max_int(input int a, input int b);
    max_int = a > b ? a : b;
  endfunction

  // Smallest two's complement width holding [lo, hi] (arith::signed_bits_for).
  function automatic int signed_bits_for(input longint lo, input longint hi);
    int b;
    b = 1;
    while (lo < -pow2(b - 1) || hi > pow2(b - 1) - 1) b = b + 1;
    signed_bits_for = b;
  endfunction

  // Smallest unsigned width holding [0, hi] (arith::unsigned_bits_for).
  function automatic int unsigned_bits_for(input longint hi);
    int b;
    b = 1;
    while (hi > pow2(b) - 1) b = b + 1;
    unsigned_bits_for = b;
  endfunction

  // FINN-R's accumulator bound: width of a sum of `terms` products in
  // [pmin, pmax], i.e. arith::accumulator_range(pmin, pmax, terms).bits().
  // The sum is unsigned exactly when pmin >= 0.
  function automatic int range_bits(input longint pmin, input longint pmax, input int terms);
    longint lo;
    longint hi;
    lo = min2(0, pmin * terms);
    hi = max2(0, pmax * terms);
    range_bits = lo >= 0 ? unsigned_bits_for(hi) : signed_bits_for(lo, hi);
  endfunction

  // Activation value range (arith::ActivationType::min_value/max_value for
  // kUnsigned / kSigned).
  function automatic longint act_min(input int a_bits, input int a_signed);
    act_min = a_signed != 0 ? -pow2(a_bits - 1) : 0;
  endfunction

  function automatic longint act_max(input int a_bits, input int a_signed);
    act_max = a_signed != 0 ? pow2(a_bits - 1) - 1 : pow2(a_bits) - 1;
  endfunction

  // Extremes of w * a over w in [wmin, wmax], a in [amin, amax].
  function automatic longint prod_min(input longint wmin, input longint wmax, input longint amin,
                                      input longint amax);
    prod_min = min2(min2(wmin * amin, wmin * amax), min2(wmax * amin, wmax * amax));
  endfunction

  function automatic longint prod_max(input longint wmin, input longint wmax, input longint amin,
                                      input longint amax);
    prod_max = max2(max2(wmin * amin, wmin * amax), max2(wmax * amin, wmax * amax));
  endfunction

  // Register stages of a pipelined adder tree over n inputs.
  function automatic int tree_stages(input int n);
    tree_stages = (clog2(n) + TREE_LEVELS_PER_STAGE - 1) / TREE_LEVELS_PER_STAGE;
  endfunction

  // ------------------------------------------------------- lane value ranges
  // One lane's product range [lane_min, lane_max] for each weight arithmetic
  // (arith::lane_product); the adder tree and accumulator widths follow from it.

  // fixed: W-bit two's complement weights.
  function automatic longint fixed_lane_min(input int w_bits, input int a_bits, input int a_signed);
    fixed_lane_min = prod_min(-pow2(w_bits - 1), pow2(w_bits - 1) - 1, act_min(a_bits, a_signed),
                              act_max(a_bits, a_signed));
  endfunction

  function automatic longint fixed_lane_max(input int w_bits, input int a_bits, input int a_signed);
    fixed_lane_max = prod_max(-pow2(w_bits - 1), pow2(w_bits - 1) - 1, act_min(a_bits, a_signed),
                              act_max(a_bits, a_signed));
  endfunction

  // pow2: values 0 and +-2^e, e in [0, 2^E - 1].
  function automatic int pow2_max_exponent(input int e_bits);
    int r;
    r = 1;
    for (int i = 0; i < e_bits; i = i + 1) r = r * 2;
    pow2_max_exponent = r - 1;
  endfunction

  function automatic longint pow2_lane_min(input int e_bits, input int a_bits, input int a_signed);
    pow2_lane_min = prod_min(-pow2(pow2_max_exponent(e_bits)), pow2(pow2_max_exponent(e_bits)),
                             act_min(a_bits, a_signed), act_max(a_bits, a_signed));
  endfunction

  function automatic longint pow2_lane_max(input int e_bits, input int a_bits, input int a_signed);
    pow2_lane_max = prod_max(-pow2(pow2_max_exponent(e_bits)), pow2(pow2_max_exponent(e_bits)),
                             act_min(a_bits, a_signed), act_max(a_bits, a_signed));
  endfunction

  // binary and ternary: weights in {-1, +1} or {-1, 0, +1} give the same range
  // (the activation range mirrored). Bipolar binary is XNOR: a lane adds 0 or 1.
  function automatic longint sign_lane_min(input int a_bits, input int a_signed, input int bipolar);
    sign_lane_min = bipolar != 0 ? 0 : prod_min(-1, 1, act_min(a_bits, a_signed),
                                                 act_max(a_bits, a_signed));
  endfunction

  function automatic longint sign_lane_max(input int a_bits, input int a_signed, input int bipolar);
    sign_lane_max = bipolar != 0 ? 1 : prod_max(-1, 1, act_min(a_bits, a_signed),
                                                 act_max(a_bits, a_signed));
  endfunction

  // ------------------------------------------------------ accumulator widths
  // `mw` is the number of lane products summed into one output (MW = SIMD * SF).

  function automatic int mvau_lanes_fixed_acc_bits(input int w_bits, input int a_bits,
                                                   input int a_signed, input int mw);
    mvau_lanes_fixed_acc_bits = range_bits(fixed_lane_min(w_bits, a_bits, a_signed),
                                           fixed_lane_max(w_bits, a_bits, a_signed), mw);
  endfunction

  function automatic int mvau_lanes_pow2_acc_bits(input int e_bits, input int a_bits,
                                                  input int a_signed, input int mw);
    mvau_lanes_pow2_acc_bits = range_bits(pow2_lane_min(e_bits, a_bits, a_signed),
                                          pow2_lane_max(e_bits, a_bits, a_signed), mw);
  endfunction

  function automatic int mvau_lanes_binary_acc_bits(input int a_bits, input int a_signed,
                                                    input int bipolar, input int mw);
    mvau_lanes_binary_acc_bits = range_bits(sign_lane_min(a_bits, a_signed, bipolar),
                                            sign_lane_max(a_bits, a_signed, bipolar), mw);
  endfunction

  function automatic int mvau_lanes_ternary_acc_bits(input int a_bits, input int a_signed,
                                                     input int mw);
    mvau_lanes_ternary_acc_bits = range_bits(sign_lane_min(a_bits, a_signed, 0),
                                             sign_lane_max(a_bits, a_signed, 0), mw);
  endfunction

  // Bit-serial lanes are sized for their widest weight, w_max bits.
  function automatic int mvau_lanes_bitserial_acc_bits(input int w_max, input int a_bits,
                                                       input int a_signed, input int mw);
    mvau_lanes_bitserial_acc_bits = mvau_lanes_fixed_acc_bits(w_max, a_bits, a_signed, mw);
  endfunction

  // -------------------------------------------------- latency and II per unit

  // Fold-parallel MVAU lanes: lane products registered (1), pipelined adder
  // tree (tree_stages(simd)), accumulator register = output (1). One fold beat
  // per cycle.
  function automatic int mvau_lanes_fixed_latency(input int simd);
    mvau_lanes_fixed_latency = 2 + tree_stages(simd);
  endfunction

  function automatic int mvau_lanes_fixed_ii();
    mvau_lanes_fixed_ii = 1;
  endfunction

  function automatic int mvau_lanes_pow2_latency(input int simd);
    mvau_lanes_pow2_latency = 2 + tree_stages(simd);
  endfunction

  function automatic int mvau_lanes_pow2_ii();
    mvau_lanes_pow2_ii = 1;
  endfunction

  function automatic int mvau_lanes_binary_latency(input int simd);
    mvau_lanes_binary_latency = 2 + tree_stages(simd);
  endfunction

  function automatic int mvau_lanes_binary_ii();
    mvau_lanes_binary_ii = 1;
  endfunction

  function automatic int mvau_lanes_ternary_latency(input int simd);
    mvau_lanes_ternary_latency = 2 + tree_stages(simd);
  endfunction

  function automatic int mvau_lanes_ternary_ii();
    mvau_lanes_ternary_ii = 1;
  endfunction

  // Bit-serial lanes, for a beat whose weights are w_bits wide: beat register
  // (1), one weight bit per cycle MSB first (w_bits), bit products registered
  // (counted in the w_bits cycles), adder tree (tree_stages(simd)), Horner /
  // accumulator register = output (1).
  function automatic int mvau_lanes_bitserial_latency(input int simd, input int w_bits);
    mvau_lanes_bitserial_latency = w_bits + 2 + tree_stages(simd);
  endfunction

  function automatic int mvau_lanes_bitserial_ii(input int w_bits);
    mvau_lanes_bitserial_ii = w_bits;
  endfunction

  // Multi-threshold: comparisons registered (1), popcount tree
  // (tree_stages(n)), count + out_bias registered (1).
  function automatic int multithreshold_latency(input int n);
    multithreshold_latency = 2 + tree_stages(n);
  endfunction

  function automatic int multithreshold_ii();
    multithreshold_ii = 1;
  endfunction

  // Requantiser: product acc * M (1, a DSP's M register), round-shift + zero
  // point (1), clamp (1).
  function automatic int requantizer_latency();
    requantizer_latency = 3;
  endfunction

  function automatic int requantizer_ii();
    requantizer_ii = 1;
  endfunction

  // OVSF weights generator (ovsf_generator.sv). A beat is one group of LANES
  // positions of one filter: each output lane adds the KEPT coefficients, each
  // negated or not by its code's chip at that position. Coefficients and chip
  // signs registered (1), one add/sub tree per lane (tree_stages(kept)), the
  // + 1s of the negations added and the sum saturated to the weight width,
  // registered = output (1). One group per cycle.
  function automatic int ovsf_generator_latency(input int kept);
    ovsf_generator_latency = 2 + tree_stages(kept);
  endfunction

  function automatic int ovsf_generator_ii();
    ovsf_generator_ii = 1;
  endfunction

  // Width of the exact sum of `kept` terms +-c, c a coeff_bits-bit two's
  // complement coefficient: the terms lie in [-2^(coeff_bits-1), 2^(coeff_bits-1)].
  function automatic int ovsf_generator_sum_bits(input int coeff_bits, input int kept);
    ovsf_generator_sum_bits = range_bits(-pow2(coeff_bits - 1), pow2(coeff_bits - 1), kept);
  endfunction

endpackage
