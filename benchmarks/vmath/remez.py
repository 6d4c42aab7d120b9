"""Derive the polynomial coefficients of vmath.h with a Remez exchange in mpmath.

Run: python3 benchmarks/vmath/remez.py   (about a minute; prints C initialisers)

Each approximation is a weighted minimax fit of a polynomial p(t) of degree n
to a target g(t) on [a, b], minimising max |w(t) * (p(t) - g(t))|, where the
weight turns the error of p into the absolute error it causes in the function
value (see vmath.h for how each polynomial enters):

  exp/expm1  q(r) = exp(r) - 1 - r = r^2 * P(r),     |r| <= ln2/2 (+ rounding slack)
             g = (exp(r) - 1 - r) / r^2,  w = |r|  (relative error of expm1 for k = 0;
             exp, whose value is near 1, needs only w = r^2, a weaker demand)
  log/log1p  log(1+f) = f - f^2/2 + s*(f^2/2 + z*Q(z)),  s = f/(2+f),  z = s^2,
             so 2*atanh(s) = 2s + s*z*Q(z):  g = (2*atanh(s) - 2s) / (s*z),  w = z
             (w*error is twice the relative error it causes in log(1+f))
             on z in [0, (3-2*sqrt(2))^2]  (s = f/(2+f) with f in [sqrt(1/2)-1, sqrt(2)-1])

Coefficients are rounded to the target precision one at a time, lowest degree
first, and the remaining ones are re-fitted after each rounding (so the rounding
of c_j is absorbed by c_{j+1..n}).  The printed "err" is the weighted error of
the rounded polynomial, evaluated exactly (no evaluation rounding) on a dense
grid: it is the approximation error only.
"""

from __future__ import annotations

import mpmath as mp

mp.mp.dps = 70


def _extrema(fun, a, b, npts):
    """Local extrema of |fun| on [a, b]: dense scan, then golden-section refinement."""
    xs = [a + (b - a) * mp.mpf(i) / (npts - 1) for i in range(npts)]
    ys = [fun(x) for x in xs]
    ext = []
    for i in range(npts):
        left = abs(ys[i - 1]) if i > 0 else mp.mpf(-1)
        right = abs(ys[i + 1]) if i < npts - 1 else mp.mpf(-1)
        if abs(ys[i]) >= left and abs(ys[i]) >= right:
            lo = xs[max(i - 1, 0)]
            hi = xs[min(i + 1, npts - 1)]
            if 0 < i < npts - 1:
                g = (mp.sqrt(5) - 1) / 2
                c, d = hi - g * (hi - lo), lo + g * (hi - lo)
                for _ in range(60):
                    if abs(fun(c)) > abs(fun(d)):
                        hi = d
                    else:
                        lo = c
                    c, d = hi - g * (hi - lo), lo + g * (hi - lo)
                x = (lo + hi) / 2
            else:
                x = xs[i]
            ext.append(x)
    return ext


def remez(g, w, a, b, n, fixed=(), iters=12, npts=1500):
    """Minimax p = sum c_i t^i, degree n, for weighted error w*(p - g) on [a, b].

    ``fixed`` gives c_0..c_{m-1}; only c_m..c_n are fitted.
    Returns (coefficients, max weighted error).
    """
    m = len(fixed)
    nfree = n + 1 - m

    def gg(t):
        return (g(t) - sum(c * t**i for i, c in enumerate(fixed))) / t**m if m else g(t)

    def ww(t):
        return w(t) * abs(t) ** m if m else w(t)

    # Chebyshev extrema as the first reference.
    k = nfree + 1
    ref = [(a + b) / 2 - (b - a) / 2 * mp.cos(mp.pi * i / (k - 1)) for i in range(k)]
    # the weight may vanish at t = 0: keep the reference away from it
    ref = [t + (b - a) / (8 * k) if abs(t) < (b - a) * mp.mpf(10) ** -9 else t for t in ref]
    coef = None
    err = None
    for _ in range(iters):
        mat = mp.matrix(k, k)
        rhs = mp.matrix(k, 1)
        for i, t in enumerate(ref):
            for j in range(nfree):
                mat[i, j] = t**j
            mat[i, nfree] = (-1) ** i / ww(t)
            rhs[i] = gg(t)
        sol = mp.lu_solve(mat, rhs)
        coef = [sol[j] for j in range(nfree)]

        def e(t, coef=coef):
            return ww(t) * (mp.polyval(coef[::-1], t) - gg(t))

        ext = _extrema(e, a, b, npts)
        # keep an alternating subsequence of the largest extrema
        alt = []
        for x in ext:
            if alt and mp.sign(e(x)) == mp.sign(e(alt[-1])):
                if abs(e(x)) > abs(e(alt[-1])):
                    alt[-1] = x
            else:
                alt.append(x)
        while len(alt) > k:
            # drop the smaller end
            if abs(e(alt[0])) < abs(e(alt[-1])):
                alt.pop(0)
            else:
                alt.pop()
        if len(alt) == k:
            ref = alt
        err = max(abs(e(x)) for x in ext)
    return list(fixed) + coef, err


