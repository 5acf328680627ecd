"""Tiny ONNX models built with the ``onnx`` helper API (the test extra; no downloads)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def write_constant_model(path: Path, output: np.ndarray, input_size: tuple[int, int]) -> Path:
    """An ONNX model (opset 17) whose output is ``output`` for any (1, 3, h, w) input of ``input_size``
    (width, height): the graph consumes its input (sum of the image x 0) and adds a constant table."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    output = np.asarray(output, np.float32)
    width, height = input_size
    images = helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, height, width])
    result = helper.make_tensor_value_info("output0", TensorProto.FLOAT, list(output.shape))
    initializers = [
        numpy_helper.from_array(output, "table"),
        numpy_helper.from_array(np.array([1, 2, 3], np.int64), "axes"),
        numpy_helper.from_array(np.array(0.0, np.float32), "zero"),
        numpy_helper.from_array(np.ones(output.ndim, np.int64), "ones"),
    ]
    nodes = [  # output0 = reshape(sum(images) * 0) + table: the input is used, the output is constant
        helper.make_node("ReduceSum", ["images", "axes"], ["total"], keepdims=0),
        helper.make_node("Mul", ["total", "zero"], ["nothing"]),
        helper.make_node("Reshape", ["nothing", "ones"], ["nothing_nd"]),
        helper.make_node("Add", ["nothing_nd", "table"], ["output0"]),
    ]
    graph = helper.make_graph(nodes, "constant_yolo", [images], [result], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path
