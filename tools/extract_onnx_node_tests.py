#!/usr/bin/python3
"""Extracts the ONNX project's own backend node tests for LSTM, GRU and RNN into
test/fixtures/onnx-node/<case>/ (model.onnx, test_data_set_0/input_<k>.pb, output_<k>.pb), the
layout of onnx/backend/test/data/node in the ONNX repository.

The cases are those of the onnx package's generators onnx/backend/test/case/node/{lstm,gru,rnn}.py
(Apache-2.0), collected with onnx.backend.test.case.node.collect_testcases, exactly as the ONNX
repository's `backend-test-tools generate-data` writes them. Run with the onnx package importable,
for example from its wheel:
    pip install --no-index --find-links /opt/pypi/files --target /tmp/onnxenv onnx
    PYTHONPATH=/tmp/onnxenv /usr/bin/python3 tools/extract_onnx_node_tests.py
"""
import os

import onnx
from onnx import numpy_helper
from onnx.backend.test.case.node import collect_testcases

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'onnx-node')
PREFIXES = ('test_lstm_', 'test_gru_', 'test_rnn_', 'test_simple_rnn_')


def main():
    os.makedirs(OUT, exist_ok=True)
    for case in collect_testcases(None):
        if not case.name.startswith(PREFIXES):
            continue
        d = os.path.join(OUT, case.name)
        os.makedirs(os.path.join(d, 'test_data_set_0'), exist_ok=True)
        with open(os.path.join(d, 'model.onnx'), 'wb') as f:
            f.write(case.model.SerializeToString())
        inputs, outputs = case.data_sets[0]
        graph = case.model.graph
        for k, arr in enumerate(inputs):
            t = numpy_helper.from_array(arr, graph.input[k].name)
            with open(os.path.join(d, 'test_data_set_0', f'input_{k}.pb'), 'wb') as f:
                f.write(t.SerializeToString())
        for k, arr in enumerate(outputs):
            t = numpy_helper.from_array(arr, graph.output[k].name)
            with open(os.path.join(d, 'test_data_set_0', f'output_{k}.pb'), 'wb') as f:
                f.write(t.SerializeToString())
        print(case.name, onnx.__version__)


if __name__ == '__main__':
    main()