def round_to(c, prec):
    with mp.workprec(prec):
        return +c


def _ulp(c, prec):
    return mp.mpf(2) ** (mp.floor(mp.log(abs(c), 2)) - prec + 1)


def fit_rounded(g, w, a, b, n, prec, exact_first=()):
    """Fit, round every coefficient to prec bits, then nudge them by +-1 ulp while that helps.

    ``exact_first`` are leading coefficients fixed to exactly representable values.
    (Re-fitting after each rounding is not used: {t^m, ..., t^n} is not a Haar
    system on an interval containing 0, and the exchange then stalls.)
    """
    fixed = [mp.mpf(c) for c in exact_first]
    coef, _ = remez(g, w, a, b, n, fixed=fixed)
    coef = fixed + [round_to(c, prec) for c in coef[len(fixed) :]]
    ts = [a + (b - a) * (mp.mpf(i) + mp.mpf(1) / 3) / 1500 for i in range(1500)] + [a, b]

    def maxerr(cs):
        return max(abs(w(t) * (mp.polyval(cs[::-1], t) - g(t))) for t in ts)

    best = maxerr(coef)
    improved = True
    while improved:
        improved = False
        for j in range(len(fixed), n + 1):
            for step in (1, -1):
                trial = list(coef)
                trial[j] = coef[j] + step * _ulp(coef[j], prec)
                e = maxerr(trial)
                if e < best:
                    best, coef, improved = e, trial, True
    return coef, best


def g_exp(r):
    if abs(r) < mp.mpf("1e-25"):
        return mp.mpf(1) / 2 + r / 6
    return (mp.exp(r) - 1 - r) / r**2


def w_exp(r):
    return abs(r)


def g_log(z):
    if z < mp.mpf("1e-40"):
        return mp.mpf(2) / 3 + 2 * z / 5
    s = mp.sqrt(z)
    return (2 * mp.atanh(s) - 2 * s) / (s * z)


def w_log(z):
    return z


def show(name, coef, err, prec):
    ctype = "double" if prec == 53 else "float"
    suffix = "" if prec == 53 else "f"
    print(f"/* {name}: degree {len(coef) - 1}, max weighted error 2^{float(mp.log(err, 2)):.1f} */")
    for i, c in enumerate(coef):
        print(f"#define {name}{i} {mp.nstr(c, 25 if prec == 53 else 12, min_fixed=-1, max_fixed=1)}{suffix}")
    print(f"/* as {ctype} hex: {', '.join(float(c).hex() for c in coef)} */")


def main():
    # |r| <= ln2/2 plus the slack of rounding x/ln2 and of the two-part ln2
    rmax = mp.log(2) / 2 * (1 + mp.mpf(2) ** -20)
    smax = (mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)
    zmax = smax**2 * (1 + mp.mpf(2) ** -20)
    zmin = zmax * mp.mpf(2) ** -30

    for prec, (ne, nl) in ((53, (10, 6)), (24, (5, 3))):
        tag = "D" if prec == 53 else "F"
        coef, err = fit_rounded(g_exp, w_exp, -rmax, rmax, ne, prec, exact_first=(mp.mpf(1) / 2,))
        show(f"LK_EXP{tag}_C", coef, err, prec)
        coef, err = fit_rounded(g_log, w_log, zmin, zmax, nl, prec)
        show(f"LK_LOG{tag}_C", coef, err, prec)


if __name__ == "__main__":
    main()
