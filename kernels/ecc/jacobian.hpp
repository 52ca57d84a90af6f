// jacobian.hpp: point arithmetic on a short Weierstrass curve y^2 = x^3 - 3x + b over a prime field,
// in Jacobian coordinates (x = X/Z^2, y = Y/Z^3) with an explicit infinity flag, written once over
// the field (first user: kernels/p384's scalar reference and table builder). The additions are
// complete: infinity, P + P and P + -P are handled. Variable-time (public data only).
//
// The field F is a type with
//   using Elem = ...;                    // a field element in whatever form F keeps it
//   static Elem mul(Elem, Elem), sqr(Elem), add(Elem, Elem), sub(Elem, Elem), one();
//   static bool is_zero(Elem);           // the element is 0 mod p
//
// References: Hankerson, Menezes, Vanstone, "Guide to Elliptic Curve Cryptography" (2004) 3.2; the
// Explicit-Formulas Database (hyperelliptic.org/EFD, g1p/auto-shortw-jacobian-3): dbl-2001-b,
// madd-2007-bl and add-2007-bl in their plain (not "-2" re-scaled) shape.
#pragma once

namespace jwtbatch::kernels::ecc {

template <class F>
struct Jacobian {
  using E = typename F::Elem;

  struct Affine {
    E x, y;
  };
  struct Point {
    E x, y, z;  // meaningless when inf
    bool inf = true;
  };

  // dbl: 2P, dbl-2001-b (a = -3).
  static Point dbl(const Point& p) {
    if (p.inf || F::is_zero(p.y)) return Point{};
    const E delta = F::sqr(p.z), gamma = F::sqr(p.y), beta = F::mul(p.x, gamma);
    E alpha = F::mul(F::sub(p.x, delta), F::add(p.x, delta));
    alpha = F::add(alpha, F::add(alpha, alpha));
    const E beta4 = F::add(F::add(beta, beta), F::add(beta, beta));
    Point r;
    r.inf = false;
    r.x = F::sub(F::sqr(alpha), F::add(beta4, beta4));
    r.z = F::sub(F::sub(F::sqr(F::add(p.y, p.z)), gamma), delta);
    E g8 = F::sqr(gamma);
    g8 = F::add(g8, g8);
    g8 = F::add(g8, g8);
    g8 = F::add(g8, g8);
    r.y = F::sub(F::mul(alpha, F::sub(beta4, r.x)), g8);
    return r;
  }

  // add_affine: P + Q with Q affine (never infinity).
  static Point add_affine(const Point& p, const Affine& q) {
    if (p.inf) return Point{q.x, q.y, F::one(), false};
    const E z1z1 = F::sqr(p.z);
    const E u2 = F::mul(q.x, z1z1);
    const E s2 = F::mul(q.y, F::mul(p.z, z1z1));
    const E h = F::sub(u2, p.x), rr = F::sub(s2, p.y);
    if (F::is_zero(h)) return F::is_zero(rr) ? dbl(p) : Point{};
    return finish(p.x, p.y, h, rr, F::mul(p.z, h));
  }

  // add: P + Q, both Jacobian.
  static Point add(const Point& p, const Point& q) {
    if (p.inf) return q;
    if (q.inf) return p;
    const E z1z1 = F::sqr(p.z), z2z2 = F::sqr(q.z);
    const E u1 = F::mul(p.x, z2z2), u2 = F::mul(q.x, z1z1);
    const E s1 = F::mul(p.y, F::mul(q.z, z2z2)), s2 = F::mul(q.y, F::mul(p.z, z1z1));
    const E h = F::sub(u2, u1), rr = F::sub(s2, s1);
    if (F::is_zero(h)) return F::is_zero(rr) ? dbl(p) : Point{};
    return finish(u1, s1, h, rr, F::mul(F::mul(p.z, q.z), h));
  }

 private:
  // finish: the common tail of both additions, with U1, S1, H = U2 - U1, r = S2 - S1, and Z3.
  static Point finish(const E& u1, const E& s1, const E& h, const E& rr, const E& z3) {
    const E hh = F::sqr(h), hhh = F::mul(h, hh), v = F::mul(u1, hh);
    Point r;
    r.inf = false;
    r.x = F::sub(F::sub(F::sqr(rr), hhh), F::add(v, v));
    r.y = F::sub(F::mul(rr, F::sub(v, r.x)), F::mul(s1, hhh));
    r.z = z3;
    return r;
  }
};

}  // namespace jwtbatch::kernels::ecc
