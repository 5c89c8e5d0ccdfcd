//! A stored network saves and loads through serde (JSON here) and recalls identically; a
//! malformed or edited file is an error, never a network that panics or answers wrongly
//! later (issue 11).
//!
//! The mutation tests take the serialised form of every Hopfield serde type (binary with each
//! rule and with given weights, continuous, modern; f32 and f64), change it (every numeric
//! field set to awkward values, every array shortened, lengthened and emptied, every entry
//! dropped and duplicated, the rule renamed, weights changed symmetrically), and check that
//! loading never panics and that every load that succeeds gives a model that keeps its
//! invariants and whose methods (recall, energy, run, store, ...) all work. One test tries
//! every single mutation exhaustively; a proptest tries random combinations of several.
#![cfg(feature = "serde")]

use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use recurrent::hopfield::{ContinuousHopfield, Hopfield, ModernHopfield, Rule};
use recurrent::scalar::{Real, lit};
use recurrent::{AssociativeMemory, Error, Recurrent, Sequence};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::panic::{AssertUnwindSafe, catch_unwind};

fn rng(seed: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

fn pm1<T: Real>(n: usize, p: usize, r: &mut Xoshiro256PlusPlus) -> DMatrix<T> {
    DMatrix::from_fn(n, p, |_, _| {
        if r.random::<bool>() {
            T::one()
        } else {
            -T::one()
        }
    })
}

fn round_trip<T: Real + Serialize + DeserializeOwned>() {
    let mut r = rng(9);
    let x = pm1::<T>(64, 6, &mut r);
    for rule in [Rule::Hebbian, Rule::Storkey, Rule::PseudoInverse] {
        let net = Hopfield::from_patterns(&x, rule).unwrap();
        let json = serde_json::to_string(&net).unwrap();
        let back: Hopfield<T> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, net, "{rule:?}");
        // recall identically, including further learning (the pseudo-inverse keeps its patterns)
        let mut probe: DVector<T> = x.column(2).into_owned();
        for i in 0..8 {
            probe[i] = -probe[i];
        }
        assert_eq!(back.recall(&probe).unwrap(), net.recall(&probe).unwrap());
        let mut r1 = rng(1);
        let mut r2 = rng(1);
        assert_eq!(
            back.recall_async(&probe, &mut r1).unwrap(),
            net.recall_async(&probe, &mut r2).unwrap()
        );
        let more = pm1::<T>(64, 2, &mut r);
        let (mut a, mut b) = (net.clone(), back.clone());
        a.store(&more).unwrap();
        b.store(&more).unwrap();
        assert_eq!(a, b);
    }
    // Hebbian stored in two calls (rounding differs from one call): still consistent
    let mut two = Hopfield::<T>::builder(64, Rule::Hebbian).build().unwrap();
    two.store(&x.columns(0, 3).into_owned()).unwrap();
    two.store(&x.columns(3, 3).into_owned()).unwrap();
    let back: Hopfield<T> = serde_json::from_str(&serde_json::to_string(&two).unwrap()).unwrap();
    assert_eq!(back, two);
    // given weights, with thresholds and settings
    let w = DMatrix::<T>::from_fn(3, 3, |i, j| if i == j { T::zero() } else { lit(0.25) });
    let given = Hopfield::builder_from_weights(w)
        .thresholds(DVector::from_element(3, lit(0.5)))
        .max_sweeps(7)
        .tie_tolerance(lit(1e-3))
        .build()
        .unwrap();
    let json = serde_json::to_string(&given).unwrap();
    assert!(json.contains("\"rule\":null"), "{json}");
    let back: Hopfield<T> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, given);
}

#[test]
fn hopfield_round_trip_f64() {
    round_trip::<f64>();
}

#[test]
fn hopfield_round_trip_f32() {
    round_trip::<f32>();
}

