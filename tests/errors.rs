//! User input can only produce `Err`, never a panic: every bad-input case of the foundation.

mod common;

use common::{random_sequence, rng};
use nalgebra::DMatrix;
use recurrent::activation::Activation;
use recurrent::cell::{Elman, Jordan};
use recurrent::grad::{Batch, CheckOptions, Loss, bptt, check};
use recurrent::init::Init;
use recurrent::{Error, Mask, Parameters, Recurrent, Sequence};

fn net() -> Elman<f64> {
    Elman::builder(3, 4, 2).build(&mut rng(0)).unwrap()
}

fn data(i: usize, o: usize, steps: usize, batch: usize) -> (Sequence<f64>, Sequence<f64>) {
    (
        random_sequence(i, steps, batch, 1.0, &mut rng(1)),
        random_sequence(o, steps, batch, 1.0, &mut rng(2)),
    )
}

#[test]
fn wrong_input_rows_name_both_shapes() {
    let (x, d) = data(5, 2, 6, 1);
    let e = bptt(&net(), Batch::new(&x, &d), Loss::mse()).unwrap_err();
    match e {
        Error::DimensionMismatch {
            what,
            expected,
            got,
            ..
        } => {
            assert_eq!(what, "inputs");
            assert_eq!(expected, (3, 6));
            assert_eq!(got, (5, 6));
        }
        other => panic!("expected DimensionMismatch, got {other:?}"),
    }
    assert!(matches!(
        net().run(&x, None),
        Err(Error::DimensionMismatch { what: "inputs", .. })
    ));
}

#[test]
fn wrong_targets_and_batches() {
    let (x, _) = data(3, 2, 6, 2);
    let (_, d_rows) = data(3, 3, 6, 2);
    assert!(matches!(
        bptt(&net(), Batch::new(&x, &d_rows), Loss::mse()),
        Err(Error::DimensionMismatch {
            what: "targets",
            ..
        })
    ));
    // same number of columns, different batch split
    let d_batch = Sequence::new(DMatrix::zeros(2, 12), 4).unwrap();
    assert!(matches!(
        bptt(&net(), Batch::new(&x, &d_batch), Loss::mse()),
        Err(Error::DimensionMismatch {
            what: "targets",
            ..
        })
    ));
    let (_, d_short) = data(3, 2, 5, 2);
    assert!(bptt(&net(), Batch::new(&x, &d_short), Loss::mse()).is_err());
}

#[test]
fn wrong_initial_state_and_mask() {
    let (x, d) = data(3, 2, 6, 2);
    let a0 = DMatrix::zeros(4, 3);
    assert!(matches!(
        bptt(&net(), Batch::new(&x, &d).with_initial(&a0), Loss::mse()),
        Err(Error::DimensionMismatch {
            what: "initial state",
            expected: (4, 2),
            got: (4, 3),
            ..
        })
    ));
    let mask = Mask::all(5, 2);
    assert!(matches!(
        bptt(&net(), Batch::new(&x, &d).with_mask(&mask), Loss::mse()),
        Err(Error::DimensionMismatch { what: "mask", .. })
    ));
}

#[test]
fn non_finite_inputs_targets_state_are_reported_with_their_step() {
    let (mut x, mut d) = data(3, 2, 6, 2);
    x.step_mut(4)[(1, 0)] = f64::NAN;
    assert!(matches!(
        bptt(&net(), Batch::new(&x, &d), Loss::mse()),
        Err(Error::NonFinite {
            what: "inputs",
            index: 4,
            ..
        })
    ));
    let (x, _) = data(3, 2, 6, 2);
    d.step_mut(2)[(0, 1)] = f64::INFINITY;
    assert!(matches!(
        bptt(&net(), Batch::new(&x, &d), Loss::mse()),
        Err(Error::NonFinite {
            what: "targets",
            index: 2,
            ..
        })
    ));
    let (_, d) = data(3, 2, 6, 2);
    let mut a0 = DMatrix::zeros(4, 2);
    a0[(3, 1)] = f64::NEG_INFINITY;
    assert!(matches!(
        bptt(&net(), Batch::new(&x, &d).with_initial(&a0), Loss::mse()),
        Err(Error::NonFinite {
            what: "initial state",
            ..
        })
    ));
    assert!(matches!(
        net().run(&x, Some(&a0)),
        Err(Error::NonFinite { .. })
    ));
}

#[test]
fn overflowing_weights_are_reported_not_propagated() {
    let mut n = Elman::<f32>::builder(1, 3, 1)
        .hidden(Activation::Identity)
        .recurrent_init(Init::Constant(1e30))
        .build(&mut rng(3))
        .unwrap();
    n.params_mut()[0] = 1e30;
    let x = Sequence::new(DMatrix::from_element(1, 8, 1e10f32), 1).unwrap();
    let d = Sequence::new(DMatrix::zeros(1, 8), 1).unwrap();
    let e = bptt(&n, Batch::new(&x, &d), Loss::mse()).unwrap_err();
    assert!(matches!(e, Error::NonFinite { .. }), "{e:?}");
    assert!(matches!(
        n.run(&x, None),
        Err(Error::NonFinite {
            what: "outputs",
            ..
        })
    ));
}

