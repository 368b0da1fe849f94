#include "sim/golden/kernels.h"