#[test]
fn modern_and_continuous_round_trip() {
    let x = DMatrix::<f64>::from_fn(8, 20, |i, j| ((i * 7 + j * 3) % 5) as f64 - 2.0);
    let m = ModernHopfield::from_patterns(&x, 0.7).unwrap();
    let back: ModernHopfield<f64> =
        serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
    assert_eq!(back, m);
    let empty = ModernHopfield::<f32>::builder(3, 2.0)
        .max_steps(4)
        .tolerance(1e-3)
        .build()
        .unwrap();
    let back: ModernHopfield<f32> =
        serde_json::from_str(&serde_json::to_string(&empty).unwrap()).unwrap();
    assert_eq!(back, empty);
    let c = ContinuousHopfield::builder(DMatrix::<f64>::identity(3, 3), DVector::zeros(3))
        .tau(2.0)
        .u0(0.3)
        .dt(1e-3)
        .build()
        .unwrap();
    let back: ContinuousHopfield<f64> =
        serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
    assert_eq!(back, c);
}

/// Malformed or inconsistent files are errors, not networks that panic later.
#[test]
fn malformed_json_is_an_error_not_a_panic() {
    let r: Result<Hopfield<f64>, _> = serde_json::from_str("{\"rule\":\"Hebbian\"}");
    assert!(r.is_err());
    let x = DMatrix::<f64>::from_column_slice(3, 1, &[1.0, -1.0, 1.0]);
    let net = Hopfield::from_patterns(&x, Rule::Hebbian).unwrap();
    let load = |v: Value| serde_json::from_value::<Hopfield<f64>>(v);
    // thresholds of the wrong length
    let mut v: Value = serde_json::to_value(&net).unwrap();
    v["thresholds"] = serde_json::to_value(DVector::<f64>::zeros(2)).unwrap();
    let e = load(v).unwrap_err();
    assert!(e.to_string().contains("thresholds"), "{e}");
    // a non-symmetric weight matrix
    let mut v: Value = serde_json::to_value(&net).unwrap();
    let mut w = net.weights().clone();
    w[(0, 1)] = 5.0;
    v["weights"] = serde_json::to_value(&w).unwrap();
    assert!(load(v).is_err());
    // symmetric, but not the weights the Hebbian rule gives for the kept patterns
    let mut v: Value = serde_json::to_value(&net).unwrap();
    let mut w = net.weights().clone();
    w[(0, 1)] += 0.5;
    w[(1, 0)] += 0.5;
    v["weights"] = serde_json::to_value(&w).unwrap();
    let e = load(v).unwrap_err();
    assert!(e.to_string().contains("Hebbian rule"), "{e}");
    // a missing rule does not make a learning network one with given weights
    let mut v: Value = serde_json::to_value(&net).unwrap();
    v.as_object_mut().unwrap().remove("rule");
    assert!(load(v).is_err());
    // "Given" is no longer a rule
    let mut v: Value = serde_json::to_value(&net).unwrap();
    v["rule"] = "Given".into();
    assert!(load(v).is_err());
    // given weights store no patterns
    let mut v: Value = serde_json::to_value(&net).unwrap();
    v["rule"] = Value::Null;
    assert!(load(v).is_err());
    // a data array that does not fill the claimed shape (nalgebra's own reader multiplies
    // the two sizes unchecked: 2³² × 2³² wraps to 0 entries)
    for shape in [
        serde_json::json!([[], 4294967296u64, 4294967296u64]),
        serde_json::json!([[0.0, 0.0], 3, 3]),
        serde_json::json!([[], 0, 5]),
    ] {
        let mut v: Value = serde_json::to_value(&net).unwrap();
        v["weights"] = shape.clone();
        assert!(load(v).is_err(), "{shape}");
    }
    // max_sweeps 0, negative tie tolerance
    let mut v: Value = serde_json::to_value(&net).unwrap();
    v["max_sweeps"] = 0.into();
    assert!(load(v).is_err());
    let mut v: Value = serde_json::to_value(&net).unwrap();
    v["tie_tolerance"] = (-1.0).into();
    assert!(load(v).is_err());
    // continuous: bias of the wrong length, dt ≤ 0
    let c = ContinuousHopfield::builder(DMatrix::<f64>::identity(3, 3), DVector::zeros(3))
        .build()
        .unwrap();
    let mut v = serde_json::to_value(&c).unwrap();
    v["bias"] = serde_json::to_value(DVector::<f64>::zeros(4)).unwrap();
    assert!(serde_json::from_value::<ContinuousHopfield<f64>>(v).is_err());
    let mut v = serde_json::to_value(&c).unwrap();
    v["dt"] = 0.0.into();
    assert!(serde_json::from_value::<ContinuousHopfield<f64>>(v).is_err());
    // modern: β ≤ 0, a 0-row memory, f32 overflow of a finite JSON number
    let m = ModernHopfield::from_patterns(&x, 1.0).unwrap();
    let mut v = serde_json::to_value(&m).unwrap();
    v["beta"] = serde_json::json!(-1.0);
    assert!(serde_json::from_value::<ModernHopfield<f64>>(v).is_err());
    let mut v = serde_json::to_value(&m).unwrap();
    v["patterns"] = serde_json::json!([[], 0, 4]);
    assert!(serde_json::from_value::<ModernHopfield<f64>>(v).is_err());
    let m32 = ModernHopfield::from_patterns(&x.cast::<f32>(), 1.0).unwrap();
    let mut v = serde_json::to_value(&m32).unwrap();
    v["patterns"][0][0] = serde_json::json!(1e39);
    assert!(serde_json::from_value::<ModernHopfield<f32>>(v).is_err());
}

