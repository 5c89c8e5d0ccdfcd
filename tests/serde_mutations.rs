//! Every serde type of the models' side of the crate is validated on load: the serialised form
//! of a valid value is mutated (each number changed, each array shortened, lengthened, emptied
//! or with an entry duplicated, each field dropped, each enum tag renamed), and every load must
//! either fail with an error or give a value whose methods all work — never a panic.
#![cfg(feature = "serde")]

mod common;

use common::rng;
use nalgebra::DMatrix;
use proptest::prelude::*;
use recurrent::grad::{Batch, Loss, bptt, rtrl};
use recurrent::net::{Linear, Lookup, Stack};
use recurrent::prelude::*;
use recurrent::train::{Clip, Schedule};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// One way to change a JSON tree at one place.
#[derive(Clone, Debug)]
enum Mutation {
    SetNumber(Vec<Step>, Value),
    Shorten(Vec<Step>),
    Lengthen(Vec<Step>),
    Empty(Vec<Step>),
    DuplicateFirst(Vec<Step>),
    Drop(Vec<Step>),
    Rename(Vec<Step>),
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn at<'v>(v: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    let mut cur = v;
    for s in path {
        cur = match s {
            Step::Key(k) => cur.get_mut(k)?,
            Step::Index(i) => cur.get_mut(*i)?,
        };
    }
    Some(cur)
}

/// The numbers a field is changed to: zero, negative, tiny, huge, fractional, past `u32`.
fn numbers() -> Vec<Value> {
    [
        serde_json::json!(0),
        serde_json::json!(1),
        serde_json::json!(-1),
        serde_json::json!(2),
        serde_json::json!(0.5),
        serde_json::json!(-0.5),
        serde_json::json!(7),
        serde_json::json!(1e300),
        serde_json::json!(-1e300),
        serde_json::json!(1e-310),
        serde_json::json!(4_294_967_297u64),
        serde_json::json!(u64::MAX),
        Value::Null,
    ]
    .to_vec()
}

