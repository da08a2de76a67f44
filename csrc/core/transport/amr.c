/* amr.c — sheet conduction with pads (bilinear elements on the cells) and
 * the AMR conductivity tensor of a magnetized film. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "amr.h"
#include "mh_common.h"
#include "spsolve.h"

struct mh_sheet {
    int nx, ny, npads, solver;
    double dx, dy;
    unsigned char *cond; /* nx*ny */
    int nv;              /* corners (nx+1)*(ny+1) */
    int *vrow;           /* corner -> row of Afull, or -1 (inactive / floating) */
    int *vpad;           /* corner -> pad index or -1 */
    int nrow;            /* rows of Afull (active corners) */
    int *rowv;           /* row -> corner */
    int *pos9;           /* row*9 + slot -> CSR position in Afull, or -1 */
    mh_csr Afull;        /* all active corners */
    int nfree;           /* unknowns */
    int *freerow;        /* unknown -> row of Afull */
    int *rowfree;        /* row -> unknown or -1 */
    mh_csr Aff;          /* free-free block */
    int *aff_src;        /* Aff entry -> Afull entry */
    mh_spsolver *sol;
    double *g;           /* cell tensors of the last load, SoA 3*nx*ny (xx, xy, yy) */
    double *X;           /* warm starts, nfree*(npads+1) */
    double tol;
    int maxit, ready, last_iters;
};

int mh_sheet_npads(const mh_sheet *s) { return s->npads; }
int mh_sheet_unknowns(const mh_sheet *s) { return s->nfree; }
int mh_sheet_solver(const mh_sheet *s) { return s->solver; }
int mh_sheet_last_iters(const mh_sheet *s) { return s->last_iters; }

void mh_sheet_set_tolerance(mh_sheet *s, double tol, int maxit)
{
    if (tol > 0.0)
        s->tol = tol;
    if (maxit > 0)
        s->maxit = maxit;
}

void mh_sheet_free(mh_sheet *s)
{
    if (!s)
        return;
    free(s->cond);
    free(s->vrow);
    free(s->vpad);
    free(s->rowv);
    free(s->pos9);
    mh_csr_clear(&s->Afull);
    free(s->freerow);
    free(s->rowfree);
    mh_csr_clear(&s->Aff);
    free(s->aff_src);
    mh_spsolver_free(s->sol);
    free(s->g);
    free(s->X);
    free(s);
}

/* Is cell (i, j) inside the grid and conducting? */
static int cell_on(const mh_sheet *s, int i, int j)
{
    return i >= 0 && j >= 0 && i < s->nx && j < s->ny && s->cond[i + s->nx * j];
}

/* Do corners (I, J) and (I+dI, J+dJ) (|dI|,|dJ| ≤ 1) share a conducting cell? */
static int corners_coupled(const mh_sheet *s, int I, int J, int dI, int dJ)
{
    int i0 = dI == 0 ? I - 1 : (dI > 0 ? I : I - 1), i1 = dI == 0 ? I : i0;
    int j0 = dJ == 0 ? J - 1 : (dJ > 0 ? J : J - 1), j1 = dJ == 0 ? J : j0;
    for (int j = j0; j <= j1; j++)
        for (int i = i0; i <= i1; i++)
            if (cell_on(s, i, j))
                return 1;
    return 0;
}

