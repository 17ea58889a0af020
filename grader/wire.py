"""Values that cross between the grader and a student's process, as JSON.

Only plain data crosses: None, bools, numbers (inf and nan included),
strings, lists, tuples, dicts with string keys, NumPy arrays and scalars of
numeric or boolean dtype. Nothing is unpickled, so a student's process can
send wrong answers but never code.
"""
import base64
import json

import numpy as np

DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64"}


class WireError(ValueError):
    """A message that is not one of the values above."""


def encode(value):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, np.generic):
        return value if isinstance(value, int) else {"float": repr(float(value))}
    if isinstance(value, np.generic):
        return {"scalar": encode(np.asarray(value))}
    if isinstance(value, np.ndarray):
        if value.dtype.name not in DTYPES:
            raise WireError(f"arrays of dtype {value.dtype} cannot be graded")
        data = np.ascontiguousarray(value)
        return {"array": base64.b64encode(data.tobytes()).decode(), "dtype": value.dtype.name,
                "shape": list(value.shape)}
    if isinstance(value, (list, tuple)):
        return {"list" if isinstance(value, list) else "tuple": [encode(v) for v in value]}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise WireError("dict keys must be strings")
        return {"dict": {k: encode(v) for k, v in value.items()}}
    raise WireError(f"a value of type {type(value).__name__} cannot be graded")


def decode(data):
    if data is None or isinstance(data, (bool, str, int)):
        return data
    if not isinstance(data, dict) or len(data) not in (1, 3):
        raise WireError("malformed value")
    if "float" in data:
        return float(data["float"])
    if "scalar" in data:
        return decode(data["scalar"])[()]
    if "array" in data:
        if data.get("dtype") not in DTYPES:
            raise WireError("bad dtype")
        shape = tuple(int(n) for n in data["shape"])
        return np.frombuffer(base64.b64decode(data["array"]), dtype=data["dtype"]).reshape(shape).copy()
    if "list" in data:
        return [decode(v) for v in data["list"]]
    if "tuple" in data:
        return tuple(decode(v) for v in data["tuple"])
    if "dict" in data:
        return {str(k): decode(v) for k, v in data["dict"].items()}
    raise WireError("malformed value")


def dumps(message):
    return json.dumps(message, allow_nan=False) + "\n"


def loads(line):
    return json.loads(line)
