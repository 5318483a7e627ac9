;; The reproducible sum's inner loops (../reproducible-sum.ts explains the arithmetic) in WebAssembly SIMD: two
;; float64 lanes per instruction, about twice what V8 makes of the same scalar JavaScript. WebAssembly arithmetic is
;; IEEE-754 with no fused multiply-add and no fast-math, so these loops give exactly the bits the scalar version gave.
;;
;; Pointers are byte offsets into the imported memory; `n` counts elements and may be odd: the caller pads every
;; accumulator and scratch region to an even length, and the padding lane is never read.
;; Each term t = x * w is split on two grids: q = (t + c1) - c1 is t rounded to the coarse grid, and
;; r = ((t - q) + c2) - c2 is the rest rounded to the fine grid; q is added to s1 and r to s2, both exactly.
(module
  (import "env" "memory" (memory 1))

  ;; s1 += q(x*w), s2 += r(x*w), for one float32 input.
  (func (export "add1") (param $s1 i32) (param $s2 i32) (param $x i32) (param $n i32) (param $w f64) (param $c1 f64) (param $c2 f64)
    (local $i i32) (local $o4 i32) (local $o8 i32)
    (local $W v128) (local $C1 v128) (local $C2 v128) (local $t v128) (local $q v128)
    (local.set $W (f64x2.splat (local.get $w)))
    (local.set $C1 (f64x2.splat (local.get $c1)))
    (local.set $C2 (f64x2.splat (local.get $c2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o4 (i32.shl (local.get $i) (i32.const 2)))
        (local.set $o8 (i32.shl (local.get $i) (i32.const 3)))
        (local.set $t (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $x) (local.get $o4)))) (local.get $W)))
        (local.set $q (f64x2.sub (f64x2.add (local.get $t) (local.get $C1)) (local.get $C1)))
        (v128.store (i32.add (local.get $s1) (local.get $o8))
          (f64x2.add (v128.load (i32.add (local.get $s1) (local.get $o8))) (local.get $q)))
        (v128.store (i32.add (local.get $s2) (local.get $o8))
          (f64x2.add (v128.load (i32.add (local.get $s2) (local.get $o8)))
            (f64x2.sub (f64x2.add (f64x2.sub (local.get $t) (local.get $q)) (local.get $C2)) (local.get $C2))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $next))))

  ;; add1 for four inputs at once: the accumulators are read and written once for four terms. The four parts are
  ;; added to each other before the accumulator; every partial sum is a multiple of its grid within the bound, so
  ;; exact, and the order of the additions does not matter.
  (func (export "add4") (param $s1 i32) (param $s2 i32) (param $a i32) (param $b i32) (param $c i32) (param $d i32) (param $n i32)
        (param $wa f64) (param $wb f64) (param $wc f64) (param $wd f64) (param $c1 f64) (param $c2 f64)
    (local $i i32) (local $o4 i32) (local $o8 i32)
    (local $WA v128) (local $WB v128) (local $WC v128) (local $WD v128) (local $C1 v128) (local $C2 v128)
    (local $ta v128) (local $tb v128) (local $tc v128) (local $td v128)
    (local $qa v128) (local $qb v128) (local $qc v128) (local $qd v128)
    (local.set $WA (f64x2.splat (local.get $wa)))
    (local.set $WB (f64x2.splat (local.get $wb)))
    (local.set $WC (f64x2.splat (local.get $wc)))
    (local.set $WD (f64x2.splat (local.get $wd)))
    (local.set $C1 (f64x2.splat (local.get $c1)))
    (local.set $C2 (f64x2.splat (local.get $c2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o4 (i32.shl (local.get $i) (i32.const 2)))
        (local.set $o8 (i32.shl (local.get $i) (i32.const 3)))
        (local.set $ta (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $a) (local.get $o4)))) (local.get $WA)))
        (local.set $qa (f64x2.sub (f64x2.add (local.get $ta) (local.get $C1)) (local.get $C1)))
        (local.set $ta (f64x2.sub (f64x2.add (f64x2.sub (local.get $ta) (local.get $qa)) (local.get $C2)) (local.get $C2)))
        (local.set $tb (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $b) (local.get $o4)))) (local.get $WB)))
        (local.set $qb (f64x2.sub (f64x2.add (local.get $tb) (local.get $C1)) (local.get $C1)))
        (local.set $tb (f64x2.sub (f64x2.add (f64x2.sub (local.get $tb) (local.get $qb)) (local.get $C2)) (local.get $C2)))
        (local.set $tc (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $c) (local.get $o4)))) (local.get $WC)))
        (local.set $qc (f64x2.sub (f64x2.add (local.get $tc) (local.get $C1)) (local.get $C1)))
        (local.set $tc (f64x2.sub (f64x2.add (f64x2.sub (local.get $tc) (local.get $qc)) (local.get $C2)) (local.get $C2)))
        (local.set $td (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $d) (local.get $o4)))) (local.get $WD)))
        (local.set $qd (f64x2.sub (f64x2.add (local.get $td) (local.get $C1)) (local.get $C1)))
        (local.set $td (f64x2.sub (f64x2.add (f64x2.sub (local.get $td) (local.get $qd)) (local.get $C2)) (local.get $C2)))
        (v128.store (i32.add (local.get $s1) (local.get $o8))
          (f64x2.add (v128.load (i32.add (local.get $s1) (local.get $o8)))
            (f64x2.add (f64x2.add (local.get $qa) (local.get $qb)) (f64x2.add (local.get $qc) (local.get $qd)))))
        (v128.store (i32.add (local.get $s2) (local.get $o8))
          (f64x2.add (v128.load (i32.add (local.get $s2) (local.get $o8)))
            (f64x2.add (f64x2.add (local.get $ta) (local.get $tb)) (f64x2.add (local.get $tc) (local.get $td)))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $next))))

  ;; Moves s2's multiples of the coarse grid into s1: k = (s2 + c1) - c1; s1 += k; s2 -= k. Both stay exact.
  (func (export "carry") (param $s1 i32) (param $s2 i32) (param $n i32) (param $c1 f64)
    (local $i i32) (local $o8 i32) (local $C1 v128) (local $r v128) (local $k v128)
    (local.set $C1 (f64x2.splat (local.get $c1)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o8 (i32.shl (local.get $i) (i32.const 3)))
        (local.set $r (v128.load (i32.add (local.get $s2) (local.get $o8))))
        (local.set $k (f64x2.sub (f64x2.add (local.get $r) (local.get $C1)) (local.get $C1)))
        (v128.store (i32.add (local.get $s1) (local.get $o8)) (f64x2.add (v128.load (i32.add (local.get $s1) (local.get $o8))) (local.get $k)))
        (v128.store (i32.add (local.get $s2) (local.get $o8)) (f64x2.sub (local.get $r) (local.get $k)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $next))))

  ;; out = float32((s1 + s2) * scale): one rounding to float64, one to float32, as the scalar code did.
  (func (export "quotient") (param $s1 i32) (param $s2 i32) (param $out i32) (param $n i32) (param $scale f64)
    (local $i i32) (local $o8 i32) (local $S v128)
    (local.set $S (f64x2.splat (local.get $scale)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o8 (i32.shl (local.get $i) (i32.const 3)))
        (v128.store64_lane 0 (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (f32x4.demote_f64x2_zero
            (f64x2.mul (f64x2.add (v128.load (i32.add (local.get $s1) (local.get $o8))) (v128.load (i32.add (local.get $s2) (local.get $o8)))) (local.get $S))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $next))))
)
