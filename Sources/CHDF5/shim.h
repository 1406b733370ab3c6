// libhdf5 (serial), for the h5ad reader. Type and flag macros that Swift cannot
// import are wrapped in static inline functions.
#include <hdf5.h>

static inline hid_t wbdit_h5_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t wbdit_h5_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t wbdit_h5_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t wbdit_h5_c_string(void) { return H5T_C_S1; }
static inline size_t wbdit_h5_variable(void) { return H5T_VARIABLE; }
static inline unsigned wbdit_h5_read_only(void) { return H5F_ACC_RDONLY; }
static inline hid_t wbdit_h5_default(void) { return H5P_DEFAULT; }
static inline hid_t wbdit_h5_all(void) { return H5S_ALL; }

/// Turns off the library's automatic error printing: errors are reported by the caller.
static inline void wbdit_h5_silence(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/// Starts the library, silenced, without the exit handler it would otherwise register.
/// That handler closes every identifier still open, and a file whose close failed (a full
/// disk) is left half-closed: HDF5 1.10 faults on it at exit. Every file we write is closed
/// (or abandoned and unlinked) before we return, and read-only files need no flush, so the
/// process has nothing for the handler to do. Must run before any other HDF5 call; later
/// calls are harmless.
static inline void wbdit_h5_start(void) {
    H5dont_atexit();
    H5open();
    wbdit_h5_silence();
}

static inline unsigned wbdit_h5_truncate(void) { return H5F_ACC_TRUNC; }
static inline hid_t wbdit_h5_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t wbdit_h5_std_i8le(void) { return H5T_STD_I8LE; }
static inline hid_t wbdit_h5_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t wbdit_h5_native_int8(void) { return H5T_NATIVE_INT8; }
static inline hid_t wbdit_h5_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t wbdit_h5_ieee_f64le(void) { return H5T_IEEE_F64LE; }
