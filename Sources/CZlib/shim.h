// zlib, for reading gzip-compressed text (10x matrix.mtx.gz, features.tsv.gz, …).
// gzopen/gzread also read uncompressed files unchanged.
#include <zlib.h>
