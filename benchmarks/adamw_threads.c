// AdamW alone: is it bound by memory? `wbdit_adamw` over N parameters on 1 or 2 threads,
// best of 20 (docs/benchmarks.md, "The kernels, shape by shape"). Build and run from the repository root:
//   clang -O2 -ISources/CKernels/include benchmarks/adamw_threads.c Sources/CKernels/adamw.c -lpthread -o /tmp/adamw_threads
//   /tmp/adamw_threads 3834408 1; /tmp/adamw_threads 3834408 2
#include "CKernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <pthread.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
size_t N; float *p,*g,*m,*v;
typedef struct {size_t s,e;} R;
void *run(void *a){R*r=a; wbdit_adamw(p,g,m,v,r->s,r->e,1,0.9f,0.999f,0.9999f,1e-3f,0.5f,1e-8f); return 0;}
int main(int argc,char**argv){ N=atol(argv[1]); int th=atoi(argv[2]);
 p=aligned_alloc(64,N*4);g=aligned_alloc(64,N*4);m=aligned_alloc(64,N*4);v=aligned_alloc(64,N*4);
 for(size_t i=0;i<N;i++){p[i]=0.01f*(i%100);g[i]=0.001f*(i%37);m[i]=0;v[i]=0.0001f;}
 double best=1e9;
 for(int rep=0;rep<20;rep++){ double t=now(); pthread_t tt[2]; R r[2];
  for(int k=0;k<th;k++){r[k].s=N/th*k/16*16; r[k].e=k==th-1?N:N/th*(k+1)/16*16; pthread_create(&tt[k],0,run,&r[k]);}
  for(int k=0;k<th;k++)pthread_join(tt[k],0); t=now()-t; if(t<best)best=t;}
 printf("N=%zu threads=%d best %.3f ms  %.1f GB/s (28 B/param)\n",N,th,best*1e3,28.0*N/best/1e9);
}
