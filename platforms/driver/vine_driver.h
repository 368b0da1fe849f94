/* Vine accelerator driver: one C API for the virtual platform and a real
 * board (docs/driver.md). The backend is chosen at run time by a target
 * string:
 *   "vp:DESIGN.yaml[,option=value...]"  the SystemC/TLM virtual platform, in process
 *   "uio:/dev/uioN[,option=value...]"   a board through Linux UIO
 * (NULL or "" reads the environment variable VINE_TARGET). The same
 * application source runs on both.
 *
 * Every call returns a vine_status; on failure vine_error() says what went
 * wrong in words. Addresses are the accelerator's DDR addresses, as written
 * to IN_ADDR / OUT_ADDR. */
#ifndef VINE_DRIVER_H
#define VINE_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vine_device vine_device;

typedef enum vine_status {
  VINE_OK = 0,
  VINE_EINVAL = 1,    /* a bad argument or target string */
  VINE_EIO = 2,       /* the device or its memory could not be reached, or a bus error */
  VINE_ETIMEDOUT = 3, /* the job did not finish in time */
  VINE_EDEVICE = 4,   /* the accelerator refused the job: STATUS.ERROR, see the cause */
  VINE_ENOMEM = 5,    /* no device memory left to allocate */
  VINE_EBUSY = 6      /* a job is running: vine_start refuses to START over it */
} vine_status;

/* What the elaborated design streams: frame sizes in DDR and beat packing
 * (registers IN_FRAME_BYTES, OUT_FRAME_BYTES, IN_FORMAT, OUT_FORMAT). */
typedef struct vine_stream_format {
  uint32_t lanes;     /* elements per beat */
  uint32_t elem_bits; /* bits per element */
  uint32_t is_signed; /* elements are two's complement */
  uint32_t beat_bytes;
} vine_stream_format;

typedef struct vine_geometry {
  uint64_t in_frame_bytes, out_frame_bytes;
  vine_stream_format in, out;
  uint64_t mem_base, mem_bytes; /* the device memory vine_alloc hands out */
} vine_geometry;

typedef struct vine_counters {
  uint64_t cycles_busy, frames_done, stall_cycles, ddr_bytes;
  uint32_t start_ignored;
} vine_counters;

typedef enum vine_wait_mode { VINE_WAIT_IRQ = 0, VINE_WAIT_POLL = 1 } vine_wait_mode;

/* What the target is: the streaming accelerator (ID "VINE") or the compute
 * engine (ID "VENG", docs/engine-vp.md), which runs a network image's layer
 * descriptors (vine_engine_load) and has no STALL_CYCLES counter. */
typedef enum vine_kind { VINE_KIND_STREAMING = 0, VINE_KIND_ENGINE = 1 } vine_kind;

vine_status vine_open(const char* target, vine_device** dev);
void vine_close(vine_device* dev); /* NULL is allowed */
/* The last failure's explanation ("" when none). Valid until the next call.
 * With NULL: why this thread's last vine_open failed ("no device" if none did). */
const char* vine_error(const vine_device* dev);
const char* vine_status_string(vine_status s);

vine_status vine_geometry_get(vine_device* dev, vine_geometry* g);
vine_kind vine_device_kind(const vine_device* dev); /* VINE_KIND_STREAMING for NULL */
/* CTRL.RESET: abandons any job, clears STATUS and the interrupt. */
vine_status vine_reset(vine_device* dev);

/* Device memory: a bump allocator over the target's DDR window, aligned to
 * 4 KiB; freed all at once by vine_free_all. */
vine_status vine_alloc(vine_device* dev, uint64_t bytes, uint64_t* addr);
void vine_free_all(vine_device* dev);
vine_status vine_write(vine_device* dev, uint64_t addr, const void* src, uint64_t bytes);
vine_status vine_read(vine_device* dev, uint64_t addr, void* dst, uint64_t bytes);

/* Starts a job of `frames` frames: input frames back to back from in_addr,
 * results back to back from out_addr. VINE_EDEVICE when the accelerator
 * refuses it (vine_error gives STATUS.CAUSE). */
vine_status vine_start(vine_device* dev, uint64_t in_addr, uint64_t out_addr, uint32_t frames);
/* Waits for the running job: by interrupt, or by polling STATUS every
 * poll_interval_ns (vine_set_poll_interval; 1 us by default). On success
 * the interrupt is acknowledged. VINE_ETIMEDOUT after timeout_ns. */
vine_status vine_wait(vine_device* dev, vine_wait_mode mode, uint64_t timeout_ns);
void vine_set_poll_interval(vine_device* dev, uint64_t ns);

/* The compute engine only: loads a network image (`vine export engine-image`
 * writes one) into device memory it allocates (vine_alloc), moves its layer
 * descriptors' addresses there and programs DESC_ADDR and LAYERS; jobs then
 * run with vine_start as on the streaming accelerator. VINE_EINVAL for a
 * streaming target or a bad file (vine_error names the byte and the field),
 * or an image whose frame sizes are not the engine's; VINE_ENOMEM when it
 * does not fit. The engine checks every descriptor against its own plan when
 * a job starts: an image of another network is refused then (VINE_EDEVICE
 * from vine_wait, the layer in vine_error). */
vine_status vine_engine_load(vine_device* dev, const char* image_path);

/* stall_cycles is 0 on the compute engine, which has no such counter. */
vine_status vine_counters_get(vine_device* dev, vine_counters* c);
vine_status vine_reg_read(vine_device* dev, uint32_t offset, uint32_t* value);
vine_status vine_reg_write(vine_device* dev, uint32_t offset, uint32_t value);
/* The host's clock in ns: simulated time on the VP, CLOCK_MONOTONIC on a board. */
uint64_t vine_time_ns(vine_device* dev);

/* Beat packing (docs/driver.md, "Buffers"): `frames` frames of codes (int32,
 * elements in stream order) to and from their bytes in DDR. Nothing happens
 * for a null pointer or a format with no bytes per beat. */
void vine_pack_frames(const vine_stream_format* f, uint64_t frame_bytes, const int32_t* codes,
                      uint32_t frames, void* bytes);
void vine_unpack_frames(const vine_stream_format* f, uint64_t frame_bytes, const void* bytes,
                        uint32_t frames, int32_t* codes);

#ifdef __cplusplus
}
#endif

#endif