/* Label corners: pads, activity, and drop islands that reach no pad. */
static int label_corners(mh_sheet *s, const int *pad)
{
    int nx = s->nx, ny = s->ny, NX = nx + 1, nv = s->nv;
    int *active = calloc((size_t)nv, sizeof(int));
    int *queue = malloc((size_t)nv * sizeof(int));
    if (!active || !queue) {
        free(active);
        free(queue);
        return MH_ENOMEM;
    }
    for (int v = 0; v < nv; v++)
        s->vpad[v] = -1;
    int st = MH_OK;
    for (int j = 0; j < ny && st == MH_OK; j++)
        for (int i = 0; i < nx; i++) {
            int c = i + nx * j;
            if (!s->cond[c])
                continue;
            int cv[4] = {i + NX * j, i + 1 + NX * j, i + NX * (j + 1), i + 1 + NX * (j + 1)};
            for (int a = 0; a < 4; a++) {
                active[cv[a]] = 1;
                if (pad[c] >= 0) {
                    if (s->vpad[cv[a]] >= 0 && s->vpad[cv[a]] != pad[c])
                        st = MH_EINVAL;
                    s->vpad[cv[a]] = pad[c];
                }
            }
        }
    /* a pad corner on a non-pad conducting cell is fine (that is the
     * contact edge); a corner claimed by two pads shorts them */
    if (st == MH_OK) {
        /* breadth-first from all pad corners through conducting cells */
        int head = 0, tail = 0;
        for (int v = 0; v < nv; v++) {
            s->vrow[v] = -1;
            if (s->vpad[v] >= 0 && active[v]) {
                s->vrow[v] = 0;
                queue[tail++] = v;
            }
        }
        while (head < tail) {
            int v = queue[head++], I = v % NX, J = v / NX;
            for (int dJ = -1; dJ <= 1; dJ++)
                for (int dI = -1; dI <= 1; dI++) {
                    int I2 = I + dI, J2 = J + dJ;
                    if ((dI == 0 && dJ == 0) || I2 < 0 || J2 < 0 || I2 > nx || J2 > ny)
                        continue;
                    int w = I2 + NX * J2;
                    if (s->vrow[w] < 0 && active[w] && corners_coupled(s, I, J, dI, dJ)) {
                        s->vrow[w] = 0;
                        queue[tail++] = w;
                    }
                }
        }
        int nrow = 0;
        for (int v = 0; v < nv; v++)
            if (s->vrow[v] >= 0)
                s->vrow[v] = nrow++;
        s->nrow = nrow;
    }
    free(active);
    free(queue);
    return st;
}

static int build_pattern(mh_sheet *s)
{
    int nx = s->nx, NX = nx + 1, nrow = s->nrow;
    s->rowv = malloc((size_t)(nrow + 1) * sizeof(int));
    s->pos9 = malloc((size_t)9 * (size_t)(nrow + 1) * sizeof(int));
    s->rowfree = malloc((size_t)(nrow + 1) * sizeof(int));
    if (!s->rowv || !s->pos9 || !s->rowfree)
        return MH_ENOMEM;
    for (int v = 0; v < s->nv; v++)
        if (s->vrow[v] >= 0)
            s->rowv[s->vrow[v]] = v;
    /* count */
    int nnz = 0;
    for (int r = 0; r < nrow; r++) {
        int v = s->rowv[r], I = v % NX, J = v / NX;
        for (int dJ = -1; dJ <= 1; dJ++)
            for (int dI = -1; dI <= 1; dI++) {
                int w = (I + dI) + NX * (J + dJ);
                int ok = (dI == 0 && dJ == 0) ||
                         (I + dI >= 0 && I + dI <= nx && J + dJ >= 0 && J + dJ <= s->ny &&
                          s->vrow[w] >= 0 && corners_coupled(s, I, J, dI, dJ));
                s->pos9[9 * r + 3 * (dJ + 1) + dI + 1] = ok ? nnz++ : -1;
            }
    }
    int st = mh_csr_alloc(&s->Afull, nrow, nnz);
    if (st != MH_OK)
        return st;
    /* corners are numbered in grid order, so slot order is column order */
    for (int r = 0; r < nrow; r++) {
        int v = s->rowv[r], I = v % NX, J = v / NX;
        s->Afull.rowptr[r] = -1;
        for (int q = 0; q < 9; q++) {
            int p = s->pos9[9 * r + q];
            if (p < 0)
                continue;
            if (s->Afull.rowptr[r] < 0)
                s->Afull.rowptr[r] = p;
            int dI = q % 3 - 1, dJ = q / 3 - 1;
            s->Afull.col[p] = s->vrow[(I + dI) + NX * (J + dJ)];
        }
    }
    s->Afull.rowptr[nrow] = nnz;
    /* free block */
    int nfree = 0;
    for (int r = 0; r < nrow; r++)
        s->rowfree[r] = s->vpad[s->rowv[r]] < 0 ? nfree++ : -1;
    s->nfree = nfree;
    if (nfree == 0)
        return MH_OK;
    s->freerow = malloc((size_t)nfree * sizeof(int));
    if (!s->freerow)
        return MH_ENOMEM;
    int fnnz = 0;
    for (int r = 0; r < nrow; r++) {
        if (s->rowfree[r] < 0)
            continue;
        s->freerow[s->rowfree[r]] = r;
        for (int p = s->Afull.rowptr[r]; p < s->Afull.rowptr[r + 1]; p++)
            fnnz += s->rowfree[s->Afull.col[p]] >= 0;
    }
    if ((st = mh_csr_alloc(&s->Aff, nfree, fnnz)) != MH_OK)
        return st;
    s->aff_src = malloc((size_t)(fnnz + 1) * sizeof(int));
    if (!s->aff_src)
        return MH_ENOMEM;
    fnnz = 0;
    for (int f = 0; f < nfree; f++) {
        int r = s->freerow[f];
        s->Aff.rowptr[f] = fnnz;
        for (int p = s->Afull.rowptr[r]; p < s->Afull.rowptr[r + 1]; p++) {
            int cf = s->rowfree[s->Afull.col[p]];
            if (cf >= 0) {
                s->Aff.col[fnnz] = cf;
                s->Aff.val[fnnz] = 0.0;
                s->aff_src[fnnz++] = p;
            }
        }
    }
    s->Aff.rowptr[nfree] = fnnz;
    return MH_OK;
}

