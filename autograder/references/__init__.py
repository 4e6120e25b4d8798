"""TensorFlow's own answers for every exercise, one module per family of ops.

Each reference takes a case's arguments (plus ``device_name``) and returns what the learner's
function must return, computed with TensorFlow ops on ``tf.constant`` inputs of the intended
dtype (:func:`autograder.tfops.constant`), never with a copy of a model answer.

* :mod:`.pooling`: ``tf.nn.max_pool`` / ``tf.nn.avg_pool`` (1-D, 2-D, 3-D), and the input cells
  no window of ``tf.nn.avg_pool1d`` reads (from its gradient);
* :mod:`.gradients`: the gradient of 2-D pooling by ``tf.GradientTape``;
* :mod:`.keras_layers`: Keras' pooling and global pooling layers.

* :mod:`.convolution`: convolution output sizes, read off ``tf.nn.conv2d`` and ``keras.layers.Conv2D``
  (notebook 01).
"""
from .gradients import avg_pool_grad_unreliable, tf_pool_gradient
from .keras_layers import keras_global_pooling_layer, keras_pooling_layer
from .pooling import tf_pool, uncovered_cells

__all__ = ["tf_pool", "uncovered_cells", "tf_pool_gradient", "avg_pool_grad_unreliable",
           "keras_pooling_layer", "keras_global_pooling_layer"]