#[test]
fn cross_entropy_of_an_impossible_target_is_an_error() {
    // a saturated softmax gives probability exactly 0 to class 0
    let mut n = Elman::<f64>::builder(1, 2, 2)
        .output(Activation::Softmax)
        .build(&mut rng(4))
        .unwrap();
    let p = n.n_params();
    n.params_mut()[p - 2] = -1e6; // b_y[0]
    let x = Sequence::new(DMatrix::zeros(1, 3), 1).unwrap();
    let d = Sequence::one_hot(&[0, 0, 0], 2, 1).unwrap();
    assert!(matches!(
        bptt(&n, Batch::new(&x, &d), Loss::cross_entropy()),
        Err(Error::NonFinite {
            what: "loss",
            index: 0,
            ..
        })
    ));
}

#[test]
fn empty_sequences_and_bad_configs() {
    let x = Sequence::<f64>::new(DMatrix::zeros(3, 0), 1).unwrap();
    let d = Sequence::<f64>::new(DMatrix::zeros(2, 0), 1).unwrap();
    assert!(matches!(
        bptt(&net(), Batch::new(&x, &d), Loss::mse()),
        Err(Error::Empty { .. })
    ));
    assert!(Elman::<f64>::builder(0, 4, 1).build(&mut rng(0)).is_err());
    assert!(
        Elman::<f64>::builder(1, 4, 1)
            .initial_context(f64::NAN)
            .build(&mut rng(0))
            .is_err()
    );
    assert!(
        Jordan::<f64>::builder(1, 4, 1)
            .mu(1.0)
            .build(&mut rng(0))
            .is_err()
    );
    assert!(
        Jordan::<f64>::builder(1, 4, 1)
            .mu(-0.1)
            .build(&mut rng(0))
            .is_err()
    );
    assert!(
        Elman::<f64>::builder(2, 4, 1)
            .input_init(Init::Identity { scale: 1.0 })
            .build(&mut rng(0))
            .is_err()
    );
    let mut n = net();
    assert!(matches!(
        n.set_params(&[1.0; 3]),
        Err(Error::DimensionMismatch { .. })
    ));
    let (x, d) = data(3, 2, 2, 1);
    let bad = CheckOptions {
        step: Some(-1.0),
        ..CheckOptions::default()
    };
    assert!(check(&n, Batch::new(&x, &d), Loss::mse(), bad).is_err());
}

#[test]
fn jordan_teacher_inputs_checks_shapes() {
    let j = Jordan::<f64>::builder(2, 3, 2).build(&mut rng(0)).unwrap();
    let (x, d) = data(2, 2, 4, 1);
    let t = j.teacher_inputs(&x, &d).unwrap();
    assert_eq!(t.dim(), 4);
    // step 0 sees d⟨0⟩ = 0, step 2 sees the target of step 1
    assert_eq!(t.step(0)[(2, 0)], 0.0);
    assert_eq!(t.step(2)[(3, 0)], d.step(1)[(1, 0)]);
    let (_, d3) = data(2, 3, 4, 1);
    assert!(j.teacher_inputs(&x, &d3).is_err());
}

#[test]
fn error_messages_are_one_lower_case_line() {
    let (x, d) = data(5, 2, 6, 1);
    let msg = bptt(&net(), Batch::new(&x, &d), Loss::mse())
        .unwrap_err()
        .to_string();
    assert_eq!(msg, "bptt: inputs has shape 5x6, expected 3x6");
}

/// A builder asked for sizes that cannot be had returns an error naming the size; it never
/// aborts on the allocation.
#[test]
fn impossible_sizes_are_errors_not_aborts() {
    use rand::SeedableRng;
    let mut r = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
    for (i, h, o) in [
        (1, 1_000_000_000, 1), // 10¹⁸ scalars: more bytes than an address space holds
        (usize::MAX / 2, 4, 1),
        (1, 4, usize::MAX),
    ] {
        let e = Elman::<f64>::builder(i, h, o).build(&mut r);
        assert!(matches!(e, Err(Error::InvalidParameter { .. })), "{e:?}");
    }
    // Jordan has no N × N block: only counts that overflow are impossible for it
    for (i, h, o) in [
        (usize::MAX / 2, 4, 1),
        (1, 4, usize::MAX),
        (usize::MAX, 1, 1),
    ] {
        let j = Jordan::<f32>::builder(i, h, o).build(&mut r);
        assert!(matches!(j, Err(Error::InvalidParameter { .. })), "{j:?}");
    }
    assert!(recurrent::net::Lookup::new(1 << 25, 10).is_err());
    assert!(recurrent::net::Linear::new(usize::MAX, 2).is_err());
}