mh_sheet *mh_sheet_new(int nx, int ny, double dx, double dy, const unsigned char *cond,
                       const int *pad, int npads, int solver, int *status)
{
    int st = MH_EINVAL;
    mh_sheet *s = NULL;
    if (nx < 1 || ny < 1 || !(dx > 0.0) || !(dy > 0.0) || !cond || !pad || npads < 2 ||
        mh_solver_name(solver) == NULL || (size_t)(nx + 1) * (size_t)(ny + 1) > (size_t)1 << 30)
        goto fail;
    st = MH_ENOMEM;
    if (!(s = calloc(1, sizeof *s)))
        goto fail;
    s->nx = nx;
    s->ny = ny;
    s->dx = dx;
    s->dy = dy;
    s->npads = npads;
    s->solver = solver;
    s->tol = 1e-10;
    s->maxit = 20000;
    s->nv = (nx + 1) * (ny + 1);
    size_t n = (size_t)nx * (size_t)ny;
    s->cond = malloc(n);
    s->g = calloc(3 * n, sizeof(double));
    s->vrow = malloc((size_t)s->nv * sizeof(int));
    s->vpad = malloc((size_t)s->nv * sizeof(int));
    if (!s->cond || !s->g || !s->vrow || !s->vpad)
        goto fail;
    for (size_t c = 0; c < n; c++)
        s->cond[c] = cond[c] ? 1 : 0;
    /* every pad must own a conducting cell */
    {
        int *seen = calloc((size_t)npads, sizeof(int));
        if (!seen)
            goto fail;
        st = MH_OK;
        for (size_t c = 0; c < n; c++) {
            if (pad[c] >= npads || pad[c] < -1)
                st = MH_EINVAL;
            else if (pad[c] >= 0 && s->cond[c])
                seen[pad[c]] = 1;
        }
        for (int k = 0; k < npads; k++)
            if (!seen[k])
                st = MH_EINVAL;
        free(seen);
        if (st != MH_OK)
            goto fail;
    }
    if ((st = label_corners(s, pad)) != MH_OK)
        goto fail;
    if ((st = build_pattern(s)) != MH_OK)
        goto fail;
    st = MH_ENOMEM;
    if (!(s->X = calloc((size_t)(s->nfree + 1) * (size_t)(npads + 1), sizeof(double))))
        goto fail;
    if (s->nfree > 0) {
        int *coords = malloc((size_t)2 * (size_t)s->nfree * sizeof(int));
        if (!coords)
            goto fail;
        for (int f = 0; f < s->nfree; f++) {
            int v = s->rowv[s->freerow[f]];
            coords[2 * f] = v % (nx + 1);
            coords[2 * f + 1] = v / (nx + 1);
        }
        s->sol = mh_spsolver_new(solver, &s->Aff, coords, &st);
        free(coords);
        if (!s->sol)
            goto fail;
    }
    *status = MH_OK;
    return s;
fail:
    mh_sheet_free(s);
    *status = st;
    return NULL;
}

