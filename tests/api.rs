//! Public-API contracts: the prelude is enough for the quick start, and public types can cross
//! threads.

use recurrent::prelude::*;

/// Compile-time check that a type is `Send + Sync`.
fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn public_types_are_send_and_sync() {
    assert_send_sync::<Elman<f32>>();
    assert_send_sync::<Jordan<f64>>();
    assert_send_sync::<Sequence<f64>>();
    assert_send_sync::<Mask<f32>>();
    assert_send_sync::<recurrent::Trace<f64>>();
    assert_send_sync::<recurrent::grad::Bptt<f64>>();
    assert_send_sync::<recurrent::grad::Gradient<f32>>();
    assert_send_sync::<recurrent::Word2Vec>();
    assert_send_sync::<Error>();
    assert_send_sync::<recurrent::net::Stack<recurrent::cell::ElmanCell<f32>>>();
    assert_send_sync::<Net<recurrent::net::Stack<recurrent::cell::JordanCell<f64>>>>();
}

#[test]
fn prelude_is_enough_for_the_quick_start() -> Result<(), Error> {
    use nalgebra::DMatrix;
    use rand::SeedableRng;
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(42);
    let net = Elman::<f64>::builder(2, 16, 1).build(&mut rng)?;
    let x = Sequence::new(
        DMatrix::from_fn(2, 40, |i, j| ((i + j) % 3) as f64 - 1.0),
        4,
    )?;
    let run = net.run(&x, None)?;
    assert_eq!(run.outputs.steps(), 10);
    assert_eq!(run.states.dim(), net.n_state());
    Ok(())
}

/// The flat parameter blocks cover the vector exactly, in the documented order.
#[test]
fn param_blocks_tile_the_parameters() {
    use rand::SeedableRng;
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
    let e = Elman::<f64>::builder(3, 5, 2).build(&mut rng).unwrap();
    let j = Jordan::<f64>::builder(3, 5, 2).build(&mut rng).unwrap();
    for (blocks, n, names) in [
        (
            e.param_blocks(),
            e.n_params(),
            ["w_ax", "w_aa", "b_a", "w_ya", "b_y"],
        ),
        (
            j.param_blocks(),
            j.n_params(),
            ["w_hx", "w_hs", "b_h", "w_yh", "b_y"],
        ),
    ] {
        let mut next = 0;
        for (b, name) in blocks.iter().zip(names) {
            assert_eq!(b.name, name);
            assert_eq!(b.offset, next);
            next += b.len();
        }
        assert_eq!(next, n);
    }
    // the named views read the same numbers as the flat vector
    let b = &e.param_blocks()[1];
    assert_eq!(e.w_aa()[(2, 3)], e.params()[b.offset + 3 * b.rows + 2]);
}
