// OpenBLAS through its own include directory (pkg-config `openblas`), never the
// bare system <cblas.h>, which Debian's alternatives may point at another BLAS.
#include <cblas.h>

// LAPACK's divide-and-conquer symmetric eigensolver, which OpenBLAS carries (Fortran ABI:
// arguments by pointer, column-major, the two character arguments' hidden lengths last).
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_length, size_t uplo_length);