// ---------------------------------------------------------------- mutations

/// One step of a path into a JSON document.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

type Path = Vec<Step>;

/// A JSON document and, optionally, one object entry to write twice.
#[derive(Clone, Debug)]
struct Doc {
    value: Value,
    duplicate: Option<Path>,
}

impl Doc {
    fn text(&self) -> String {
        let mut out = String::new();
        write_json(
            &self.value,
            &mut Vec::new(),
            self.duplicate.as_ref(),
            &mut out,
        );
        out
    }
}

/// JSON text of `v`, with the object entry at `dup` (if any) written twice.
fn write_json(v: &Value, at: &mut Path, dup: Option<&Path>, out: &mut String) {
    match v {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                at.push(Step::Index(i));
                write_json(item, at, dup, out);
                at.pop();
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            let mut first = true;
            for (k, item) in map {
                at.push(Step::Key(k.clone()));
                let times = if dup == Some(&*at) { 2 } else { 1 };
                for _ in 0..times {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    out.push_str(&serde_json::to_string(k).unwrap());
                    out.push(':');
                    write_json(item, at, dup, out);
                }
                at.pop();
            }
            out.push('}');
        }
        leaf => out.push_str(&serde_json::to_string(leaf).unwrap()),
    }
}

/// Every node of `v` with its path (the root included).
fn nodes(v: &Value) -> Vec<(Path, Value)> {
    fn walk(v: &Value, at: &mut Path, out: &mut Vec<(Path, Value)>) {
        out.push((at.clone(), v.clone()));
        match v {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    at.push(Step::Index(i));
                    walk(item, at, out);
                    at.pop();
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    at.push(Step::Key(k.clone()));
                    walk(item, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

fn node_mut<'a>(v: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    let mut cur = v;
    for s in path {
        cur = match s {
            Step::Key(k) => cur.get_mut(k.as_str())?,
            Step::Index(i) => cur.get_mut(*i)?,
        };
    }
    Some(cur)
}

/// Awkward numbers for any numeric field: zero and signs, tiny and subnormal, huge (beyond
/// f32, near f64::MAX), integers beyond u32, 2⁵³ + 1, u64::MAX, beyond u64, negative integers.
const NUMBERS: &[&str] = &[
    "0",
    "-0.0",
    "1",
    "-1",
    "2",
    "0.5",
    "-0.5",
    "3",
    "1e-310",
    "1e-30",
    "1e30",
    "1e39",
    "1e300",
    "-1e300",
    "1.7976931348623157e308",
    "4294967296",
    "9007199254740993",
    "18446744073709551615",
    "-9223372036854775808",
    "100000000000000000000",
];

/// Values of other types, put where a number, string, array or object was.
fn other_types() -> Vec<Value> {
    vec![
        Value::Null,
        Value::Bool(true),
        Value::String("1".into()),
        Value::Array(vec![]),
        serde_json::json!({}),
        serde_json::json!([1.0]),
    ]
}

fn rule_names() -> Vec<Value> {
    ["Hebbian", "Storkey", "PseudoInverse", "Given", ""]
        .iter()
        .map(|s| Value::String((*s).into()))
        .chain([Value::Null])
        .collect()
}

/// Replacements for a number `x`: the awkward constants and changes relative to `x`.
fn numbers_for(x: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = NUMBERS
        .iter()
        .map(|s| serde_json::from_str(s).unwrap())
        .collect();
    if let Some(f) = x.as_f64() {
        for y in [
            f + 1.0,
            f - 1.0,
            -f,
            2.0 * f,
            f / 2.0,
            f + 1e-12,
            f * (1.0 + 1e-9),
        ] {
            if let Some(n) = serde_json::Number::from_f64(y) {
                out.push(Value::Number(n));
            }
        }
    }
    if let Some(u) = x.as_u64() {
        out.push(u.wrapping_add(1).into());
        out.push(u.saturating_sub(1).into());
        out.push(u.saturating_mul(2).into());
    }
    out
}

/// One change to a document.
#[derive(Clone, Debug)]
enum Mutation {
    /// Replace the node at the path.
    Set(Path, Value),
    /// Remove the array element or object entry at the path.
    Remove(Path),
    /// Insert a copy of the array element at the path after it.
    DuplicateElement(Path),
    /// Append a value to the array at the path.
    Push(Path, Value),
    /// Write the object entry at the path twice.
    DuplicateEntry(Path),
    /// Set entry `k` of a square matrix's data array and its mirror `(j, i)` to a value (a
    /// change that keeps the matrix symmetric, so it reaches the checks behind symmetry).
    Mirror(Path, usize, Value),
}

impl Mutation {
    fn apply(&self, doc: &mut Doc) {
        match self {
            Mutation::Set(p, v) => {
                if let Some(n) = node_mut(&mut doc.value, p) {
                    *n = v.clone();
                }
            }
            Mutation::Remove(p) => {
                let (last, parent) = p.split_last().expect("not the root");
                match (node_mut(&mut doc.value, parent), last) {
                    (Some(Value::Array(a)), Step::Index(i)) if *i < a.len() => {
                        a.remove(*i);
                    }
                    (Some(Value::Object(m)), Step::Key(k)) => {
                        m.remove(k);
                    }
                    _ => {}
                }
            }
            Mutation::DuplicateElement(p) => {
                let (last, parent) = p.split_last().expect("not the root");
                if let (Some(Value::Array(a)), Step::Index(i)) =
                    (node_mut(&mut doc.value, parent), last)
                    && *i < a.len()
                {
                    let copy = a[*i].clone();
                    a.insert(*i, copy);
                }
            }
            Mutation::Push(p, v) => {
                if let Some(Value::Array(a)) = node_mut(&mut doc.value, p) {
                    a.push(v.clone());
                }
            }
            Mutation::DuplicateEntry(p) => doc.duplicate = Some(p.clone()),
            Mutation::Mirror(p, k, v) => {
                if let Some(Value::Array(a)) = node_mut(&mut doc.value, p) {
                    let n = (a.len() as f64).sqrt().round() as usize;
                    if n * n == a.len() && *k < a.len() {
                        let (i, j) = (k % n, k / n);
                        a[*k] = v.clone();
                        a[i * n + j] = v.clone();
                    }
                }
            }
        }
    }
}

/// Every single mutation of `v`.
fn all_mutations(v: &Value) -> Vec<Mutation> {
    let mut out = Vec::new();
    for (path, node) in nodes(v) {
        let in_container = !path.is_empty();
        if in_container {
            out.push(Mutation::Remove(path.clone()));
            for t in other_types() {
                out.push(Mutation::Set(path.clone(), t));
            }
            match path.last() {
                Some(Step::Index(_)) => out.push(Mutation::DuplicateElement(path.clone())),
                Some(Step::Key(_)) => out.push(Mutation::DuplicateEntry(path.clone())),
                None => {}
            }
        }
        match &node {
            Value::Number(_) => {
                for x in numbers_for(&node) {
                    out.push(Mutation::Set(path.clone(), x));
                }
            }
            Value::String(_) | Value::Null => {
                for r in rule_names() {
                    out.push(Mutation::Set(path.clone(), r));
                }
            }
            Value::Array(items) => {
                out.push(Mutation::Set(path.clone(), Value::Array(vec![])));
                out.push(Mutation::Push(path.clone(), 1.into()));
                out.push(Mutation::Push(path.clone(), (-1.0).into()));
                if let Some(last) = items.last() {
                    out.push(Mutation::Push(path.clone(), last.clone()));
                }
                // a square data array (the weights): symmetric changes of every entry
                let n = (items.len() as f64).sqrt().round() as usize;
                if items.len() > 1 && n * n == items.len() && items.iter().all(Value::is_number) {
                    for k in 0..items.len() {
                        for x in ["0", "0.375", "-2", "1e300"] {
                            out.push(Mutation::Mirror(
                                path.clone(),
                                k,
                                serde_json::from_str(x).unwrap(),
                            ));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// A random mutation of `v`, drawn with `r`.
fn random_mutation(v: &Value, r: &mut Xoshiro256PlusPlus) -> Mutation {
    let all = all_mutations(v);
    all[r.random_range(0..all.len())].clone()
}

// ---------------------------------------------------------------- exercising a loaded model

/// What a load gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Loaded {
    Rejected,
    Accepted,
}

/// Parses `text` as `M`; if that succeeds, `exercise` must find a working model.
fn load<M: DeserializeOwned>(text: &str, exercise: impl FnOnce(M)) -> Loaded {
    match serde_json::from_str::<M>(text) {
        Ok(m) => {
            exercise(m);
            Loaded::Accepted
        }
        Err(_) => Loaded::Rejected,
    }
}

/// A ±1 probe of length `n` with both signs.
fn probe<T: Real>(n: usize, phase: usize) -> DVector<T> {
    DVector::from_fn(n, |i, _| {
        if (i + phase).is_multiple_of(3) {
            -T::one()
        } else {
            T::one()
        }
    })
}

/// A loaded binary network keeps the builder's invariants and every method works.
fn exercise_binary<T: Real + Serialize + DeserializeOwned>(net: Hopfield<T>) {
    let n = net.n();
    let w = net.weights();
    assert!(n >= 1 && w.shape() == (n, n));
    assert!(w.iter().all(|v| v.is_finite()));
    assert_eq!(w, &w.transpose(), "W exactly symmetric");
    assert!(
        w.diagonal().iter().all(|v| *v == T::zero()),
        "zero diagonal"
    );
    assert_eq!(net.thresholds().len(), n);
    assert!(net.thresholds().iter().all(|v| v.is_finite()));
    assert!(net.max_sweeps() >= 1);
    assert!(net.tie_tolerance().is_finite() && net.tie_tolerance() >= T::zero());
    if net.rule().is_none() {
        assert_eq!(net.n_patterns(), 0);
    }
    // A file may ask for any number of sweeps; recall stops at a fixed point (async, by
    // energy descent) or a fixed point / 2-cycle (sync) long before a huge cap.
    let s = probe::<T>(n, 0);
    let sync = net.recall(&s).unwrap();
    assert_eq!(sync.state.len(), n);
    assert_eq!(net.recall_sync(&s).unwrap(), sync);
    let asy = net.recall_async(&s, &mut rng(3)).unwrap();
    assert_eq!(asy.state.len(), n);
    net.energy(&s).unwrap();
    net.energy_of(&asy.state).unwrap();
    net.field(&s).unwrap();
    net.is_fixed_point(&s).unwrap();
    let probes = DMatrix::from_columns(&[s.clone(), probe(n, 1)]);
    let batch = net.recall_batch(&probes).unwrap();
    assert_eq!(batch.get(0).unwrap().state, sync.state);
    net.recall_async_batch(&probes, &mut rng(4)).unwrap();
    assert_eq!(net.fixed_points(&probes).unwrap().len(), 2);
    net.step_sync(&s).unwrap();
    let mut t = s.clone();
    net.sweep_async(&mut t, &(0..n).rev().collect::<Vec<_>>())
        .unwrap();
    let run = net.run(&Sequence::zeros(0, 3, 2), Some(&probes)).unwrap();
    assert_eq!((run.states.dim(), run.states.steps()), (n, 3));
    net.run(&Sequence::zeros(0, 2, 1), None).unwrap();
    // it saves and loads again, unchanged
    let again: Hopfield<T> = serde_json::from_str(&serde_json::to_string(&net).unwrap()).unwrap();
    assert_eq!(again, net);
    // and learns more, if it has a rule
    let mut more = net.clone();
    match more.store(&DMatrix::from_columns(&[probe::<T>(n, 2)])) {
        Ok(()) => {
            more.recall(&s).unwrap();
        }
        Err(Error::InvalidParameter { name: "rule", .. }) => assert!(net.rule().is_none()),
        // a Storkey count read as usize::MAX cannot grow
        Err(Error::InvalidParameter {
            name: "n_patterns", ..
        }) => assert_eq!(net.n_patterns(), usize::MAX),
        // the pseudo-inverse of dependent patterns
        Err(Error::Numerical { .. }) => assert_eq!(net.rule(), Some(Rule::PseudoInverse)),
        Err(e) => panic!("store failed: {e}"),
    }
}

fn exercise_continuous<T: Real + Serialize + DeserializeOwned>(net: ContinuousHopfield<T>) {
    let n = net.n();
    let w = net.weights();
    assert!(n >= 1 && w.shape() == (n, n) && net.bias().len() == n);
    assert!(w.iter().chain(net.bias().iter()).all(|v| v.is_finite()));
    for x in [net.tau(), net.u0(), net.dt()] {
        assert!(x.is_finite() && x > T::zero());
    }
    let v = net.output(&DVector::from_fn(n, |i, _| lit(0.01 * i as f64)));
    assert_eq!(v.len(), n);
    net.energy(&DVector::from_element(n, lit(0.5))).unwrap();
    net.energy(&DVector::from_element(n, T::one())).unwrap();
    match net.run(&DVector::zeros(n), 200, lit(1e-6)) {
        Ok(run) => {
            assert!(run.energy_trace.len() == run.steps + 1);
            net.energy(&run.v).unwrap();
        }
        // a step too large for the weights: the integration diverges
        Err(Error::NonFinite { .. }) => {}
        Err(e) => panic!("run failed: {e}"),
    }
    let again: ContinuousHopfield<T> =
        serde_json::from_str(&serde_json::to_string(&net).unwrap()).unwrap();
    assert_eq!(again, net);
}

fn exercise_modern<T: Real + Serialize + DeserializeOwned>(net: ModernHopfield<T>) {
    let d = net.dim();
    assert!(d >= 1 && net.patterns().nrows() == d);
    assert!(net.patterns().iter().all(|v| v.is_finite()));
    assert!(net.beta().is_finite() && net.beta() > T::zero());
    assert!(net.max_steps() >= 1);
    assert!(net.tolerance().is_finite() && net.tolerance() >= T::zero());
    if d > 1 << 16 {
        // an empty memory may claim any pattern length (it holds no data, and allocates
        // none): a probe that long would be the test's own huge allocation
        assert_eq!(net.n_patterns(), 0);
        assert!(matches!(
            net.recall(&DVector::zeros(3)),
            Err(Error::Empty { .. } | Error::DimensionMismatch { .. })
        ));
        return;
    }
    let xi = DVector::from_fn(d, |i, _| lit::<T>(0.3 * i as f64 - 0.4));
    let check = |net: &ModernHopfield<T>| {
        match net.recall(&xi) {
            Ok(r) => assert_eq!(r.state.len(), d),
            Err(Error::Empty { .. }) => assert_eq!(net.n_patterns(), 0),
            // patterns near the largest float overflow β xᵢᵀξ
            Err(Error::NonFinite { .. }) => {}
            Err(e) => panic!("recall failed: {e}"),
        }
        match net.energy(&xi) {
            Ok(_) => {}
            Err(Error::Empty { .. }) => assert_eq!(net.n_patterns(), 0),
            Err(e) => panic!("energy failed: {e}"),
        }
        match net.update_batch(&DMatrix::from_columns(&[xi.clone(), -&xi])) {
            Ok(u) => assert_eq!(u.shape(), (d, 2)),
            Err(Error::Empty { .. }) => assert_eq!(net.n_patterns(), 0),
            Err(e) => panic!("update failed: {e}"),
        }
    };
    check(&net);
    let again: ModernHopfield<T> =
        serde_json::from_str(&serde_json::to_string(&net).unwrap()).unwrap();
    assert_eq!(again, net);
    let mut more = net.clone();
    more.store(&DMatrix::from_columns(std::slice::from_ref(&xi)))
        .unwrap();
    check(&more);
}

// ---------------------------------------------------------------- the models mutated

/// One serialised model of each kind, with the function that loads and exercises it.
struct Case {
    name: &'static str,
    value: Value,
    load: fn(&str) -> Loaded,
}

fn binary_cases<T: Real + Serialize + DeserializeOwned>(tag: &'static str) -> Vec<Case> {
    let mut r = rng(17);
    let x = pm1::<T>(6, 2, &mut r);
    let mut w = DMatrix::<T>::from_fn(4, 4, |i, j| lit(((i * 3 + j * 5) % 7) as f64 / 7.0 - 0.4));
    w = (&w + w.transpose()) * lit::<T>(0.5);
    w.fill_diagonal(T::zero());
    let given = Hopfield::builder_from_weights(w)
        .thresholds(DVector::from_fn(4, |i, _| lit(0.1 * i as f64)))
        .max_sweeps(7)
        .tie_tolerance(lit(1e-3))
        .build()
        .unwrap();
    let nets = [
        (
            "hebbian",
            Hopfield::from_patterns(&x, Rule::Hebbian).unwrap(),
        ),
        (
            "storkey",
            Hopfield::from_patterns(&x, Rule::Storkey).unwrap(),
        ),
        (
            "pinv",
            Hopfield::from_patterns(&x, Rule::PseudoInverse).unwrap(),
        ),
        (
            "empty-storkey",
            Hopfield::builder(3, Rule::Storkey).build().unwrap(),
        ),
        ("given", given),
    ];
    nets.into_iter()
        .map(|(name, net)| Case {
            name: leak(format!("{tag} binary {name}")),
            value: serde_json::to_value(&net).unwrap(),
            load: |t| load::<Hopfield<T>>(t, exercise_binary),
        })
        .collect()
}

fn other_cases<T: Real + Serialize + DeserializeOwned>(tag: &'static str) -> Vec<Case> {
    let w = DMatrix::<T>::from_row_slice(
        3,
        3,
        &[
            lit(0.5),
            lit(-1.0),
            lit(0.25),
            lit(-1.0),
            lit(0.0),
            lit(2.0),
            lit(0.25),
            lit(2.0),
            lit(-0.5),
        ],
    );
    let c = ContinuousHopfield::builder(w, DVector::from_fn(3, |i, _| lit(0.2 * i as f64)))
        .tau(lit(2.0))
        .u0(lit(0.5))
        .dt(lit(1e-2))
        .build()
        .unwrap();
    let x = DMatrix::<T>::from_fn(4, 3, |i, j| lit(((i + 2 * j) % 5) as f64 - 2.0));
    let mut m = ModernHopfield::builder(4, lit(2.0))
        .max_steps(10)
        .tolerance(lit(1e-8))
        .build()
        .unwrap();
    m.store(&x).unwrap();
    let empty = ModernHopfield::<T>::builder(2, lit(0.5)).build().unwrap();
    vec![
        Case {
            name: leak(format!("{tag} continuous")),
            value: serde_json::to_value(&c).unwrap(),
            load: |t| load::<ContinuousHopfield<T>>(t, exercise_continuous),
        },
        Case {
            name: leak(format!("{tag} modern")),
            value: serde_json::to_value(&m).unwrap(),
            load: |t| load::<ModernHopfield<T>>(t, exercise_modern),
        },
        Case {
            name: leak(format!("{tag} modern empty")),
            value: serde_json::to_value(&empty).unwrap(),
            load: |t| load::<ModernHopfield<T>>(t, exercise_modern),
        },
    ]
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn cases() -> Vec<Case> {
    let mut all = binary_cases::<f64>("f64");
    all.extend(binary_cases::<f32>("f32"));
    all.extend(other_cases::<f64>("f64"));
    all.extend(other_cases::<f32>("f32"));
    all
}

/// Every single mutation of every model: none panics; count what loads.
#[test]
fn every_single_mutation_is_rejected_or_gives_a_working_model() {
    let mut panics = Vec::new();
    let (mut rejected, mut accepted) = (0usize, 0usize);
    for case in cases() {
        // the unmutated model loads
        let doc = Doc {
            value: case.value.clone(),
            duplicate: None,
        };
        assert_eq!((case.load)(&doc.text()), Loaded::Accepted, "{}", case.name);
        for m in all_mutations(&case.value) {
            let mut doc = Doc {
                value: case.value.clone(),
                duplicate: None,
            };
            m.apply(&mut doc);
            let text = doc.text();
            match catch_unwind(AssertUnwindSafe(|| (case.load)(&text))) {
                Ok(Loaded::Rejected) => rejected += 1,
                Ok(Loaded::Accepted) => accepted += 1,
                Err(_) => panics.push(format!("{}: {m:?}\n{text}", case.name)),
            }
        }
    }
    assert!(
        panics.is_empty(),
        "{} of {} mutations panicked, first: {}",
        panics.len(),
        rejected + accepted + panics.len(),
        panics[0]
    );
    // most single changes break a rule, some (thresholds, settings, symmetric changes of
    // given weights) are legitimate models
    assert!(
        rejected > 1000 && accepted > 100,
        "{rejected} rejected, {accepted} accepted"
    );
    println!("single mutations: {rejected} rejected, {accepted} accepted, 0 panics");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Random combinations of up to four mutations (drawn from a seeded generator): no
    /// panic, and a model that loads works.
    #[test]
    fn random_mutations_never_panic(seed in any::<u64>(), which in 0usize..16, k in 1usize..=4) {
        let all = cases();
        let case = &all[which % all.len()];
        let mut r = rng(seed);
        let mut doc = Doc { value: case.value.clone(), duplicate: None };
        let mut applied = Vec::new();
        for _ in 0..k {
            let m = random_mutation(&doc.value, &mut r);
            m.apply(&mut doc);
            applied.push(m);
        }
        let text = doc.text();
        let got = catch_unwind(AssertUnwindSafe(|| (case.load)(&text)));
        prop_assert!(got.is_ok(), "{}: {applied:?} panicked on\n{text}", case.name);
    }
}