int mh_sheet_set_conductance(mh_sheet *s, const double *gxx, const double *gxy, const double *gyy)
{
    int nx = s->nx, NX = nx + 1;
    double ax = s->dy / s->dx, ay = s->dx / s->dy;
    memset(s->Afull.val, 0, (size_t)s->Afull.nnz * sizeof(double));
    s->ready = 0;
    for (int j = 0; j < s->ny; j++)
        for (int i = 0; i < nx; i++) {
            int c = i + nx * j;
            if (!s->cond[c])
                continue;
            double xx = gxx[c], xy = gxy[c], yy = gyy[c];
            if (!isfinite(xx) || !isfinite(xy) || !isfinite(yy) || !(xx > 0.0) || !(yy > 0.0) ||
                !(xx * yy - xy * xy > 0.0))
                return MH_EINVAL;
            size_t n2 = (size_t)nx * (size_t)s->ny;
            s->g[c] = xx;
            s->g[n2 + c] = xy;
            s->g[2 * n2 + c] = yy;
            int cv[4] = {i + NX * j, i + 1 + NX * j, i + NX * (j + 1), i + 1 + NX * (j + 1)};
            int r0 = s->vrow[cv[0]];
            if (r0 < 0)
                continue; /* floating island */
            for (int a = 0; a < 4; a++) {
                int pa = a & 1, qa = a >> 1, ra = s->vrow[cv[a]];
                double sxa = 2.0 * pa - 1.0, sya = 2.0 * qa - 1.0;
                for (int b = 0; b < 4; b++) {
                    int pb = b & 1, qb = b >> 1;
                    double sxb = 2.0 * pb - 1.0, syb = 2.0 * qb - 1.0;
                    double kxx = sxa * sxb * ax * (qa == qb ? 1.0 / 3.0 : 1.0 / 6.0);
                    double kyy = sya * syb * ay * (pa == pb ? 1.0 / 3.0 : 1.0 / 6.0);
                    double kxy = 0.25 * (sxa * syb + sxb * sya);
                    int slot = 3 * (qb - qa + 1) + (pb - pa + 1);
                    s->Afull.val[s->pos9[9 * ra + slot]] += xx * kxx + yy * kyy + xy * kxy;
                }
            }
        }
    for (int p = 0; p < s->Aff.nnz; p++)
        s->Aff.val[p] = s->Afull.val[s->aff_src[p]];
    if (s->sol) {
        int st = mh_spsolver_setup(s->sol, &s->Aff);
        if (st != MH_OK)
            return st;
    }
    s->ready = 1;
    return MH_OK;
}

/* Fill full potentials u (nrow) from pad volts and free values x. */
static void assemble_u(const mh_sheet *s, const double *volts, const double *x, double *u)
{
    for (int r = 0; r < s->nrow; r++) {
        int f = s->rowfree[r];
        u[r] = f >= 0 ? (x ? x[f] : 0.0) : volts[s->vpad[s->rowv[r]]];
    }
}

/* Solve for nrhs pad-voltage vectors (volts: npads per column) into the
 * warm-start slots X[0..nrhs). */
static int solve_cols(mh_sheet *s, int nrhs, const double *volts, double *relres)
{
    int nfree = s->nfree, nrow = s->nrow, st = MH_ENOMEM;
    *relres = 0.0;
    s->last_iters = 0;
    if (nfree == 0)
        return MH_OK;
    double *B = malloc((size_t)nfree * (size_t)nrhs * sizeof(double));
    double *u = malloc((size_t)nrow * sizeof(double)), *y = malloc((size_t)nrow * sizeof(double));
    if (!B || !u || !y)
        goto out;
    for (int c = 0; c < nrhs; c++) {
        assemble_u(s, volts + (size_t)c * s->npads, NULL, u);
        mh_csr_matvec(&s->Afull, u, y);
        for (int f = 0; f < nfree; f++)
            B[(size_t)c * nfree + f] = -y[s->freerow[f]];
    }
    st = mh_spsolver_solve(s->sol, nrhs, B, s->X, s->tol, s->maxit, relres, &s->last_iters);
out:
    free(B);
    free(u);
    free(y);
    return st;
}

/* Currents into the pads for full potentials u. */
static void pad_currents(const mh_sheet *s, const double *u, double *y, double *I)
{
    mh_csr_matvec(&s->Afull, u, y);
    for (int k = 0; k < s->npads; k++)
        I[k] = 0.0;
    for (int r = 0; r < s->nrow; r++) {
        int k = s->vpad[s->rowv[r]];
        if (k >= 0)
            I[k] += y[r];
    }
}

