//! Models survive a save/load round trip (serde feature), bit for bit.
#![cfg(feature = "serde")]

mod common;

use common::{random_sequence, rng};
use recurrent::activation::Activation;
use recurrent::cell::{Elman, Feedback, Jordan};
use recurrent::{Error, Recurrent};
use std::io::Write;

fn save_and_load<M: serde::Serialize + serde::de::DeserializeOwned>(model: &M, name: &str) -> M {
    let dir = std::env::temp_dir().join(format!("recurrent-serde-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let json = serde_json::to_vec(model).unwrap();
    recurrent::io::write_atomic(&path, |w| {
        w.write_all(&json).map_err(|e| Error::Io {
            context: "writing json".into(),
            source: e,
        })
    })
    .unwrap();
    let back = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    back
}

#[test]
fn elman_round_trip_reproduces_outputs_exactly() {
    let net = Elman::<f64>::builder(3, 7, 2)
        .hidden(Activation::Sigmoid)
        .output(Activation::Softmax)
        .initial_context(0.5)
        .build(&mut rng(8))
        .unwrap();
    let back = save_and_load(&net, "elman.json");
    assert_eq!(back, net);
    let x = random_sequence(3, 9, 2, 1.0, &mut rng(9));
    assert_eq!(back.run(&x, None).unwrap(), net.run(&x, None).unwrap());
    let net32 = Elman::<f32>::builder(2, 3, 1).build(&mut rng(1)).unwrap();
    assert_eq!(save_and_load(&net32, "elman32.json"), net32);
}

#[test]
fn jordan_round_trip_reproduces_outputs_exactly() {
    let net = Jordan::<f64>::builder(2, 5, 2)
        .mu(0.7)
        .feedback(Feedback::Teacher)
        .build(&mut rng(10))
        .unwrap();
    let back = save_and_load(&net, "jordan.json");
    assert_eq!(back, net);
    let x = random_sequence(4, 6, 1, 1.0, &mut rng(11));
    assert_eq!(back.run(&x, None).unwrap(), net.run(&x, None).unwrap());
}