/// Every mutation of `v` at every place, arrays sampled at their first, second and last
/// entries (long parameter vectors would otherwise dominate).
fn mutations(v: &Value) -> Vec<Mutation> {
    fn walk(v: &Value, path: &mut Vec<Step>, out: &mut Vec<Mutation>) {
        match v {
            Value::Number(_) | Value::Null | Value::Bool(_) => {
                for n in numbers() {
                    out.push(Mutation::SetNumber(path.clone(), n));
                }
            }
            Value::String(_) => out.push(Mutation::Rename(path.clone())),
            Value::Array(a) => {
                out.push(Mutation::Shorten(path.clone()));
                out.push(Mutation::Lengthen(path.clone()));
                out.push(Mutation::Empty(path.clone()));
                out.push(Mutation::DuplicateFirst(path.clone()));
                let mut idx: Vec<usize> = [0, 1, a.len().saturating_sub(1)]
                    .into_iter()
                    .filter(|&i| i < a.len())
                    .collect();
                idx.dedup();
                for i in idx {
                    path.push(Step::Index(i));
                    walk(&a[i], path, out);
                    path.pop();
                }
            }
            Value::Object(o) => {
                for (k, child) in o {
                    path.push(Step::Key(k.clone()));
                    out.push(Mutation::Drop(path.clone()));
                    walk(child, path, out);
                    path.pop();
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

fn apply(v: &mut Value, m: &Mutation) {
    match m {
        Mutation::SetNumber(p, n) => {
            if let Some(x) = at(v, p) {
                *x = n.clone();
            }
        }
        Mutation::Rename(p) => {
            if let Some(x) = at(v, p) {
                *x = Value::String("Bogus".into());
            }
        }
        Mutation::Shorten(p)
        | Mutation::Lengthen(p)
        | Mutation::Empty(p)
        | Mutation::DuplicateFirst(p) => {
            if let Some(Value::Array(a)) = at(v, p) {
                match m {
                    Mutation::Shorten(_) => {
                        a.pop();
                    }
                    Mutation::Lengthen(_) => {
                        if let Some(l) = a.last().cloned() {
                            a.push(l);
                        }
                    }
                    Mutation::Empty(_) => a.clear(),
                    _ => {
                        if let Some(f) = a.first().cloned() {
                            a.insert(0, f);
                        }
                    }
                }
            }
        }
        Mutation::Drop(p) => {
            let (last, parent) = p.split_last().expect("a key path is never empty");
            if let (Some(Value::Object(o)), Step::Key(k)) = (at(v, parent), last) {
                o.remove(k);
            }
        }
    }
}

/// Tally of outcomes.
#[derive(Default, Debug)]
struct Tally {
    err: usize,
    ok: usize,
}

/// Loads every mutation of `value` as `T`, exercises what loads, and counts the outcomes;
/// panics (fails the test) if a load or a method panics.
fn hammer<T, F>(value: &T, exercise: F) -> Tally
where
    T: Serialize + DeserializeOwned,
    F: Fn(&T),
{
    let base = serde_json::to_value(value).expect("serialises");
    let mut tally = Tally::default();
    for m in mutations(&base) {
        let mut v = base.clone();
        apply(&mut v, &m);
        let loaded = catch_unwind(|| serde_json::from_value::<T>(v.clone()))
            .unwrap_or_else(|_| panic!("load panicked after {m:?}"));
        match loaded {
            Err(_) => tally.err += 1,
            Ok(t) => {
                tally.ok += 1;
                catch_unwind(AssertUnwindSafe(|| exercise(&t))).unwrap_or_else(|_| {
                    panic!("a method panicked on the value loaded after {m:?}")
                });
            }
        }
    }
    tally
}

/// Everything a user calls on a loaded model, on data sized from the model itself; errors are
/// fine, panics are not.
fn use_net<C: Cell<Scalar = f64> + Clone>(net: &Net<C>, loss: Loss) {
    let (i, o) = (net.n_input(), loss.target_rows(net.n_output()));
    let x = Sequence::new(DMatrix::zeros(i, 6), 2).unwrap();
    let d = Sequence::new(DMatrix::zeros(o, 6), 2).unwrap();
    let _ = net.run(&x, None);
    let _ = bptt(net, Batch::new(&x, &d), loss);
    if net.n_params() < 5000 {
        let _ = rtrl(net, Batch::new(&x, &d), loss);
    }
    let _ = net.param_blocks();
    for b in net.param_blocks() {
        let _ = net.block(&b.name);
    }
}

fn models() -> (
    Elman<f64>,
    Jordan<f64>,
    Net<Stack<recurrent::cell::ElmanCell<f64>>>,
) {
    let mut r = rng(5);
    let elman = Elman::<f64>::builder(2, 3, 2)
        .initial_context(0.5)
        .build(&mut r)
        .unwrap();
    let jordan = Jordan::<f64>::builder(2, 3, 2)
        .mu(0.5)
        .build(&mut r)
        .unwrap();
    let cell = Elman::<f64>::builder(2, 3, 3).build(&mut r).unwrap();
    let lm = Stack::builder(cell)
        .lookup(Lookup::new(4, 2).unwrap())
        .head(Linear::new(3, 4).unwrap())
        .build(&mut r)
        .unwrap();
    (elman, jordan, lm)
}

#[test]
fn every_single_mutation_errs_or_works() {
    let (elman, jordan, lm) = models();
    let mut total = Tally::default();
    let mut add = |t: Tally| {
        total.err += t.err;
        total.ok += t.ok;
    };
    add(hammer(&elman, |n| {
        use_net(n, Loss::mse());
        let _ = (n.w_aa(), n.w_ax(), n.w_ya(), n.b_a(), n.b_y());
    }));
    add(hammer(&jordan, |n| {
        use_net(n, Loss::mse());
        let x = Sequence::new(DMatrix::zeros(n.n_external_input(), 4), 1).unwrap();
        let d = Sequence::new(DMatrix::zeros(n.n_output(), 4), 1).unwrap();
        let _ = n.teacher_inputs(&x, &d);
    }));
    add(hammer(&lm, |n| use_net(n, Loss::softmax_cross_entropy())));
    let seq = Sequence::new(DMatrix::from_fn(2, 6, |i, j| (i + j) as f64), 3).unwrap();
    add(hammer(&seq, |s| {
        for t in 0..s.steps() {
            let _ = s.step(t);
        }
        let _ = (s.dim(), s.batch(), s.as_matrix().sum());
    }));
    let mask = Mask::<f64>::from_lengths(&[2, 3], 3).unwrap();
    add(hammer(&mask, |m| {
        let (steps, batch) = m.shape();
        for t in 0..steps {
            for b in 0..batch {
                let _ = m.weight(t, b);
            }
        }
    }));
    add(hammer(&Clip::norm(1.0).unwrap(), |c| {
        let _ = c.apply(&mut [3.0f64, 4.0]);
    }));
    add(hammer(&Clip::value(0.5).unwrap(), |c| {
        let _ = c.apply(&mut [3.0f64, -4.0]);
    }));
    for s in [
        Schedule::constant(0.1).unwrap(),
        Schedule::step(0.1, 3, 0.5).unwrap(),
        Schedule::linear(0.1, 0.01, 10).unwrap(),
    ] {
        add(hammer(&s, |s| {
            for e in [0, 1, 5, 100, usize::MAX] {
                assert!(s.at(e).is_finite() && s.at(e) >= 0.0, "{s:?} at {e}");
            }
        }));
    }
    eprintln!(
        "serde mutations: {} loads refused, {} accepted and used",
        total.err, total.ok
    );
    assert!(total.err > 100 && total.ok > 10, "{total:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Several mutations at once, chosen by proptest (replayable, shrinkable by seed).
    #[test]
    fn combined_mutations_err_or_work(picks in proptest::collection::vec(any::<u64>(), 1..4)) {
        let (elman, _, lm) = models();
        for (base, is_lm) in [
            (serde_json::to_value(&elman).unwrap(), false),
            (serde_json::to_value(&lm).unwrap(), true),
        ] {
            let all = mutations(&base);
            let mut v = base.clone();
            for p in &picks {
                apply(&mut v, &all[(*p as usize) % all.len()]);
            }
            if is_lm {
                if let Ok(n) = serde_json::from_value::<Net<Stack<recurrent::cell::ElmanCell<f64>>>>(v) {
                    use_net(&n, Loss::softmax_cross_entropy());
                }
            } else if let Ok(n) = serde_json::from_value::<Elman<f64>>(v) {
                use_net(&n, Loss::mse());
            }
        }
    }
}

/// The named cases, each refused.
#[test]
fn named_bad_files_are_refused() {
    let (elman, jordan, _) = models();
    let mut v = serde_json::to_value(&elman).unwrap();
    v["cell"]["n_hidden"] = serde_json::json!(4);
    assert!(
        serde_json::from_value::<Elman<f64>>(v).is_err(),
        "n_hidden vs params"
    );
    let mut v = serde_json::to_value(&elman).unwrap();
    v["params"].as_array_mut().unwrap().truncate(5);
    assert!(
        serde_json::from_value::<Elman<f64>>(v).is_err(),
        "params cut short"
    );
    let mut v = serde_json::to_value(&elman).unwrap();
    v["params"]
        .as_array_mut()
        .unwrap()
        .extend(vec![serde_json::json!(0.0); 100]);
    assert!(
        serde_json::from_value::<Elman<f64>>(v).is_err(),
        "100 extra parameters"
    );
    let mut v = serde_json::to_value(&jordan).unwrap();
    v["cell"]["mu"] = serde_json::json!(5.0);
    assert!(serde_json::from_value::<Jordan<f64>>(v).is_err(), "mu = 5");
    let mut v = serde_json::to_value(&jordan).unwrap();
    v["cell"]["n_output"] = serde_json::json!(3);
    assert!(
        serde_json::from_value::<Jordan<f64>>(v).is_err(),
        "n_output vs params"
    );
    let seq = Sequence::new(DMatrix::<f64>::zeros(1, 4), 2).unwrap();
    let mut v = serde_json::to_value(&seq).unwrap();
    v["batch"] = serde_json::json!(0);
    assert!(
        serde_json::from_value::<Sequence<f64>>(v).is_err(),
        "batch 0"
    );
    let mut v = serde_json::to_value(Clip::norm(1.0).unwrap()).unwrap();
    v["kind"]["Norm"] = serde_json::json!(-1.0);
    assert!(
        serde_json::from_value::<Clip>(v).is_err(),
        "negative clip norm"
    );
}
