#ifndef SCALEFIT_CGSL_SHIM_H
#define SCALEFIT_CGSL_SHIM_H

// The GSL facilities scalefit uses, and nothing else.
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_zeta.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_lambert.h>
#include <gsl/gsl_sf_expint.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_multimin.h>

// GSL exports its algorithm descriptors as mutable globals, which Swift 6 refuses to
// read from nonisolated code. These accessors hand out the (immutable in practice)
// pointers without any Swift-visible global state.
static inline const gsl_multifit_nlinear_trs *cgsl_trs_lm(void) { return gsl_multifit_nlinear_trs_lm; }
static inline const gsl_multifit_nlinear_trs *cgsl_trs_lmaccel(void) { return gsl_multifit_nlinear_trs_lmaccel; }
static inline const gsl_multifit_nlinear_trs *cgsl_trs_dogleg(void) { return gsl_multifit_nlinear_trs_dogleg; }
static inline const gsl_multifit_nlinear_trs *cgsl_trs_ddogleg(void) { return gsl_multifit_nlinear_trs_ddogleg; }
static inline const gsl_multifit_nlinear_trs *cgsl_trs_subspace2D(void) { return gsl_multifit_nlinear_trs_subspace2D; }
static inline const gsl_multifit_nlinear_scale *cgsl_scale_more(void) { return gsl_multifit_nlinear_scale_more; }
static inline const gsl_multifit_nlinear_scale *cgsl_scale_levenberg(void) { return gsl_multifit_nlinear_scale_levenberg; }
static inline const gsl_multifit_nlinear_scale *cgsl_scale_marquardt(void) { return gsl_multifit_nlinear_scale_marquardt; }
static inline const gsl_multifit_nlinear_solver *cgsl_solver_qr(void) { return gsl_multifit_nlinear_solver_qr; }
static inline const gsl_multifit_nlinear_solver *cgsl_solver_cholesky(void) { return gsl_multifit_nlinear_solver_cholesky; }
static inline const gsl_multifit_nlinear_solver *cgsl_solver_svd(void) { return gsl_multifit_nlinear_solver_svd; }
static inline const gsl_multifit_nlinear_type *cgsl_trust(void) { return gsl_multifit_nlinear_trust; }
static inline const gsl_rng_type *cgsl_rng_mt19937(void) { return gsl_rng_mt19937; }
static inline const gsl_min_fminimizer_type *cgsl_min_brent(void) { return gsl_min_fminimizer_brent; }
static inline const gsl_multimin_fminimizer_type *cgsl_multimin_nmsimplex2(void) { return gsl_multimin_fminimizer_nmsimplex2; }

#endif
