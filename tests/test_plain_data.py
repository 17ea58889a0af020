"""Only plain data crosses between the checker and a student's process."""
import json
import socket

import numpy as np
import pytest

from grader.autograde.plain_data import FRAME, BrokenChannel, NotPlainData, receive, send


def round_trip(value, **options):
    left, right = socket.socketpair()
    with left, right:
        send(left, {"value": value}, **options)
        return receive(right)["value"]


def test_plain_values_arrive_as_they_left():
    value = {"W1": np.arange(6.0).reshape(2, 3), "mask": np.array([True, False]), "t": 3, "lr": 0.01,
             "nan": float("nan"), "name": "train", "none": None, "pair": (np.float64(1.5), [np.int32(2)]),
             7: "int key", ("a", 1): "tuple key", "big-endian": np.arange(3, dtype=">f8")}
    got = round_trip(value)
    assert type(got["W1"]) is np.ndarray and np.array_equal(got["W1"], value["W1"]) and got["W1"].flags.writeable
    assert got["mask"].dtype == bool and got["t"] == 3 and got["lr"] == 0.01 and np.isnan(got["nan"])
    assert got["pair"] == (1.5, [2]) and type(got["pair"][0]) is np.float64 and type(got["pair"][1][0]) is np.int32
    assert got[7] == "int key" and got[("a", 1)] == "tuple key"
    assert got["big-endian"].tolist() == [0.0, 1.0, 2.0]


class MyArray(np.ndarray):
    pass


class Fake:
    shape, dtype = (2,), np.float64


@pytest.mark.parametrize("value, message", [
    (np.zeros(2).view(MyArray), "is a MyArray (a subclass of numpy's array)"),
    (Fake(), "is a Fake"),
    (np.array(["a"], dtype=object), "dtype object"),
    ({"W1": {1, 2}}, "['W1'] is a set"),
    (print, "is a builtin_function_or_method"),
])
def test_anything_else_is_refused_with_what_and_where(value, message):
    with pytest.raises(NotPlainData, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        round_trip(value)


def test_functions_cross_as_numbers_and_only_where_both_sides_allow_it():
    left, right = socket.socketpair()
    with left, right:
        sent = []
        send(left, {"f": [len]}, callables=sent)
        assert sent == [len] and receive(right, make_callable=lambda i: ("stand-in", i)) == {"f": [("stand-in", 0)]}
        send(left, {"f": len}, callables=[])
        with pytest.raises(BrokenChannel):
            receive(right)  # the checker never takes a function from the student's side
    with pytest.raises(NotPlainData):
        round_trip(len)


@pytest.mark.parametrize("header", [
    {"sizes": [8], "value": {"array": 0, "dtype": "object", "shape": [1]}},
    {"sizes": [8], "value": {"array": 0, "dtype": "float64", "shape": [2]}},
    {"sizes": [], "value": {"callable": 0}},
    {"sizes": [], "value": {"pickle": "..."}},
    {"sizes": [], "value": 1.5},
])
def test_a_malformed_message_is_refused(header):
    data = b"\0" * sum(header["sizes"])
    encoded = json.dumps(header).encode()
    left, right = socket.socketpair()
    with left, right:
        left.sendall(FRAME.pack(len(encoded), len(data)) + encoded + data)
        with pytest.raises(BrokenChannel):
            receive(right)
