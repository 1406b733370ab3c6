// Our AVX-512 sgemm against OpenBLAS, shape by shape, one thread, best of 5 (docs/benchmarks.md,
// "The kernels, shape by shape"). Build and run from the repository root:
//   clang -O2 -ISources/CKernels/include -I/usr/include/x86_64-linux-gnu/openblas-pthread \
//     benchmarks/sgemm_shapes.c Sources/CKernels/sgemm.c Sources/CKernels/cpu.c -lopenblas -lm -o /tmp/sgemm_shapes
//   /tmp/sgemm_shapes                  (the shapes below)
//   /tmp/sgemm_shapes 3200x768x256 …   (m x n x k, given on the command line)
#include "CKernels.h"
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
void run(int ta,int tb,int m,int n,int k){
  int lda = ta? m:k, ldb = tb? k:n, ldc=n;
  float *a=malloc(4L*m*k),*b=malloc(4L*k*n),*c=malloc(4L*m*n),*d=malloc(4L*m*n);
  for(long i=0;i<(long)m*k;i++)a[i]=(rand()%1000)/500.0f-1; for(long i=0;i<(long)k*n;i++)b[i]=(rand()%1000)/500.0f-1;
  for(long i=0;i<(long)m*n;i++)c[i]=d[i]=(rand()%100)/50.0f;
  wbdit_sgemm(ta,tb,m,n,k,0.7f,a,lda,b,ldb,0.5f,c,ldc);
  cblas_sgemm(CblasRowMajor,ta?CblasTrans:CblasNoTrans,tb?CblasTrans:CblasNoTrans,m,n,k,0.7f,a,lda,b,ldb,0.5f,d,ldc);
  double err=0; for(long i=0;i<(long)m*n;i++){double e=fabs(c[i]-d[i]); if(e>err)err=e;}
  int reps = (int)(2e9/(2.0*m*n*k)); if(reps<3)reps=3;
  double best1=1e9,best2=1e9;
  for(int r=0;r<5;r++){double t=now(); for(int q=0;q<reps;q++) wbdit_sgemm(ta,tb,m,n,k,1,a,lda,b,ldb,0,c,ldc); t=(now()-t)/reps; if(t<best1)best1=t;
   t=now(); for(int q=0;q<reps;q++) cblas_sgemm(CblasRowMajor,ta?CblasTrans:CblasNoTrans,tb?CblasTrans:CblasNoTrans,m,n,k,1,a,lda,b,ldb,0,d,ldc); t=(now()-t)/reps; if(t<best2)best2=t;}
  double f=2.0*m*n*k;
  printf("%c%c %5d x %5d x %5d  ours %6.1f  blas %6.1f GFLOP/s  maxerr %.2e\n", ta?'T':'N', tb?'T':'N', m,n,k, f/best1/1e9, f/best2/1e9, err);
  free(a);free(b);free(c);free(d);
}
int main(int argc,char**argv){ openblas_set_num_threads(1); printf("avx512 %d, OpenBLAS %s\n", wbdit_has_avx512(), openblas_get_corename());
 int shapes[][3]={{80,256,256},{16,1536,256},{80,40,256},{80,256,40},{256,256,80},{1536,256,16},{40,256,80},{5,5,32},{5,32,5},{3200,768,768},{768,768,3200},{3200,2304,768},{37,53,71}};
 if(argc>1){ for(int i=1;i<argc;i++){int m,n,k; if(sscanf(argv[i],"%dx%dx%d",&m,&n,&k)!=3||m<1||n<1||k<1){fprintf(stderr,"not a shape m x n x k: %s\n",argv[i]);return 2;}
   for(int ta=0;ta<2;ta++) for(int tb=0;tb<2;tb++) run(ta,tb,m,n,k);} return 0; }
 for(unsigned s=0;s<sizeof shapes/sizeof shapes[0];s++) for(int ta=0;ta<2;ta++) for(int tb=0;tb<2;tb++) run(ta,tb,shapes[s][0],shapes[s][1],shapes[s][2]);
}
