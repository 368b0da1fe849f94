/* A driver's view: the generated header compiles as C99 and its fields fit
 * their registers (no field outside 32 bits, no two fields of one register
 * overlapping). */
#include <stdint.h>
#include <stdio.h>

#include "vine_accel_regs.h"

int main(void) {
  const uint32_t ctrl = VINE_ACCEL_CTRL_START_MASK | VINE_ACCEL_CTRL_RESET_MASK | VINE_ACCEL_CTRL_IRQ_GLOBAL_ENABLE_MASK;
  const uint32_t status = VINE_ACCEL_STATUS_IDLE_MASK | VINE_ACCEL_STATUS_BUSY_MASK | VINE_ACCEL_STATUS_DONE_MASK |
                          VINE_ACCEL_STATUS_ERROR_MASK | VINE_ACCEL_STATUS_CAUSE_MASK;
  int bad = 0;
  bad |= (VINE_ACCEL_CTRL_START_MASK & VINE_ACCEL_CTRL_RESET_MASK) != 0;
  bad |= (VINE_ACCEL_STATUS_CAUSE_MASK >> VINE_ACCEL_STATUS_CAUSE_SHIFT) < VINE_ACCEL_CAUSE_OUTPUT_OUTSIDE_DDR;
  bad |= VINE_ACCEL_IRQ_STATUS % 4 != 0 || VINE_ACCEL_DDR_BYTES_HI >= VINE_ACCEL_MAP_BYTES;
  printf("ctrl fields 0x%08x, status fields 0x%08x, map 0x%x bytes\n", ctrl, status, VINE_ACCEL_MAP_BYTES);
  return bad;
}
