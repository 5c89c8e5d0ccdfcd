//! A stored network saves and loads through serde (JSON here) and recalls identically.
#![cfg(feature = "serde")]

use nalgebra::{DMatrix, DVector};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use recurrent::AssociativeMemory;
use recurrent::hopfield::{ContinuousHopfield, Hopfield, ModernHopfield, Rule};

fn round_trip<T: recurrent::scalar::Real + serde::Serialize + serde::de::DeserializeOwned>() {
    let mut r = Xoshiro256PlusPlus::seed_from_u64(9);
    let one: T = recurrent::scalar::lit(1.0);
    let x = DMatrix::<T>::from_fn(64, 6, |_, _| if r.random::<bool>() { one } else { -one });
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
        let mut r1 = Xoshiro256PlusPlus::seed_from_u64(1);
        let mut r2 = Xoshiro256PlusPlus::seed_from_u64(1);
        assert_eq!(
            back.recall_async(&probe, &mut r1).unwrap(),
            net.recall_async(&probe, &mut r2).unwrap()
        );
        let more = DMatrix::<T>::from_fn(64, 2, |_, _| if r.random::<bool>() { one } else { -one });
        let (mut a, mut b) = (net.clone(), back.clone());
        a.store(&more).unwrap();
        b.store(&more).unwrap();
        assert_eq!(a, b);
    }
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
    let c = ContinuousHopfield::builder(DMatrix::<f64>::identity(3, 3), DVector::zeros(3))
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
    let mut v: serde_json::Value = serde_json::to_value(&net).unwrap();
    // thresholds of the wrong length
    v["thresholds"] = serde_json::to_value(DVector::<f64>::zeros(2)).unwrap();
    let e = serde_json::from_value::<Hopfield<f64>>(v).unwrap_err();
    assert!(e.to_string().contains("thresholds"), "{e}");
    // a non-symmetric weight matrix
    let mut v: serde_json::Value = serde_json::to_value(&net).unwrap();
    let mut w = net.weights().clone();
    w[(0, 1)] = 5.0;
    v["weights"] = serde_json::to_value(&w).unwrap();
    assert!(serde_json::from_value::<Hopfield<f64>>(v).is_err());
    // continuous: bias of the wrong length
    let c = ContinuousHopfield::builder(DMatrix::<f64>::identity(3, 3), DVector::zeros(3))
        .build()
        .unwrap();
    let mut v = serde_json::to_value(&c).unwrap();
    v["bias"] = serde_json::to_value(DVector::<f64>::zeros(4)).unwrap();
    assert!(serde_json::from_value::<ContinuousHopfield<f64>>(v).is_err());
    // modern: β ≤ 0
    let m = ModernHopfield::from_patterns(&x, 1.0).unwrap();
    let mut v = serde_json::to_value(&m).unwrap();
    v["beta"] = serde_json::json!(-1.0);
    assert!(serde_json::from_value::<ModernHopfield<f64>>(v).is_err());
}
