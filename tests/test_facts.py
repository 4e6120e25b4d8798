"""Facts the course states, held against what the libraries do (issue: fair grading's "facts to fix")."""
from __future__ import annotations

import re

import numpy as np

from tests.helpers import ROOT, read


def test_a_keras_reference_is_named_with_keras_own_version():
    """Before: "Checked against TensorFlow 2.21.0 keras.layers.Conv2D", while Keras is 3.x."""
    import keras

    from autograder import registry
    from autograder.messages import pass_report

    conv = registry.get("conv2d_output_shape")
    line = pass_report(conv, "hidden", 3, "/CPU:0", "2.21.0")
    assert f"Keras {keras.__version__} keras.layers.Conv2D" in line and "TensorFlow 2.21.0 keras" not in line
    pool = pass_report(registry.get("pool2d"), "hidden", 3, "/CPU:0", "2.21.0")
    assert "TensorFlow 2.21.0" in pool


def test_05_states_tensorflows_wrong_gradient_for_every_cell():
    """The notebook's numbers are TensorFlow's gradient and the centred differences, all four cells."""
    from autograder import tfops

    tf = tfops.tensorflow()
    x = tf.constant(np.arange(1.0, 5.0).reshape(1, 1, 4, 1))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.avg_pool2d(x, ksize=[1, 5], strides=1, padding="SAME")
    tf_grad = tape.gradient(y, x, output_gradients=tf.ones_like(y)).numpy().ravel()
    step, base, numeric = 1e-6, x.numpy().copy(), []
    for i in range(4):
        plus, minus = base.copy(), base.copy()
        plus.flat[i] += step
        minus.flat[i] -= step
        f = lambda v: float(tf.reduce_sum(tf.nn.avg_pool2d(tf.constant(v), [1, 5], 1, "SAME")))  # noqa: E731
        numeric.append((f(plus) - f(minus)) / (2 * step))
    text = next(c.source for c in read("05-pooling-gradients").cells if c.id == "tf-surprise-explained")
    assert ", ".join(f"{v:.4f}".rstrip("0").rstrip(".") if v == 0.75 else f"{v:.4f}" for v in tf_grad) in text
    assert ", ".join(f"{v:.4f}" for v in numeric) in text
    assert not np.allclose(tf_grad, numeric, atol=1e-3)  # still wrong in TensorFlow: else rewrite the section


def test_04_gives_keras_3s_address_of_the_pooling_layers():
    text = read("04-keras-pooling-layers").cells[0].source
    assert "https://keras.io/api/layers/pooling_layers/" in text
    assert re.search(r"keras\.io/layers/pooling/.*Keras 2", text)  # the book's old address, said to be Keras 2's


def test_the_learner_readme_promises_only_what_its_folder_holds():
    for name in ("README.md", "README.zh.md"):
        text = (ROOT / "learner" / name).read_text()
        assert "comes with this folder" not in text and "与这个文件夹一起提供" not in text
        assert "pip install ." in text
