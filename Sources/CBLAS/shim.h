// OpenBLAS through its own include directory (pkg-config `openblas`), never the
// bare system <cblas.h>, which Debian's alternatives may point at another BLAS.
#include <cblas.h>
