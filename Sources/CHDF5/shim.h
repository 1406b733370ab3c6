// libhdf5 (serial). Used by the h5ad reader; macros that Swift cannot import
// get static inline wrappers here as they are needed.
#include <hdf5.h>