int mh_sheet_conductance(mh_sheet *s, double *G, double *relres)
{
    if (!s->ready)
        return MH_EINVAL;
    int N = s->npads, nfree = s->nfree, st = MH_ENOMEM;
    double rr = 0.0;
    /* G = Gpp − Cᵀ A_ff⁻¹ C, C[:, k] = coupling of pad k to the free corners */
    double *C = calloc((size_t)(nfree > 0 ? nfree : 1) * (size_t)N, sizeof(double));
    double *S = calloc((size_t)N * (size_t)N, sizeof(double));
    if (!C || !S)
        goto out;
    for (int i = 0; i < N * N; i++)
        G[i] = 0.0;
    for (int r = 0; r < s->nrow; r++) {
        int k = s->vpad[s->rowv[r]];
        if (k < 0)
            continue;
        for (int p = s->Afull.rowptr[r]; p < s->Afull.rowptr[r + 1]; p++) {
            int col = s->Afull.col[p], f = s->rowfree[col];
            if (f >= 0)
                C[(size_t)k * nfree + f] += s->Afull.val[p];
            else
                G[k * N + s->vpad[s->rowv[col]]] += s->Afull.val[p];
        }
    }
    st = MH_OK;
    s->last_iters = 0;
    if (nfree > 0)
        st = mh_spsolver_schur(s->sol, N, C, s->X, S, s->tol, s->maxit, &rr, &s->last_iters);
    if (st != MH_OK && st != MH_ENOCONV)
        goto out;
    for (int i = 0; i < N * N; i++)
        G[i] -= S[i];
    /* exact symmetry and zero row sums (the operator has both; this
     * removes rounding) */
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++) {
            double a = 0.5 * (G[i * N + j] + G[j * N + i]);
            G[i * N + j] = G[j * N + i] = a;
        }
    for (int i = 0; i < N; i++) {
        double sum = 0.0;
        for (int j = 0; j < N; j++)
            if (j != i)
                sum += G[i * N + j];
        G[i * N + i] = -sum;
    }
out:
    if (relres)
        *relres = rr;
    free(C);
    free(S);
    return st;
}

int mh_sheet_solve(mh_sheet *s, const double *volts, double *phi, double *K, double *I,
                   double *relres)
{
    if (!s->ready)
        return MH_EINVAL;
    for (int k = 0; k < s->npads; k++)
        if (!isfinite(volts[k]))
            return MH_EINVAL;
    int nx = s->nx, ny = s->ny, NX = nx + 1, nrow = s->nrow, N = s->npads;
    double rr = 0.0;
    /* slot N of the warm starts is reserved for this call */
    double *X0 = s->X;
    s->X = X0 + (size_t)N * s->nfree;
    int st = solve_cols(s, 1, volts, &rr);
    double *x = s->X;
    s->X = X0;
    if (st != MH_OK && st != MH_ENOCONV)
        return st;
    /* one scratch block: potentials u, y = A u (nrow + 1 each: never empty), pad currents */
    double *u = malloc(((size_t)2 * (nrow + 1) + (size_t)N) * sizeof(double));
    if (!u)
        return MH_ENOMEM;
    double *y = u + nrow + 1, *Ip = y + nrow + 1;
    assemble_u(s, volts, x, u);
    pad_currents(s, u, y, Ip);
    if (I)
        memcpy(I, Ip, (size_t)N * sizeof(double));
    if (phi || K) {
        size_t n = (size_t)nx * (size_t)ny;
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++) {
                size_t c = (size_t)i + (size_t)nx * j;
                int cv[4] = {i + NX * j, i + 1 + NX * j, i + NX * (j + 1), i + 1 + NX * (j + 1)};
                double p[4];
                int live = s->cond[c] && s->vrow[cv[0]] >= 0;
                for (int a = 0; a < 4; a++)
                    p[a] = live ? u[s->vrow[cv[a]]] : 0.0;
                if (phi)
                    phi[c] = 0.25 * (p[0] + p[1] + p[2] + p[3]);
                if (K) {
                    /* gradient of the bilinear interpolant at the centre */
                    double ex = ((p[1] - p[0]) + (p[3] - p[2])) / (2.0 * s->dx);
                    double ey = ((p[2] - p[0]) + (p[3] - p[1])) / (2.0 * s->dy);
                    K[c] = -(s->g[c] * ex + s->g[n + c] * ey);
                    K[n + c] = -(s->g[n + c] * ex + s->g[2 * n + c] * ey);
                    if (!live)
                        K[c] = K[n + c] = 0.0;
                }
            }
    }
    free(u);
    if (relres)
        *relres = rr;
    return st;
}

int mh_amr_sigmas(double sigma0, double a, double *sperp, double *sdelta)
{
    if (!(sigma0 > 0.0) || !isfinite(sigma0) || !(a > -1.0 && a < 1.0))
        return MH_EINVAL;
    /* ρ∥/ρ⊥ = (2 + a)/(2 − a); σ∥/σ⊥ is its inverse */
    double ratio = (2.0 - a) / (2.0 + a);
    double sp = sigma0 / (1.0 + (ratio - 1.0) / 3.0);
    *sperp = sp;
    *sdelta = sp * (ratio - 1.0);
    return MH_OK;
}

void mh_column_mask(int nx, int ny, int nz, const unsigned char *mask, unsigned char *cond)
{
    size_t n2 = (size_t)nx * (size_t)ny;
    for (size_t c = 0; c < n2; c++) {
        unsigned char on = 0;
        for (int k = 0; k < nz; k++)
            on |= mask[c + n2 * (size_t)k] ? 1 : 0;
        cond[c] = on;
    }
}

void mh_amr_tensor(int nx, int ny, int nz, const unsigned char *mask, const double *m,
                   double sperp, double sdelta, double thickness,
                   double *gxx, double *gxy, double *gyy)
{
    size_t n2 = (size_t)nx * (size_t)ny, n = n2 * (size_t)nz;
    double tl = thickness / nz;
    for (size_t c = 0; c < n2; c++) {
        double xx = 0.0, xy = 0.0, yy = 0.0;
        for (int k = 0; k < nz; k++) {
            size_t q = c + n2 * (size_t)k;
            if (!mask[q])
                continue;
            double mx = m[q], my = m[n + q];
            xx += tl * (sperp + sdelta * mx * mx);
            xy += tl * sdelta * mx * my;
            yy += tl * (sperp + sdelta * my * my);
        }
        gxx[c] = xx;
        gxy[c] = xy;
        gyy[c] = yy;
    }
}

int mh_pads_map(int nx, int ny, double dx, double dy, const unsigned char *cond, int npads,
                const double *rect, int *pad_of_cell, int *bad, int *why, int *other)
{
    size_t n = (size_t)nx * (size_t)ny;
    double Lx = nx * dx, Ly = ny * dy, ex = 1e-9 * dx, ey = 1e-9 * dy;
    *bad = -1;
    *why = 0;
    *other = -1;
    for (size_t c = 0; c < n; c++)
        pad_of_cell[c] = -1;
    for (int k = 0; k < npads; k++) {
        double cx = rect[4 * k], cy = rect[4 * k + 1], hw = 0.5 * rect[4 * k + 2],
               hh = 0.5 * rect[4 * k + 3];
        *bad = k;
        if (!(hw > 0.0) || !(hh > 0.0) || cx - hw < -ex || cx + hw > Lx + ex || cy - hh < -ey ||
            cy + hh > Ly + ey) {
            *why = 1;
            return MH_EINVAL;
        }
        int count = 0;
        int i0 = (int)floor((cx - hw) / dx - 0.5) - 1, i1 = (int)ceil((cx + hw) / dx - 0.5) + 1;
        int j0 = (int)floor((cy - hh) / dy - 0.5) - 1, j1 = (int)ceil((cy + hh) / dy - 0.5) + 1;
        for (int j = j0 < 0 ? 0 : j0; j <= j1 && j < ny; j++)
            for (int i = i0 < 0 ? 0 : i0; i <= i1 && i < nx; i++) {
                double x = (i + 0.5) * dx, y = (j + 0.5) * dy;
                if (fabs(x - cx) > hw + ex || fabs(y - cy) > hh + ey)
                    continue;
                size_t c = (size_t)i + (size_t)nx * j;
                if (pad_of_cell[c] >= 0) {
                    *why = 3;
                    *other = pad_of_cell[c];
                    return MH_EINVAL;
                }
                if (cond && !cond[c]) {
                    *why = 4;
                    return MH_EINVAL;
                }
                pad_of_cell[c] = k;
                count++;
            }
        if (count == 0) {
            *why = 2;
            return MH_EINVAL;
        }
    }
    /* pads sharing a cell corner would be shorted by the discretization */
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++) {
            int a = pad_of_cell[i + nx * j];
            if (a < 0)
                continue;
            for (int dj = 0; dj <= 1; dj++)
                for (int di = -1; di <= 1; di++) {
                    int i2 = i + di, j2 = j + dj;
                    if ((dj == 0 && di <= 0) || i2 < 0 || i2 >= nx || j2 >= ny)
                        continue;
                    int b = pad_of_cell[i2 + nx * j2];
                    if (b >= 0 && b != a) {
                        *bad = a > b ? a : b;
                        *other = a > b ? b : a;
                        *why = 5;
                        return MH_EINVAL;
                    }
                }
        }
    *bad = -1;
    return MH_OK;
}
